"""A year of the working-day calendar as the calendar page shows it: every day's status,
why it has it, and whether the year is confirmed. Two queries per year."""

import calendar as stdlib_calendar
import datetime
from dataclasses import dataclass, field
from typing import Any

import chinese_calendar

from huiyin.formats import cn_date
from workdays.calendar import _base_workday, _library_has
from workdays.models import CalendarOverride, ConfirmedYear, Source

# Shown to users: where the day's status comes from (never the library's name).
LIBRARY_SOURCE = "法定（国务院节假日安排，系统内置）"
PREVIEW_SOURCE = "国务院通知（待导入）"
WEEKDAY_LABELS = ("一", "二", "三", "四", "五", "六", "日")
_HOLIDAY_NAMES = {h.value: h.chinese for h in chinese_calendar.Holiday}


@dataclass
class DayCell:
    day: datetime.date
    in_month: bool
    is_workday: bool = False
    weekend: bool = False
    mark: str = ""  # 休: a holiday (not just a weekend); 班: a make-up working weekend day
    source: str = ""  # where the status comes from, when it is not the plain weekend rule
    note: str = ""
    holiday: str = ""  # the holiday's name, when chinesecalendar knows it
    overridden: bool = False
    today: bool = False
    previewed: bool = False  # set by the notice being previewed
    changed: bool = False  # the preview changes its status

    @property
    def title(self) -> str:
        """What the day is, in words, for its tooltip and screen readers."""
        parts = [cn_date(self.day), f"周{WEEKDAY_LABELS[self.day.weekday()]}"]
        parts.append("工作日" if self.is_workday else "休息日")
        if self.mark == "班":
            parts.append("调休上班")
        if self.holiday:
            parts.append(self.holiday)
        if self.source:
            parts.append(f"来源：{self.source}")
        if self.note:
            parts.append(self.note)
        if self.changed:
            parts.append("导入后将改变")
        return "，".join(parts)


@dataclass
class MonthGrid:
    month: int
    weeks: list[list[DayCell]]


@dataclass
class YearCalendar:
    year: int
    months: list[MonthGrid]
    in_library: bool  # chinesecalendar has the official data of the year
    confirmed_year: ConfirmedYear | None
    overrides: list[CalendarOverride]
    marked: list[DayCell] = field(default_factory=list)  # every 休 and 班 day, in order

    @property
    def confirmed(self) -> bool:
        return self.in_library or self.confirmed_year is not None

    @property
    def holidays(self) -> int:
        return sum(1 for d in self.marked if d.mark == "休")

    @property
    def workdays(self) -> int:
        return sum(1 for d in self.marked if d.mark == "班")


def year_calendar(
    year: int, *, today: datetime.date, preview: dict[datetime.date, bool] | None = None
) -> YearCalendar:
    """The year's days; with `preview` (a parsed notice's days), as the year will be after
    importing it: the notice's days replace the year's overrides."""
    overrides = list(
        CalendarOverride.objects.filter(day__year=year).select_related("created_by").order_by("day")
    )
    by_day = {o.day: o for o in overrides}
    confirmed_year = ConfirmedYear.objects.filter(year=year).select_related("confirmed_by").first()
    in_library = _library_has(year)
    sources = dict(Source.choices)

    def cell(day: datetime.date, month: int) -> DayCell:
        info = DayCell(day=day, in_month=day.month == month, weekend=day.weekday() >= 5)
        if not info.in_month:
            return info
        info.today = day == today
        override = by_day.get(day)
        current = override.is_workday if override else _base_workday(day)
        holiday_period = False
        if in_library:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            info.holiday = _HOLIDAY_NAMES.get(name, "") if name else ""
            holiday_period = bool(on_holiday and name)
        if preview is not None:
            info.previewed = day in preview
            info.is_workday = preview[day] if day in preview else _base_workday(day)
            info.changed = info.is_workday != current
            if info.previewed:
                info.source = PREVIEW_SOURCE
            elif in_library and info.holiday:
                info.source = LIBRARY_SOURCE
        else:
            info.is_workday = current
            if override is not None:
                info.overridden = True
                info.source = str(sources.get(override.source, override.source))
                info.note = override.note
            elif in_library and info.holiday:
                info.source = LIBRARY_SOURCE
        explicit = info.previewed or info.overridden
        if info.is_workday and info.weekend:
            info.mark = "班"
        elif not info.is_workday and (not info.weekend or holiday_period or explicit):
            info.mark = "休"
        return info

    grid = stdlib_calendar.Calendar(firstweekday=0)
    months = [
        MonthGrid(
            month, [[cell(d, month) for d in week] for week in grid.monthdatescalendar(year, month)]
        )
        for month in range(1, 13)
    ]
    marked = [d for m in months for week in m.weeks for d in week if d.in_month and d.mark]
    return YearCalendar(
        year=year,
        months=months,
        in_library=in_library,
        confirmed_year=confirmed_year,
        overrides=overrides,
        marked=marked,
    )


def day_status(day: datetime.date) -> dict[str, Any]:
    """One day, for the day form: its status and its override, if any."""
    override = CalendarOverride.objects.filter(day=day).first()
    return {
        "is_workday": override.is_workday if override else _base_workday(day),
        "override": override,
    }
