"""What the 公开答复 card and the case page's 公开预览 show: the text as it would be
published, with the masked parts marked, and the current decision."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from disclosure.masking import Masked, mask
from disclosure.models import Disclosure, DisclosureMode
from disclosure.queries import current_decision, draft_to_sign, signed_reply

if TYPE_CHECKING:
    from cases.models import Case, Reply
    from web.action_cards import CardInput


def preview(case: Case, reply: Reply | None) -> dict[str, Any] | None:
    """The title and the reply's full text as they would be published."""
    if reply is None:
        return None
    title: Masked = mask(case.title)
    text: Masked = mask(reply.text)
    return {
        "reply": reply,
        "title": title.segments(),
        "lines": text.lines(),
        "count": title.count + text.count,
        "kinds": _kinds(title, text),
    }


def _kinds(*found: Masked) -> list[tuple[str, int]]:
    """How many of each kind were masked (姓名 2、手机号码 1 …)."""
    counts: dict[str, int] = {}
    labels: dict[str, str] = {}
    for masked in found:
        for span in masked.spans:
            counts[span.kind] = counts.get(span.kind, 0) + 1
            labels[span.kind] = span.label
    return [(labels[k], n) for k, n in counts.items()]


def summary_preview(text: str) -> dict[str, Any] | None:
    """A summary as it would be published (摘要公开 masks it like the reply)."""
    if not text.strip():
        return None
    masked = mask(text)
    return {"lines": masked.lines(), "count": masked.count, "kinds": _kinds(masked)}


def decision_facts(found: Disclosure | None) -> dict[str, Any]:
    live_summary = found is not None and found.live and found.summarised
    return {
        "decision": found,
        "is_published": found is not None and found.published,
        "stale": False,
        # The summary the public reads, its masked parts marked.
        "summary": summary_preview(found.summary) if found and live_summary else None,
    }


def _posted_summary(inp: CardInput) -> str:
    value = inp.data.get("summary") if inp.data is not None else None
    return value if isinstance(value, str) else ""


def disclose_context(inp: CardInput) -> dict[str, Any]:
    case = inp.case
    reply = signed_reply(case)
    found = current_decision(case)
    return {
        "preview": preview(case, reply),
        **decision_facts(found),
        # Shown again after a failed submit: the summary typed, as it would be published.
        "posted_summary": summary_preview(_posted_summary(inp)),
        "stale": found is not None
        and found.live
        and reply is not None
        and found.reply_id != reply.pk,
        "modes": [
            (DisclosureMode.FULL, "全文公开", "公开答复全文（个人信息自动遮蔽）"),
            (DisclosureMode.SUMMARY, "摘要公开", "只公开下面填写的摘要（同样自动遮蔽）"),
            (DisclosureMode.NONE, "不公开", "须写明理由，如涉及个人隐私、尚在研究中的事项"),
        ],
    }


def disclose_initial(inp: CardInput) -> dict[str, Any]:
    found = current_decision(inp.case)
    if found is None or not found.live:
        return {"mode": DisclosureMode.FULL}
    return {"mode": found.mode, "summary": found.summary, "reason": found.reason}


def panel_preview(case: Case) -> dict[str, Any] | None:
    """公开预览 on the case page: the signed reply's, or the draft's on its way to signing."""
    reply = signed_reply(case)
    draft = draft_to_sign(case) if reply is None or reply.round < case.round else None
    shown = draft or reply
    if shown is None:
        return None
    found = current_decision(case)
    return {
        "preview": preview(case, shown),
        "is_draft": draft is not None,
        **decision_facts(found),
        "stale": found is not None
        and found.live
        and reply is not None
        and found.reply_id != reply.pk,
    }
