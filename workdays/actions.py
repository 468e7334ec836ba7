"""Every write to the working-day calendar. Each one writes one audit event and tells
the rest of the system (calendar_changed) inside its own transaction."""

import datetime
from dataclasses import dataclass
from typing import Any, cast

from django.db import transaction
from django.utils import timezone

from audit.record import record_event, today
from huiyin.dates import window_message, year_in_window, year_window
from huiyin.text import text_problem
from huiyin.types import User
from workdays.errors import CalendarError
from workdays.models import CalendarOverride, ConfirmedYear, Source
from workdays.parsing import check_year
from workdays.signals import calendar_changed

MIN_YEAR, MAX_YEAR = year_window()  # HUIYIN_DATE_MIN_YEAR / HUIYIN_DATE_MAX_YEAR
NOTE_MAX = cast(int, CalendarOverride._meta.get_field("note").max_length)


@dataclass(frozen=True)
class ImportSummary:
    year: int
    holidays: int
    workdays: int


def _state(is_workday: bool | None) -> str:
    return "" if is_workday is None else ("workday" if is_workday else "holiday")


def _check_day(day: Any) -> datetime.date:
    if isinstance(day, datetime.datetime) or not isinstance(day, datetime.date):
        raise CalendarError("日期无效")
    if not year_in_window(day.year):
        raise CalendarError(f"日期{window_message()}", field="day")
    return day


def _check_source(source: str) -> None:
    if source not in Source.values:
        raise CalendarError(f"未知的来源：“{source}”")


def _check_note(note: str) -> None:
    problem = text_problem(note, max_length=NOTE_MAX, multiline=True)
    if problem:
        raise CalendarError(f"说明{problem}", field="note")


def _changed(years: list[int], by: User | None) -> None:
    calendar_changed.send(sender=CalendarOverride, years=years, by=by, on=today())


@transaction.atomic
def set_override(
    day: datetime.date, *, is_workday: bool, by: User | None, note: str = "", source: str = "admin"
) -> CalendarOverride:
    """Make `day` a working day or a day off, whatever chinesecalendar says."""
    _check_day(day)
    _check_source(source)
    _check_note(note)
    previous = (
        CalendarOverride.objects.select_for_update()
        .filter(day=day)
        .values_list("is_workday", flat=True)
        .first()
    )
    override, _ = CalendarOverride.objects.update_or_create(
        day=day,
        defaults={
            "is_workday": bool(is_workday),
            "note": note,
            "source": source,
            "created_by": by if getattr(by, "pk", None) else None,
            "created_at": timezone.now(),
        },
    )
    record_event(
        actor=by,
        action="calendar_override_set",
        subject=f"工作日历 {day.year}",
        from_state=_state(previous),
        to_state=_state(bool(is_workday)),
        details={"day": day.isoformat(), "note": note, "source": source},
    )
    _changed([day.year], by)
    return override


@transaction.atomic
def remove_override(day: datetime.date, *, by: User | None) -> None:
    """Give `day` back to chinesecalendar (or to the weekend rule)."""
    _check_day(day)
    override = CalendarOverride.objects.select_for_update().filter(day=day).first()
    if override is None:
        raise CalendarError(f"{day:%Y-%m-%d} 没有日历调整记录")
    override.delete()
    record_event(
        actor=by,
        action="calendar_override_removed",
        subject=f"工作日历 {day.year}",
        from_state=_state(override.is_workday),
        details={"day": day.isoformat(), "note": override.note, "source": override.source},
    )
    _changed([day.year], by)


@transaction.atomic
def import_year(
    year: int,
    days: dict[datetime.date, bool],
    *,
    by: User | None,
    source: str = "file",
    note: str = "",
) -> ImportSummary:
    """Replace the year's overrides with `days` and mark the year confirmed."""
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise CalendarError(f"年份无效：{year}")
    _check_source(source)
    _check_note(note)
    if not days:
        raise CalendarError(f"没有提供 {year} 年的任何日期")
    for day in days:
        _check_day(day)
    check_year(days, year)

    actor = by if getattr(by, "pk", None) else None
    removed, _ = CalendarOverride.objects.filter(day__year=year).delete()
    CalendarOverride.objects.bulk_create(
        CalendarOverride(day=day, is_workday=bool(flag), note=note, source=source, created_by=actor)
        for day, flag in sorted(days.items())
    )
    ConfirmedYear.objects.update_or_create(
        year=year,
        defaults={"source": source, "confirmed_by": actor, "confirmed_at": timezone.now()},
    )
    summary = ImportSummary(
        year=year,
        holidays=sum(1 for flag in days.values() if not flag),
        workdays=sum(1 for flag in days.values() if flag),
    )
    record_event(
        actor=by,
        action="calendar_year_imported",
        subject=f"工作日历 {year}",
        details={
            "year": year,
            "source": source,
            "note": note,
            "replaced": removed,
            "holidays": sorted(d.isoformat() for d, flag in days.items() if not flag),
            "workdays": sorted(d.isoformat() for d, flag in days.items() if flag),
        },
    )
    _changed([year], by)
    return summary
