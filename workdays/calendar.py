"""Deadline arithmetic: the one module that decides which days are working days.

A day's status: an override row wins; else chinesecalendar when it has the year; else
Monday–Friday. A result is provisional when any year between the start and the result is
not confirmed (neither in chinesecalendar nor imported), because importing that year's
official calendar may move it.
"""

import calendar as stdlib_calendar
import datetime
import re
from functools import cache
from typing import NamedTuple

import chinese_calendar

from workdays.models import CalendarOverride, ConfirmedYear

ONE_DAY = datetime.timedelta(days=1)
# How far a roll to the next working day may reach when sizing the one query per call:
# the longest official break (Spring Festival) is 9 days. Reaching further is still
# correct, it only costs one more query.
ROLL_MARGIN = datetime.timedelta(days=15)
RULE_RE = re.compile(r"^(months|workdays|days|workdays_before):(\d{1,4})$")


class Due(NamedTuple):
    date: datetime.date
    provisional: bool


@cache
def _library_has(year: int) -> bool:
    try:
        chinese_calendar.is_workday(datetime.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


# chinesecalendar checks every date against the bounds of its whole table (min and max
# over thousands of days), a millisecond per dozen days: pages that count working days
# over months ask about hundreds. Its data cannot change while the process runs.
@cache
def _base_workday(day: datetime.date) -> bool:
    if _library_has(day.year):
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5


def _check(day: datetime.date, n: int) -> None:
    # A datetime is a date too, but its calendar day depends on a time zone: refuse it.
    if isinstance(day, datetime.datetime) or not isinstance(day, datetime.date):
        raise TypeError(f"expected datetime.date, got {type(day).__name__}")
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"expected int, got {type(n).__name__}")
    if n < 0:
        raise ValueError(f"期限不能为负数：{n}")


def is_workday(day: datetime.date) -> bool:
    _check(day, 0)
    hit = CalendarOverride.objects.filter(day=day).values_list("is_workday", flat=True).first()
    return hit if hit is not None else _base_workday(day)


def is_confirmed(year: int) -> bool:
    return _library_has(year) or ConfirmedYear.objects.filter(year=year).exists()


class _Span:
    """The calendar of the years one computation touches, loaded with one query."""

    def __init__(self, first: datetime.date, last: datetime.date) -> None:
        self._overrides: dict[datetime.date, bool] = {}
        self._years: set[int] = set()
        self._load(first.year, last.year)

    def _load(self, first_year: int, last_year: int) -> None:
        rows = CalendarOverride.objects.filter(
            day__range=(datetime.date(first_year, 1, 1), datetime.date(last_year, 12, 31))
        ).values_list("day", "is_workday")
        self._overrides.update(rows)
        self._years.update(range(first_year, last_year + 1))

    def is_workday(self, day: datetime.date) -> bool:
        if day.year not in self._years:
            self._load(day.year, day.year)
        hit = self._overrides.get(day)
        return hit if hit is not None else _base_workday(day)

    def roll(self, day: datetime.date) -> datetime.date:
        while not self.is_workday(day):
            day += ONE_DAY
        return day

    @staticmethod
    def due(start: datetime.date, result: datetime.date) -> Due:
        years = range(min(start, result).year, max(start, result).year + 1)
        unknown = [year for year in years if not _library_has(year)]
        if not unknown:
            return Due(result, False)
        confirmed = set(
            ConfirmedYear.objects.filter(year__in=unknown).values_list("year", flat=True)
        )
        return Due(result, any(year not in confirmed for year in unknown))


def _add_months(start: datetime.date, months: int) -> datetime.date:
    carry, month_index = divmod(start.month - 1 + months, 12)
    year, month = start.year + carry, month_index + 1
    last_day = stdlib_calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(start.day, last_day))


def months_after(start: datetime.date, months: int, *, span: "_Span | None" = None) -> Due:
    """民法典 art. 201–203: same day-number (or the month's last day), rolled forward."""
    _check(start, months)
    end = _add_months(start, months)
    span = span or _Span(start, end + ROLL_MARGIN)
    return span.due(start, span.roll(end))


def workdays_after(start: datetime.date, n: int, *, span: "_Span | None" = None) -> Due:
    """The n-th working day counted from the day after start; n=0: start, rolled forward."""
    _check(start, n)
    span = span or _Span(start, start + datetime.timedelta(days=2 * n) + ROLL_MARGIN)
    day, counted = start, 0
    if n == 0:
        day = span.roll(start)
    while counted < n:
        day += ONE_DAY
        if span.is_workday(day):
            counted += 1
    return span.due(start, day)


def days_after(start: datetime.date, n: int, *, span: "_Span | None" = None) -> Due:
    """n calendar days after start, rolled forward to a working day."""
    _check(start, n)
    end = start + datetime.timedelta(days=n)
    span = span or _Span(start, end + ROLL_MARGIN)
    return span.due(start, span.roll(end))


def workdays_before(end: datetime.date, n: int, *, span: "_Span | None" = None) -> Due:
    """The working day n working days before end (end itself is not counted); n=0: end."""
    _check(end, n)
    span = span or _Span(end - datetime.timedelta(days=2 * n) - ROLL_MARGIN, end)
    day, counted = end, 0
    while counted < n:
        day -= ONE_DAY
        if span.is_workday(day):
            counted += 1
    return span.due(end, day)


_RULES = {
    "months": months_after,
    "workdays": workdays_after,
    "days": days_after,
    "workdays_before": workdays_before,
}


def compute(rule: str, start: datetime.date, *, span: "_Span | None" = None) -> Due:
    """Apply a configured rule such as "months:3" or "workdays_before:10" to start."""
    match = RULE_RE.match(rule.strip()) if isinstance(rule, str) else None
    if match is None:
        raise ValueError(f"无法识别的期限规则：“{rule}”")
    return _RULES[match.group(1)](start, int(match.group(2)), span=span)


# Many dates at once. Each function above loads the calendar of the years it touches, one
# query a call; a page that shows a computed date or a count of working days on every row
# (the 待办 page, cases/todo.py) loads a WorkdaySpan once and passes it as `span`.


class WorkdaySpan(_Span):
    """The calendar of the years from `first` to `last`, loaded with one query (other years
    on demand), with the confirmed years read at most once: the same answers as the
    functions above, without a query per date."""

    def __init__(self, first: datetime.date, last: datetime.date) -> None:
        super().__init__(first, last)
        self._confirmed: set[int] | None = None

    def due(self, start: datetime.date, result: datetime.date) -> Due:  # type: ignore[override]
        years = range(min(start, result).year, max(start, result).year + 1)
        unknown = [year for year in years if not _library_has(year)]
        if not unknown:
            return Due(result, False)
        if self._confirmed is None:
            self._confirmed = set(ConfirmedYear.objects.values_list("year", flat=True))
        return Due(result, any(year not in self._confirmed for year in unknown))

    def compute(self, rule: str, start: datetime.date) -> Due:
        return compute(rule, start, span=self)

    def workdays_between(self, start: datetime.date, end: datetime.date) -> int:
        """The working days after start up to and including end; when end is before start,
        minus those after end up to and including start (a deadline passed 2 working days
        ago: -2)."""
        if end < start:
            return -self.workdays_between(end, start)
        day, counted = start, 0
        while day < end:
            day += ONE_DAY
            counted += self.is_workday(day)
        return counted
