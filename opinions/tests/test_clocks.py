"""The 群众意见建议 clocks (opinions/clocks.py): forwarding, the answer, a "needs time"
promise; what `find` returns for every case at once equals what the case page finds."""

from datetime import date

import pytest

from cases.actions import accept_case
from opinions import actions
from opinions.clocks import CLOCKS
from reminders.tests.conftest import frozen
from web.case_page import load_case_rows
from workdays.calendar import WorkdaySpan

pytestmark = pytest.mark.django_db
CATEGORIES = ("public_opinion",)
FAR = date(2030, 1, 1)


@pytest.fixture
def world(cast):
    c = cast
    with frozen(date(2026, 11, 6)):
        new = lambda: actions.register_opinion(by=c.coordinator, channel="phone", content="挂号难")  # noqa: E731
        w = {"received": new(), "forwarded": new(), "handling": new(), "promised": new()}
        w["done"], w["answered"] = new(), new()
        w["saturday"] = actions.register_opinion(
            by=c.coordinator, channel="web", content="周末来信", received_on=date(2026, 10, 31)
        )
        for name in ("forwarded", "handling", "promised", "done", "answered"):
            actions.forward(w[name], by=c.leader, lead_unit=c.yizheng)
        for name in ("handling", "promised", "done", "answered"):
            accept_case(w[name], by=c.yizheng_head)
        for name in ("promised", "done"):
            actions.answer(
                w[name], by=c.yizheng_head, text="分步解决", result="needs_time",
                fix="年底前增设", fix_due=date(2026, 12, 31),
            )  # fmt: skip
        actions.answer(w["answered"], by=c.yizheng_head, text="已解决", result="solvable")
        actions.callback(w["promised"], by=c.coordinator, reached=True, rating="satisfied")
        actions.complete_fix(w["done"], by=c.yizheng_head, note="已增设")
    for case in w.values():
        case.refresh_from_db()
    return w


def _found(clock):
    return {(r.case_id, r.unit_id, r.deadline) for r in clock.find(CATEGORIES, None, FAR)}


def test_every_clock_finds_what_the_case_page_finds(world):
    span = WorkdaySpan(date(2026, 1, 1), date(2027, 12, 31))
    for clock in CLOCKS:
        found = set()
        for case in world.values():
            load_case_rows(case)
            found |= {(r.case_id, r.unit_id, r.deadline) for r in clock.of_case(case, span)}
        assert _found(clock) == found, clock.key


def test_each_clock_finds_its_deadlines(cast, world):
    ids = {name: case.pk for name, case in world.items()}
    forward, answer, fix = CLOCKS
    # Received on Saturday 10-31: forwarded by Monday 11-02.
    assert _found(forward) == {
        (ids["received"], None, date(2026, 11, 6)),
        (ids["saturday"], None, date(2026, 11, 2)),
    }
    assert {row[0] for row in _found(answer)} == {
        ids["received"], ids["saturday"], ids["forwarded"], ids["handling"]
    }  # fmt: skip
    # Kept after the rating closed it; done: no more reminders.
    assert _found(fix) == {(ids["promised"], cast.yizheng.pk, date(2026, 12, 31))}
