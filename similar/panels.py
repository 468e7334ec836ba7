"""The case page's panel of this app (web/panels.py); registered by the AppConfig.

"similar" (side): 并案 both ways (the lead case this one follows, "已并入 … 办理", or the
cases merged into this one; only those the user may see are named, the others counted) and the most similar earlier cases the user may see, with
their replies' beginning. For 议提案 cases; two or three bounded queries and one
in-process similarity search.
"""

from __future__ import annotations

from typing import Any

from cases.models import Case
from cases.permissions import visible_cases
from huiyin.types import User
from orgs.access import standing_of
from similar import index, merging
from similar.queries import merged_ids, similar_to_case
from web.panels import Panel, register_panel

MERGED_SHOWN = 20
SIMILAR_SHOWN = 5


def similar_context(case: Case, user: User, mine: set[str]) -> dict[str, Any] | None:
    """Only the merged cases the user may see are named (cases.permissions.visible_cases);
    the others are counted ("另有2件您无权查看")."""
    if case.category not in index.PROPOSAL_CATEGORIES:
        return None
    sees_all = standing_of(user).sees_all  # the office and the leaders: nothing hidden
    lead = case.merged_into
    if lead is not None and not sees_all:
        if not visible_cases(user, Case.objects.filter(pk=lead.pk), few=True).exists():
            lead = None
    # The cases merged into this one: their ids (most cases have none: no more queries),
    # then those the user may see.
    all_merged = merged_ids(case)
    merged: list[Case] = []
    n_seen = 0
    if all_merged:
        seen = visible_cases(user, Case.objects.filter(pk__in=all_merged), few=True)
        merged = list(seen.select_related("lead_unit").order_by("id")[: MERGED_SHOWN + 1])
        n_seen = len(merged) if len(merged) <= MERGED_SHOWN else seen.count()
    hidden = 0 if sees_all else len(all_merged) - n_seen
    return {
        "case": case,
        "lead": lead,
        "lead_hidden": case.merged_into_id is not None and lead is None,
        "following": merging.following(case),
        "merged": merged[:MERGED_SHOWN],
        "merged_seen": n_seen,
        "merged_hidden": hidden,
        "more_merged": len(merged) > MERGED_SHOWN,
        "similar": similar_to_case(user, case, limit=SIMILAR_SHOWN),
    }


register_panel(Panel("similar", "similar/panel.html", similar_context, slot="side"))
