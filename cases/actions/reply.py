"""答复: draft, unit approval, the four-gate review, signing."""

from datetime import date
from typing import Any

from django.db import transaction

from cases.actions.common import action_date, check_actor, require_text
from cases.models import (
    Case,
    Commitment,
    Reply,
    ReplyClass,
    ReplyStatus,
)
from cases.models import Role as CaseRole
from cases.models.choices import CLASSES_NEEDING_COMMITMENTS
from workflow.engine import apply_transition
from workflow.errors import CaseError

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


def _clean_commitments(items: list[dict[str, Any]] | None, on: date) -> list[tuple[str, date]]:
    cleaned = []
    for i, item in enumerate(items or [], start=1):
        what = (item.get("what") or "").strip()
        due = item.get("due")
        if not what:
            raise CaseError(f"第{i}项承诺事项：请填写承诺内容", field="commitments")
        if not isinstance(due, date):
            raise CaseError(f"第{i}项承诺事项：请填写完成时间", field="commitments")
        if due < on:
            raise CaseError(f"第{i}项承诺事项：完成时间不能早于答复日期", field="commitments")
        cleaned.append((what, due))
    return cleaned


@transaction.atomic
def submit_reply(
    case: Case,
    *,
    by: Any,
    text: str,
    reply_class: str = "",
    contact: str,
    phone: str,
    commitments: list[dict[str, Any]] | None = None,
    on: date | None = None,
) -> Reply:
    """提交答复: a handler's draft goes to the unit head; a unit head's goes to review."""
    mine = check_actor(by, case, "submit_reply")
    text = require_text(text, "text", "答复内容")
    contact = require_text(contact, "contact", "联系人")
    phone = require_text(phone, "phone", "联系电话")
    on = action_date(case, on)
    reply_class = (reply_class or "").strip().upper()
    if case.role == CaseRole.CO:
        if reply_class:
            raise CaseError("会办意见不分答复类别", field="reply_class")
        if commitments:
            raise CaseError("会办意见不登记承诺事项", field="commitments")
    elif reply_class not in ReplyClass.values:
        raise CaseError("请选择答复类别（A、B、C、D）", field="reply_class")
    promised = _clean_commitments(commitments, on)
    if reply_class in CLASSES_NEEDING_COMMITMENTS and not promised:
        raise CaseError(f"{reply_class}类答复须列明承诺事项及完成时间", field="commitments")
    if reply_class and reply_class not in CLASSES_NEEDING_COMMITMENTS and promised:
        raise CaseError(f"{reply_class}类答复不登记承诺事项", field="commitments")
    to = "reviewing" if "lead_head" in mine else "unit_approving"
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
        Commitment(case=case, reply=reply, what=what, due=due) for what, due in promised
    )
    apply_transition(
        case,
        "submit_reply",
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
    by: Any,
    on: date,
    approved: bool,
    comment: str,
    reply_status: str,
    forward_to: str,
    forward_status: str,
    extra: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
) -> Reply:
    """The shared shape of approve_reply, review and sign: forward, or send back with a reason."""
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
    reply.save(update_fields=["status", "review"])
    apply_transition(
        case,
        action,
        by=by,
        on=on,
        to=forward_to if approved else "handling",
        changes=changes if approved else None,
        details={
            "reply": reply.pk,
            "approved": bool(approved),
            "comment": comment,
            **(extra or {}),
        },
    )
    return reply


@transaction.atomic
def approve_reply(
    case: Case, *, by: Any, approved: bool, comment: str = "", on: date | None = None
) -> Reply:
    """处室审核: the unit head forwards the handler's draft to review or sends it back."""
    check_actor(by, case, "approve_reply")
    on = action_date(case, on)
    return _decide(
        case,
        action="approve_reply",
        by=by,
        on=on,
        approved=approved,
        comment=comment,
        reply_status=ReplyStatus.UNIT_APPROVING,
        forward_to="reviewing",
        forward_status=ReplyStatus.REVIEWING,
    )


@transaction.atomic
def review_reply(
    case: Case,
    *,
    by: Any,
    passed: bool,
    comment: str = "",
    gates: dict[str, bool] | None = None,
    gate_comments: dict[str, str] | None = None,
    on: date | None = None,
) -> Reply:
    """审核 (四关): format, policy, content, resolution. Passing sends it to be signed.

    Each gate may carry its own remark; a failed gate needs one, or the overall comment.
    Sent back with remarks on the failed gates only, those remarks make the comment."""
    check_actor(by, case, "review")
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
        action="review",
        by=by,
        on=on,
        approved=passed,
        comment=comment,
        reply_status=ReplyStatus.REVIEWING,
        forward_to="signing",
        forward_status=ReplyStatus.SIGNING,
        extra=extra or None,
    )


@transaction.atomic
def sign_reply(
    case: Case, *, by: Any, approved: bool, comment: str = "", on: date | None = None
) -> Reply:
    """签发: the leader signs; its date is the reply date. A 会办 opinion closes the case."""
    check_actor(by, case, "sign")
    on = action_date(case, on)
    reply = current_reply(case, ReplyStatus.SIGNING)
    if approved:
        reply.signed_on, reply.signed_by = on, by
        reply.save(update_fields=["signed_on", "signed_by"])
    return _decide(
        case,
        action="sign",
        by=by,
        on=on,
        approved=approved,
        comment=comment,
        reply_status=ReplyStatus.SIGNING,
        forward_to="closed" if case.role == CaseRole.CO else "replied",
        forward_status=ReplyStatus.SIGNED,
        changes={"replied_on": on, "reply_class": reply.reply_class, "feedback_result": ""},
    )
