"""Working-day arithmetic over long distances (issue 9 #15): a case due 0001-01-01 (stored
before dates were bounded, or by a direct database edit) made the coordinator's 我的待办
walk the calendar day by day, two thousand years of it.

Prints, each the best of a few runs:
- workdays_between over 100 years and over 2,000 years, and workdays_after 25,000
  working days, with the per-year counts (now) and with the day-by-day walk (before);
- the 我的待办 home page of the coordinator with 0, 1 and 3 cases due 0001-01-01, now and
  with the day-by-day walk put back for comparison.

.venv/bin/python bench/bench_workdays.py [--cases 300]
DATABASE_URL=postgres://postgres@127.0.0.1:5432/huiyin .venv/bin/python bench/bench_workdays.py
"""

import argparse
import datetime
from collections.abc import Iterable

from harness import best_of, setup_django

ONE_DAY = datetime.timedelta(days=1)


def walk_between(span, start: datetime.date, end: datetime.date) -> int:
    """The day-by-day count the per-year one replaced."""
    if end < start:
        return -walk_between(span, end, start)
    day, counted = start, 0
    while day < end:
        day += ONE_DAY
        counted += span.is_workday(day)
    return counted


def walk_after(span, start: datetime.date, n: int) -> datetime.date:
    day, counted = start, 0
    while counted < n:
        day += ONE_DAY
        counted += span.is_workday(day)
    return day


def walk_from(span, start: datetime.date, days: Iterable[datetime.date]):
    """cases.todo.days_from as it was: one walk from the earliest to the latest day."""
    wanted = set(days)
    if not wanted:
        return {}
    first, last = min(*wanted, start), max(*wanted, start)
    running, counted = 0, {first: 0}
    day = first
    while day < last:
        day += ONE_DAY
        running += span.is_workday(day)
        counted[day] = running
    return {d: counted[d] - counted[start] for d in wanted}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:10.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    vendor = setup_django()
    from django.conf import settings

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    import time_machine
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from seeding import seed_cases

    from cases.models import Case
    from workdays import calendar
    from workdays.calendar import WorkdaySpan

    print(f"database: {vendor}")
    today = datetime.date(2026, 6, 10)
    century = datetime.date(1926, 6, 10)
    year_one = datetime.date(1, 1, 1)

    print("\n-- working-day arithmetic (best of", args.repeat, "runs)")
    rows = [
        ("workdays_between, 100 years", lambda s: s.workdays_between(century, today),
         lambda s: walk_between(s, century, today)),
        ("workdays_between, 2,025 years (0001-01-01)", lambda s: s.workdays_between(year_one, today),
         lambda s: walk_between(s, year_one, today)),
        ("workdays_after 25,000 working days", lambda s: calendar.workdays_after(century, 25_000, span=s).date,
         lambda s: walk_after(s, century, 25_000)),
    ]  # fmt: skip
    for label, fast, slow in rows:
        span = WorkdaySpan(year_one, today)
        assert fast(span) == slow(span), label
        with CaptureQueriesContext(connection) as queries:
            fast(WorkdaySpan(today, today))
        now = best_of(lambda f=fast: f(WorkdaySpan(today, today)), args.repeat)
        before = best_of(lambda f=slow: f(WorkdaySpan(year_one, today)), 1)
        print(f"{label:<46} now {ms(now)} ({len(queries)} queries)   day by day {ms(before)}")

    print("\n-- 我的待办 of the coordinator (/), best of", args.repeat, "requests")
    if not Case.objects.exists():
        seed_cases(args.cases)
    client = Client()
    client.force_login(get_user_model().objects.get(username="coordinator"))
    open_cases = Case.objects.filter(state__in=["assigned", "handling"]).order_by("id")
    far = list(open_cases.values_list("pk", flat=True)[:3])
    from cases import todo

    def page() -> None:
        with time_machine.travel(today, tick=False):
            response = client.get("/")
        assert response.status_code == 200, response.status_code

    for count in (0, 1, 3):
        Case.objects.filter(pk__in=far[:count]).update(deadline=year_one)
        now = best_of(page, args.repeat)
        original = WorkdaySpan.workdays_from
        WorkdaySpan.workdays_from = walk_from  # type: ignore[method-assign]
        try:
            before = best_of(page, 1)
        finally:
            WorkdaySpan.workdays_from = original  # type: ignore[method-assign]
        label = f"{count} case(s) due 0001-01-01"
        print(f"{label:<46} now {ms(now)}   day by day {ms(before)}")
    assert todo.days_from  # the page's counts go through WorkdaySpan.workdays_from


if __name__ == "__main__":
    main()
