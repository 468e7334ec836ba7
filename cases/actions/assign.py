"""交办, 签收, 申请退回, 撤回: who handles the case."""

from datetime import date
from typing import Any

from django.db import transaction

from cases.actions.common import (
    action_date,
    lead_assignment,
    live_assignments,
    lock_and_check,
    require_text,
)
from cases.actions.handler import check_handler, handler_details
from cases.actions.validation import check_co_units, check_deadline, check_lead_unit
from cases.deadline_rules import due_for, explicit, period_words, rule_for
from cases.models import Assignment, AssignmentKind, AssignmentStatus, Case
from cases.models import Role as CaseRole
from huiyin.formats import cn_date
from huiyin.types import User
from orgs.access import standing_of
from orgs.models import Membership, Role, Unit
from workdays.calendar import compute
from workflow.engine import apply_transition
from workflow.errors import ActionForbidden, CaseError
from workflow.vocabulary import Action, Relation, State


def reply_deadlines(case: Case, start: date, rule_name: str) -> dict[str, Any]:
    """The reply deadline of a round starting at `start` and the unit's draft target."""
    if rule_name == "reply" and case.explicit_deadline:
        due, how = explicit(case.explicit_deadline)
    else:
        due, how = due_for(case, rule_name, start)
    return {
        "deadline": due.date,
        "deadline_provisional": due.provisional,
        "deadline_rule": how,
        **unit_deadline_fields(case, due.date, start),
    }


def unit_deadline_fields(case: Case, deadline: date, start: date) -> dict[str, Any]:
    draft = compute(rule_for(case.category, case.level, "unit_draft"), deadline)
    # A short round (re-handling) may leave less than the usual margin: never before its start.
    day = max(draft.date, start)
    return {"unit_deadline": day, "unit_deadline_provisional": draft.provisional}


def return_window_end(case: Case) -> date | None:
    if case.assigned_on is None:
        return None
    return due_for(case, "return_window", case.assigned_on)[0].date


def _check_head_or_handler(user: User | None, unit: Unit, field: str) -> None:
    if user is None:
        return
    if not Membership.objects.filter(
        user=user, unit=unit, role__in=[Role.HEAD, Role.HANDLER]
    ).exists():
        raise CaseError(
            f"{user.get_full_name() or user.username}不是{unit.name}的人员", field=field
        )


@transaction.atomic
def assign_case(
    case: Case,
    *,
    by: User,
    lead_unit: Unit | None,
    co_units: list[Unit] | None = None,
    assigned_on: date | None = None,
    leader_in_charge: User | None = None,
    handler: User | None = None,
    deadline: date | None = None,
    on: date | None = None,
) -> Case:
    """交办: give the case to a lead unit (and co-units) with deadlines."""
    lock_and_check(by, case, Action.ASSIGN)
    on = action_date(case, assigned_on or on)
    lead_unit = check_lead_unit(lead_unit)
    co_units = check_co_units(lead_unit, co_units or [])
    if leader_in_charge is not None and not standing_of(leader_in_charge).has(Role.LEADER):
        raise CaseError("分管领导须为委领导", field="leader_in_charge")
    _check_head_or_handler(handler, lead_unit, "handler")
    if deadline is not None:
        case.explicit_deadline = check_deadline(deadline, on)
    rule = "co_opinion" if case.role == CaseRole.CO else "reply"
    fields = reply_deadlines(case, on, rule)
    # The lead unit's reply deadline is the case's own (`Case.deadline`), stored only there.
    Assignment.objects.create(
        case=case, unit=lead_unit, kind=AssignmentKind.LEAD, assigned_on=on, handler=handler
    )
    co_due, co_how = due_for(case, "co_unit_opinion", on)
    for unit in co_units:
        Assignment.objects.create(
            case=case,
            unit=unit,
            kind=AssignmentKind.CO,
            assigned_on=on,
            deadline=min(co_due.date, fields["deadline"]),
            deadline_provisional=co_due.provisional,
            deadline_rule=co_how,
        )
    changes = {
        **fields,
        "lead_unit": lead_unit,
        "assigned_on": on,
        "explicit_deadline": case.explicit_deadline,
        "leader_in_charge": leader_in_charge or case.leader_in_charge,
    }
    apply_transition(
        case,
        Action.ASSIGN,
        by=by,
        on=on,
        to=State.ASSIGNED,
        changes=changes,
        details={
            "lead_unit": lead_unit.code,
            "co_units": [u.code for u in co_units],
            "deadline": fields["deadline"].isoformat(),
            "deadline_provisional": fields["deadline_provisional"],
            "handler": getattr(handler, "username", None),
        },
    )
    return case


@transaction.atomic
def accept_case(
    case: Case, *, by: User, on: date | None = None, handler: User | None = None
) -> Case:
    """签收: the lead unit takes the case; its head may name the handler at once. A
    handler who accepts with no one named becomes the handler."""
    mine = lock_and_check(by, case, Action.ACCEPT)
    on = action_date(case, on)
    assignment = lead_assignment(case)
    assert assignment is not None  # lock_and_check found the caller in the live lead unit
    old = assignment.handler
    if handler is not None:
        if Relation.LEAD_HEAD not in mine and handler.pk != by.pk:
            raise ActionForbidden("只有处室负责人可以指定承办人", field="handler")
        assignment.handler = check_handler(handler, assignment.unit)
    elif assignment.handler_id is None and assignment.unit_id in standing_of(by).handler_in:
        assignment.handler = by
    assignment.status = AssignmentStatus.ACCEPTED
    assignment.accepted_on = on
    assignment.save(update_fields=["status", "accepted_on", "handler"])
    details: dict[str, Any] = {"unit": assignment.unit.code}
    if assignment.handler is not None:
        details.update(handler_details(old, assignment.handler))
    apply_transition(case, Action.ACCEPT, by=by, on=on, to=State.HANDLING, details=details)
    return case


def _end_assignments(case: Case, on: date, reason: str) -> list[str]:
    codes = []
    for a in live_assignments(case):
        if a.kind == AssignmentKind.LEAD:
            a.status, a.returned_on, a.return_reason = AssignmentStatus.RETURNED, on, reason
        else:
            a.status = AssignmentStatus.CANCELLED
        a.save(update_fields=["status", "returned_on", "return_reason"])
        codes.append(a.unit.code)
    return codes


CLEARED_DEADLINES: dict[str, Any] = {
    "lead_unit": None,
    "assigned_on": None,
    "deadline": None,
    "deadline_provisional": False,
    "deadline_rule": {},
    "unit_deadline": None,
    "unit_deadline_provisional": False,
}


@transaction.atomic
def return_case(case: Case, *, by: User, reason: str, on: date | None = None) -> Case:
    """申请退回: the lead unit hands the case back for re-assignment, within the window."""
    lock_and_check(by, case, Action.RETURN)
    reason = require_text(reason, "reason", "退回理由")
    on = action_date(case, on)
    window_end = return_window_end(case)
    if window_end and on > window_end:
        period = period_words(rule_for(case.category, case.level, "return_window"))
        raise CaseError(f"申请退回须在交办后{period}内（{cn_date(window_end)}前）提出")
    units = _end_assignments(case, on, reason)
    apply_transition(
        case,
        Action.RETURN,
        by=by,
        on=on,
        to=State.REGISTERED,
        changes=CLEARED_DEADLINES,
        details={"reason": reason, "units": units},
    )
    return case


@transaction.atomic
def withdraw_case(case: Case, *, by: User, reason: str, on: date | None = None) -> Case:
    """撤回: not ours (退回交办机关 or 改办); excluded from statistics."""
    lock_and_check(by, case, Action.WITHDRAW)
    reason = require_text(reason, "reason", "撤回理由")
    on = action_date(case, on)
    units = _end_assignments(case, on, reason)
    apply_transition(
        case,
        Action.WITHDRAW,
        by=by,
        on=on,
        to=State.WITHDRAWN,
        changes=CLEARED_DEADLINES,
        details={"reason": reason, "units": units},
    )
    return case
