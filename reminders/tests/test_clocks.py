"""The 议提案 clocks (proposals/clocks.py): each finds the running deadlines of every case at
once (`find`) and of one case from its loaded rows (`of_case`); the two must agree."""

from datetime import date

import pytest

from cases import actions
from cases.tests.factories import register
from proposals.clocks import CLOCKS
from reminders.tests.conftest import frozen
from web.case_page import load_case_rows
from workdays.calendar import WorkdaySpan

pytestmark = pytest.mark.django_db
CATEGORIES = ("npc_suggestion", "cppcc_proposal")
GATES = {"format": True, "policy": True, "content": True, "resolution": True}
FAR = date(2030, 1, 1)


def _assign(cast, case, on, **kw):
    actions.assign_case(case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=on, **kw)


def _signed(cast, case, on):
    actions.submit_reply(
        case, by=cast.yizheng_head, text="答复", reply_class="A", contact="张", phone="1", on=on
    )
    actions.review_reply(case, by=cast.coordinator, passed=True, gates=GATES, on=on)
    actions.sign_reply(case, by=cast.leader, approved=True, on=on)


@pytest.fixture
def world(cast):
    """One case in every place a deadline can run or stop, named by it."""
    c = cast
    with frozen(date(2026, 9, 15)):
        w = {"registered": register(c, on=date(2026, 8, 1), title="已登记")}
        w["assigned"] = register(c, on=date(2026, 8, 1), title="已交办，两个协办")
        _assign(c, w["assigned"], date(2026, 8, 3), co_units=[c.jiceng, c.fagaiwei])
        w["opinion_given"] = register(c, on=date(2026, 8, 1), title="协办意见已交")
        _assign(c, w["opinion_given"], date(2026, 8, 3), co_units=[c.jiceng])
        actions.submit_opinion(
            w["opinion_given"], by=c.jiceng_head, text="同意。", on=date(2026, 8, 5)
        )
        w["extension"] = register(c, on=date(2026, 8, 1), title="申请延期")
        _assign(c, w["extension"], date(2026, 8, 3), handler=c.yizheng_handler)
        actions.accept_case(w["extension"], by=c.yizheng_head, on=date(2026, 8, 4))
        actions.request_extension(
            w["extension"],
            by=c.yizheng_head,
            until=date(2026, 12, 1),
            reason="需调研",
            on=date(2026, 8, 6),
        )
        w["co_mode"] = register(
            c, on=date(2026, 8, 1), title="我委会办", mode="co", external_lead="市发改委"
        )
        _assign(c, w["co_mode"], date(2026, 8, 3))
        w["replied"] = register(c, on=date(2026, 8, 1), title="已答复", level="provincial")
        _assign(c, w["replied"], date(2026, 8, 3))
        actions.accept_case(w["replied"], by=c.yizheng_head, on=date(2026, 8, 4))
        _signed(c, w["replied"], date(2026, 8, 10))
        w["rehandled"] = register(c, on=date(2026, 8, 1), title="不满意重新办理")
        _assign(c, w["rehandled"], date(2026, 8, 3))
        actions.accept_case(w["rehandled"], by=c.yizheng_head, on=date(2026, 8, 4))
        _signed(c, w["rehandled"], date(2026, 8, 10))
        actions.record_feedback(
            w["rehandled"], by=c.coordinator, result="unsatisfied", on=date(2026, 8, 20)
        )
        w["closed"] = register(c, on=date(2026, 8, 1), title="已办结")
        _assign(c, w["closed"], date(2026, 8, 3))
        actions.accept_case(w["closed"], by=c.yizheng_head, on=date(2026, 8, 4))
        _signed(c, w["closed"], date(2026, 8, 10))
        actions.record_feedback(
            w["closed"], by=c.coordinator, result="satisfied", on=date(2026, 8, 20)
        )
    for case in w.values():
        case.refresh_from_db()
    return w


def _found(clock, since=None, until=FAR):
    return {
        (row.case_id, row.unit_id, row.deadline) for row in clock.find(CATEGORIES, since, until)
    }


def _of_cases(clock, cases):
    span = WorkdaySpan(date(2026, 1, 1), date(2027, 12, 31))
    found = set()
    for case in cases:
        load_case_rows(case)
        found |= {(row.case_id, row.unit_id, row.deadline) for row in clock.of_case(case, span)}
    return found


def test_every_clock_finds_what_the_case_page_finds(world):
    for clock in CLOCKS:
        assert _found(clock) == _of_cases(clock, world.values()), clock.key


def test_each_clock_finds_the_deadlines_it_names(cast, world):
    w = world
    by_clock = {clock.key: {case_id for case_id, _, _ in _found(clock)} for clock in CLOCKS}
    ids = {name: case.pk for name, case in w.items()}
    running_first_round = {ids[n] for n in ("assigned", "opinion_given", "extension")}
    assert by_clock["reply"] == running_first_round
    assert by_clock["rehandling"] == {ids["rehandled"]}
    assert by_clock["co_opinion"] == {ids["assigned"], ids["co_mode"]}
    assert by_clock["unit_draft"] == running_first_round | {ids["co_mode"], ids["rehandled"]}
    assert by_clock["extension"] == {ids["extension"]}
    assert by_clock["feedback"] == {ids["replied"]}
    # Both co-units of one case, each by its own opinion deadline; ours to the outside
    # lead agency by the case's deadline.
    co = {(case_id, unit_id) for case_id, unit_id, _ in _found(CLOCKS[2])}
    assert co == {
        (ids["assigned"], cast.jiceng.pk),
        (ids["assigned"], cast.fagaiwei.pk),
        (ids["co_mode"], cast.yizheng.pk),
    }


def test_the_re_handling_deadline_is_a_month_from_the_rating(world):
    (row,) = CLOCKS[1].find(CATEGORIES, None, FAR)
    # 08-20 + 1 month: 09-20, a Sunday worked in exchange for 中秋 (调休): no roll.
    assert row.deadline == date(2026, 9, 20)


def test_the_feedback_window_ends_a_month_after_the_reply(world):
    (row,) = CLOCKS[5].find(CATEGORIES, None, FAR)
    assert row.deadline == date(2026, 9, 10)


def test_a_clock_finds_only_the_deadlines_within_the_bounds(world):
    reply = CLOCKS[0]
    deadlines = sorted(d for _, _, d in _found(reply))
    assert len(set(deadlines)) == 1  # all assigned on 08-03: due 11-03
    (day,) = set(deadlines)
    assert _found(reply, day, day) == _found(reply)
    assert _found(reply, None, date(2026, 11, 2)) == set()
    assert _found(reply, date(2026, 11, 4), FAR) == set()
    feedback = CLOCKS[5]
    assert _found(feedback, date(2026, 9, 10), date(2026, 9, 10))
    assert not _found(feedback, date(2026, 9, 11), FAR)
    assert not _found(feedback, None, date(2026, 9, 9))


def _queries(clock) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        list(clock.find(CATEGORIES, None, FAR))
    return len(ctx.captured_queries)


def test_a_clock_asks_the_same_few_queries_however_many_cases(cast, world):
    before = {clock.key: _queries(clock) for clock in CLOCKS}
    with frozen(date(2026, 9, 15)):
        for i in range(5):
            case = register(cast, on=date(2026, 8, 1), title=f"多一件{i}")
            _assign(cast, case, date(2026, 8, 3), co_units=[cast.jiceng])
            actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 8, 4))
            _signed(cast, case, date(2026, 8, 10))
    after = {clock.key: _queries(clock) for clock in CLOCKS}
    assert after == before
    # The case rows (with their lead part joined), and for the feedback window the rules
    # and the calendar.
    assert max(after.values()) <= 4
