"""The deadlines of a public opinion (12345 practice, seed 002: "五个工作日内办结或回复"),
each a rule of workdays.calendar.compute, configurable in settings.HUIYIN_OPINION_RULES."""

from datetime import date

from django.conf import settings

from workdays.calendar import Due, compute, is_workday, workdays_after

DEFAULT_RULES: dict[str, str] = {
    "answer": "workdays:5",  # the answer, from receipt (kept when forwarded)
    "return_window": "workdays:2",  # 退单, from forwarding
    "rehandle": "workdays:5",  # after 不满意 at the callback, from the callback
}
# One extension of at most this many working days.
EXTENSION_MAX_WORKDAYS = 10


def rule(name: str) -> str:
    overrides = getattr(settings, "HUIYIN_OPINION_RULES", {}) or {}
    return str(overrides.get(name) or DEFAULT_RULES[name])


def due(name: str, start: date) -> Due:
    return compute(rule(name), start)


def forward_target(received_on: date) -> date:
    """签批转办 the same working day; something received on a rest day, the next one."""
    return received_on if is_workday(received_on) else workdays_after(received_on, 1).date


def extension_limit() -> int:
    return int(getattr(settings, "HUIYIN_OPINION_EXTENSION_MAX", EXTENSION_MAX_WORKDAYS))
