"""Phone numbers of the public: shown in full only to those who answer the person — the
coordinator and the units holding the case — and masked (138****1234) everywhere else:
pages, API answers, exports and statistics alike. One masking (disclosure.masking.mask_phone,
mask_email) serves here and in published replies."""

import re
from typing import TYPE_CHECKING

from disclosure.masking import mask_email, mask_phone
from orgs.access import standing_of
from orgs.models import Role

if TYPE_CHECKING:
    from cases.models import Case
    from huiyin.types import AnyUser


# Digits that look like a phone number (7 or more, maybe with - or spaces): a person may
# write their number into the text, and a title is the text's first 30 characters.
PHONE_LIKE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?\d(?:[- ]?\d){6,}(?!\d)")


def without_phones(text: str) -> str:
    """`text` with every phone-like number masked (138****1234)."""
    return PHONE_LIKE.sub(lambda m: mask_phone(re.sub(r"\D", "", m.group())), text or "")


def sees_phone(user: "AnyUser", case: "Case") -> bool:
    """The coordinator, or a member of a unit with a live assignment on the case."""
    if not getattr(user, "is_authenticated", False):
        return False
    standing = standing_of(user)
    if standing.has(Role.COORDINATOR):
        return True
    if not standing.unit_ids:
        return False
    from cases.permissions import LIVE_ASSIGNMENT
    from huiyin.prefetch import prefetched

    assignments = prefetched(case, "assignments")
    if assignments is None:
        return case.assignments.filter(
            status__in=LIVE_ASSIGNMENT, unit_id__in=standing.unit_ids
        ).exists()
    return any(a.status in LIVE_ASSIGNMENT and a.unit_id in standing.unit_ids for a in assignments)


def shown_phone(user: "AnyUser", case: "Case", phone: str) -> str:
    return phone if sees_phone(user, case) else mask_phone(phone)


def shown_text(user: "AnyUser", case: "Case", text: str) -> str:
    """An opinion's text (numbers the person wrote into it masked for those who may not
    see their phone)."""
    return text if sees_phone(user, case) else without_phones(text)


def shown_email(user: "AnyUser", case: "Case", email: str) -> str:
    return email if sees_phone(user, case) else mask_email(email)


def sees_code(user: "AnyUser") -> bool:
    """The tracking code (查询码) opens the person's own page with their phone: only the
    office, which gives it to a caller, sees it; never a unit that is being rated."""
    return bool(getattr(user, "is_authenticated", False)) and standing_of(user).has(
        Role.COORDINATOR
    )


__all__ = ["mask_email", "mask_phone", "sees_phone", "shown_email", "shown_phone", "shown_text"]
