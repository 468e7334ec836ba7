"""Deadlines and thresholds of 督查督办 (DESIGN.md §3): without a stated deadline, by the
urgency colour from 交办 — 红 3 working days, 黄 5 working days, 蓝 15 days, 绿 30 days (a
period of days that ends on a rest day rolls to the next working day). Configurable in
settings.HUIYIN_SUPERVISION_RULES; the thresholds of the timing and the light too."""

from datetime import date

from django.conf import settings

from workdays.calendar import Due, compute

DEFAULT_RULES: dict[str, str] = {
    "red": "workdays:3",
    "yellow": "workdays:5",
    "blue": "days:15",
    "green": "days:30",
}
# 提前完成: at least this many working days before the deadline.
EARLY_WORKDAYS = 3
# The blue light: the deadline is this many working days away or less.
APPROACHING_WORKDAYS = 3
# The yellow light: the share of the time used runs ahead of the reported progress by more
# than this many percentage points (序时进度).
BEHIND_MARGIN = 20


def rule(urgency: str) -> str:
    overrides = getattr(settings, "HUIYIN_SUPERVISION_RULES", {}) or {}
    return str(overrides.get(urgency) or DEFAULT_RULES[urgency])


def due_by_colour(urgency: str, assigned_on: date) -> Due:
    return compute(rule(urgency), assigned_on)


def early_workdays() -> int:
    return int(getattr(settings, "HUIYIN_SUPERVISION_EARLY_WORKDAYS", EARLY_WORKDAYS))


def approaching_workdays() -> int:
    return int(getattr(settings, "HUIYIN_SUPERVISION_APPROACHING_WORKDAYS", APPROACHING_WORKDAYS))


def behind_margin() -> int:
    return int(getattr(settings, "HUIYIN_SUPERVISION_BEHIND_MARGIN", BEHIND_MARGIN))
