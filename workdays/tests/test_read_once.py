"""The calendar read once a request (workdays.calendar.read_once, its middleware): every
span of the request after the first is answered without a query, a change of the calendar
inside the request is seen, and outside a request each span reads for itself."""

from datetime import date

import pytest
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test.utils import CaptureQueriesContext

from cases import actions
from cases.tests.factories import register
from workdays import calendar
from workdays.actions import set_override
from workdays.calendar import WorkdaySpan, read_once
from workdays.middleware import CalendarOncePerRequestMiddleware
from workdays.models import CalendarOverride, ConfirmedYear

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 6, 22)


def calendar_queries(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "workdays_" in q["sql"]]


def test_spans_of_one_request_read_the_calendar_once() -> None:
    day_off = date(2030, 6, 24)  # a Monday, of a year chinesecalendar does not know
    CalendarOverride.objects.create(day=day_off, is_workday=False)
    ConfirmedYear.objects.create(year=2030)
    with read_once(), CaptureQueriesContext(connection) as queries:
        first = WorkdaySpan(date(2030, 6, 1), date(2030, 6, 30))
        second = WorkdaySpan(date(2029, 3, 1), date(2030, 12, 1))
        assert not first.is_workday(day_off)
        assert not second.is_workday(day_off)
        assert first.due(date(2030, 6, 1), date(2030, 7, 1)).provisional is False
        assert second.due(date(2030, 6, 1), date(2030, 7, 1)).provisional is False
        assert calendar.workdays_after(date(2030, 6, 21), 1).date == date(2030, 6, 25)
    # The overrides once (with the years around today), the confirmed years once.
    assert len(calendar_queries(queries)) == 2


def test_a_change_inside_the_request_is_seen(admin_user) -> None:
    with read_once():
        assert WorkdaySpan(MONDAY, MONDAY).is_workday(MONDAY)
        set_override(MONDAY, is_workday=False, by=admin_user)  # calendar_changed
        assert not WorkdaySpan(MONDAY, MONDAY).is_workday(MONDAY)
        assert calendar.workdays_after(date(2026, 6, 19), 1).date == date(2026, 6, 23)


def test_years_far_away_are_read_for_themselves() -> None:
    CalendarOverride.objects.create(day=date(2100, 1, 4), is_workday=False)
    with read_once():
        WorkdaySpan(MONDAY, MONDAY)
        assert not WorkdaySpan(date(2100, 1, 1), date(2100, 1, 31)).is_workday(date(2100, 1, 4))
        assert WorkdaySpan(date(1, 1, 1), date(2100, 12, 31)).is_workday(date(1, 1, 1))


def test_outside_a_request_each_span_reads_for_itself() -> None:
    with CaptureQueriesContext(connection) as queries:
        WorkdaySpan(MONDAY, MONDAY)
        WorkdaySpan(MONDAY, MONDAY)
    assert len(calendar_queries(queries)) == 2


def test_the_middleware_wraps_each_request(rf) -> None:
    """Each request gets its own read, gone when the response is made."""
    reads: list[object] = []

    def view(request: HttpRequest) -> HttpResponse:
        reads.append(calendar._REQUEST.get())
        return HttpResponse("ok")

    middleware = CalendarOncePerRequestMiddleware(view)
    middleware(rf.get("/"))
    middleware(rf.get("/"))
    assert all(r is not None for r in reads)
    assert reads[0] is not reads[1]
    assert calendar._REQUEST.get() is None


def test_a_case_page_reads_the_calendar_once(cast, client) -> None:
    """Its deadlines, the reminders' steps and the cards' previews: one read."""
    case = register(cast, on=date(2026, 7, 1), title="读一次日历的建议")
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 7, 1)
    )
    client.force_login(cast.coordinator)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/cases/{case.pk}/").status_code == 200
    overrides = [q for q in calendar_queries(queries) if "calendaroverride" in q]
    assert len(overrides) == 1
