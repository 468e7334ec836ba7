"""Parts of the case page that belong to another app: the proposer's link (portal), the
disclosure (disclosure), the merged and similar cases (similar). Each app registers its
`Panel` once (its AppConfig.ready); the case page shows every panel whose `context`
returns a dict, in registration order, in its slot ("main": the left column, after the
case's own sections; "side": the right column, above the timeline).

A panel's `context(case, user, mine)` receives the case with the page's rows loaded
(web.case_page.load_case_rows) and the user's relations to it; it should read at most a
query or two, and return None when the panel is not for this case or this user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cases.models import Case
    from huiyin.types import User

SLOTS = ("main", "side")


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable[[Case, User, set[str]], dict[str, Any] | None]
    slot: str = "side"


@dataclass(frozen=True)
class ShownPanel:
    key: str
    template: str
    slot: str
    data: dict[str, Any]


_PANELS: dict[str, Panel] = {}


def register_panel(panel: Panel) -> Panel:
    if panel.slot not in SLOTS:
        raise ValueError(f"panel {panel.key}: unknown slot {panel.slot}")
    _PANELS[panel.key] = panel
    return panel


def shown_panels(case: Case, user: User, mine: set[str]) -> dict[str, list[ShownPanel]]:
    """The panels to show, by slot."""
    shown: dict[str, list[ShownPanel]] = {slot: [] for slot in SLOTS}
    for panel in _PANELS.values():
        data = panel.context(case, user, mine)
        if data is not None:
            shown[panel.slot].append(ShownPanel(panel.key, panel.template, panel.slot, data))
    return shown
