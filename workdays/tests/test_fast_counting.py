"""Working-day arithmetic costs the years it crosses, not the days (issue 9 #15), and gives
the same answers as walking the calendar day by day: compared over random ranges, with
holidays and make-up working days (调休) set by overrides, in years chinesecalendar knows
and years it does not."""

import datetime
import random
from datetime import date

import pytest

from workdays import calendar
from workdays.calendar import WorkdaySpan
from workdays.models import CalendarOverride

pytestmark = pytest.mark.django_db

ONE_DAY = datetime.timedelta(days=1)


def _walk_between(span: WorkdaySpan, start: date, end: date) -> int:
    """The day-by-day count the fast one replaced."""
    if end < start:
        return -_walk_between(span, end, start)
    day, counted = start, 0
    while day < end:
        day += ONE_DAY
        counted += span.is_workday(day)
    return counted


def _walk_after(span: WorkdaySpan, start: date, n: int) -> date:
    day, counted = start, 0
    while counted < n:
        day += ONE_DAY
        counted += span.is_workday(day)
    return day


def _walk_before(span: WorkdaySpan, end: date, n: int) -> date:
    day, counted = end, 0
    while counted < n:
        day -= ONE_DAY
        counted += span.is_workday(day)
    return day


def _random_day(rng: random.Random, low: int, high: int) -> date:
    first, last = date(low, 1, 1).toordinal(), date(high, 12, 31).toordinal()
    return date.fromordinal(rng.randint(first, last))


@pytest.fixture
def overrides():
    """Holidays on weekdays and make-up Saturdays/Sundays, scattered over 2000–2100 (more
    around the years in use, a few at year ends)."""
    rng = random.Random(9)
    days: dict[date, bool] = {}
    for _ in range(400):
        day = _random_day(rng, 2000, 2100) if rng.random() < 0.5 else _random_day(rng, 2024, 2032)
        days[day] = day.weekday() >= 5  # a weekday off, or a weekend day worked
    for year in (2026, 2027, 2040):
        days[date(year, 12, 31)] = False
        days[date(year + 1, 1, 1)] = False
        days[date(year, 1, 4)] = True
    CalendarOverride.objects.bulk_create(
        CalendarOverride(day=day, is_workday=workday, note="测试") for day, workday in days.items()
    )
    return days


def test_between_matches_the_day_by_day_walk(overrides):
    rng = random.Random(15)
    span = WorkdaySpan(date(2000, 1, 1), date(2100, 12, 31))
    for _ in range(300):
        start = _random_day(rng, 2000, 2100)
        end = start + datetime.timedelta(days=rng.choice([0, 1, 3, 7, 40, 400, 3000, 20000]))
        end = min(end, date(2100, 12, 31))
        if rng.random() < 0.5:
            start, end = end, start
        assert span.workdays_between(start, end) == _walk_between(span, start, end), (start, end)


def test_after_and_before_match_the_walk(overrides):
    rng = random.Random(16)
    span = WorkdaySpan(date(2000, 1, 1), date(2100, 12, 31))
    for _ in range(300):
        day = _random_day(rng, 2001, 2099)
        n = rng.choice([1, 2, 5, 10, 60, 250, 1000])
        after = calendar.workdays_after(day, n, span=span).date
        assert after == _walk_after(span, day, n), (day, n)
        before = calendar.workdays_before(day, n, span=span).date
        assert before == _walk_before(span, day, n), (day, n)
        # Without a span given: the functions load their own calendar.
        assert calendar.workdays_after(day, n).date == after


def test_edges_of_the_year_and_of_overrides(overrides):
    span = WorkdaySpan(date(2026, 1, 1), date(2028, 12, 31))
    for start in (date(2026, 12, 30), date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 4)):
        for end in (date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 2), date(2028, 1, 1)):
            assert span.workdays_between(start, end) == _walk_between(span, start, end)
        for n in range(1, 12):
            assert calendar.workdays_after(start, n, span=span).date == _walk_after(span, start, n)
            assert calendar.workdays_before(start, n, span=span).date == _walk_before(
                span, start, n
            )


def test_a_century_costs_one_query_and_no_day_by_day_walk(django_assert_num_queries, monkeypatch):
    span = WorkdaySpan(date(2026, 6, 1), date(2026, 6, 30))
    calls = []
    monkeypatch.setattr(span, "is_workday", lambda day: calls.append(day) or True)
    with django_assert_num_queries(1):  # the overrides of the years not loaded yet
        count = span.workdays_between(date(2026, 6, 10), date(1926, 6, 10))
    assert count < -25_000
    assert len(calls) < 5  # no walk over the 36,500 days
    # Far away is fast too: once per process, each year is counted once.
    far = WorkdaySpan(date(1, 1, 1), date(1, 12, 31))
    assert far.workdays_between(date(1, 1, 1), date(2026, 6, 10)) > 500_000
