"""The live status light of an open supervision item, from the clock and the milestones:
红 overdue; 黄 a milestone missed, or the time used running ahead of the progress reported
(序时进度) by more than the margin; 蓝 the deadline close (a few working days); none
otherwise, and none once it is no longer running. One function for one item (its page, the
API) and the same rules for many at once (the board reads `lights`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from supervision import rules
from supervision.models import Light, Milestone, Supervision, Timing
from workdays.calendar import WorkdaySpan
from workflow.vocabulary import State

if TYPE_CHECKING:
    from cases.models import Case

RUNNING = (State.REGISTERED, State.ASSIGNED, State.HANDLING)


def light_of(
    case: Case,
    today: date,
    *,
    progress: int = 0,
    missed_milestone: bool = False,
    span: WorkdaySpan | None = None,
) -> str:
    if case.state not in RUNNING or case.deadline is None:
        return Light.NONE
    if case.deadline < today:
        return Light.RED
    if missed_milestone or _behind(case, today, progress):
        return Light.YELLOW
    if workdays_between(today, case.deadline, span=span) <= rules.approaching_workdays():
        return Light.BLUE
    return Light.NONE


def _behind(case: Case, today: date, progress: int) -> bool:
    start = case.assigned_on
    if start is None or case.deadline is None or case.deadline <= start:
        return False
    used = (today - start).days / (case.deadline - start).days * 100
    return used - progress > rules.behind_margin()


def lights(cases: Iterable[Case], today: date) -> dict[int, str]:
    """The light of each case (three queries whatever their number: the progress, the
    missed milestones, and one calendar for the working days to every deadline)."""
    cases = list(cases)
    ids = [c.pk for c in cases]
    ahead = [c.deadline for c in cases if c.state in RUNNING and c.deadline and c.deadline >= today]
    span = WorkdaySpan(today, max(ahead)) if ahead else None
    percent = dict(
        Supervision.objects.filter(pk__in=ids).values_list("case_id", "progress_percent")
    )
    missed = set(
        Milestone.objects.filter(case_id__in=ids, reached_on__isnull=True, due__lt=today)
        .order_by()  # the model's order (by case) would join the cases into the DISTINCT
        .values_list("case_id", flat=True)
        .distinct()
    )
    return {
        c.pk: light_of(
            c,
            today,
            progress=percent.get(c.pk, 0),
            missed_milestone=c.pk in missed,
            span=span,
        )
        for c in cases
    }


def workdays_between(first: date, last: date, *, span: WorkdaySpan | None = None) -> int:
    """Working days from `first` to `last` (negative when `last` is earlier); `span`: a
    calendar already loaded (it loads the years it lacks)."""
    if span is None:
        span = WorkdaySpan(min(first, last), max(first, last))
    return span.workdays_between(first, last)


def case_light(case: Case, today: date) -> str:
    return lights([case], today)[case.pk]


def timing_of(completed_on: date, deadline: date | None, *, partial: bool) -> str:
    """提前 (at least N working days early), 按时, 逾期, 部分完成 (a 阶段性办结)."""
    if partial:
        return Timing.PARTIAL
    if deadline is None or completed_on <= deadline:
        early = deadline is not None and workdays_between(completed_on, deadline) >= (
            rules.early_workdays()
        )
        return Timing.EARLY if early else Timing.ON_TIME
    return Timing.LATE
