"""What every case action shares: the row lock, the actor check and the action date."""

from datetime import date

from cases.models import Assignment, AssignmentKind, Case
from cases.permissions import LIVE_ASSIGNMENT, relations
from huiyin.types import User
from workflow.engine import check_on, lock_case, transition_for
from workflow.errors import ActionForbidden, CaseError
from workflow.tables import workflow_for


def live_assignments(case: Case) -> list[Assignment]:
    return list(case.assignments.filter(status__in=LIVE_ASSIGNMENT).select_related("unit"))


def lead_assignment(case: Case) -> Assignment | None:
    return case.assignments.filter(kind=AssignmentKind.LEAD, status__in=LIVE_ASSIGNMENT).first()


def check_actor(user: User, case: Case, action: str) -> set[str]:
    """403 if the user's relation to the case may never perform the action,
    400 (CaseError) if it may but not in the case's current state."""
    workflow = workflow_for(case.category)
    transition = workflow.transitions.get(action)
    if transition is None:
        raise CaseError(f"此类办件没有“{action}”操作")
    mine = relations(user, case)
    if not (mine & transition.actors):
        raise ActionForbidden(f"您没有{transition.label}此办件的权限")
    transition_for(case, action)
    return mine


def lock_and_check(user: User, case: Case, action: str) -> set[str]:
    """The first step of every action, inside its transaction and before anything else is
    looked at: lock the case's row and re-read it (workflow.engine.lock_case), then check
    the actor and the state against the locked row. Returns the user's relations."""
    lock_case(case)
    return check_actor(user, case, action)


def action_date(case: Case, on: date | None) -> date:
    return check_on(on, not_before=case.last_action_on)


def require_text(value: str | None, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise CaseError(f"请填写{label}", field=field)
    return value
