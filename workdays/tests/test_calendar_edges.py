"""The calendar's edges: the 暂定 flag as pages compute it (WorkdaySpan), the arguments the
calendar refuses, overrides at the ends of a year, and counting working days between two
dates. chinesecalendar knows 2004–2026; later years are weekends-only until confirmed."""

import datetime
from datetime import date

import pytest
import time_machine

from cases import actions
from cases.tests.factories import register
from cases.todo import todo_for
from workdays import calendar
from workdays.actions import import_year
from workdays.calendar import Due, WorkdaySpan
from workdays.models import CalendarOverride, ConfirmedYear

pytestmark = pytest.mark.django_db


def confirm(year: int) -> None:
    ConfirmedYear.objects.create(year=year)


# ── 暂定: provisional until every year touched is confirmed ──────────────────────────────


def test_a_2027_result_is_provisional_until_2027_is_confirmed():
    span = WorkdaySpan(date(2026, 1, 1), date(2027, 12, 31))
    assert span.due(date(2026, 12, 1), date(2027, 1, 5)) == Due(date(2027, 1, 5), True)
    assert span.compute("months:3", date(2026, 11, 20)) == Due(date(2027, 2, 22), True)
    confirm(2027)
    span = WorkdaySpan(date(2026, 1, 1), date(2027, 12, 31))
    assert span.due(date(2026, 12, 1), date(2027, 1, 5)) == Due(date(2027, 1, 5), False)
    assert span.compute("months:3", date(2026, 11, 20)) == Due(date(2027, 2, 22), False)


def test_a_2026_only_result_is_never_provisional(django_assert_num_queries):
    span = WorkdaySpan(date(2026, 1, 1), date(2026, 12, 31))
    with django_assert_num_queries(0):  # known years need no look-up
        assert span.due(date(2026, 3, 2), date(2026, 6, 5)) == Due(date(2026, 6, 5), False)
        assert span.due(date(2026, 12, 31), date(2026, 1, 2)) == Due(date(2026, 1, 2), False)
    assert span.compute("months:3", date(2026, 3, 5)) == Due(date(2026, 6, 5), False)


def test_with_only_2027_confirmed_a_2028_result_is_still_provisional():
    confirm(2027)
    span = WorkdaySpan(date(2027, 1, 1), date(2028, 12, 31))
    assert span.due(date(2027, 12, 1), date(2028, 1, 10)) == Due(date(2028, 1, 10), True)
    assert span.due(date(2027, 3, 1), date(2027, 12, 31)) == Due(date(2027, 12, 31), False)
    assert span.due(date(2028, 1, 3), date(2028, 1, 10)) == Due(date(2028, 1, 10), True)
    # The functions without a span give the same answers.
    assert calendar.workdays_after(date(2027, 12, 30), 1) == Due(date(2027, 12, 31), False)
    assert calendar.workdays_after(date(2027, 12, 30), 2) == Due(date(2028, 1, 3), True)
    assert calendar.workdays_before(date(2028, 1, 3), 1) == Due(date(2027, 12, 31), True)


def test_a_year_is_confirmed_only_by_itself():
    confirm(2027)
    assert calendar.is_confirmed(2027)
    assert not calendar.is_confirmed(2028)
    assert not calendar.is_confirmed(2026 + 100)
    assert calendar.is_confirmed(2026)  # chinesecalendar's own


def test_the_span_reads_the_confirmed_years_once(django_assert_num_queries):
    confirm(2027)
    span = WorkdaySpan(date(2027, 1, 1), date(2028, 12, 31))
    with django_assert_num_queries(1):
        for day in range(1, 20):
            span.due(date(2027, 1, day), date(2028, 1, day))


@time_machine.travel(date(2026, 12, 1), tick=False)
def test_a_2027_deadline_is_provisional_on_the_todo_until_2027_is_imported(cast):
    case = register(cast, on=date(2026, 11, 20))
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 11, 20)
    )

    def row():
        todo = todo_for(cast.yizheng_head, date(2026, 12, 1))
        (found,) = [r for s in todo.sections for r in s.rows if r.case.pk == case.pk]
        return found

    assert (row().due, row().due_provisional) == (date(2027, 2, 22), True)
    import_year(2027, {date(2027, 2, 22): True}, by=cast.admin)
    assert (row().due, row().due_provisional) == (date(2027, 2, 22), False)


# ── arguments the calendar refuses ──────────────────────────────────────────────────────

COUNTING = [
    calendar.months_after,
    calendar.workdays_after,
    calendar.days_after,
    calendar.workdays_before,
]


@pytest.mark.parametrize("function", COUNTING)
@pytest.mark.parametrize("n", [-1, -30])
def test_negative_counts_are_refused(function, n):
    with pytest.raises(ValueError, match="期限不能为负数"):
        function(date(2026, 3, 20), n)


@pytest.mark.parametrize("function", COUNTING)
@pytest.mark.parametrize("n", [True, False, 1.0, "3", None])
def test_counts_must_be_integers_not_booleans(function, n):
    with pytest.raises(TypeError, match="expected int"):
        function(date(2026, 3, 20), n)


@pytest.mark.parametrize("function", COUNTING)
def test_a_zero_count_is_accepted(function):
    assert function(date(2026, 3, 20), 0) == Due(date(2026, 3, 20), False)


@pytest.mark.parametrize("function", COUNTING)
@pytest.mark.parametrize(
    "day",
    [
        datetime.datetime(2026, 3, 20, 9, 0),
        datetime.datetime(2026, 3, 20, 23, 30, tzinfo=datetime.UTC),
        "2026-03-20",
        None,
    ],
)
def test_dates_must_be_dates_not_datetimes(function, day):
    with pytest.raises(TypeError, match="expected datetime.date"):
        function(day, 1)


@pytest.mark.parametrize("day", [datetime.datetime(2026, 3, 20, 9, 0), "2026-03-20"])
def test_is_workday_and_compute_refuse_datetimes(day):
    with pytest.raises(TypeError):
        calendar.is_workday(day)
    with pytest.raises(TypeError):
        calendar.compute("workdays:5", day)


# ── overrides at the ends of a year, and the days in between ────────────────────────────


@pytest.mark.parametrize("day", [date(2030, 1, 1), date(2030, 12, 31)])
def test_an_override_on_the_first_or_last_day_of_a_year_counts(day):
    # Both are working weekdays (Tuesdays) in a year chinesecalendar does not know.
    assert calendar.is_workday(day)
    CalendarOverride.objects.create(day=day, is_workday=False)
    assert not calendar.is_workday(day)
    start = day - datetime.timedelta(days=1)
    assert calendar.workdays_after(start, 1).date == day + datetime.timedelta(days=1)
    assert calendar.days_after(start, 1).date == day + datetime.timedelta(days=1)
    span = WorkdaySpan(day, day)
    assert not span.is_workday(day)


def test_each_day_reads_its_own_override():
    CalendarOverride.objects.create(day=date(2030, 1, 1), is_workday=False)  # a Tuesday
    CalendarOverride.objects.create(day=date(2030, 1, 5), is_workday=True)  # a Saturday
    assert calendar.is_workday(date(2030, 1, 1)) is False
    assert calendar.is_workday(date(2030, 1, 5)) is True
    assert calendar.is_workday(date(2030, 1, 2)) is True  # no override: a Wednesday
    assert calendar.is_workday(date(2030, 1, 6)) is False  # no override: a Sunday


def test_a_count_from_a_rest_day_starts_at_the_next_working_day():
    # 10-01 is 国庆: the first working day after it is 10-08, whatever the count.
    assert calendar.workdays_after(date(2026, 10, 1), 1).date == date(2026, 10, 8)
    assert calendar.workdays_after(date(2026, 10, 1), 2).date == date(2026, 10, 9)
    assert calendar.workdays_after(date(2026, 10, 1), 0).date == date(2026, 10, 8)


def test_an_override_in_the_year_after_the_span_is_loaded_when_reached():
    CalendarOverride.objects.create(day=date(2031, 1, 2), is_workday=False)
    span = WorkdaySpan(date(2030, 12, 1), date(2030, 12, 31))
    assert span.workdays_between(date(2030, 12, 31), date(2031, 1, 3)) == 2  # 01-01, 01-03
    assert calendar.workdays_after(date(2030, 12, 31), 2) == Due(date(2031, 1, 3), True)


def test_workdays_between():
    span = WorkdaySpan(date(2026, 9, 1), date(2026, 10, 31))
    # 国庆: 10-01..10-07 off; the day itself is not counted, the end day is.
    assert span.workdays_between(date(2026, 9, 30), date(2026, 10, 8)) == 1
    assert span.workdays_between(date(2026, 9, 29), date(2026, 10, 9)) == 3
    assert span.workdays_between(date(2026, 10, 9), date(2026, 9, 29)) == -3
    assert span.workdays_between(date(2026, 10, 8), date(2026, 10, 8)) == 0
    assert span.workdays_between(date(2026, 10, 1), date(2026, 10, 7)) == 0


def test_a_span_answers_as_the_functions_do():
    span = WorkdaySpan(date(2026, 1, 1), date(2026, 12, 31))
    for rule in ("months:3", "workdays:5", "days:15", "workdays_before:10"):
        for start in (date(2026, 3, 20), date(2026, 9, 30), date(2026, 2, 13)):
            assert span.compute(rule, start) == calendar.compute(rule, start)
    assert span.roll(date(2026, 10, 1)) == date(2026, 10, 8)
    assert span.roll(date(2026, 10, 8)) == date(2026, 10, 8)
