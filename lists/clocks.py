"""The deadlines of the list items that the reminders chase (workflow.tables): the item's
完成时限 while it is 整改中, and each open measure's, which reminds the measure's own unit
and handler. The ladder: a few working days before, on the day, then every working day
overdue to the unit, with the responsible leader (责任领导, when linked to a leader)
copied the day after and the office's daily digest."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from cases.models import Case
from lists.models import OPEN_MEASURE, Measure
from workdays.calendar import WorkdaySpan
from workflow.tables import Clock, OpenDeadline, Step, step
from workflow.vocabulary import State


def _range(field: str, since: datetime.date | None, until: datetime.date) -> dict[str, object]:
    found: dict[str, object] = {f"{field}__lte": until}
    if since is not None:
        found[f"{field}__gte"] = since
    return found


def find_item(
    categories: Sequence[str], since: datetime.date | None, until: datetime.date
) -> list[OpenDeadline]:
    rows = (
        Case.objects.filter(
            category__in=categories, state=State.HANDLING, **_range("deadline", since, until)
        )
        .order_by("deadline", "id")
        .values_list("id", "deadline", "lead_unit_id", "leader_in_charge_id", "number", "title")
    )
    return [
        OpenDeadline(pk, day, unit, None, leader, num, title)
        for pk, day, unit, leader, num, title in rows
        if day is not None
    ]


def item_of_case(case: Case, span: WorkdaySpan) -> list[OpenDeadline]:
    if case.state != State.HANDLING or case.deadline is None:
        return []
    return [OpenDeadline(case.pk, case.deadline, case.lead_unit_id, None,
                         case.leader_in_charge_id, case.number, case.title)]  # fmt: skip


def _measure_row(m: Measure, case: Case) -> OpenDeadline:
    return OpenDeadline(
        case.pk, m.deadline, m.unit_id, m.handler_id, case.leader_in_charge_id,
        case.number, f"{case.title}（举措{m.seq}）",
    )  # fmt: skip


def find_measure(
    categories: Sequence[str], since: datetime.date | None, until: datetime.date
) -> list[OpenDeadline]:
    measures = (
        Measure.objects.filter(
            status__in=OPEN_MEASURE,
            item__case__category__in=categories,
            item__case__state=State.HANDLING,
            **_range("deadline", since, until),
        )
        .select_related("item__case")
        .order_by("deadline", "id")
    )
    return [_measure_row(m, m.item.case) for m in measures]


def measure_of_case(case: Case, span: WorkdaySpan) -> list[OpenDeadline]:
    if case.state != State.HANDLING:
        return []
    measures = Measure.objects.filter(item_id=case.pk, status__in=OPEN_MEASURE)
    return [_measure_row(m, case) for m in measures.order_by("deadline", "id")]


CLOCKS = (
    Clock("item", "整改完成时限", find_item, item_of_case),
    Clock("measure", "举措完成时限", find_measure, measure_of_case),
)
UNIT_PEOPLE = "handler head"
LADDER: tuple[Step, ...] = (
    step("before", "到期前5个工作日提醒", -5, UNIT_PEOPLE, "item measure"),
    step("due", "到期当日提醒", 0, UNIT_PEOPLE, "item measure", colour="yellow"),
    step("overdue", "逾期每日提醒", 1, UNIT_PEOPLE, "item measure", colour="red", digest=True, daily=True),
    step("leader", "逾期报责任领导", 1, "leader", "item measure", colour="red"),
    step("office", "逾期汇总报办公室", 1, "coordinator", "item", colour="red", digest=True, daily=True),
)  # fmt: skip
