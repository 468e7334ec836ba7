"""Recompute provisional deadlines when a year's working-day calendar arrives."""

from datetime import date
from typing import Any

from django.db.models import Q
from django.dispatch import receiver

from audit.record import record_event
from cases.models import Assignment, Case
from huiyin.types import User
from workdays.calendar import compute
from workdays.signals import calendar_changed


def _recompute(rule: dict[str, str]) -> Any:
    if "rule" not in rule:
        return None
    return compute(rule["rule"], date.fromisoformat(rule["from"]))


@receiver(calendar_changed)
def recompute_provisional_deadlines(
    sender: Any, years: list[int], by: User | None = None, on: date | None = None, **kwargs: Any
) -> None:
    from cases.actions.assign import unit_deadline_fields

    # Every provisional date, whatever its own year: one computed across a year boundary
    # depends on both years. Provisional dates are few (the year after the current one).
    cases = Case.objects.filter(Q(deadline_provisional=True) | Q(unit_deadline_provisional=True))
    for case in cases.iterator(chunk_size=500):
        due = _recompute(case.deadline_rule)
        fields: dict[str, Any] = {}
        if due is not None:
            fields.update(deadline=due.date, deadline_provisional=due.provisional)
        deadline = fields.get("deadline", case.deadline)
        assert deadline is not None  # a case with a provisional date has a deadline
        start = date.fromisoformat(
            case.deadline_rule.get("from", case.deadline_rule.get("explicit"))
        )
        fields.update(unit_deadline_fields(case, deadline, start))
        before = {k: getattr(case, k) for k in fields}
        if before == fields:
            continue
        Case.objects.filter(pk=case.pk).update(**fields)
        record_event(
            actor=by,
            action="recompute_deadlines",
            on=on,
            case=case,
            from_state=case.state,
            to_state=case.state,
            details={
                "years": years,
                "changes": {
                    k: [str(before[k]), str(v)] for k, v in fields.items() if before[k] != v
                },
            },
        )
    for assignment in Assignment.objects.filter(deadline_provisional=True):
        due = _recompute(assignment.deadline_rule)
        if due is not None:
            Assignment.objects.filter(pk=assignment.pk).update(
                deadline=due.date, deadline_provisional=due.provisional
            )
