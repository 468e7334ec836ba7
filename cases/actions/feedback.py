"""评价, 办结, 重新办理: after the reply."""

from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction

from cases.actions.assign import reply_deadlines
from cases.actions.common import action_date, lock_and_check, require_text
from cases.actions.validation import check_attitude, check_result
from cases.deadline_rules import due_for
from cases.models import Case, CaseProposer, Feedback, FeedbackRating, Proposer
from huiyin.formats import cn_date
from huiyin.types import User
from workflow.engine import apply_transition, lock_case, transition_for
from workflow.errors import CaseError
from workflow.vocabulary import Action, State


def feedback_window_end(case: Case) -> date | None:
    if case.replied_on is None:
        return None
    return due_for(case, "feedback_window", case.replied_on)[0].date


def counted_proposer(case: Case, proposer: Proposer) -> bool:
    """Whether this proposer's own rating is the round's rating (settings.
    HUIYIN_COUNTED_RATING): "lead", the lead proposer's (position 0); "any", whoever rates
    first. False for someone who is not a proposer of the case."""
    position = (
        CaseProposer.objects.filter(case=case, proposer=proposer)
        .values_list("position", flat=True)
        .first()
    )
    if position is None:
        return False
    return settings.HUIYIN_COUNTED_RATING == "any" or position == 0


@transaction.atomic
def record_feedback(
    case: Case,
    *,
    by: User | None,
    result: str,
    attitude: str = "",
    comment: str = "",
    on: date | None = None,
    proposer: Proposer | None = None,
) -> Feedback:
    """登记评价: 满意/基本满意 closes the case; 不满意 starts a new round with a new deadline.

    Recorded by the office (`by`, a coordinator) or by the proposer themselves through
    their link (`proposer`, portal): exactly one of the two. The proposer's is the same
    transition with the same effect, its event saying who rated and that it came through
    the link; only the proposer whose rating counts may give it (counted_proposer)."""
    if (by is None) == (proposer is None):
        raise ValueError("record_feedback: exactly one of by and proposer")
    if by is not None:
        lock_and_check(by, case, Action.RECORD_FEEDBACK)
    else:
        assert proposer is not None
        lock_case(case)
        transition_for(case, Action.RECORD_FEEDBACK)
        if not counted_proposer(case, proposer):
            raise CaseError("以领衔人的评价为准，联名人的评价另行记录", field="proposer")
    result = check_result(result)
    attitude = check_attitude(attitude)
    on = action_date(case, on)
    feedback = Feedback.objects.create(
        case=case,
        round=case.round,
        result=result,
        attitude=attitude,
        comment=(comment or "").strip(),
        on=on,
        recorded_by=by,
        proposer=proposer,
    )
    details: dict[str, Any] = {"result": result, "attitude": attitude, "round": case.round}
    if proposer is not None:
        details.update({"proposer": proposer.pk, "proposer_name": proposer.name, "via": "link"})
    if result == FeedbackRating.UNSATISFIED:
        changes = {
            "round": case.round + 1,
            "feedback_result": result,
            **reply_deadlines(case, on, "rehandle"),
        }
        details["deadline"] = changes["deadline"].isoformat()
        apply_transition(
            case,
            Action.RECORD_FEEDBACK,
            by=by,  # type: ignore[arg-type]  # None: the proposer through their link
            on=on,
            to=State.HANDLING,
            changes=changes,
            details=details,
        )
    else:
        apply_transition(
            case,
            Action.RECORD_FEEDBACK,
            by=by,  # type: ignore[arg-type]
            on=on,
            to=State.CLOSED,
            changes={"feedback_result": result},
            details=details,
        )
    return feedback


@transaction.atomic
def close_case(case: Case, *, by: User, on: date | None = None) -> Case:
    """办结 without feedback, once the feedback window has passed."""
    lock_and_check(by, case, Action.CLOSE)
    on = action_date(case, on)
    window_end = feedback_window_end(case)
    if window_end and on <= window_end:
        raise CaseError(f"征询意见期至{cn_date(window_end)}，期满后方可直接办结，或先登记评价")
    apply_transition(
        case, Action.CLOSE, by=by, on=on, to=State.CLOSED, details={"without_feedback": True}
    )
    return case


@transaction.atomic
def reopen_case(case: Case, *, by: User, reason: str, on: date | None = None) -> Case:
    """重新办理 a closed case: a new round, due one month (the re-handling period) later."""
    lock_and_check(by, case, Action.REOPEN)
    reason = require_text(reason, "reason", "重新办理的理由")
    on = action_date(case, on)
    changes = {"round": case.round + 1, **reply_deadlines(case, on, "rehandle")}
    apply_transition(
        case,
        Action.REOPEN,
        by=by,
        on=on,
        to=State.HANDLING,
        changes=changes,
        details={"reason": reason, "deadline": changes["deadline"].isoformat()},
    )
    return case
