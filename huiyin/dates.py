"""The one rule for dates that come in: they fall in a window of years (2000–2100 unless
HUIYIN_DATE_MIN_YEAR / HUIYIN_DATE_MAX_YEAR say otherwise).

A date far outside it is a typo (0001-01-01, 9999-12-31), and would make every page that
counts working days to it slow. Each entry point uses the same check in its own shape:
`check_date` raises a DomainError (400) naming the field; `BoundedDate` / `BoundedYear`
are pydantic types (422); `parse_date` reads a query parameter.
"""

from datetime import date
from typing import Annotated

from django.conf import settings
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from huiyin.errors import DomainError

OUT_OF_WINDOW = "须在{min_year}年至{max_year}年之间"
NOT_A_DATE = "日期格式应为 年-月-日（如 2026-06-30）"


class DateInvalid(DomainError):
    code = "date_invalid"


def year_window() -> tuple[int, int]:
    return settings.HUIYIN_DATE_MIN_YEAR, settings.HUIYIN_DATE_MAX_YEAR


def window_message() -> str:
    low, high = year_window()
    return OUT_OF_WINDOW.format(min_year=low, max_year=high)


def year_in_window(year: int) -> bool:
    low, high = year_window()
    return low <= year <= high


def check_date(value: date, *, label: str, field: str | None = None) -> date:
    """`value` if within the window; else DateInvalid "‹label›须在2000年至2100年之间"."""
    if not year_in_window(value.year):
        raise DateInvalid(f"{label}{window_message()}", field=field)
    return value


def check_year(value: int, *, label: str = "年度", field: str | None = None) -> int:
    if not year_in_window(value):
        raise DateInvalid(f"{label}{window_message()}", field=field)
    return value


def parse_date(raw: str, *, label: str, field: str | None = None) -> date:
    """An ISO date (YYYY-MM-DD) within the window, from a form or a query string."""
    try:
        value = date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise DateInvalid(f"{label}{NOT_A_DATE}", field=field) from exc
    return check_date(value, label=label, field=field)


# --- pydantic ---------------------------------------------------------------------------

DATE_MESSAGES = {"date_out_of_window": OUT_OF_WINDOW}


def _bounded_date(value: date) -> date:
    if not year_in_window(value.year):
        low, high = year_window()
        raise PydanticCustomError(
            "date_out_of_window", OUT_OF_WINDOW, {"min_year": low, "max_year": high}
        )
    return value


def _bounded_year(value: int) -> int:
    if not year_in_window(value):
        low, high = year_window()
        raise PydanticCustomError(
            "date_out_of_window", OUT_OF_WINDOW, {"min_year": low, "max_year": high}
        )
    return value


BoundedDate = Annotated[date, AfterValidator(_bounded_date)]
BoundedYear = Annotated[int, AfterValidator(_bounded_year)]
