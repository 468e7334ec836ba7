"""The 群众意见建议 deadlines the reminders chase, and their ladder (workflow.tables):

- forward: 签批转办 the day it was received (the next working day for a rest day);
- answer: the answer, 5 working days from receipt (or the rehandling after 不满意);
- fix: a "needs time" answer's promised completion, followed after the opinion closed.

The queries use the 议提案 clocks' helpers (proposals.clocks): the same columns, joined
to the live lead assignment for the handler.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from cases.models import Case
from opinions.models import Result
from proposals.clocks import _case_rows, _of_case, _range
from workdays.calendar import WorkdaySpan
from workflow.tables import Clock, OpenDeadline, Step, step
from workflow.vocabulary import State

RUNNING = (State.REGISTERED, State.ASSIGNED, State.HANDLING)
FIX_STATES = (State.REPLIED, State.CLOSED)


def find_forward(
    categories: Sequence[str], since: datetime.date | None, until: datetime.date
) -> list[OpenDeadline]:
    cases = Case.objects.filter(
        _range("opinion__forward_target", since, until),
        category__in=categories,
        state=State.REGISTERED,
    )
    return _case_rows(cases, "opinion__forward_target")


def forward_of_case(case: Case, span: WorkdaySpan) -> list[OpenDeadline]:
    if case.state != State.REGISTERED:
        return []
    return _of_case(case, case.opinion.forward_target)


def find_answer(
    categories: Sequence[str], since: datetime.date | None, until: datetime.date
) -> list[OpenDeadline]:
    cases = Case.objects.filter(
        _range("deadline", since, until), category__in=categories, state__in=RUNNING
    )
    return _case_rows(cases)


def answer_of_case(case: Case, span: WorkdaySpan) -> list[OpenDeadline]:
    return _of_case(case, case.deadline) if case.state in RUNNING else []


def find_fix(
    categories: Sequence[str], since: datetime.date | None, until: datetime.date
) -> list[OpenDeadline]:
    cases = Case.objects.filter(
        _range("opinion__fix_due", since, until),
        category__in=categories,
        state__in=FIX_STATES,
        opinion__result=Result.NEEDS_TIME,
        opinion__fix_done_on__isnull=True,
    )
    return _case_rows(cases, "opinion__fix_due")


def fix_of_case(case: Case, span: WorkdaySpan) -> list[OpenDeadline]:
    opinion = case.opinion
    if (
        case.state not in FIX_STATES
        or opinion.result != Result.NEEDS_TIME
        or opinion.fix_done_on is not None
    ):
        return []
    return _of_case(case, opinion.fix_due)


CLOCKS = (
    Clock("forward", "转办期限", find_forward, forward_of_case),
    Clock("answer", "答复期限", find_answer, answer_of_case),
    Clock("fix", "承诺解决期限", find_fix, fix_of_case),
)

UNIT_PEOPLE = "handler head"
# Five working days leave no room for a week's notice: the unit the day before and on the
# day, then daily while late; the leader in charge (else every leader) on the second day
# late; the office every morning of whatever was not forwarded or answered in time.
LADDER: tuple[Step, ...] = (
    step("forward", "当日转办提醒", 0, "coordinator leader", "forward", colour="yellow", digest=True, daily=True),
    step("eve", "到期前1个工作日提醒", -1, UNIT_PEOPLE, "answer", colour="yellow"),
    step("due", "到期当日提醒", 0, UNIT_PEOPLE, "answer", colour="yellow"),
    step("overdue", "逾期每日汇总", 1, UNIT_PEOPLE, "answer fix", colour="red", digest=True, daily=True),
    step("leader", "逾期报分管领导", 2, "leader", "answer", colour="red"),
    step("office", "逾期汇总报办公室", 1, "coordinator", "answer fix", colour="red", digest=True, daily=True),
    step("fix_ahead", "承诺解决到期前5个工作日提醒", -5, UNIT_PEOPLE, "fix"),
)  # fmt: skip
