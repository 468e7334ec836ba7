"""Reading a year's calendar from text: one day per line, `2026-10-01 休` or `2026-10-10 班`."""

import datetime
import re

from workdays.errors import CalendarError

# Separators: spaces (also the full-width one), tabs, or a comma, as spreadsheets export.
LINE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:\s*[,，]\s*|\s+)(\S+)$")
KINDS = {"休": False, "holiday": False, "班": True, "workday": True}


def parse_day_file(text: str) -> dict[datetime.date, bool]:
    """Map each listed day to True (working day, 班) or False (holiday, 休).

    Blank lines and `#` comments (whole-line or trailing) are ignored.
    """
    days: dict[datetime.date, bool] = {}
    seen_on: dict[datetime.date, int] = {}
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        day, is_workday = _parse_line(line, number)
        if day in days:
            raise CalendarError(
                f"第{number}行日期重复：“{line}”（第{seen_on[day]}行已有 {day:%Y-%m-%d}）"
            )
        days[day] = is_workday
        seen_on[day] = number
    return days


def _parse_line(line: str, number: int) -> tuple[datetime.date, bool]:
    match = LINE_RE.match(line)
    kind = KINDS.get(match.group(4).lower()) if match else None
    if match is None or kind is None:
        raise CalendarError(f"第{number}行无法识别：“{line}”")
    try:
        day = datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise CalendarError(f"第{number}行无法识别：“{line}”") from None
    return day, kind


def check_year(days: dict[datetime.date, bool], year: int) -> None:
    """Refuse days outside `year`, naming the first one."""
    for day in sorted(days):
        if day.year != year:
            raise CalendarError(f"{day:%Y-%m-%d} 不在 {year} 年内")


def single_year(days: dict[datetime.date, bool]) -> int:
    """The one year all days are in; a file spanning years is refused."""
    years = sorted({day.year for day in days})
    if not years:
        raise CalendarError("没有找到任何日期")
    if len(years) > 1:
        listed = "、".join(str(year) for year in years)
        raise CalendarError(f"日期跨越多个年份（{listed}），每次只能导入一年")
    return years[0]
