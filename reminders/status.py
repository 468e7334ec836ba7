"""Where a case stands on its escalation ladder: for the coordinator's case page, each
running deadline of the case, the step the calendar puts it on and the next one with its
day. What the calendar says, not what was sent (a missed morning sends its step on the
next one; the page says so: 按期限应处环节).

Read from the rows the case page has loaded (the clocks' `of_case`) and the working-day
calendar of the years around today: one query, and none for anyone but a coordinator.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from cases.models import Case
from orgs.access import standing_of
from orgs.models import Role
from reminders.ladder import due_on, ladder_for, position, steps_of
from reminders.wording import days_phrase
from workdays.calendar import WorkdaySpan
from workflow.tables import Step, workflow_for

# The calendar loaded for the page: the years around today (others load on demand).
SPAN_REACH = datetime.timedelta(days=370)
# Bootstrap badges for seed 003's colours.
BADGES = {"blue": "text-bg-primary", "yellow": "text-bg-warning", "red": "text-bg-danger"}


@dataclass(frozen=True)
class DeadlineStep:
    """One running deadline of the case and its place on the ladder."""

    clock: str  # 答复期限 …
    unit: str  # the unit that answers for it
    deadline: datetime.date
    phrase: str  # 剩余5个工作日 / 今天到期 / 已超期3个工作日
    current: tuple[Step, ...]  # the steps the calendar has reached last (none yet: empty)
    upcoming: tuple[Step, ...]  # the next steps, due on `next_on`
    next_on: datetime.date | None

    @property
    def badge(self) -> str:
        return BADGES[self.current[-1].colour] if self.current else "text-bg-light border"

    @property
    def current_label(self) -> str:
        return "、".join(s.label for s in self.current)

    @property
    def upcoming_label(self) -> str:
        return "、".join(s.label for s in self.upcoming)


def _place(steps: tuple[Step, ...], at: int) -> tuple[tuple[Step, ...], tuple[Step, ...]]:
    """The steps reached last at position `at`, and the next ones (by offset)."""
    reached = [s.offset for s in steps if s.offset <= at]
    ahead = [s.offset for s in steps if s.offset > at]
    current = tuple(s for s in steps if reached and s.offset == max(reached))
    upcoming = tuple(s for s in steps if ahead and s.offset == min(ahead))
    return current, upcoming


def case_steps(case: Case, today: datetime.date) -> list[DeadlineStep]:
    """Every running deadline of the case, with the step it is on and the next one."""
    # The units of the case page's loaded assignments (the lead unit's among them).
    names = {a.unit_id: a.unit.name for a in case.assignments.all()}
    workflow = workflow_for(case.category)
    ladder = ladder_for(workflow, case.category)
    span = WorkdaySpan(today - SPAN_REACH, today + SPAN_REACH)
    found = []
    for clock in workflow.clocks:
        steps = steps_of(ladder, clock)
        if not steps:
            continue
        for row in clock.of_case(case, span):
            at = position(span, today, row.deadline)
            current, upcoming = _place(steps, at)
            found.append(
                DeadlineStep(
                    clock=clock.label,
                    unit=names.get(row.unit_id, "") if row.unit_id is not None else "",
                    deadline=row.deadline,
                    phrase=days_phrase(at),
                    current=current,
                    upcoming=upcoming,
                    next_on=due_on(span, row.deadline, upcoming[0].offset) if upcoming else None,
                )
            )
    return sorted(found, key=lambda d: d.deadline)


def coordinator_view(user: Any, case: Case, today: datetime.date) -> list[DeadlineStep] | None:
    """case_steps for a coordinator; None for anyone else (nothing read)."""
    if not standing_of(user).has(Role.COORDINATOR):
        return None
    return case_steps(case, today)
