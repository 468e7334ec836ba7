"""Deadline arithmetic: the one module that decides which days are working days.

A day's status: an override row wins; else chinesecalendar when it has the year; else
Monday–Friday. A result is provisional when any year between the start and the result is
not confirmed (neither in chinesecalendar nor imported), because importing that year's
official calendar may move it.
"""

import calendar as stdlib_calendar
import datetime
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import NamedTuple

import chinese_calendar
from django.utils import timezone

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


# Counting working days over any distance costs the number of years crossed, not days: a
# year's working days are counted once (its total, and running totals by day of the year
# for the years where a count starts or ends), overrides added on top.


def _day_of_year(day: datetime.date) -> int:
    """1 for 1 January … 365 or 366 for 31 December."""
    return day.toordinal() - datetime.date(day.year, 1, 1).toordinal() + 1


@lru_cache(maxsize=256)
def _base_running(year: int) -> tuple[int, ...]:
    """running[i]: the base working days (without overrides) among the year's first i days."""
    first = datetime.date(year, 1, 1)
    days = 366 if stdlib_calendar.isleap(year) else 365
    running, count = [0], 0
    if _library_has(year):
        for i in range(days):
            count += _base_workday(first + datetime.timedelta(days=i))
            running.append(count)
    else:
        weekday = first.weekday()
        for i in range(days):
            count += (weekday + i) % 7 < 5
            running.append(count)
    return tuple(running)


@cache
def _base_total(year: int) -> int:
    """The year's base working days: Monday to Friday, or chinesecalendar's count."""
    if _library_has(year):
        return _base_running(year)[-1]
    days = 366 if stdlib_calendar.isleap(year) else 365
    weeks, rest = divmod(days, 7)
    weekday = datetime.date(year, 1, 1).weekday()
    return weeks * 5 + sum(1 for i in range(rest) if (weekday + i) % 7 < 5)


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


@dataclass
class _Read:
    """The calendar one request has read: its overrides by year and the confirmed years.
    A page asks for the calendar in several places (the deadlines shown, the reminders'
    steps, a form's preview); each of them is answered from this after the first."""

    overrides: dict[int, dict[datetime.date, bool]] = field(default_factory=dict)
    confirmed: set[int] | None = None


_REQUEST: ContextVar[_Read | None] = ContextVar("workdays_request", default=None)
# A request's first read takes the years around today with it (those every page's dates
# fall in), so that the next span of the same request needs no query of its own.
READ_AROUND = (2, 1)  # years before today's, years after
# A span wider than this (a date in the year 1, say) is read for itself, not kept.
KEPT_YEARS = 50


@contextmanager
def read_once() -> Iterator[None]:
    """The calendar read at most once inside the block (a request: workdays.middleware);
    a change of the calendar inside it (calendar_changed) forgets what was read."""
    token = _REQUEST.set(_Read())
    try:
        yield
    finally:
        _REQUEST.reset(token)


def forget_read(**kwargs: object) -> None:
    """calendar_changed's receiver: the block's next span reads the calendar anew."""
    read = _REQUEST.get()
    if read is not None:
        read.overrides.clear()
        read.confirmed = None


def _query_overrides(first_year: int, last_year: int) -> list[tuple[datetime.date, bool]]:
    return list(
        CalendarOverride.objects.filter(
            day__range=(datetime.date(first_year, 1, 1), datetime.date(last_year, 12, 31))
        ).values_list("day", "is_workday")
    )


def _overrides(first_year: int, last_year: int) -> list[tuple[datetime.date, bool]]:
    """The override rows of the years: from what the request has read where it can."""
    read = _REQUEST.get()
    if read is None or last_year - first_year >= KEPT_YEARS:
        return _query_overrides(first_year, last_year)
    missing = [y for y in range(first_year, last_year + 1) if y not in read.overrides]
    if missing:
        if not read.overrides:  # the request's first read: the years around today too
            this_year = timezone.localdate().year
            missing += [this_year - READ_AROUND[0], this_year + READ_AROUND[1]]
        low = max(min(missing), datetime.MINYEAR)
        high = min(max(missing), datetime.MAXYEAR)
        fresh = [y for y in range(low, high + 1) if y not in read.overrides]
        for year in fresh:
            read.overrides[year] = {}
        for day, workday in _query_overrides(low, high):
            if day.year in fresh:
                read.overrides[day.year][day] = workday
    return [
        (day, workday)
        for year in range(first_year, last_year + 1)
        for day, workday in read.overrides[year].items()
    ]


def _confirmed_years() -> set[int]:
    """Every confirmed year (a handful of rows): read once a request."""
    read = _REQUEST.get()
    if read is None:
        return set(ConfirmedYear.objects.values_list("year", flat=True))
    if read.confirmed is None:
        read.confirmed = set(ConfirmedYear.objects.values_list("year", flat=True))
    return read.confirmed


class _Span:
    """The calendar of the years one computation touches, loaded with one query."""

    def __init__(self, first: datetime.date, last: datetime.date) -> None:
        self._overrides: dict[datetime.date, bool] = {}
        self._years: set[int] = set()
        # Per year: how the overrides change its working-day count, and (for the years a
        # count starts or ends in) its running totals by day.
        self._deltas: dict[int, dict[datetime.date, int]] = {}
        self._running: dict[int, list[int]] = {}
        self._load(first.year, last.year)

    def _load(self, first_year: int, last_year: int) -> None:
        first_year = max(first_year, datetime.MINYEAR)
        last_year = min(last_year, datetime.MAXYEAR)
        for day, workday in _overrides(first_year, last_year):
            self._overrides[day] = workday
            delta = int(workday) - int(_base_workday(day))
            if delta:
                self._deltas.setdefault(day.year, {})[day] = delta
        self._years.update(range(first_year, last_year + 1))

    def _ensure(self, first_year: int, last_year: int) -> None:
        """Load the overrides of the years from first_year to last_year: one query at most."""
        first_year = max(first_year, datetime.MINYEAR)
        last_year = min(last_year, datetime.MAXYEAR)
        missing = [y for y in range(first_year, last_year + 1) if y not in self._years]
        if missing:
            self._load(missing[0], missing[-1])

    def _year_total(self, year: int) -> int:
        self._ensure(year, year)
        return _base_total(year) + sum(self._deltas.get(year, {}).values())

    def _year_running(self, year: int) -> list[int]:
        """running[i]: the working days among the year's first i days, overrides included."""
        found = self._running.get(year)
        if found is None:
            self._ensure(year, year)
            found = list(_base_running(year))
            for day, delta in sorted(self._deltas.get(year, {}).items()):
                for i in range(_day_of_year(day), len(found)):
                    found[i] += delta
            self._running[year] = found
        return found

    def _up_to(self, day: datetime.date) -> int:
        """The working days from 1 January of day's year up to and including day."""
        return self._year_running(day.year)[_day_of_year(day)]

    def _count(self, start: datetime.date, end: datetime.date) -> int:
        """The working days after start up to and including end (start <= end), in time
        proportional to the years between them."""
        self._ensure(start.year, end.year)
        between = sum(self._year_total(y) for y in range(start.year, end.year))
        return between + self._up_to(end) - self._up_to(start)

    def _nth_in_year(self, year: int, k: int) -> datetime.date:
        """The year's k-th working day (1 <= k <= the year's total)."""
        i = bisect_left(self._year_running(year), k)
        return datetime.date(year, 1, 1) + datetime.timedelta(days=i - 1)

    def _nth_after(self, start: datetime.date, n: int) -> datetime.date:
        """The n-th working day after start (n >= 1)."""
        self._ensure(start.year, start.year + n // 240)  # 240-odd working days a year
        year, k = start.year, self._up_to(start) + n
        while k > self._year_total(year):
            k -= self._year_total(year)
            year += 1
            if year > datetime.MAXYEAR:
                raise OverflowError("date value out of range")
        return self._nth_in_year(year, k)

    def _nth_before(self, end: datetime.date, n: int) -> datetime.date:
        """The working day with n working days from it up to the day before end (n >= 1)."""
        self._ensure(end.year - n // 240, end.year)
        year = end.year
        k = self._up_to(end) - int(self.is_workday(end)) - n + 1
        while k <= 0:
            year -= 1
            if year < datetime.MINYEAR:
                raise OverflowError("date value out of range")
            k += self._year_total(year)
        return self._nth_in_year(year, k)

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
        confirmed = _confirmed_years()  # a handful of rows; read once in a request
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
    day = span.roll(start) if n == 0 else span._nth_after(start, n)
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
    day = end if n == 0 else span._nth_before(end, n)
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
            self._confirmed = _confirmed_years()
        return Due(result, any(year not in self._confirmed for year in unknown))

    def compute(self, rule: str, start: datetime.date) -> Due:
        return compute(rule, start, span=self)

    def workdays_between(self, start: datetime.date, end: datetime.date) -> int:
        """The working days after start up to and including end; when end is before start,
        minus those after end up to and including start (a deadline passed 2 working days
        ago: -2)."""
        if end < start:
            return -self._count(end, start)
        return self._count(start, end)

    def workdays_from(
        self, start: datetime.date, days: Iterable[datetime.date]
    ) -> dict[datetime.date, int]:
        """workdays_between(start, day) for every day; the calendar of all of them loaded
        with one query, each count in time proportional to the years it crosses."""
        wanted = set(days)
        if not wanted:
            return {}
        self._ensure(min(*wanted, start).year, max(*wanted, start).year)
        return {day: self.workdays_between(start, day) for day in wanted}
