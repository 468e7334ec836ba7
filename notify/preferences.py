"""Reading a user's notification choices. A user without a Preference row has the
defaults of the model (e-mail on, digest off); nothing is written by reading."""

from collections.abc import Iterable

from huiyin.types import User
from notify.models import Preference

# Users per query.
CHUNK = 500


def preference_for(user: User) -> Preference:
    """The user's choice, or the defaults (an unsaved row) if they never chose."""
    found = Preference.objects.filter(user=user).first()
    return found if found is not None else Preference(user=user)


def preferences_for(user_ids: Iterable[int]) -> dict[int, Preference]:
    """Each user's choice in one query (the morning run asks for thousands at once)."""
    wanted = set(user_ids)
    found = {p.user_id: p for p in Preference.objects.filter(user_id__in=wanted)}
    return {uid: found.get(uid) or Preference(user_id=uid) for uid in wanted}


def digest_user_ids(user_ids: Iterable[int]) -> set[int]:
    """Those of the users who chose the quiet digest (one daily mail instead of one per
    case): the reminders gather their mail. One query per CHUNK users (SQLite bounds the
    parameters of a statement)."""
    wanted = sorted(set(user_ids))
    found: set[int] = set()
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        found.update(
            Preference.objects.filter(user_id__in=chunk, digest=True).values_list(
                "user_id", flat=True
            )
        )
    return found
