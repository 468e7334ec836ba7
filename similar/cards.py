"""What the 议提案 cards show of this app: the lead case to merge into (并案), the routing
suggestion at 交办, and how similar earlier cases were answered (提交答复)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cases.models import Case
from similar import index, merging, routing
from similar.queries import similar_for, similar_to_case
from workflow.vocabulary import State

if TYPE_CHECKING:
    from web.action_cards import CardInput

MERGE_OPTIONS = 15
SIMILAR_REPLIES = 3


def _lead_candidates(inp: CardInput) -> list[Any]:
    if "lead_candidates" not in inp.memo:
        case = inp.case
        found = similar_for(
            inp.user, case.title, case.content, limit=MERGE_OPTIONS * 2, exclude={case.pk}
        )
        inp.memo["lead_candidates"] = [
            s
            for s in found
            if s.case.state in merging.LEAD_STATES
            and s.case.merged_into_id is None
            and s.case.category in index.PROPOSAL_CATEGORIES
        ][:MERGE_OPTIONS]
    return list(inp.memo["lead_candidates"])


def merge_options(inp: CardInput) -> list[tuple[str, str]]:
    return [
        (
            str(s.case.pk),
            f"{s.case.year}年第{s.case.number}号 {s.case.title}"
            f"（{s.case.get_state_display()}，相似度{s.percent}%）",
        )
        for s in _lead_candidates(inp)
    ]


def merge_context(inp: CardInput) -> dict[str, Any]:
    return {"candidates": _lead_candidates(inp)}


def assign_suggestion(inp: CardInput) -> routing.Suggestion | None:
    if "routing" not in inp.memo:
        inp.memo["routing"] = routing.suggest(inp.case, inp.topics)
    found: routing.Suggestion | None = inp.memo["routing"]
    return found


def similar_replies(inp: CardInput) -> list[Any]:
    """How the most similar earlier answered cases were answered (the lead unit's first)."""
    case: Case = inp.case
    found = similar_to_case(inp.user, case, limit=SIMILAR_REPLIES * 3, answered_only=True)
    found = [s for s in found if s.reply_head and s.case.state != State.WITHDRAWN]
    found.sort(key=lambda s: (s.case.lead_unit_id != case.lead_unit_id, -s.score))
    return found[:SIMILAR_REPLIES]
