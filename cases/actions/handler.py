"""承办人: the lead unit's head (or the coordinator) gives the case to one of the unit's
handlers, at 签收 or later (五定's "handler")."""

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet

from cases.actions.common import action_date, lock_and_check
from cases.models import Assignment, AssignmentKind, Case
from cases.permissions import LIVE_ASSIGNMENT
from huiyin.types import User
from orgs.models import Membership, Role, Unit
from workflow.engine import apply_transition
from workflow.errors import CaseError
from workflow.vocabulary import Action


def person(user: User | None) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def unit_handlers(unit: Unit | int | None) -> QuerySet[Any]:
    """The active users who hold the handler role in the unit: whom a case may be given to."""
    if unit is None:
        return get_user_model().objects.none()
    unit_id = unit if isinstance(unit, int) else unit.pk
    members = Membership.objects.filter(unit_id=unit_id, role=Role.HANDLER).values("user_id")
    return (
        get_user_model()
        .objects.filter(pk__in=members, is_active=True)
        .order_by("first_name", "username")
    )


def check_handler(user: User, unit: Unit, field: str = "handler") -> User:
    if not unit_handlers(unit).filter(pk=user.pk).exists():
        raise CaseError(f"{person(user)}不是{unit.name}的承办人", field=field)
    return user


def handler_details(old: User | None, new: User | None) -> dict[str, Any]:
    """The audit event's record of a change of handler: usernames for machines, the names
    as they were then for the 办理轨迹."""
    return {
        "handler": new.get_username() if new is not None else None,
        "handler_name": person(new),
        "old_handler": old.get_username() if old is not None else None,
        "old_handler_name": person(old),
    }


def _lead(case: Case) -> Assignment | None:
    return (
        case.assignments.filter(kind=AssignmentKind.LEAD, status__in=LIVE_ASSIGNMENT)
        .select_related("unit", "handler")
        .first()
    )


def current_handler(case: Case) -> User | None:
    """The live lead unit's handler, if one was named."""
    assignment = _lead(case)
    return assignment.handler if assignment is not None else None


@transaction.atomic
def assign_handler(case: Case, *, by: User, handler: User, on: date | None = None) -> Case:
    """指定承办人: set or change the handler of the lead unit's assignment."""
    lock_and_check(by, case, Action.ASSIGN_HANDLER)
    on = action_date(case, on)
    assignment = _lead(case)
    if assignment is None:
        raise CaseError("办件没有主办处室，不能指定承办人")
    check_handler(handler, assignment.unit)
    old = assignment.handler
    if old is not None and old.pk == handler.pk:
        raise CaseError(f"承办人已是{person(handler)}", field="handler")
    assignment.handler = handler
    assignment.save(update_fields=["handler"])
    apply_transition(
        case,
        Action.ASSIGN_HANDLER,
        by=by,
        on=on,
        details={"unit": assignment.unit.code, **handler_details(old, handler)},
    )
    return case
