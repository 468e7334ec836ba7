"""The case page's panel of this app (web/panels.py); registered by the AppConfig.

"disclosure" (main): 公开预览 for the coordinator and the leaders, once a reply is on its
way to signing or signed: the title and the reply as they would be published, the masked
parts marked, and the current decision (公开方式, date, the public page; or 不公开 and
why). One query (the case's decision); the replies are the page's.
"""

from __future__ import annotations

from typing import Any

from cases.models import Case
from cases.models.choices import PROPOSAL_CATEGORIES
from disclosure.cards import panel_preview
from huiyin.types import User
from web.panels import Panel, register_panel
from workflow.vocabulary import Relation

READERS: frozenset[str] = frozenset({Relation.COORDINATOR, Relation.LEADER})


def disclosure_context(case: Case, user: User, mine: set[str]) -> dict[str, Any] | None:
    if case.category not in PROPOSAL_CATEGORIES or not (READERS & mine):
        return None
    found = panel_preview(case)
    if found is None:
        return None
    return {"case": case, **found, "can_decide": Relation.COORDINATOR in mine}


register_panel(Panel("disclosure", "disclosure/panel.html", disclosure_context, slot="main"))
