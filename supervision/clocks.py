"""The 督查督办 deadlines the reminders chase, and their ladder (workflow.tables): the
item's deadline while it runs, and each open milestone (阶段性目标). The ladder follows the
colours of seed 003: 蓝 a few working days before, 黄 on the day, 红 from the day after —
the unit every day, the leader in charge copied the day after the deadline (催办), the
office's daily digest of everything overdue."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from cases.models import Case
from proposals.clocks import _case_rows, _of_case, _range
from supervision.models import Milestone
from workdays.calendar import WorkdaySpan
from workflow.tables import Clock, OpenDeadline, Step, step
from workflow.vocabulary import State

RUNNING = (State.REGISTERED, State.ASSIGNED, State.HANDLING)
HELD = (State.ASSIGNED, State.HANDLING)


def find_deadline(
    categories: Sequence[str], since: datetime.date | None, until: datetime.date
) -> list[OpenDeadline]:
    cases = Case.objects.filter(
        _range("deadline", since, until), category__in=categories, state__in=RUNNING
    )
    return _case_rows(cases)


def deadline_of_case(case: Case, span: WorkdaySpan) -> list[OpenDeadline]:
    return _of_case(case, case.deadline) if case.state in RUNNING else []


def find_milestone(
    categories: Sequence[str], since: datetime.date | None, until: datetime.date
) -> list[OpenDeadline]:
    cases = Case.objects.filter(
        _range("milestones__due", since, until),
        category__in=categories,
        state__in=HELD,
        milestones__reached_on__isnull=True,
    )
    return _case_rows(cases, "milestones__due")


def milestone_of_case(case: Case, span: WorkdaySpan) -> list[OpenDeadline]:
    if case.state not in HELD:
        return []
    found: list[OpenDeadline] = []
    for m in Milestone.objects.filter(case=case, reached_on__isnull=True).order_by("due", "id"):
        found += _of_case(case, m.due)
    return found


CLOCKS = (
    Clock("deadline", "督办期限", find_deadline, deadline_of_case),
    Clock("milestone", "阶段性目标时限", find_milestone, milestone_of_case),
)
UNIT_PEOPLE = "handler head"
LADDER: tuple[Step, ...] = (
    step("blue", "蓝灯：到期前3个工作日提醒", -3, UNIT_PEOPLE, "deadline milestone"),
    step("yellow", "黄灯：到期当日提醒", 0, UNIT_PEOPLE, "deadline milestone", colour="yellow"),
    step("red", "红灯：逾期每日催办", 1, UNIT_PEOPLE, "deadline milestone", colour="red", digest=True, daily=True),
    step("leader", "红灯：逾期抄报分管领导", 1, "leader", "deadline", colour="red"),
    step("office", "逾期汇总报督查室", 1, "coordinator", "deadline", colour="red", digest=True, daily=True),
)  # fmt: skip
