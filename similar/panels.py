"""The case page's panel of this app (web/panels.py); registered by the AppConfig.

"similar" (side): 并案 both ways (the lead case this one follows, "已并入 … 办理", or the
cases merged into this one) and the most similar earlier cases the user may see, with
their replies' beginning. For 议提案 cases; two or three bounded queries and one
in-process similarity search.
"""

from __future__ import annotations

from typing import Any

from cases.models import Case
from huiyin.types import User
from similar import index, merging
from similar.queries import similar_to_case
from web.panels import Panel, register_panel

MERGED_SHOWN = 20
SIMILAR_SHOWN = 5


def similar_context(case: Case, user: User, mine: set[str]) -> dict[str, Any] | None:
    if case.category not in index.PROPOSAL_CATEGORIES:
        return None
    lead = case.merged_into
    merged = list(case.merged_cases.select_related("lead_unit").order_by("id")[: MERGED_SHOWN + 1])
    return {
        "case": case,
        "lead": lead,
        "following": merging.following(case),
        "merged": merged[:MERGED_SHOWN],
        "more_merged": len(merged) > MERGED_SHOWN,
        "similar": similar_to_case(user, case, limit=SIMILAR_SHOWN),
    }


register_panel(Panel("similar", "similar/panel.html", similar_context, slot="side"))
