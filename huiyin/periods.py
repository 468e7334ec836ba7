"""Periods of statistics and bulletins: a month, a quarter or a year (2026-05, 2026-Q2,
2026), as the office names them in ?period= and on the command line; read here for the
督查督办 ratings, the lists' bulletin and whoever else reports by period."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from huiyin.dates import check_year
from workflow.errors import CaseError

BAD_PERIOD = "统计期间应为年度（如2026）、季度（如2026-Q2）或月份（如2026-05）"
YEARS_OFFERED = 3  # the years the period picker offers

QUARTER_NAMES = ("一", "二", "三", "四")
PERIOD_PATTERN = re.compile(r"^([0-9]{4})(?:-(?:[Qq]([1-4])|(0[1-9]|1[0-2])))?$")


@dataclass(frozen=True)
class Period:
    """A month, a quarter or a year: its code (2026-Q2), kind, first and last day."""

    code: str
    kind: str  # "month" | "quarter" | "year"
    start: date
    end: date

    @property
    def label(self) -> str:
        """2026年第二季度 / 2026年5月 / 2026年度"""
        year = self.start.year
        if self.kind == "quarter":
            return f"{year}年第{QUARTER_NAMES[(self.start.month - 1) // 3]}季度"
        if self.kind == "month":
            return f"{year}年{self.start.month}月"
        return f"{year}年度"

    @property
    def word(self) -> str:
        """本季度 / 本月 / 本年度: how the drafted text refers to it."""
        return {"quarter": "本季度", "month": "本月", "year": "本年度"}[self.kind]


def _month_end(year: int, month: int) -> date:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def period_of(text: str) -> Period:
    """ "2026-Q2" (a quarter), "2026-05" (a month) or "2026" (a year); CaseError otherwise,
    DateInvalid for a year outside the configured window (both DomainErrors: 400)."""
    match = PERIOD_PATTERN.match((text or "").strip())
    if match is None:
        raise CaseError(BAD_PERIOD, field="period")
    year = check_year(int(match.group(1)), label="统计年度", field="period")
    if match.group(2):
        quarter = int(match.group(2))
        first = 3 * quarter - 2
        return Period(
            f"{year}-Q{quarter}", "quarter", date(year, first, 1), _month_end(year, first + 2)
        )
    if match.group(3):
        month = int(match.group(3))
        return Period(f"{year}-{month:02d}", "month", date(year, month, 1), _month_end(year, month))
    return Period(str(year), "year", date(year, 1, 1), date(year, 12, 31))


def quarter_of(day: date) -> Period:
    return period_of(f"{day.year}-Q{(day.month - 1) // 3 + 1}")


def last_full_quarter(day: date) -> Period:
    """The last quarter that has ended by `day` (a bulletin is written after its quarter)."""
    return quarter_of(quarter_of(day).start - timedelta(days=1))


def read_period(params: Any, on: date) -> Period:
    """?period=2026-Q2 | 2026-05 | 2026; the current quarter when absent. CaseError (a
    Chinese message) for anything else."""
    raw = str(params.get("period", "")).strip()
    if not raw:
        return quarter_of(on)
    period = period_of(raw)
    if period.start > on:
        raise CaseError("统计期间尚未开始", field="period")
    return period


def period_choices(
    on: date, chosen: Period | None, *, since: date | None = None
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The periods the form offers, newest year first: each year, its quarters, its months
    (up to the current one), and the one asked for if it is older; `since`: none of the
    years before it (a list's start)."""
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    oldest = on.year - YEARS_OFFERED + 1
    if since is not None:
        oldest = min(on.year, max(oldest, since.year))
    for year in range(on.year, oldest - 1, -1):
        options = [(str(year), f"{year}年度")]
        for quarter in range(1, 5):
            p = period_of(f"{year}-Q{quarter}")
            if p.start <= on:
                options.append((p.code, p.label))
        for month in range(1, 13):
            p = period_of(f"{year}-{month:02d}")
            if p.start <= on:
                options.append((p.code, p.label))
        groups.append((f"{year}年", options))
    known = {code for _, options in groups for code, _ in options}
    if chosen is not None and chosen.code not in known:
        groups.append(("其他", [(chosen.code, chosen.label)]))
    return groups
