"""Deadline rules (DESIGN.md §3), each configurable per category and level.

Settings may override any rule with HUIYIN_DEADLINE_RULES = {category: {level or "*": {name: rule}}}.
Rules are strings understood by workdays.calendar.compute.
"""

from datetime import date
from typing import Any

from django.conf import settings

from workdays.calendar import Due, compute

DEFAULT_RULES: dict[str, str] = {
    "reply": "months:3",  # the lead reply, from 交办
    "reply_max": "months:6",  # the latest an extension may reach, from 交办
    "unit_draft": "workdays_before:10",  # the lead unit's draft, before the reply deadline
    "co_unit_opinion": "months:1",  # an internal co-unit's opinion, from 交办
    "co_opinion": "months:1",  # our 会办 opinion to an external lead agency, from 交办
    "rehandle": "months:1",  # re-handling after 不满意, from the feedback
    "feedback_window": "months:1",  # from the reply date; then the case may be closed
    "return_window": "workdays:5",  # 申请退回, from 交办
}


def rule_for(category: str, level: str, name: str) -> str:
    overrides: dict[str, Any] = getattr(settings, "HUIYIN_DEADLINE_RULES", {}) or {}
    per_category = overrides.get(category, {})
    for key in (level, "*"):
        rule = per_category.get(key, {}).get(name)
        if rule:
            return rule
    return DEFAULT_RULES[name]


def due_for(case, name: str, start: date) -> tuple[Due, dict[str, str]]:
    """The due date of rule `name` for this case from `start`, and how it was computed
    (stored beside the date so a provisional date can be recomputed later)."""
    rule = rule_for(case.category, case.level, name)
    return compute(rule, start), {"rule": rule, "from": start.isoformat()}


def explicit(day: date) -> tuple[Due, dict[str, str]]:
    return Due(day, False), {"explicit": day.isoformat()}
