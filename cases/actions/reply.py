"""答复: draft, unit approval, the four-gate review, signing."""

from datetime import date
from typing import Any

from django.db import transaction

from cases.actions.common import action_date, lock_and_check, require_text
from cases.actions.validation import check_reply
from cases.models import (
    Case,
    Commitment,
    Reply,
    ReplyStatus,
)
from cases.models import Role as CaseRole
from huiyin.types import User
from letters.actions import take_number
from letters.models import LetterKind
from workflow.engine import apply_transition
from workflow.errors import CaseError
from workflow.vocabulary import Action, Relation, State

REVIEW_GATES = {
    "format": "答复格式",
    "policy": "政策法规",
    "content": "答复内容",
    "resolution": "解决问题",
}


def current_reply(case: Case, status: str) -> Reply:
    reply = case.replies.filter(round=case.round, status=status).order_by("-id").first()
    if reply is None:
        raise CaseError("没有找到待处理的答复稿")
    return reply


@transaction.atomic
def submit_reply(
    case: Case,
    *,
    by: User,
    text: str,
    reply_class: str = "",
    contact: str,
    phone: str,
    commitments: list[dict[str, Any]] | None = None,
    on: date | None = None,
) -> Reply:
    """提交答复: a handler's draft goes to the unit head; a unit head's goes to review."""
    mine = lock_and_check(by, case, Action.SUBMIT_REPLY)
    text = require_text(text, "text", "答复内容")
    contact = require_text(contact, "contact", "联系人")
    phone = require_text(phone, "phone", "联系电话")
    on = action_date(case, on)
    reply_class, promised = check_reply(
        role=case.role, reply_class=reply_class, commitments=commitments, on=on
    )
    to = State.REVIEWING if Relation.LEAD_HEAD in mine else State.UNIT_APPROVING
    reply = Reply.objects.create(
        case=case,
        round=case.round,
        text=text,
        reply_class=reply_class,
        contact=contact,
        phone=phone,
        status=to,
        submitted_on=on,
        submitted_by=by,
    )
    Commitment.objects.bulk_create(
        Commitment(case=case, reply=reply, unit=case.lead_unit, what=what, due=due)
        for what, due in promised
    )
    apply_transition(
        case,
        Action.SUBMIT_REPLY,
        by=by,
        on=on,
        to=to,
        details={"reply": reply.pk, "reply_class": reply_class, "commitments": len(promised)},
    )
    return reply


def _decide(
    case: Case,
    *,
    action: str,
    by: User,
    on: date,
    approved: bool,
    comment: str,
    reply_status: str,
    forward_to: str,
    forward_status: str,
    extra: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
    noted: dict[str, Any] | None = None,
) -> Reply:
    """The shared shape of approve_reply, review and sign: forward, or send back with a reason.
    `extra` goes into the reply's review and the audit event, `noted` into the event only."""
    comment = (comment or "").strip()
    if not approved and not comment:
        raise CaseError("退回修改时请填写意见", field="comment")
    reply = current_reply(case, reply_status)
    reply.status = forward_status if approved else ReplyStatus.SENT_BACK
    reply.review = {
        **reply.review,
        action: {
            "approved": bool(approved),
            "comment": comment,
            "on": on.isoformat(),
            **(extra or {}),
        },
    }
    # (the column's name is the action's: spelled once, by the model)
    reply.save(update_fields=["status", Reply.review.field.name])
    apply_transition(
        case,
        action,
        by=by,
        on=on,
        to=forward_to if approved else State.HANDLING,
        changes=changes if approved else None,
        details={
            "reply": reply.pk,
            "approved": bool(approved),
            "comment": comment,
            **(extra or {}),
            **(noted or {}),
        },
    )
    return reply


@transaction.atomic
def approve_reply(
    case: Case, *, by: User, approved: bool, comment: str = "", on: date | None = None
) -> Reply:
    """处室审核: the unit head forwards the handler's draft to review or sends it back."""
    lock_and_check(by, case, Action.APPROVE_REPLY)
    on = action_date(case, on)
    return _decide(
        case,
        action=Action.APPROVE_REPLY,
        by=by,
        on=on,
        approved=approved,
        comment=comment,
        reply_status=ReplyStatus.UNIT_APPROVING,
        forward_to=State.REVIEWING,
        forward_status=ReplyStatus.REVIEWING,
    )


@transaction.atomic
def review_reply(
    case: Case,
    *,
    by: User,
    passed: bool,
    comment: str = "",
    gates: dict[str, bool] | None = None,
    gate_comments: dict[str, str] | None = None,
    on: date | None = None,
) -> Reply:
    """审核 (四关): format, policy, content, resolution. Passing sends it to be signed.

    Each gate may carry its own remark; a failed gate needs one, or the overall comment.
    Sent back with remarks on the failed gates only, those remarks make the comment."""
    lock_and_check(by, case, Action.REVIEW)
    on = action_date(case, on)
    gates = dict(gates or {})
    remarks = {g: (text or "").strip() for g, text in (gate_comments or {}).items()}
    remarks = {g: text for g, text in remarks.items() if text}
    unknown = (set(gates) | set(remarks)) - set(REVIEW_GATES)
    if unknown:
        raise CaseError(f"未知的审核项：{'、'.join(sorted(unknown))}", field="gates")
    failed = [g for g, ok in gates.items() if not ok]
    if passed and failed:
        labels = "、".join(REVIEW_GATES[g] for g in failed)
        raise CaseError(f"“{labels}”未通过，不能送签发", field="gates")
    if passed and gates and len(gates) < len(REVIEW_GATES):
        missing = [label for g, label in REVIEW_GATES.items() if g not in gates]
        raise CaseError(f"请逐项审核：{'、'.join(missing)}", field="gates")
    comment = (comment or "").strip()
    if not passed and not comment:
        unexplained = [REVIEW_GATES[g] for g in failed if g not in remarks]
        if failed and unexplained:
            raise CaseError(f"请说明“{'、'.join(unexplained)}”未通过的理由", field="gates")
        comment = "；".join(f"{REVIEW_GATES[g]}：{remarks[g]}" for g in failed)
    extra: dict[str, Any] = {}
    if gates:
        extra["gates"] = gates
    if remarks:
        # In the gates' own order, whatever order they were sent in.
        extra["gate_comments"] = {g: remarks[g] for g in REVIEW_GATES if g in remarks}
    return _decide(
        case,
        action=Action.REVIEW,
        by=by,
        on=on,
        approved=passed,
        comment=comment,
        reply_status=ReplyStatus.REVIEWING,
        forward_to=State.SIGNING,
        forward_status=ReplyStatus.SIGNING,
        extra=extra or None,
    )


@transaction.atomic
def sign_reply(
    case: Case, *, by: User, approved: bool, comment: str = "", on: date | None = None
) -> Reply:
    """签发: the leader signs; its date is the reply date. A 会办 opinion closes the case."""
    lock_and_check(by, case, Action.SIGN)
    on = action_date(case, on)
    reply = current_reply(case, ReplyStatus.SIGNING)
    noted = None
    if approved:
        # The 文号 is taken here, in this transaction: a refused signing gives it back.
        number = take_number(LetterKind.REPLY, on=on, by=by, reply=reply)
        reply.signed_on, reply.signed_by, reply.doc_number = on, by, number.text
        reply.save(update_fields=["signed_on", "signed_by", "doc_number"])
        noted = {"doc_number": number.text or f"{number.year}年第{number.number}号"}
    return _decide(
        case,
        action=Action.SIGN,
        by=by,
        on=on,
        approved=approved,
        comment=comment,
        reply_status=ReplyStatus.SIGNING,
        forward_to=State.CLOSED if case.role == CaseRole.CO else State.REPLIED,
        forward_status=ReplyStatus.SIGNED,
        noted=noted,
        changes={"replied_on": on, "reply_class": reply.reply_class, "feedback_result": ""},
    )
