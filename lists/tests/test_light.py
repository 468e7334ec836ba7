"""The lights of items and measures at their boundaries, on the 2026 working-day calendar:
逾期 from the day after the deadline (not on it), 滞后 only past the margin (exactly at it
is not behind), 未开始 vs 正常, 临近 N working days before across 中秋·国庆 2026 (off
09-25 and 10-01…10-07, make-up working days Sunday 09-20 and Saturday 10-10), the palette,
and 已销号 / 待销号 before every other light."""

from datetime import date

import pytest

from lists import light
from lists.light import (
    APPROACHING,
    BEHIND,
    DONE,
    NORMAL,
    NOT_STARTED,
    OVERDUE,
    Lights,
)
from lists.serialize import item_fields
from lists.tests.factories import make_item, make_list
from reminders.tests.conftest import frozen
from workdays.calendar import WorkdaySpan

pytestmark = pytest.mark.django_db
START = date(2026, 3, 2)  # Monday
TEN = date(2026, 3, 16)  # ten working days after START


def _light(today, *, start=START, deadline=TEN, percent=0, reported=True, **kw):
    return Lights(today, start, deadline).of(
        start=start, deadline=deadline, percent=percent, reported=reported,
        struck_off=kw.get("struck_off", False), submitted=kw.get("submitted", False),
    )  # fmt: skip


def test_the_calendar_is_the_2026_one():
    span = WorkdaySpan(date(2026, 1, 1), date(2026, 12, 31))
    assert span.workdays_between(START, TEN) == 10
    assert span.is_workday(date(2026, 9, 20)) and span.is_workday(date(2026, 10, 10))
    assert not span.is_workday(date(2026, 9, 25)) and not span.is_workday(date(2026, 10, 7))
    assert span.workdays_between(date(2026, 9, 30), date(2026, 10, 8)) == 1


def test_overdue_from_the_day_after_the_deadline_not_on_it():
    assert _light(TEN, percent=90) == APPROACHING
    assert _light(date(2026, 3, 17), percent=90) == OVERDUE
    # A deadline on a Saturday: overdue on the Sunday already, a rest day or not.
    saturday = date(2026, 3, 14)
    assert _light(saturday, deadline=saturday, percent=95) != OVERDUE
    assert _light(date(2026, 3, 15), deadline=saturday, percent=95) == OVERDUE
    # Overdue whatever the progress, reported or not.
    assert _light(date(2026, 3, 17), percent=99, reported=False) == OVERDUE


def test_behind_only_past_the_margin():
    friday = date(2026, 3, 6)  # 4 of 10 working days used: 40%
    assert Lights(friday, START, TEN).used(START, TEN) == 40
    assert _light(friday, percent=20) == NORMAL  # 40 − 20 = 20: at the margin, not behind
    assert _light(friday, percent=19) == BEHIND  # 21 > 20
    # Not reported yet but past the margin: behind, not "not started".
    assert _light(friday, percent=0, reported=False) == BEHIND


def test_the_margin_is_a_setting(settings):
    settings.HUIYIN_LIST_RULES = {"behind_margin": 10}
    friday = date(2026, 3, 6)
    assert _light(friday, percent=30) == NORMAL
    assert _light(friday, percent=29) == BEHIND
    settings.HUIYIN_LIST_RULES = {"behind_margin": 40}
    assert _light(friday, percent=0) == NORMAL


def test_the_share_used_counts_working_days_only():
    # Over 中秋·国庆: from 09-24 to 10-12 there are 7 working days (09-28, 09-29, 09-30,
    # 10-08, 10-09, 10-10, 10-12); on 10-08, 4 of them are used (57%), not 14 of 18 days.
    start, deadline = date(2026, 9, 24), date(2026, 10, 12)
    lights = Lights(date(2026, 10, 8), start, deadline)
    assert lights.used(start, deadline) == 57
    # 57 − 37 = 20: not behind (and three working days before the deadline: approaching).
    assert _light(date(2026, 10, 8), start=start, deadline=deadline, percent=37) == APPROACHING
    assert _light(date(2026, 10, 8), start=start, deadline=deadline, percent=36) == BEHIND
    # Before (or on) the start nothing is used.
    assert Lights(start, start, deadline).used(start, deadline) == 0


def test_not_started_until_something_is_reported():
    tuesday = date(2026, 3, 3)  # 10% used: within the margin
    assert _light(tuesday, percent=0, reported=False) == NOT_STARTED
    assert _light(tuesday, percent=0, reported=True) == NORMAL
    assert _light(tuesday, percent=5, reported=False) == NORMAL  # a percent is a report
    # Without a deadline or a start there is nothing to measure against.
    lights = Lights(tuesday)
    assert lights.of(start=None, deadline=None, percent=0, struck_off=False) == NOT_STARTED
    assert lights.of(start=None, deadline=None, percent=0, struck_off=False,
                     reported=True) == NORMAL  # fmt: skip


def test_approaching_five_working_days_before_across_the_national_day():
    # Due Monday 10-12: its last five working days are 09-30, 10-08, 10-09, 10-10 (the
    # make-up Saturday) and 10-12; so 09-29 is approaching, 13 calendar days ahead, and
    # 09-28 not yet.
    start, deadline = date(2026, 9, 1), date(2026, 10, 12)
    on = {day: _light(day, start=start, deadline=deadline, percent=95)
          for day in (date(2026, 9, 28), date(2026, 9, 29), date(2026, 10, 9))}  # fmt: skip
    assert on == {
        date(2026, 9, 28): NORMAL, date(2026, 9, 29): APPROACHING, date(2026, 10, 9): APPROACHING,
    }  # fmt: skip


def test_approaching_counts_the_make_up_sunday():
    # Due Tuesday 09-22: 09-16 is five working days before it (17, 18, 20 the make-up
    # Sunday, 21, 22); a count of weekdays would say four and call 09-15 approaching.
    start, deadline = date(2026, 9, 1), date(2026, 9, 22)
    assert _light(date(2026, 9, 15), start=start, deadline=deadline, percent=90) == NORMAL
    assert _light(date(2026, 9, 16), start=start, deadline=deadline, percent=90) == APPROACHING


def test_approaching_is_a_setting(settings):
    settings.HUIYIN_LIST_RULES = {"approaching_workdays": 6}
    start, deadline = date(2026, 9, 1), date(2026, 10, 12)
    assert _light(date(2026, 9, 28), start=start, deadline=deadline, percent=95) == APPROACHING


def test_struck_off_and_submitted_come_first():
    late = date(2026, 4, 1)
    assert _light(late, percent=0, struck_off=True) == DONE
    assert _light(late, percent=0, submitted=True) == NORMAL  # 待销号: the unit's part done
    assert _light(late, percent=0, struck_off=True, submitted=True) == DONE


def test_the_status_palette(settings):
    settings.HUIYIN_LIST_RULES = {"lights": "status"}
    words = {key: (light.shown(key).label, light.shown(key).colour) for key in light.KEYS}
    assert words == {
        NOT_STARTED: ("未开始", "secondary"), NORMAL: ("正常", "success"),
        APPROACHING: ("正常", "success"), BEHIND: ("滞后", "warning"),
        OVERDUE: ("逾期", "danger"), DONE: ("已销号", "primary"),
    }  # fmt: skip
    assert [s.label for s in light.legend()] == ["未开始", "正常", "滞后", "逾期", "已销号"]


def test_the_colours_palette(settings):
    settings.HUIYIN_LIST_RULES = {"lights": "colours"}
    assert [(s.label, s.colour) for s in light.legend()] == [
        ("绿灯", "success"), ("蓝灯", "info"), ("黄灯", "warning"), ("红灯", "danger"),
        ("已销号", "primary"),
    ]  # fmt: skip
    assert light.shown(NOT_STARTED).label == "绿灯" and light.shown(APPROACHING).label == "蓝灯"
    settings.HUIYIN_LIST_RULES = {"lights": "nonesuch"}  # an unknown palette: the status one
    assert light.shown(BEHIND).label == "滞后"


def test_an_item_s_lights_move_with_the_frozen_clock(cast):
    """Through the item's fields (the API's and the page's item_rows): measure 1 is due
    Thursday 04-30, before the 劳动节 holiday; the item is due 06-30."""
    case = make_item(cast, make_list(cast))

    def lights(day):
        with frozen(day):
            found = item_fields(case, cast.coordinator)
        return found["light"], [m["light"] for m in found["measures"]]

    assert lights(date(2026, 3, 3)) == (NOT_STARTED, [NOT_STARTED, NOT_STARTED])
    item_light, (first, _) = lights(date(2026, 4, 30))
    assert first == BEHIND  # on its deadline, nothing done: behind, not yet overdue
    item_light, (first, _) = lights(date(2026, 5, 1))  # a holiday, the day after
    assert first == OVERDUE and item_light == BEHIND
    assert lights(date(2026, 7, 1))[0] == OVERDUE
