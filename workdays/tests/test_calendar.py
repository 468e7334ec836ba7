from datetime import date

import pytest

from workdays import calendar
from workdays.calendar import Due
from workdays.models import CalendarOverride, ConfirmedYear

pytestmark = pytest.mark.django_db


# DESIGN.md §3 worked examples (2026 State Council notice).
@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 3, 20), 3, date(2026, 6, 22)),  # 06-20 Saturday, 06-21 Dragon Boat
        (date(2026, 7, 1), 3, date(2026, 10, 8)),  # 国庆
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # make-up Saturday: no roll
        (date(2026, 3, 31), 1, date(2026, 4, 30)),  # no 31st: the month's last day
        (date(2026, 5, 31), 1, date(2026, 6, 30)),
        (date(2026, 8, 31), 6, date(2027, 3, 1)),  # 2027-02-28 is a Sunday (provisional)
    ],
)
def test_months_after(start: date, months: int, expected: date) -> None:
    assert calendar.months_after(start, months).date == expected


def test_worked_examples_are_confirmed() -> None:
    assert calendar.months_after(date(2026, 3, 20), 3) == Due(date(2026, 6, 22), False)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 9, 30), 5, date(2026, 10, 13)),  # 10-10 Saturday is a working day
        (date(2026, 9, 20), 5, date(2026, 9, 28)),  # start is a make-up Sunday; 中秋 9-25..27
        (date(2026, 2, 13), 1, date(2026, 2, 14)),  # make-up Saturday before Spring Festival
        (date(2026, 2, 14), 1, date(2026, 2, 24)),
    ],
)
def test_workdays_after(start: date, n: int, expected: date) -> None:
    assert calendar.workdays_after(start, n) == Due(expected, False)


def test_zero_workdays_is_the_same_working_day() -> None:
    assert calendar.workdays_after(date(2026, 10, 8), 0).date == date(2026, 10, 8)
    assert calendar.workdays_after(date(2026, 10, 1), 0).date == date(2026, 10, 8)


def test_days_after_rolls_forward() -> None:
    assert calendar.days_after(date(2026, 9, 1), 30) == Due(date(2026, 10, 8), False)
    assert calendar.days_after(date(2026, 9, 1), 29) == Due(date(2026, 9, 30), False)


def test_workdays_before() -> None:
    # 10 working days before the 2026-06-22 deadline, skipping the Dragon Boat break.
    assert calendar.workdays_before(date(2026, 6, 22), 10) == Due(date(2026, 6, 5), False)
    assert calendar.workdays_before(date(2026, 10, 8), 1) == Due(date(2026, 9, 30), False)
    assert calendar.workdays_before(date(2026, 6, 22), 0).date == date(2026, 6, 22)


def test_leap_day_in_an_unconfirmed_year_is_provisional() -> None:
    assert calendar.months_after(date(2028, 1, 31), 1) == Due(date(2028, 2, 29), True)
    assert calendar.months_after(date(2028, 2, 29), 12) == Due(date(2029, 2, 28), True)


def test_unconfirmed_year_uses_weekends_only() -> None:
    # 2030-10-01 will be 国庆, but until 2030 is imported it is a plain Tuesday.
    assert calendar.is_workday(date(2030, 10, 1)) is True
    assert calendar.is_workday(date(2030, 10, 5)) is False  # Saturday
    assert calendar.workdays_after(date(2030, 9, 30), 1) == Due(date(2030, 10, 1), True)
    assert calendar.months_after(date(2030, 7, 5), 3) == Due(date(2030, 10, 7), True)  # Sat→Mon


def test_crossing_into_an_unconfirmed_year_is_provisional() -> None:
    # 2027-01-01 (a Friday) counts while 2027 is not confirmed.
    assert calendar.workdays_after(date(2026, 12, 25), 5) == Due(date(2027, 1, 1), True)
    assert calendar.workdays_after(date(2026, 12, 25), 4) == Due(date(2026, 12, 31), False)


def test_is_confirmed() -> None:
    assert calendar.is_confirmed(2026)
    assert calendar.is_confirmed(2004)
    assert not calendar.is_confirmed(2030)
    ConfirmedYear.objects.create(year=2030)
    assert calendar.is_confirmed(2030)
    assert calendar.workdays_after(date(2030, 9, 30), 1) == Due(date(2030, 10, 1), False)


def test_override_wins() -> None:
    assert calendar.months_after(date(2026, 3, 20), 3).date == date(2026, 6, 22)
    CalendarOverride.objects.create(day=date(2026, 6, 22), is_workday=False)
    assert calendar.is_workday(date(2026, 6, 22)) is False
    assert calendar.months_after(date(2026, 3, 20), 3).date == date(2026, 6, 23)
    # The period ends on Saturday 06-20; the roll stops at a worked Sunday.
    CalendarOverride.objects.create(day=date(2026, 6, 21), is_workday=True)
    assert calendar.is_workday(date(2026, 6, 21)) is True
    assert calendar.months_after(date(2026, 3, 20), 3).date == date(2026, 6, 21)
    assert calendar.workdays_after(date(2026, 6, 18), 1).date == date(2026, 6, 21)


def test_a_long_override_break_beyond_the_loaded_span() -> None:
    for day in range(2, 32):
        CalendarOverride.objects.create(day=date(2030, 12, day), is_workday=False)
    CalendarOverride.objects.create(day=date(2031, 1, 1), is_workday=False)
    assert calendar.workdays_after(date(2030, 12, 1), 1).date == date(2031, 1, 2)


def test_one_query_for_overrides(django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        calendar.workdays_after(date(2026, 9, 30), 5)
    with django_assert_num_queries(1):
        calendar.months_after(date(2026, 1, 31), 11)
    # An unconfirmed year also asks whether it was imported.
    with django_assert_num_queries(2):
        calendar.workdays_after(date(2030, 1, 1), 60)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("months:3", Due(date(2026, 6, 22), False)),
        ("workdays:5", Due(date(2026, 3, 27), False)),
        ("days:15", Due(date(2026, 4, 7), False)),  # 04-04 Sat, 04-05..06 清明
        ("workdays_before:10", Due(date(2026, 3, 6), False)),
    ],
)
def test_compute_dispatches(rule: str, expected: Due) -> None:
    assert calendar.compute(rule, date(2026, 3, 20)) == expected


@pytest.mark.parametrize(
    "rule", ["", "months", "months:", "weeks:2", "months:-1", "months:x", None]
)
def test_compute_refuses_a_bad_rule(rule: str) -> None:
    with pytest.raises(ValueError, match="无法识别的期限规则"):
        calendar.compute(rule, date(2026, 3, 20))


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        calendar.workdays_after(date(2026, 3, 20), -1)
    with pytest.raises(TypeError):
        calendar.months_after("2026-03-20", 1)  # type: ignore[arg-type]
