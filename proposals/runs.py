"""From a validated payload to the action function of cases.actions: one adapter per
议提案 action, named in spec.py. The actions themselves hold the rules."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction

from cases import actions
from cases.actions import handler as handler_actions
from cases.actions.assign import return_window_end
from cases.actions.feedback import feedback_window_end
from cases.dispatch import unit_by_code, user_by_name
from cases.models import Case
from cases.payloads import (
    AcceptPayload,
    AssignHandlerPayload,
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
    ReasonPayload,
    ReplyPayload,
    ReviewPayload,
)
from orgs.models import UnitKind
from proposals.rows import live_assignments, open_extension
from similar import merging, routing
from similar.merging import lock_unless_following
from workflow.vocabulary import Action, Relation

if TYPE_CHECKING:
    from huiyin.types import User
else:
    User = Any


@transaction.atomic
def assign(case: Case, by: User, p: AssignPayload) -> Any:
    lock_unless_following(by, case, Action.ASSIGN)
    lead_unit = unit_by_code(p.lead_unit, "lead_unit")
    done = actions.assign_case(
        case,
        by=by,
        on=p.on,
        assigned_on=p.assigned_on,
        lead_unit=lead_unit,
        # A blank code names no unit (it used to reach check_co_units as None: a 500).
        co_units=[u for c in p.co_units if (u := unit_by_code(c, "co_units")) is not None],
        leader_in_charge=user_by_name(p.leader_in_charge, "leader_in_charge"),
        handler=user_by_name(p.handler, "handler"),
        deadline=p.deadline,
    )
    # 主办处室建议: what was suggested and whether it was taken; 并案: the merged cases too.
    routing.record(case, lead_unit, case.last_action_on)
    merging.after_assign(case, by)
    return done


@transaction.atomic
def accept(case: Case, by: User, p: AcceptPayload) -> Any:
    lock_unless_following(by, case, Action.ACCEPT)
    done = actions.accept_case(case, by=by, on=p.on, handler=user_by_name(p.handler, "handler"))
    merging.after_accept(case, by)
    return done


def assign_handler(case: Case, by: User, p: AssignHandlerPayload) -> Any:
    handler = user_by_name(p.handler, "handler")
    assert handler is not None  # the payload requires a name; an unknown one is refused above
    return handler_actions.assign_handler(case, by=by, on=p.on, handler=handler)


@transaction.atomic
def return_(case: Case, by: User, p: ReasonPayload) -> Any:
    lock_unless_following(by, case, Action.RETURN)
    done = actions.return_case(case, by=by, on=p.on, reason=p.reason)
    merging.after_return(case, by, p.reason)  # 并案: the merged cases go back with it
    return done


@transaction.atomic
def withdraw(case: Case, by: User, p: ReasonPayload) -> Any:
    done = actions.withdraw_case(case, by=by, on=p.on, reason=p.reason)
    merging.after_withdraw(case, by)  # 并案: the merged cases are handled on their own
    return done


def edit(case: Case, by: User, p: EditPayload) -> Any:
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


def communicate(case: Case, by: User, p: CommunicatePayload) -> Any:
    return actions.communicate(
        case,
        by=by,
        on=p.on,
        stage=p.stage,
        method=p.method,
        summary=p.summary,
        participants=p.participants,
    )


@transaction.atomic
def submit_opinion(case: Case, by: User, p: OpinionPayload) -> Any:
    lock_unless_following(by, case, Action.SUBMIT_OPINION)
    return actions.submit_opinion(
        case, by=by, on=p.on, text=p.text, unit=unit_by_code(p.unit, "unit")
    )


@transaction.atomic
def request_extension(case: Case, by: User, p: ExtensionRequestPayload) -> Any:
    lock_unless_following(by, case, Action.REQUEST_EXTENSION)
    return actions.request_extension(case, by=by, on=p.on, until=p.until, reason=p.reason)


def decide_extension(case: Case, by: User, p: DecisionPayload) -> Any:
    return actions.decide_extension(case, by=by, on=p.on, approved=p.approved, comment=p.comment)


@transaction.atomic
def submit_reply(case: Case, by: User, p: ReplyPayload) -> Any:
    lock_unless_following(by, case, Action.SUBMIT_REPLY)
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


def approve_reply(case: Case, by: User, p: DecisionPayload) -> Any:
    return actions.approve_reply(case, by=by, on=p.on, approved=p.approved, comment=p.comment)


def review(case: Case, by: User, p: ReviewPayload) -> Any:
    return actions.review_reply(
        case,
        by=by,
        on=p.on,
        passed=p.passed,
        comment=p.comment,
        gates=p.gates.model_dump() if p.gates else None,
        gate_comments=p.gate_comments.model_dump() if p.gate_comments else None,
    )


@transaction.atomic
def sign(case: Case, by: User, p: DecisionPayload) -> Any:
    done = actions.sign_reply(case, by=by, on=p.on, approved=p.approved, comment=p.comment)
    merging.after_sign(case, by)  # 并案: each merged case gets the reply as its own
    return done


def record_feedback(case: Case, by: User, p: FeedbackPayload) -> Any:
    return actions.record_feedback(
        case, by=by, on=p.on, result=p.result, attitude=p.attitude or "", comment=p.comment
    )


def close(case: Case, by: User, p: EmptyPayload) -> Any:
    return actions.close_case(case, by=by, on=p.on)


def reopen(case: Case, by: User, p: ReasonPayload) -> Any:
    return actions.reopen_case(case, by=by, on=p.on, reason=p.reason)


def add_outcome(case: Case, by: User, p: OutcomePayload) -> Any:
    return actions.add_outcome(case, by=by, on=p.on, kind=p.kind, title=p.title)


def update_commitment(case: Case, by: User, p: CommitmentUpdatePayload) -> Any:
    return actions.update_commitment(
        case,
        by=by,
        on=p.on,
        commitment_id=p.id,
        status=p.status,
        note=p.note,
        reason=p.reason,
    )


# --- when an action is available beyond its state and the user's role ----------------


def opinion_possible(case: Case, today: date, mine: set[str]) -> bool:
    """A co-unit gives its own opinion; the lead unit only records an outside agency's."""
    if Relation.CO_UNIT in mine:
        return True
    return any(a.unit.kind == UnitKind.EXTERNAL for a in live_assignments(case, "co"))


def within_return_window(case: Case, today: date, mine: set[str]) -> bool:
    end = return_window_end(case)
    return end is None or today <= end


def feedback_window_over(case: Case, today: date, mine: set[str]) -> bool:
    end = feedback_window_end(case)
    return end is None or today > end


def no_pending_extension(case: Case, today: date, mine: set[str]) -> bool:
    return open_extension(case) is None


def pending_extension_exists(case: Case, today: date, mine: set[str]) -> bool:
    return open_extension(case) is not None


def has_commitments(case: Case, today: date, mine: set[str]) -> bool:
    return case.commitments.exists()


def lead_unit_has_handlers(case: Case, today: date, mine: set[str]) -> bool:
    """A handler can be named only if the lead unit has one."""
    return handler_actions.unit_handlers(case.lead_unit_id).exists()
