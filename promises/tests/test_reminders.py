"""A promise is reminded through the ladder whatever its case's state: a B-class promise of
a case closed a year ago, five working days ahead and on the day to its owner unit, then
in the head's and the office's daily digest until it is settled. Several promises of one
case due the same day are one reminder naming them all."""

from datetime import date

import pytest

from cases import actions
from notify.models import Message
from promises.tests.helpers import frozen, promised_case
from proposals.clocks import CLOCKS
from reminders.ladder import due_on
from reminders.run import morning_run
from web.case_page import load_case_rows
from workdays.calendar import WorkdaySpan

pytestmark = pytest.mark.django_db
DUE = date(2026, 5, 29)  # a Friday, a year after the case closed (2025-05-06)
CLOCK = next(clock for clock in CLOCKS if clock.key == "commitment")


@pytest.fixture
def closed(cast):
    return promised_case(
        cast,
        year=2025,
        handler=cast.yizheng_handler,
        promises=[
            ("建成区域医疗中心", DUE),
            ("出台人才引进办法", DUE),
            ("完成设备采购", date(2026, 9, 30)),
        ],
    )


def _run(day: date) -> list[Message]:
    with frozen(day):
        result = morning_run(day)
    return list(Message.objects.filter(pk__in=result.messages, channel="inapp"))


def _day(offset: int) -> date:
    return due_on(WorkdaySpan(date(2026, 1, 1), date(2026, 12, 31)), DUE, offset)


def test_the_clock_finds_a_closed_cases_promises_once_per_due_date(cast, closed):
    assert closed.state == "closed"
    rows = CLOCK.find(["npc_suggestion"], None, date(2026, 12, 31))
    assert [(r.case_id, r.deadline, r.unit_id, r.handler_id) for r in rows] == [
        (closed.pk, DUE, cast.yizheng.pk, cast.yizheng_handler.pk),
        (closed.pk, date(2026, 9, 30), cast.yizheng.pk, cast.yizheng_handler.pk),
    ]
    assert "建成区域医疗中心" in rows[0].title and "出台人才引进办法" in rows[0].title
    # The case page's reading of the same case agrees.
    load_case_rows(closed)
    assert CLOCK.of_case(closed, None) == rows


def test_a_year_after_closing_the_unit_is_reminded_ahead_and_on_the_day(cast, closed):
    ahead = _run(_day(-5))
    assert sorted((m.recipient.username, m.key.split(":")[3]) for m in ahead) == [
        ("yizheng", "promise_ahead"),
        ("yizheng_clerk", "promise_ahead"),
    ]
    # One message each for the two promises due that day, naming both.
    assert all("建成区域医疗中心" in m.text and "出台人才引进办法" in m.text for m in ahead)
    assert _run(_day(-5)) == []  # run twice: nothing new
    on_the_day = _run(DUE)
    assert {(m.recipient.username, m.key.split(":")[3]) for m in on_the_day} == {
        ("yizheng", "promise_due"),
        ("yizheng_clerk", "promise_due"),
    }


def test_overdue_promises_go_to_the_head_and_the_office_daily_until_settled(cast, closed):
    late = _run(_day(2))
    digests = {m.recipient.username: m for m in late if m.kind == "digest"}
    assert set(digests) == {"yizheng", "coordinator"}
    assert "建成区域医疗中心" in digests["coordinator"].text
    assert _run(_day(3))  # the next working day again
    for c in closed.commitments.filter(due=DUE):
        with frozen(_day(4)):
            actions.update_commitment(
                closed, by=cast.yizheng_head, commitment_id=c.pk, status="fulfilled"
            )
    assert CLOCK.find(["npc_suggestion"], None, DUE) == []
    assert [m for m in _run(_day(5)) if "建成区域医疗中心" in m.text] == []
