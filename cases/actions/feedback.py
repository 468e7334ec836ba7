"""评价, 办结, 重新办理: after the reply."""

from datetime import date
from typing import Any

from django.db import transaction

from cases.actions.assign import move_lead_deadline, reply_deadlines
from cases.actions.common import action_date, check_actor, require_text
from cases.deadline_rules import due_for
from cases.models import Case, Feedback, FeedbackRating
from huiyin.formats import cn_date
from workflow.engine import apply_transition
from workflow.errors import CaseError


def feedback_window_end(case: Case) -> date | None:
    if case.replied_on is None:
        return None
    return due_for(case, "feedback_window", case.replied_on)[0].date


def _rating(value: str, field: str, label: str, *, required: bool) -> str:
    value = (value or "").strip()
    if not value and not required:
        return ""
    if value not in FeedbackRating.values:
        raise CaseError(f"请选择{label}（满意、基本满意、不满意）", field=field)
    return value


@transaction.atomic
def record_feedback(
    case: Case,
    *,
    by: Any,
    result: str,
    attitude: str = "",
    comment: str = "",
    on: date | None = None,
) -> Feedback:
    """登记评价: 满意/基本满意 closes the case; 不满意 starts a new round with a new deadline."""
    check_actor(by, case, "record_feedback")
    result = _rating(result, "result", "办理结果评价", required=True)
    attitude = _rating(attitude, "attitude", "办理态度评价", required=False)
    on = action_date(case, on)
    feedback = Feedback.objects.create(
        case=case,
        round=case.round,
        result=result,
        attitude=attitude,
        comment=(comment or "").strip(),
        on=on,
        recorded_by=by,
    )
    details = {"result": result, "attitude": attitude, "round": case.round}
    if result == FeedbackRating.UNSATISFIED:
        changes = {
            "round": case.round + 1,
            "feedback_result": result,
            **reply_deadlines(case, on, "rehandle"),
        }
        details["deadline"] = changes["deadline"].isoformat()
        move_lead_deadline(case, changes)
        apply_transition(
            case, "record_feedback", by=by, on=on, to="handling", changes=changes, details=details
        )
    else:
        apply_transition(
            case,
            "record_feedback",
            by=by,
            on=on,
            to="closed",
            changes={"feedback_result": result},
            details=details,
        )
    return feedback


@transaction.atomic
def close_case(case: Case, *, by: Any, on: date | None = None) -> Case:
    """办结 without feedback, once the feedback window has passed."""
    check_actor(by, case, "close")
    on = action_date(case, on)
    window_end = feedback_window_end(case)
    if window_end and on <= window_end:
        raise CaseError(f"征询意见期至{cn_date(window_end)}，期满后方可直接办结，或先登记评价")
    apply_transition(case, "close", by=by, on=on, to="closed", details={"without_feedback": True})
    return case


@transaction.atomic
def reopen_case(case: Case, *, by: Any, reason: str, on: date | None = None) -> Case:
    """重新办理 a closed case: a new round, due one month (the re-handling period) later."""
    check_actor(by, case, "reopen")
    reason = require_text(reason, "reason", "重新办理的理由")
    on = action_date(case, on)
    changes = {"round": case.round + 1, **reply_deadlines(case, on, "rehandle")}
    move_lead_deadline(case, changes)
    apply_transition(
        case,
        "reopen",
        by=by,
        on=on,
        to="handling",
        changes=changes,
        details={"reason": reason, "deadline": changes["deadline"].isoformat()},
    )
    return case
