from datetime import date

import pytest

from audit.chain import changes_allowed
from audit.models import AuditEvent
from workdays import calendar
from workdays.actions import ImportSummary, import_year, remove_override, set_override
from workdays.calendar import Due
from workdays.errors import CalendarError
from workdays.models import CalendarOverride, ConfirmedYear

pytestmark = pytest.mark.django_db

NATIONAL_DAY_2030 = {
    date(2030, 9, 29): True,  # make-up Sunday
    **{date(2030, 10, day): False for day in range(1, 8)},
    date(2030, 10, 12): True,  # make-up Saturday
}


def test_import_year_confirms_and_recomputes(admin_user, calendar_signals) -> None:
    assert calendar.workdays_after(date(2030, 9, 30), 1) == Due(date(2030, 10, 1), True)
    CalendarOverride.objects.create(day=date(2030, 5, 6), is_workday=False)  # replaced

    summary = import_year(2030, NATIONAL_DAY_2030, by=admin_user, source="notice")

    assert summary == ImportSummary(year=2030, holidays=7, workdays=2)
    assert calendar.workdays_after(date(2030, 9, 30), 1) == Due(date(2030, 10, 8), False)
    assert calendar.months_after(date(2030, 7, 1), 3) == Due(date(2030, 10, 8), False)
    assert calendar.is_workday(date(2030, 9, 29)) is True
    assert calendar.is_workday(date(2030, 5, 6)) is True
    assert CalendarOverride.objects.count() == 9
    assert ConfirmedYear.objects.get(year=2030).confirmed_by == admin_user
    assert len(calendar_signals) == 1
    assert calendar_signals[0]["years"] == [2030]
    assert calendar_signals[0]["by"] == admin_user
    assert isinstance(calendar_signals[0]["on"], date)
    event = AuditEvent.objects.get()
    assert (event.action, event.subject, event.actor) == (
        "calendar_year_imported",
        "工作日历 2030",
        admin_user,
    )
    assert event.details["holidays"][0] == "2030-10-01"


def test_import_year_refuses_a_day_of_another_year(admin_user, calendar_signals) -> None:
    days = {**NATIONAL_DAY_2030, date(2031, 1, 1): False}
    with pytest.raises(CalendarError, match="2031-01-01 不在 2030 年内"):
        import_year(2030, days, by=admin_user)
    assert not CalendarOverride.objects.exists()
    assert not ConfirmedYear.objects.exists()
    assert not AuditEvent.objects.exists()
    assert calendar_signals == []


def test_import_year_refuses_nothing_and_bad_source(admin_user) -> None:
    with pytest.raises(CalendarError):
        import_year(2030, {}, by=admin_user)
    with pytest.raises(CalendarError, match="未知的来源"):
        import_year(2030, NATIONAL_DAY_2030, by=admin_user, source="rumour")
    assert not AuditEvent.objects.exists()


def test_set_override_creates_then_updates(admin_user, calendar_signals) -> None:
    first = set_override(date(2026, 6, 22), is_workday=False, by=admin_user, note="临时")
    assert calendar.months_after(date(2026, 3, 20), 3).date == date(2026, 6, 23)
    second = set_override(date(2026, 6, 22), is_workday=True, by=admin_user)
    assert second.pk == first.pk
    assert calendar.months_after(date(2026, 3, 20), 3).date == date(2026, 6, 22)

    events = list(AuditEvent.objects.values_list("action", "from_state", "to_state"))
    assert events == [
        ("calendar_override_set", "", "holiday"),
        ("calendar_override_set", "holiday", "workday"),
    ]
    assert [s["years"] for s in calendar_signals] == [[2026], [2026]]


def test_remove_override_writes_one_event(admin_user, calendar_signals) -> None:
    set_override(date(2030, 10, 1), is_workday=False, by=admin_user)
    with changes_allowed():  # PostgreSQL refuses deleting audit rows otherwise (issue 16)
        AuditEvent.objects.all().delete()
    calendar_signals.clear()

    remove_override(date(2030, 10, 1), by=admin_user)

    assert calendar.is_workday(date(2030, 10, 1)) is True
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [
        "calendar_override_removed"
    ]
    assert len(calendar_signals) == 1


def test_refused_remove_writes_nothing(admin_user, calendar_signals) -> None:
    with pytest.raises(CalendarError, match="2030-10-01 没有日历调整记录"):
        remove_override(date(2030, 10, 1), by=admin_user)
    assert not AuditEvent.objects.exists()
    assert calendar_signals == []
