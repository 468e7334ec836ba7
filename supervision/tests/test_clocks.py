"""The 督查督办 clocks: the deadline and the open milestones, the same for every case at once
(the morning run) as for one case (its page); and the morning run chases a late item."""

from datetime import date

import pytest

from cases.actions import accept_case
from reminders.run import morning_run
from reminders.tests.conftest import frozen
from supervision import actions
from supervision.clocks import CLOCKS
from web.case_page import load_case_rows
from workdays.calendar import WorkdaySpan

pytestmark = pytest.mark.django_db
FAR = date(2030, 1, 1)


def _item(cast, urgency, milestones=()):
    case = actions.register_supervision(
        by=cast.coordinator, source="meeting", urgency=urgency, title="事项",
        received_on=date(2026, 11, 2),
    )  # fmt: skip
    actions.assign(case, by=cast.coordinator, lead_unit=cast.yizheng, leader_in_charge=cast.leader,
                   milestones=list(milestones))  # fmt: skip
    return case


def test_clocks_agree_with_the_case_page(cast):
    with frozen(date(2026, 11, 2)):
        red = _item(cast, "red")
        blue = _item(cast, "blue", [("方案", date(2026, 11, 6))])
        accept_case(blue, by=cast.yizheng_head)
        done = _item(cast, "green")
        accept_case(done, by=cast.yizheng_head)
        actions.submit_completion(done, by=cast.yizheng_head, report="完成")
    span = WorkdaySpan(date(2026, 1, 1), date(2027, 12, 31))
    for clock in CLOCKS:
        found = {(r.case_id, r.deadline) for r in clock.find(("supervision",), None, FAR)}
        page = set()
        for case in (red, blue, done):
            case.refresh_from_db()
            load_case_rows(case)
            page |= {(r.case_id, r.deadline) for r in clock.of_case(case, span)}
        assert found == page, clock.key
    deadline, milestone = CLOCKS
    assert {r.case_id for r in deadline.find(("supervision",), None, FAR)} == {red.pk, blue.pk}
    assert [(r.case_id, r.deadline) for r in milestone.find(("supervision",), None, FAR)] == [
        (blue.pk, date(2026, 11, 6))
    ]


def test_a_late_item_is_chased_and_its_leader_told(cast):
    from notify.models import Message

    with frozen(date(2026, 11, 2)):
        item = _item(cast, "red")  # due 11-05
    with frozen(date(2026, 11, 6)):
        morning_run(date(2026, 11, 6))
    told = {m.recipient.username: m.text for m in Message.objects.filter(channel="inapp")}
    # The unit (its head) in its digest, the leader in charge copied, the office's digest.
    assert {"yizheng", "leader", "coordinator"} <= set(told)
    assert all(item.number in text for text in told.values())


def test_still_late_after_a_urge_waits_for_the_bulletin(cast):
    from cases.actions import urge_case
    from cases.todo import todo_for

    with frozen(date(2026, 11, 2)):
        item = _item(cast, "red")  # due 11-05
        accept_case(item, by=cast.yizheng_head)
    with frozen(date(2026, 11, 6)):
        urge_case(item, by=cast.coordinator, note="请立即办理")

    def listed(day):
        sections = {s.key: s for s in todo_for(cast.coordinator, day).sections}
        return [r.case.pk for r in sections["supervision_to_notify"].rows]

    assert listed(date(2026, 11, 10)) == []  # two working days after the 催办
    assert listed(date(2026, 11, 11)) == [item.pk]  # three: to 通报
