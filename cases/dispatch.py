"""From an action's name and payload to the action function: shared by the API and the UI."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model

from cases import actions
from cases.actions.assign import return_window_end
from cases.actions.feedback import feedback_window_end
from cases.actions.handling import pending_extension
from cases.models import Case
from cases.payloads import (
    AssignPayload,
    CommitmentUpdatePayload,
    CommunicatePayload,
    DecisionPayload,
    EditPayload,
    EmptyPayload,
    ExtensionRequestPayload,
    FeedbackPayload,
    OpinionPayload,
    OutcomePayload,
    Payload,
    ReasonPayload,
    ReplyPayload,
    ReviewPayload,
)
from cases.permissions import LIVE_ASSIGNMENT, relations
from orgs.models import Unit
from workflow.errors import ActionForbidden, CaseError
from workflow.tables import workflow_for


def unit_by_code(code: str | None, field: str) -> Unit | None:
    if not code:
        return None
    unit = Unit.objects.filter(code=code.strip(), is_active=True).first()
    if unit is None:
        raise CaseError(f"没有代码为“{code}”的单位", field=field)
    return unit


def user_by_name(username: str | None, field: str) -> Any:
    if not username:
        return None
    user = get_user_model().objects.filter(username=username.strip(), is_active=True).first()
    if user is None:
        raise CaseError(f"没有用户“{username}”", field=field)
    return user


def _assign(case: Case, by: Any, p: AssignPayload) -> Any:
    return actions.assign_case(
        case,
        by=by,
        on=p.on,
        assigned_on=p.assigned_on,
        lead_unit=unit_by_code(p.lead_unit, "lead_unit"),
        co_units=[unit_by_code(c, "co_units") for c in p.co_units],
        leader_in_charge=user_by_name(p.leader_in_charge, "leader_in_charge"),
        handler=user_by_name(p.handler, "handler"),
        deadline=p.deadline,
    )


def _edit(case: Case, by: Any, p: EditPayload) -> Any:
    # null means "not sent" except for the lists, where it clears them.
    fields = {
        k: v
        for k, v in p.model_dump(exclude_unset=True, exclude={"on"}).items()
        if v is not None
        or k in ("topics", "joint_proposers", "leader_in_charge", "explicit_deadline")
    }
    if "leader_in_charge" in fields:
        fields["leader_in_charge"] = user_by_name(fields["leader_in_charge"], "leader_in_charge")
    for key in ("topics", "joint_proposers"):
        if key in fields and fields[key] is None:
            fields[key] = []
    return actions.edit_case(case, by=by, on=p.on, **fields)


def _opinion(case: Case, by: Any, p: OpinionPayload) -> Any:
    return actions.submit_opinion(
        case, by=by, on=p.on, text=p.text, unit=unit_by_code(p.unit, "unit")
    )


def _reply(case: Case, by: Any, p: ReplyPayload) -> Any:
    return actions.submit_reply(
        case,
        by=by,
        on=p.on,
        text=p.text,
        reply_class=p.reply_class,
        contact=p.contact,
        phone=p.phone,
        commitments=[c.model_dump() for c in p.commitments],
    )


def _review(case: Case, by: Any, p: ReviewPayload) -> Any:
    return actions.review_reply(
        case,
        by=by,
        on=p.on,
        passed=p.passed,
        comment=p.comment,
        gates=p.gates.model_dump() if p.gates else None,
        gate_comments=p.gate_comments.model_dump() if p.gate_comments else None,
    )


@dataclass(frozen=True)
class ActionSpec:
    payload: type[Payload]
    run: Callable[[Case, Any, Any], Any]
    # Data conditions beyond state and role, so that `available_actions` offers only
    # what would succeed; the action itself checks the same helper.
    available: Callable[[Case, date, set[str]], bool] = lambda case, today, mine: True


def _opinion_possible(case: Case, today: date, mine: set[str]) -> bool:
    """A co-unit gives its own opinion; the lead unit only records an outside agency's."""
    co = case.assignments.filter(kind="co", status__in=LIVE_ASSIGNMENT)
    if "co_unit" in mine:
        return True
    return co.filter(unit__kind="external").exists()


def _within_return_window(case: Case, today: date, mine: set[str]) -> bool:
    end = return_window_end(case)
    return end is None or today <= end


def _feedback_window_over(case: Case, today: date, mine: set[str]) -> bool:
    end = feedback_window_end(case)
    return end is None or today > end


ACTIONS: dict[str, ActionSpec] = {
    "assign": ActionSpec(AssignPayload, _assign),
    "accept": ActionSpec(EmptyPayload, lambda c, by, p: actions.accept_case(c, by=by, on=p.on)),
    "return": ActionSpec(
        ReasonPayload,
        lambda c, by, p: actions.return_case(c, by=by, on=p.on, reason=p.reason),
        _within_return_window,
    ),
    "withdraw": ActionSpec(
        ReasonPayload, lambda c, by, p: actions.withdraw_case(c, by=by, on=p.on, reason=p.reason)
    ),
    "edit": ActionSpec(EditPayload, _edit),
    "communicate": ActionSpec(
        CommunicatePayload,
        lambda c, by, p: actions.communicate(
            c,
            by=by,
            on=p.on,
            stage=p.stage,
            method=p.method,
            summary=p.summary,
            participants=p.participants,
        ),
    ),
    "submit_opinion": ActionSpec(
        OpinionPayload,
        _opinion,
        _opinion_possible,
    ),
    "request_extension": ActionSpec(
        ExtensionRequestPayload,
        lambda c, by, p: actions.request_extension(
            c, by=by, on=p.on, until=p.until, reason=p.reason
        ),
        lambda c, today, mine: pending_extension(c) is None,
    ),
    "decide_extension": ActionSpec(
        DecisionPayload,
        lambda c, by, p: actions.decide_extension(
            c, by=by, on=p.on, approved=p.approved, comment=p.comment
        ),
        lambda c, today, mine: pending_extension(c) is not None,
    ),
    "submit_reply": ActionSpec(ReplyPayload, _reply),
    "approve_reply": ActionSpec(
        DecisionPayload,
        lambda c, by, p: actions.approve_reply(
            c, by=by, on=p.on, approved=p.approved, comment=p.comment
        ),
    ),
    "review": ActionSpec(ReviewPayload, _review),
    "sign": ActionSpec(
        DecisionPayload,
        lambda c, by, p: actions.sign_reply(
            c, by=by, on=p.on, approved=p.approved, comment=p.comment
        ),
    ),
    "record_feedback": ActionSpec(
        FeedbackPayload,
        lambda c, by, p: actions.record_feedback(
            c, by=by, on=p.on, result=p.result, attitude=p.attitude or "", comment=p.comment
        ),
    ),
    "close": ActionSpec(
        EmptyPayload, lambda c, by, p: actions.close_case(c, by=by, on=p.on), _feedback_window_over
    ),
    "reopen": ActionSpec(
        ReasonPayload, lambda c, by, p: actions.reopen_case(c, by=by, on=p.on, reason=p.reason)
    ),
    "add_outcome": ActionSpec(
        OutcomePayload,
        lambda c, by, p: actions.add_outcome(c, by=by, on=p.on, kind=p.kind, title=p.title),
    ),
    "update_commitment": ActionSpec(
        CommitmentUpdatePayload,
        lambda c, by, p: actions.update_commitment(
            c, by=by, on=p.on, commitment_id=p.id, status=p.status, note=p.note
        ),
        lambda c, today, mine: c.commitments.exists(),
    ),
}


def action_payloads() -> dict[str, type[Payload]]:
    """Every action name any category declares, with the payload model it takes."""
    return {name: spec.payload for name, spec in ACTIONS.items()}


def check_actor(user: Any, case: Case, action: str) -> None:
    """The role pre-check shared by every entry point, before any input is looked at:
    an action the case's category does not have is refused (UnknownAction, a 404), one
    the user's relations to the case never allow is ActionForbidden (a 403)."""
    transition = workflow_for(case.category).transitions.get(action)
    if action not in ACTIONS or transition is None or transition.hidden:
        raise CaseError(f"没有“{action}”这项操作")
    if not relations(user, case) & transition.actors:
        raise ActionForbidden(f"您没有{transition.label}此办件的权限")


def perform(case: Case, action: str, *, by: Any, payload: Payload) -> Case:
    spec = ACTIONS.get(action)
    if spec is None:
        raise CaseError(f"没有“{action}”这项操作")
    spec.run(case, by, payload)
    case.refresh_from_db()
    return case


def available_actions(user: Any, case: Case, today: date) -> list[str]:
    """The actions the user may perform on the case now, in the workflow table's order."""
    mine = relations(user, case)
    workflow = workflow_for(case.category)
    found = []
    for name, transition in workflow.transitions.items():
        if transition.hidden:
            continue
        if case.state not in transition.sources or not (mine & transition.actors):
            continue
        spec = ACTIONS.get(name)
        if spec is not None and spec.available(case, today, mine):
            found.append(name)
    return found
