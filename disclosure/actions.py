"""公开答复 and 撤回公开: the only writes of the disclosure app. Each locks the case, checks
the actor and the state (the table in proposals/spec.py, entries from disclosure/spec.py)
and writes one audit event."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction

from cases.actions.common import action_date, lock_and_check, require_text
from cases.models import Case
from disclosure.masking import mask
from disclosure.models import Disclosure, DisclosureMode
from disclosure.queries import live_decision, signed_reply
from workflow.engine import apply_transition
from workflow.errors import CaseError
from workflow.vocabulary import Action

if TYPE_CHECKING:
    from huiyin.types import User
else:
    User = Any

REPLACED = "已重新决定公开方式"
NOT_SIGNED = "答复签发后才能决定是否公开"
NOTHING_PUBLISHED = "本件没有正在公开的答复"


def _withdraw(found: Disclosure, *, by: User, on: date, reason: str) -> None:
    found.withdrawn_on = on
    found.withdrawn_by = by
    found.withdraw_reason = reason
    found.save(update_fields=["withdrawn_on", "withdrawn_by", "withdraw_reason"])


@transaction.atomic
def disclose(
    case: Case,
    *,
    by: User,
    mode: str,
    summary: str = "",
    reason: str = "",
    on: date | None = None,
) -> Disclosure:
    """公开答复: publish the signed reply at once (全文: its text; 摘要: the summary), masked,
    or decide not to publish it (不公开, with a reason). A previous decision is withdrawn."""
    lock_and_check(by, case, Action.DISCLOSE)
    on = action_date(case, on)
    reply = signed_reply(case)
    if reply is None or reply.signed_on is None:
        raise CaseError(NOT_SIGNED)
    if mode not in DisclosureMode.values:
        raise CaseError("公开方式无效", field="mode")
    summary = require_text(summary, "summary", "公开摘要") if mode == DisclosureMode.SUMMARY else ""
    reason = require_text(reason, "reason", "不公开的理由") if mode == DisclosureMode.NONE else ""
    title = mask(case.title) if mode != DisclosureMode.NONE else None
    bodies: dict[str, str] = {DisclosureMode.FULL: reply.text, DisclosureMode.SUMMARY: summary}
    body = bodies.get(mode)
    text = mask(body) if body is not None else None
    previous = live_decision(case, fresh=True)
    if previous is not None:
        _withdraw(previous, by=by, on=on, reason=REPLACED)
    found = Disclosure.objects.create(
        case=case,
        reply=reply,
        mode=mode,
        summary=summary,
        reason=reason,
        published_title=title.text if title else "",
        published_text=text.text if text else "",
        masked_count=(title.count if title else 0) + (text.count if text else 0),
        year=case.year,
        category=case.category,
        replied_on=reply.signed_on,
        decided_on=on,
        decided_by=by,
    )
    details: dict[str, Any] = {
        "disclosure": found.pk,
        "mode": mode,
        "round": reply.round,
        "masked_count": found.masked_count,
    }
    if previous is not None:
        details["replaced"] = previous.pk
    if reason:
        details["reason"] = reason
    apply_transition(case, Action.DISCLOSE, by=by, on=on, details=details)
    return found


@transaction.atomic
def withdraw_disclosure(case: Case, *, by: User, reason: str, on: date | None = None) -> Disclosure:
    """撤回公开: the published reply leaves the public page at once (a 404 from then on)."""
    lock_and_check(by, case, Action.WITHDRAW_DISCLOSURE)
    on = action_date(case, on)
    reason = require_text(reason, "reason", "撤回理由")
    found = live_decision(case, fresh=True)
    if found is None or not found.published:
        raise CaseError(NOTHING_PUBLISHED)
    _withdraw(found, by=by, on=on, reason=reason)
    apply_transition(
        case,
        Action.WITHDRAW_DISCLOSURE,
        by=by,
        on=on,
        details={"disclosure": found.pk, "mode": found.mode, "reason": reason},
    )
    return found
