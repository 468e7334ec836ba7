"""The ladder's arithmetic on the working-day calendar, and its offsets set per category."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from reminders.ladder import CATCH_UP, due_on, ends, fires, ladder_for, position, window
from reminders.run import morning_run
from reminders.tests.conftest import due_case, keys
from workdays.calendar import WorkdaySpan
from workflow.tables import step, workflow_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def span():
    return WorkdaySpan(date(2025, 1, 1), date(2027, 12, 31))


def test_positions_around_the_dragon_boat_festival(span):
    due = date(2026, 6, 22)
    assert position(span, date(2026, 6, 12), due) == -5
    assert position(span, date(2026, 6, 18), due) == -1
    assert position(span, date(2026, 6, 22), due) == 0
    assert position(span, date(2026, 6, 25), due) == 3
    # A deadline on a rest day: its last working day before it counts as the day.
    assert position(span, date(2026, 6, 18), date(2026, 6, 20)) == 0


def test_due_on_is_the_working_day_at_that_position(span):
    """For every deadline over two years and every offset, due_on gives the one working
    day whose position is the offset."""
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(0, 730, 3)]
    for deadline in days:
        for offset in (-7, -5, -1, 0, 1, 3, 8):
            day = due_on(span, deadline, offset)
            assert span.is_workday(day), (deadline, offset)
            assert position(span, day, deadline) == offset, (deadline, offset)
            # … and the working day before it was not yet there.
            before = day - timedelta(days=1)
            while not span.is_workday(before):
                before -= timedelta(days=1)
            assert position(span, before, deadline) == offset - 1, (deadline, offset)


def test_the_window_holds_every_deadline_a_step_may_be_due_for(span):
    steps = (
        step("a", "前", -5, "handler", "reply"),
        step("b", "当天", 0, "handler", "reply"),
        step("c", "后", 3, "leader", "reply"),
    )

    def due(day, deadline):
        at = position(span, day, deadline)
        return any(fires(s, end, at) for s, end in zip(steps, ends(steps), strict=True))

    for day in (date(2026, 6, 12), date(2026, 9, 30), date(2026, 10, 9)):
        since, until = window(span, day, steps)
        deadlines = [day + timedelta(days=i) for i in range(-60, 60)]
        found = [d for d in deadlines if due(day, d)]
        assert found and all(since <= d <= until for d in found)
        # … and is tight at both ends (the leader's step, missed, stays due CATCH_UP days).
        assert due(day, since) and due(day, until)
        assert position(span, day, since) == 3 + CATCH_UP - 1
    daily = (*steps, step("d", "每日", 1, "handler", "reply", digest=True, daily=True))
    assert window(span, date(2026, 6, 12), daily)[0] is None
    assert window(span, date(2026, 6, 12), ()) is None


def test_a_step_stays_due_until_the_next_step_of_its_people_s_line():
    steps = (
        step("a", "前", -5, "handler head", "reply"),
        step("b", "前一日", -1, "handler", "reply"),
        step("c", "后", 3, "leader", "reply"),
        step("d", "每日", 1, "handler head", "reply", digest=True, daily=True),
    )
    assert ends(steps) == (-1, 1, 3 + CATCH_UP, 1 + CATCH_UP)
    rungs = list(zip(steps, ends(steps), strict=True))
    reach = range(-8, 30)
    assert [p for p in reach if fires(*rungs[0], p)] == [-5, -4, -3, -2]
    assert [p for p in reach if fires(*rungs[1], p)] == [-1, 0]
    assert [p for p in reach if fires(*rungs[2], p)] == list(range(3, 3 + CATCH_UP))
    assert [p for p in reach if fires(*rungs[3], p)] == list(range(1, 30))  # daily


def test_offsets_are_set_per_category_in_the_settings(cast, settings):
    settings.HUIYIN_REMINDER_STEPS = {
        "npc_suggestion": {"ahead": -3, "eve": None},
        "*": {"leader": 5},
    }
    workflow = workflow_for("npc_suggestion")
    npc = {s.key: s.offset for s in ladder_for(workflow, "npc_suggestion")}
    cppcc = {s.key: s.offset for s in ladder_for(workflow, "cppcc_proposal")}
    assert npc["ahead"] == -3 and "eve" not in npc and npc["leader"] == 5
    assert cppcc["ahead"] == -5 and cppcc["eve"] == -1 and cppcc["leader"] == 5

    npc_case = due_case(cast, handler=cast.yizheng_handler, leader=cast.leader)
    cppcc_case = due_case(
        cast, handler=cast.yizheng_handler, leader=cast.leader, category="cppcc_proposal"
    )
    sent_on = {}
    for day in (date(2026, 6, 12), date(2026, 6, 16), date(2026, 6, 18), date(2026, 6, 29)):
        morning_run(day)
        for key in keys("reply"):
            sent_on.setdefault(key, day.isoformat())

    def steps_of(case):
        """(step, day) of the case's reminders to its handler and its leader."""
        wanted = {str(cast.yizheng_handler.pk), str(cast.leader.pk)}
        found = []
        for key, day in sent_on.items():
            _, case_id, _, name, recipient = key.split(":")
            if case_id == str(case.pk) and recipient in wanted:
                found.append((name, day))
        return sorted(found)

    assert steps_of(npc_case) == [("ahead", "2026-06-16"), ("leader", "2026-06-29")]
    assert steps_of(cppcc_case) == [
        ("ahead", "2026-06-12"),
        ("eve", "2026-06-18"),
        ("leader", "2026-06-29"),
    ]


@pytest.mark.parametrize(
    "setting",
    [{"*": {"nonesuch": 1}}, {"*": {"ahead": "5"}}, {"*": {"ahead": 1000}}, {"*": {"ahead": True}}],
)
def test_a_bad_offset_setting_fails_loudly(settings, setting):
    settings.HUIYIN_REMINDER_STEPS = setting
    with pytest.raises(ImproperlyConfigured):
        ladder_for(workflow_for("npc_suggestion"), "npc_suggestion")
