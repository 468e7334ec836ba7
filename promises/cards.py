"""The case page's 更新承诺事项 card (proposals/spec.py names these): the promises to pick
from, still-open ones first, and each one's history beside the form."""

from __future__ import annotations

from typing import Any

from cases.actions.handling import SETTLED
from cases.models import COMMITMENT_OPEN, Commitment, CommitmentStatus, ReplyStatus
from huiyin.formats import cn_date


def _commitments(case: Any) -> list[Commitment]:
    """The case's promises as the case page loaded them (web.case_page.load_case_rows),
    without those of a sent-back draft or cancelled."""
    found = []
    replies = {r.pk: r for r in case.replies.all()}
    for c in case.commitments.all():
        reply = replies.get(c.reply_id)
        if c.status == CommitmentStatus.CANCELLED:
            continue
        if reply is not None and reply.status == ReplyStatus.SENT_BACK:
            continue
        found.append(c)
    return found


def commitment_options(inp: Any) -> list[tuple[str, str]]:
    """Open promises first (by due date), then the settled ones (a judgement may be
    corrected)."""
    found = _commitments(inp.case)
    ordered = [c for c in found if c.status in COMMITMENT_OPEN] + [
        c for c in found if c.status in SETTLED
    ]
    return [
        (str(c.pk), f"{c.what}（{cn_date(c.due)}前，{c.get_status_display()}）") for c in ordered
    ]


def commitment_context(inp: Any) -> dict[str, Any]:
    """Each promise with its notes, oldest first (the history the update adds to)."""
    return {"commitments": _commitments(inp.case)}
