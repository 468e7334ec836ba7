"""The one function that moves a case from one state to another."""

from datetime import date
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.record import record_event, today
from huiyin.formats import cn_date
from workflow.errors import CaseError
from workflow.tables import Transition, workflow_for


def check_on(on: date | None, *, not_before: date | None) -> date:
    """The date an action happened: default today; never in the future, never before
    the case's previous action (history may be entered after the fact, not rewritten)."""
    now = today()
    if on is None:
        return now if not_before is None or now >= not_before else not_before
    if on > now:
        raise CaseError("办理日期不能晚于今天", field="on")
    if not_before is not None and on < not_before:
        raise CaseError(f"办理日期不能早于上一步的办理日期（{cn_date(not_before)}）", field="on")
    return on


def transition_for(case: models.Model, action: str) -> Transition:
    workflow = workflow_for(case.category)
    transition = workflow.transitions.get(action)
    if transition is None:
        raise CaseError(f"此类办件没有“{action}”操作")
    if case.state not in transition.sources:
        raise CaseError(f"办件当前为“{workflow.state_label(case.state)}”，不能{transition.label}")
    return transition


@transaction.atomic
def apply_transition(
    case: models.Model,
    action: str,
    *,
    by: Any,
    on: date,
    to: str | None = None,
    details: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Apply `action` to `case`, moving it to `to` (None: it stays), writing one event.

    The row is updated only where its state is still the one we read (compare-and-set),
    so of two concurrent actions on one case only the first succeeds. `changes` are other
    columns written in the same UPDATE.
    """
    transition = transition_for(case, action)
    old_state = case.state
    new_state = to or old_state
    if transition.targets and new_state not in transition.targets:
        raise ValueError(f"{action} cannot lead to {new_state}")
    if not transition.targets and new_state != old_state:
        raise ValueError(f"{action} keeps the state")
    fields = {
        "state": new_state,
        "last_action_on": on,
        "updated_at": timezone.now(),
        **(changes or {}),
    }
    updated = type(case).objects.filter(pk=case.pk, state=old_state).update(**fields)
    if updated != 1:
        raise CaseError("该办件刚被他人办理，状态已变化，请刷新后重试")
    for name, value in fields.items():
        setattr(case, name, value)
    return record_event(
        actor=by,
        action=action,
        on=on,
        case=case,
        from_state=old_state,
        to_state=new_state,
        details=details,
    )


def start_case(
    case: models.Model, *, by: Any, on: date, details: dict[str, Any] | None = None
) -> AuditEvent:
    """Put a newly created case into its workflow's initial state (the `register` event)."""
    workflow = workflow_for(case.category)
    if case.state != workflow.initial:
        raise ValueError("a new case starts in its workflow's initial state")
    return record_event(
        actor=by,
        action="register",
        on=on,
        case=case,
        from_state="",
        to_state=case.state,
        details=details,
    )
