"""回头看's reads: the promises made (承诺事项 of a signed B/C reply, on a counted 议提案) and
the "needs time" answers of public opinions, scoped to the user, filtered, and counted.

A promise is counted by its case's ledger year (Case.year), as the report is titled
("2025年B类件承诺事项兑现情况"). Its status is the latest update (cases.actions.handling.
update_commitment): 已兑现 / 部分兑现 / 未兑现 (settled) or 未开始 / 推进中 (open); an open
promise past its due date is 逾期未兑现.

兑现率 (commitment_fulfilment_rate) = 已兑现 ÷ (已认定 + 逾期未兑现): the promises fulfilled
among those that are settled or due, so a promise not yet due counts for nothing and one
that is late counts against; partly fulfilled ones are in the denominator only. None when
no promise is settled or due.

Every figure is one aggregate query over the promises in scope (an index on the owner unit
and status, the partial index on the open ones by due date), whatever their number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from cases.models import (
    COMMITMENT_OPEN,
    Case,
    Commitment,
    CommitmentStatus,
    ReplyStatus,
)
from cases.models.choices import PROPOSAL_CATEGORIES, Category
from huiyin.types import AnyUser
from opinions.models import Result
from orgs.access import standing_of
from orgs.models import Unit
from workflow.tables import states_in

CLASSES = ("B", "C")
SETTLED = (CommitmentStatus.FULFILLED, CommitmentStatus.PARTIAL, CommitmentStatus.UNFULFILLED)
STATUS_LABELS = dict(CommitmentStatus.choices)
# The list's status filter: a status, or the two open ones together.
OPEN_FILTER = "open_any"
STATUS_FILTERS = (*COMMITMENT_OPEN, *SETTLED, OPEN_FILTER)


class NoPromises(Exception):
    """The user has neither a commission role nor a unit: 回头看 is not for them."""


def kept_promises() -> QuerySet[Commitment]:
    """The promises made: of a signed B/C reply, on a 议提案 the statistics count (not
    withdrawn)."""
    return Commitment.objects.filter(
        reply__status=ReplyStatus.SIGNED,
        reply__reply_class__in=CLASSES,
        case__category__in=PROPOSAL_CATEGORIES,
    ).exclude(case__state__in=sorted(states_in("uncounted")))


def scope_units(user: AnyUser) -> frozenset[int] | None:
    """None: every unit's (the office, leaders, viewers, admins); else the user's units.
    NoPromises for a user with neither."""
    standing = standing_of(user)
    if standing.sees_all:
        return None
    if not standing.unit_ids:
        raise NoPromises
    return standing.unit_ids


@dataclass(frozen=True)
class Filters:
    """What the list shows: the ledger year, the reply class (B, C or both), an owner unit,
    a status (or every open one), only the overdue ones."""

    year: int
    reply_class: str = ""
    unit: Unit | None = None
    status: str = ""
    overdue: bool = False

    @property
    def class_words(self) -> str:
        return f"{self.reply_class}类件" if self.reply_class else "B类、C类件"


def title(f: Filters) -> str:
    """The report's and the export's title: 2025年B类件承诺事项兑现情况."""
    return f"{f.year}年{f.class_words}承诺事项兑现情况"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def promises_in(units: frozenset[int] | None, f: Filters) -> QuerySet[Commitment]:
    """The promises of the year (class, unit) in the user's scope, before the status filters."""
    qs = kept_promises().filter(case__year=f.year)
    if units is not None:
        qs = qs.filter(unit_id__in=sorted(units))
    if f.reply_class:
        qs = qs.filter(reply__reply_class=f.reply_class)
    if f.unit is not None:
        qs = qs.filter(unit=f.unit)
    return qs


def promise_years(units: frozenset[int] | None) -> list[int]:
    """The ledger years that have promises in the user's scope, latest first (one query):
    the list opens on the first and offers them all."""
    qs = kept_promises()
    if units is not None:
        qs = qs.filter(unit_id__in=sorted(units))
    return list(qs.order_by("-case__year").values_list("case__year", flat=True).distinct())


def status_q(status: str, overdue: bool, on: date) -> Q:
    q = Q()
    if status == OPEN_FILTER:
        q &= Q(status__in=list(COMMITMENT_OPEN))
    elif status:
        q &= Q(status=status)
    if overdue:
        q &= Q(status__in=list(COMMITMENT_OPEN), due__lt=on)
    return q


def figures_of(qs: QuerySet[Commitment], on: date) -> dict[str, Any]:
    """The counts (one aggregate) and the fulfilment rate; see the module's definition."""
    late = Q(status__in=list(COMMITMENT_OPEN), due__lt=on)
    counts = qs.aggregate(
        total=Count("id"),
        fulfilled=Count("id", filter=Q(status=CommitmentStatus.FULFILLED)),
        partial=Count("id", filter=Q(status=CommitmentStatus.PARTIAL)),
        unfulfilled=Count("id", filter=Q(status=CommitmentStatus.UNFULFILLED)),
        open=Count("id", filter=Q(status__in=list(COMMITMENT_OPEN))),
        in_progress=Count("id", filter=Q(status=CommitmentStatus.IN_PROGRESS)),
        overdue=Count("id", filter=late),
    )
    return {**counts, "rate": fulfilment_rate(counts)}


def fulfilment_rate(counts: dict[str, int]) -> float | None:
    """已兑现 ÷ (已兑现 + 部分兑现 + 未兑现 + 逾期未兑现); None when that is 0."""
    due = counts["fulfilled"] + counts["partial"] + counts["unfulfilled"] + counts["overdue"]
    return None if due == 0 else round(counts["fulfilled"] / due, 4)


FIGURE_KEYS = ("total", "fulfilled", "partial", "unfulfilled", "open", "overdue")


def years_commitments(years: list[int], unit: Unit | None, on: date) -> dict[int, dict[str, Any]]:
    """The statistics object's part (reports.stats.year_stats) for each of `years`, in one
    grouped query over the summary rows (reports.models.TallyPromise, kept by the actions;
    `huiyin stats --verify` recounts them from kept_promises): the year's B/C promises, of
    one owner unit or all, as `commitments` {total, fulfilled, partial, unfulfilled, open,
    overdue} and the `commitment_fulfilment_rate` (the module's definition)."""
    from reports.models import TallyPromise

    qs = TallyPromise.objects.filter(year__in=years).exclude(
        state__in=sorted(states_in("uncounted"))
    )
    if unit is not None:
        qs = qs.filter(unit=unit.pk)

    def n(condition: Q | None = None) -> Coalesce:
        return Coalesce(Sum("n", filter=condition), 0)

    rows = (
        qs.values("year")
        .annotate(
            total=n(),
            fulfilled=n(Q(status=CommitmentStatus.FULFILLED)),
            partial=n(Q(status=CommitmentStatus.PARTIAL)),
            unfulfilled=n(Q(status=CommitmentStatus.UNFULFILLED)),
            open=n(Q(status__in=list(COMMITMENT_OPEN))),
            overdue=n(Q(status__in=list(COMMITMENT_OPEN), due__lt=on)),
        )
        .order_by()
    )
    counts = {year: dict.fromkeys(FIGURE_KEYS, 0) for year in years}
    for row in rows:
        counts[row["year"]] = {k: row[k] for k in FIGURE_KEYS}
    return {
        year: {"commitments": n, "commitment_fulfilment_rate": fulfilment_rate(n)}
        for year, n in counts.items()
    }


def rated_year(promised: dict[int, dict[str, Any]]) -> int:
    """The latest of the years counted (years_commitments) whose fulfilment rate means
    something (a promise settled or due); the latest year when none has one."""
    rated = [y for y, n in promised.items() if n["commitment_fulfilment_rate"] is not None]
    return max(rated or promised)


def year_commitments(year: int, unit: Unit | None, on: date) -> dict[str, Any]:
    return years_commitments([year], unit, on)[year]


# "Needs time" answers of public opinions (群众意见 需要时间解决): the promised fix.


def needs_time(units: frozenset[int] | None, year: int) -> QuerySet[Case]:
    """The year's public opinions answered "needs time" (received that year), in scope:
    the unit that answered (the lead unit) for a unit's people."""
    qs = Case.objects.filter(
        category=Category.PUBLIC_OPINION,
        year=year,
        opinion__result=Result.NEEDS_TIME,
    )
    if units is not None:
        qs = qs.filter(lead_unit_id__in=sorted(units))
    return qs


def needs_time_figures(qs: QuerySet[Case], on: date) -> dict[str, int]:
    return qs.aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(opinion__fix_done_on__isnull=False)),
        open=Count("id", filter=Q(opinion__fix_done_on__isnull=True)),
        overdue=Count("id", filter=Q(opinion__fix_done_on__isnull=True, opinion__fix_due__lt=on)),
    )


def by_unit(qs: QuerySet[Commitment], on: date) -> list[dict[str, Any]]:
    """figures_of per owner unit (one grouped query), most promises first."""
    late = Q(status__in=list(COMMITMENT_OPEN), due__lt=on)
    rows = (
        qs.values("unit__name", "unit__sort_order")
        .annotate(
            total=Count("id"),
            fulfilled=Count("id", filter=Q(status=CommitmentStatus.FULFILLED)),
            partial=Count("id", filter=Q(status=CommitmentStatus.PARTIAL)),
            unfulfilled=Count("id", filter=Q(status=CommitmentStatus.UNFULFILLED)),
            open=Count("id", filter=Q(status__in=list(COMMITMENT_OPEN))),
            overdue=Count("id", filter=late),
        )
        .order_by("-total", "unit__sort_order", "unit__name")
    )
    return [
        {**row, "name": row["unit__name"] or "未确定", "rate": fulfilment_rate(row)} for row in rows
    ]
