"""A category's escalation ladder as configured, and where a deadline stands on it.

The ladder is declared with the category's workflow (`Workflow.ladder`, for 议提案 in
proposals/clocks.py). Its offsets can be set per category in the settings module:

    HUIYIN_REMINDER_STEPS = {
        "npc_suggestion": {"ahead": -3},  # this category: 3 working days before
        "*": {"leader": 5, "eve": None},  # every category: the leader after 5; no "eve"
    }

an offset in working days from the deadline (negative: before it), or None to leave the
step out; the category's own entry wins over "*". Settings rather than a table: the
ladder is read by the morning run and on every coordinator's case page, and a setting
costs no query (the offsets change with policy, a few times a decade).

Positions count working days on the one calendar (workdays.calendar): a deadline's
position on day D is how many working days D is past it (negative: still ahead), so a
step with offset k is due on the working day whose position is k.

A morning that was missed (the server down, the scheduler started late) loses nothing: a
step sent once per case stays due until the next step of the same people's line takes
over, or for CATCH_UP working days if none does (`ends`), and its key has no day, so the
next working morning sends it, once. A daily step recurs from its offset on anyway.
"""

from __future__ import annotations

import datetime
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from workdays.calendar import WorkdaySpan, workdays_after, workdays_before
from workflow.tables import STEP_OFFSET_LIMIT, Clock, Step, Workflow

ALL_CATEGORIES = "*"
# How many working days the last step of a line stays due when its morning was missed
# (the server down, the scheduler started late): two weeks of outage. Longer, and the
# daily digests have told the same people of the deadline meanwhile.
CATCH_UP = 10
ONE_DAY = datetime.timedelta(days=1)


def _overrides(category: str) -> dict[str, int | None]:
    configured: dict[str, Any] = getattr(settings, "HUIYIN_REMINDER_STEPS", {}) or {}
    found = {**configured.get(ALL_CATEGORIES, {}), **configured.get(category, {})}
    for key, offset in found.items():
        if offset is not None and (
            isinstance(offset, bool)
            or not isinstance(offset, int)
            or abs(offset) > STEP_OFFSET_LIMIT
        ):
            raise ImproperlyConfigured(
                f"HUIYIN_REMINDER_STEPS: {category}.{key} must be a number of working days "
                f"within ±{STEP_OFFSET_LIMIT}, or None"
            )
    return found


def ladder_for(workflow: Workflow, category: str) -> tuple[Step, ...]:
    """The workflow's ladder for one of its categories, with the configured offsets."""
    overrides = _overrides(category)
    unknown = set(overrides) - {s.key for s in workflow.ladder}
    if unknown:
        raise ImproperlyConfigured(f"HUIYIN_REMINDER_STEPS: unknown steps {sorted(unknown)}")
    ladder = []
    for s in workflow.ladder:
        offset = overrides.get(s.key, s.offset)
        if offset is not None:  # None: the step is left out
            ladder.append(replace(s, offset=offset))
    return tuple(ladder)


def steps_of(ladder: tuple[Step, ...], clock: Clock) -> tuple[Step, ...]:
    """The steps following `clock`, nearest the start of the deadline first."""
    return tuple(sorted((s for s in ladder if s.applies_to(clock.key)), key=lambda s: s.offset))


def position(span: WorkdaySpan, day: datetime.date, deadline: datetime.date) -> int:
    """How many working days `day` is past `deadline`: -5 five ahead of it, 0 on its last
    working day, 3 three after it."""
    return -span.workdays_between(day, deadline)


def ends(steps: tuple[Step, ...]) -> tuple[int, ...]:
    """For each of one clock's `steps` (steps_of): the position from which it is no longer
    due, the offset of the next step that reminds some of the same people (the handler's
    5-days-before reminder ends where the 1-day-before one starts); for the last step of
    a line, CATCH_UP working days after its own offset."""
    return tuple(
        min(
            (o.offset for o in steps if o.offset > s.offset and o.who & s.who),
            default=s.offset + CATCH_UP,
        )
        for s in steps
    )


def fires(s: Step, end: int, at: int) -> bool:
    """Whether step `s` (ending at `end`, see ends) is due for a deadline at position
    `at`: a daily step from its offset on, any other from its offset up to its end."""
    return s.fires(at) if s.daily else s.offset <= at < end


def window(
    span: WorkdaySpan, day: datetime.date, steps: tuple[Step, ...]
) -> tuple[datetime.date | None, datetime.date] | None:
    """The deadlines that some of `steps` may be due for on `day` (a working day):
    (since, until) with since None when a daily step reaches every overdue one; None
    when no step could be due."""
    if not steps:
        return None
    earliest = min(s.offset for s in steps)
    until = day - ONE_DAY  # before any step is due the deadline lies ahead
    if earliest <= 0:
        # Position -n: n working days after `day` up to the deadline, so before the
        # (n+1)-th working day after `day`.
        until = workdays_after(day, 1 - earliest, span=span).date - ONE_DAY
    if any(s.daily for s in steps):
        return None, until
    latest = max(ends(steps)) - 1
    # Position k (k > 0) holds from the working day k working days back from `day`.
    since = workdays_before(day, latest, span=span).date if latest > 0 else day
    return since, until


def due_on(span: WorkdaySpan, deadline: datetime.date, offset: int) -> datetime.date:
    """The working day on which a deadline's position is `offset`."""
    if offset > 0:
        return workdays_after(deadline, offset, span=span).date
    last = deadline  # the deadline's last working day: the deadline, or the one before it
    while not span.is_workday(last):
        last -= ONE_DAY
    return workdays_before(last, -offset, span=span).date if offset < 0 else last
