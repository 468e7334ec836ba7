"""The list rules a commission may set (settings.HUIYIN_LIST_RULES), with their defaults.

- `behind_margin`: percentage points by which the share of working days used may run
  ahead of the progress reported before an item or measure is 滞后 (20);
- `approaching_workdays`: working days before a deadline from which the 红黄蓝绿 palette
  shows 蓝 (5);
- `lights`: the palette, `status` (未开始/正常/滞后/逾期) or `colours` (红黄蓝绿, as the
  督查督办's);
- `weighted`: roll an item's progress up from its measures by their weights (True), or
  count every measure alike (False).
"""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "behind_margin": 20,
    "approaching_workdays": 5,
    "lights": "status",
    "weighted": True,
}
PALETTES = ("status", "colours")


def rule(name: str) -> Any:
    configured = getattr(settings, "HUIYIN_LIST_RULES", None) or {}
    return configured.get(name, DEFAULTS[name])


def behind_margin() -> int:
    return int(rule("behind_margin"))


def approaching_workdays() -> int:
    return int(rule("approaching_workdays"))


def palette() -> str:
    chosen = str(rule("lights"))
    return chosen if chosen in PALETTES else "status"


def weighted() -> bool:
    return bool(rule("weighted"))
