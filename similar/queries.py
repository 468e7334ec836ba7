"""Similar cases as a user may see them: the index's candidates filtered by the user's
scope (cases.permissions.visible_cases) before the top k is taken, then read from the
database in a query or two (the case with its lead unit, its signed reply's beginning)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models.functions import Substr

from cases.models import Case, Reply, ReplyStatus
from cases.permissions import visible_cases
from orgs.access import standing_of
from similar import index
from workflow.vocabulary import State

if TYPE_CHECKING:
    from huiyin.types import User

REPLY_HEAD = 120  # characters of a reply shown beside a similar case


@dataclass
class SimilarCase:
    case: Case
    score: float
    reply_head: str = ""
    reply_on: Any = None

    @property
    def percent(self) -> int:
        return round(self.score * 100)


# A unit's candidates are those the index knows it leads or holds a live assignment on: the
# best of them, a few more than are shown (SPARE: the index may be a moment behind), are
# checked against the database, and a second, larger round is asked only if too few pass.
SPARE = 5
ROUNDS = 2


def _visible(user: User, ids: list[int]) -> dict[int, Case]:
    """The cases of `ids` the user may see (not withdrawn), with what the lists show (not
    their content: a round may hold thousands)."""
    return {
        c.pk: c
        for c in visible_cases(user, Case.objects.filter(pk__in=ids), few=True)
        .exclude(state=State.WITHDRAWN)
        .select_related("lead_unit")
        .defer("content")
        .order_by()
    }


@dataclass
class Seen:
    """What one request has read already (the case page asks twice, for its panel and for
    the reply card, mostly about the same candidates): each case the user may see, read
    whole (None: not visible or withdrawn), and each case's signed reply's beginning."""

    rows: dict[int, Case | None] = field(default_factory=dict)
    heads: dict[int, tuple[str, Any]] = field(default_factory=dict)

    def visible(self, user: User, ids: list[int]) -> dict[int, Case]:
        """The cases of `ids` the user may see, reading only those not asked about yet."""
        unknown = [pk for pk in ids if pk not in self.rows]
        if unknown:
            found = _visible(user, unknown)
            self.rows.update({pk: found.get(pk) for pk in unknown})
        return {pk: row for pk in ids if (row := self.rows[pk]) is not None}

    def reply_heads(self, ids: list[int]) -> dict[int, tuple[str, Any]]:
        """Each case's last signed reply's beginning and date (("", None): none)."""
        unknown = [pk for pk in ids if pk not in self.heads]
        if unknown:
            found = (
                Reply.objects.filter(case_id__in=unknown, status=ReplyStatus.SIGNED)
                .annotate(head=Substr("text", 1, REPLY_HEAD))
                .order_by("case_id", "round", "id")
                .values_list("case_id", "head", "signed_on")
            )
            latest = {pk: (head, on) for pk, head, on in found}  # the last round wins
            self.heads.update({pk: latest.get(pk, ("", None)) for pk in unknown})
        return {pk: self.heads[pk] for pk in ids}


def similar_for(
    user: User,
    title: str,
    content: str = "",
    *,
    limit: int = 10,
    exclude: set[int] | frozenset[int] = frozenset(),
    before: tuple[int, int] | None = None,
    answered_only: bool = False,
    with_replies: bool = False,
    sync: bool = True,
    seen: Seen | None = None,
) -> list[SimilarCase]:
    """The cases most similar to the text that `user` may see, best first.

    The office and the leaders see every case: the index's first `limit` are theirs. A
    unit's are the best of the cases the index knows it leads or holds a live assignment
    on (its scope, as cases.permissions.visible_cases counts it), checked against the
    database: a unit never loads the ids of all its cases, and the cases it may not see
    are left out before the first `limit` are taken. `seen`: what an earlier question of
    the same request read (the same user), so that only the candidates new to it are
    read."""
    seen = seen if seen is not None else Seen()
    standing = standing_of(user)
    units = None if standing.sees_all else frozenset(standing.unit_ids)
    asking = limit if units is None else limit + SPARE
    for _ in range(ROUNDS):
        ranked_ids, ranked_scores = index.ranked(
            title,
            content,
            limit=asking,
            exclude=exclude,
            before=before,
            answered_only=answered_only,
            sync=sync,
            units=units,
        )
        sync = False
        ids = [int(pk) for pk in ranked_ids]
        # The office and the leaders see every case; a unit's are checked here.
        rows = seen.visible(user, ids)
        if units is None or len(rows) >= limit or len(ids) < asking:
            break
        asking *= 8
    score = {int(pk): float(s) for pk, s in zip(ranked_ids, ranked_scores, strict=True)}
    found = [SimilarCase(rows[pk], round(score[pk], 4)) for pk in ids if pk in rows][:limit]
    if with_replies and found:
        heads = seen.reply_heads([s.case.pk for s in found])
        for s in found:
            s.reply_head, s.reply_on = heads[s.case.pk]
    return found


@dataclass
class Asked:
    """What this request's questions about one case (its page asks twice: the panel and the
    reply card) have read, kept on the case object for the request: the ids of the cases
    merged into it, whether the index was brought up to date, and each candidate read for
    one user."""

    merged: list[int] | None = None
    synced: bool = False
    user_id: int | None = None
    seen: Seen = field(default_factory=Seen)

    @staticmethod
    def of(case: Case) -> Asked:
        found: Asked | None = getattr(case, "_similar_asked", None)
        if found is None:
            found = Asked()
            case._similar_asked = found  # type: ignore[attr-defined]
        return found

    def seen_by(self, user: User) -> Seen:
        if self.user_id != user.pk:  # what one user may see is not another's
            self.user_id, self.seen = user.pk, Seen()
        return self.seen


def merged_ids(case: Case) -> list[int]:
    """The ids of the cases merged into `case` (并入此件的), read once a request: the
    panel lists them, and similar cases leave them out."""
    asked = Asked.of(case)
    if asked.merged is None:
        asked.merged = list(case.merged_cases.order_by("id").values_list("id", flat=True))
    return asked.merged


def similar_to_case(
    user: User, case: Case, *, limit: int = 5, answered_only: bool = False
) -> list[SimilarCase]:
    """The earlier cases most like `case` (of an earlier year, or of its year and
    registered before it), with their replies' beginning; not those merged with it.

    The case page asks twice (its panel, the reply card): the cases merged with it are read,
    the index is brought up to date, and each candidate is read once (Asked)."""
    asked = Asked.of(case)
    # The first question of the request brings the index up to date (the panel may have
    # read the merged cases already: that is no sign of it).
    sync, asked.synced = not asked.synced, True
    merged = set(merged_ids(case))
    if case.merged_into_id:
        merged.add(case.merged_into_id)
    return similar_for(
        user,
        case.title,
        case.content,
        limit=limit,
        exclude={case.pk, *merged},
        # While drafting (answered only): the earlier answers; on the case page: any like it,
        # also one registered later (a duplicate to merge is often the later one).
        before=(case.year, case.pk) if answered_only else None,
        answered_only=answered_only,
        with_replies=True,
        sync=sync,
        seen=asked.seen_by(user),
    )
