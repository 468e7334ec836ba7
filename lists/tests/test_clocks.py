"""The list items' clocks (lists/clocks.py) and the morning run: the item's 完成时限 while it
is 整改中 and each open measure's, the same for every case at once (`find`, the morning run)
as for one case (`of_case`, its page); the ladder's steps at −5, 0 and +1 working days
(2026's 劳动节 between the deadline and +1); the measure's own unit and handler reminded, the
responsible leader copied when overdue; nothing for submitted or struck-off measures, nor
for items awaiting or past 销号."""

from datetime import date

import pytest

from lists import actions, measures
from lists.actions import MeasureIn
from lists.clocks import CLOCKS
from lists.models import Measure
from lists.tests.factories import make_item, make_list, pdf
from notify.models import Message
from reminders.run import morning_run
from reminders.tests.conftest import frozen, keys
from workdays.calendar import WorkdaySpan

pytestmark = pytest.mark.django_db
FAR = date(2030, 1, 1)
DUE_1 = date(2026, 4, 30)  # measure 1 (医政医管处, 赵科员); Thursday before 劳动节 05-01…05-05
DUE = date(2026, 6, 30)  # measure 2 (基层卫生健康处) and the item
DAY = date(2026, 4, 1)


def _item(cast, rect_list, title):
    return make_item(
        cast, rect_list, title=title,
        measures=[
            MeasureIn("制定方案", cast.yizheng, DUE_1, handler=cast.yizheng_handler),
            MeasureIn("增加席位", cast.jiceng, DUE, weight=3),
        ],
    )  # fmt: skip


def _pair(case):
    return list(Measure.objects.filter(item_id=case.pk).order_by("seq"))


def _submit(cast, case, m):
    by = cast.yizheng_head if m.unit_id == cast.yizheng.pk else cast.jiceng_head
    measures.attach_evidence(case, by=by, upload=pdf(), measure_id=m.pk)
    measures.submit_measure(case, by=by, measure_id=m.pk)


def _strike(cast, case, m):
    _submit(cast, case, m)
    measures.review_measure(case, by=cast.coordinator, measure_id=m.pk, approved=True)


@pytest.fixture
def world(cast):
    """H 整改中; S measure 1 submitted; X measure 1 struck off; V 待销号; C 已销号."""
    rect_list = make_list(cast)
    w = {key: _item(cast, rect_list, f"事项{key}") for key in "HSXVC"}
    with frozen(DAY):
        _submit(cast, w["S"], _pair(w["S"])[0])
        _strike(cast, w["X"], _pair(w["X"])[0])
        for key in "VC":
            for m in _pair(w[key]):
                _strike(cast, w[key], m)
            actions.request_strike_off(w[key], by=cast.yizheng_head, note="整改完成")
        actions.strike_off(w["C"], by=cast.coordinator, approved=True)
    for case in w.values():
        case.refresh_from_db()
    return w


def _rows(rows):
    return sorted((r.case_id, r.deadline, r.unit_id, r.handler_id, r.leader_id, r.title)
                  for r in rows)  # fmt: skip


def test_find_and_of_case_agree(cast, world):
    span = WorkdaySpan(date(2026, 1, 1), date(2027, 12, 31))
    for clock in CLOCKS:
        found = _rows(clock.find(("list_item",), None, FAR))
        page = _rows(r for case in world.values() for r in clock.of_case(case, span))
        assert found == page, clock.key
    item, measure = CLOCKS
    h, s, x = world["H"].pk, world["S"].pk, world["X"].pk
    assert [(r.case_id, r.deadline, r.unit_id, r.leader_id)
            for r in item.find(("list_item",), None, FAR)] == [
        (h, DUE, cast.yizheng.pk, cast.leader.pk),
        (s, DUE, cast.yizheng.pk, cast.leader.pk),
        (x, DUE, cast.yizheng.pk, cast.leader.pk),
    ]  # fmt: skip
    # Open measures only: H's two, and the second of S (the first submitted) and X (struck).
    rows = measure.find(("list_item",), None, FAR)
    assert [(r.case_id, r.deadline, r.unit_id, r.handler_id) for r in rows] == [
        (h, DUE_1, cast.yizheng.pk, cast.yizheng_handler.pk),
        (h, DUE, cast.jiceng.pk, None),
        (s, DUE, cast.jiceng.pk, None),
        (x, DUE, cast.jiceng.pk, None),
    ]
    assert rows[0].title == "事项H（举措1）" and rows[1].title == "事项H（举措2）"
    # The window: only the deadlines between since and until.
    assert {r.deadline for r in measure.find(("list_item",), DUE, DUE)} == {DUE}
    assert [r.case_id for r in measure.find(("list_item",), None, date(2026, 5, 1))] == [h]


def _for(case, clock):
    return {k.split(":", 3)[3] for k in keys(clock) if k.split(":")[1] == str(case.pk)}


def test_the_ladder_fires_at_minus_five_zero_and_plus_one(cast):
    case = _item(cast, make_list(cast), "急救电话接听不及时")
    handler, head, leader = cast.yizheng_handler.pk, cast.yizheng_head.pk, cast.leader.pk

    def run(day):
        with frozen(day):
            morning_run(day)
        return _for(case, "measure")

    assert run(date(2026, 4, 22)) == set()  # six working days before
    assert run(date(2026, 4, 23)) == {f"before:{handler}", f"before:{head}"}  # five
    assert run(date(2026, 4, 29)) == {f"before:{handler}", f"before:{head}"}  # sent once
    on_the_day = {f"before:{handler}", f"before:{head}", f"due:{handler}", f"due:{head}"}
    assert run(DUE_1) == on_the_day
    # +1 is 05-06, after the holiday: the responsible leader is copied; the unit's people
    # get it in their daily digest of overdue deadlines.
    assert run(date(2026, 5, 6)) == on_the_day | {f"leader:{leader}"}
    digests = {
        m.recipient_id: m.text
        for m in Message.objects.filter(channel="inapp", key__startswith="digest:")
        if m.key.endswith(":2026-05-06")
    }
    assert set(digests) == {handler, head}  # the measure's unit only: not the office's
    assert all("急救电话接听不及时（举措1）" in text for text in digests.values())
    leader_note = Message.objects.get(channel="inapp", key__endswith=f":leader:{leader}")
    assert case.number in leader_note.text
    # Nobody of 基层卫生健康处 (measure 2, due 06-30) was reminded yet.
    assert not Message.objects.filter(recipient=cast.jiceng_head).exists()


def test_the_item_s_deadline_and_measure_2_reach_their_own_units(cast):
    case = _item(cast, make_list(cast), "事项")
    with frozen(date(2026, 6, 23)):
        morning_run(date(2026, 6, 23))  # five working days before 06-30
    assert _for(case, "item") == {f"before:{cast.yizheng_head.pk}"}  # the lead unit's head
    assert f"before:{cast.jiceng_head.pk}" in _for(case, "measure")
    with frozen(date(2026, 7, 1)):
        morning_run(date(2026, 7, 1))
    office = Message.objects.filter(
        channel="inapp", recipient=cast.coordinator, key__startswith="digest:"
    )
    assert office.count() == 1 and "事项" in office.get().text  # the office's digest (items)


def test_nothing_for_struck_off_or_submitted_measures_nor_closed_items(cast, world):
    for day in (date(2026, 4, 23), DUE_1, date(2026, 5, 6), date(2026, 6, 23), DUE,
                date(2026, 7, 1)):  # fmt: skip
        with frozen(day):
            morning_run(day)
    reminded = {int(k.split(":")[1]) for k in keys() if not k.startswith("digest:")}
    assert world["H"].pk in reminded
    assert world["V"].pk not in reminded and world["C"].pk not in reminded
    # Measure 1 of S (submitted) and of X (struck off): no measure reminder before 06-30.
    for key in "SX":
        deadlines = {
            k.split(":")[2] for k in keys("measure") if k.split(":")[1] == str(world[key].pk)
        }
        assert deadlines == {DUE.isoformat()}, key
    assert {k.split(":")[2] for k in keys("measure")
            if k.split(":")[1] == str(world["H"].pk)} == {DUE_1.isoformat(), DUE.isoformat()}  # fmt: skip
