"""The case page's panels of this app (web/panels.py); registered by the AppConfig.

- "proposer_links" (side): the case's links, with 生成链接 / 作废 and the form with its
  QR code; for coordinators on 议提案 cases.
- "proposer_ratings" (main): the ratings through a link that do not count (a joint
  proposer's, or one given after the round was rated); the counted one is the round's
  Feedback, listed with who rated in the page's 代表委员评价.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from audit.record import today
from cases.models import Case
from cases.models.choices import PROPOSAL_CATEGORIES
from huiyin.types import User
from letters.build import feedback_form_available
from portal.models import ProposerLink, ProposerRating
from web.panels import Panel, register_panel
from workflow.vocabulary import Relation

LINKS_SHOWN = 20


def links_context(case: Case, user: User, mine: set[str]) -> dict[str, Any] | None:
    if case.category not in PROPOSAL_CATEGORIES or Relation.COORDINATOR not in mine:
        return None
    members = [(m.position, m.proposer) for m in case.proposer_links.all()]
    members.sort(key=lambda item: item[0])
    links = list(
        ProposerLink.objects.filter(case=case)
        .select_related("proposer")
        .order_by("-id")[:LINKS_SHOWN]
    )
    on = today()
    lead = members[0][1].pk if members else None
    return {
        "case": case,
        "proposers": [p for _, p in members],
        "links": [(link, link.live_on(on)) for link in links],
        # The lead's live link, which printing the form with its QR code revokes.
        "lead_live": next(
            (link for link in links if link.proposer_id == lead and link.live_on(on)), None
        ),
        # Who has a live link now: issuing for them again voids it (the panel says so).
        "live_names": [link.proposer.name for link in links if link.live_on(on)],
        "days": settings.HUIYIN_PROPOSER_LINK_DAYS,
        "form_available": bool(members) and feedback_form_available(case),
    }


def ratings_context(case: Case, user: User, mine: set[str]) -> dict[str, Any] | None:
    if case.category not in PROPOSAL_CATEGORIES:
        return None
    # The counted rating is the round's Feedback, shown (with who rated) in the case page's
    # 代表委员评价: here only the others, kept for reference.
    ratings = list(
        ProposerRating.objects.filter(case=case, counted=False)
        .select_related("proposer")
        .order_by("round", "id")
    )
    if not ratings:
        return None
    return {"ratings": ratings, "rule": settings.HUIYIN_COUNTED_RATING}


register_panel(Panel("proposer_links", "portal/panel_links.html", links_context, slot="side"))
register_panel(Panel("proposer_ratings", "portal/panel_ratings.html", ratings_context, slot="main"))
