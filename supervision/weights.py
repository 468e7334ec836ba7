"""The configurable part of the supervision stars (seed 003: 数量、质量、效率): the weights of
the composite score and the minimum number of items a unit needs for the rate-based stars.

They are read from the settings — HUIYIN_STAR_WEIGHTS ({"quantity": 0.3, "quality": 0.4,
"efficiency": 0.3} unless set) and HUIYIN_STAR_MIN_ITEMS (3 unless set) — and checked here,
so that a wrong value is refused with a message in Chinese instead of printing a composite
score that cannot be recomputed by hand. Decimals, not floats: 0.3 × 80 is 24 exactly, as
on paper.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction

from huiyin.errors import DomainError, Forbidden
from huiyin.types import User

PARTS = ("quantity", "quality", "efficiency")
PART_LABELS = {"quantity": "数量", "quality": "质量", "efficiency": "效率"}
DEFAULT_WEIGHTS: dict[str, str] = {"quantity": "0.3", "quality": "0.4", "efficiency": "0.3"}
DEFAULT_MIN_ITEMS = 3
MAX_MIN_ITEMS = 1000
ONE = Decimal(1)
ORIGINS = {
    "console": "系统管理 · 督办评星权重",
    "settings": "配置文件 HUIYIN_STAR_WEIGHTS",
    "default": "系统默认",
}


class WeightsInvalid(DomainError):
    """A configured weight or minimum that cannot be used (the message is in Chinese): the
    pages answer it as any refusal (400 with the message), never with a 500."""

    code = "star_weights_invalid"


@dataclass(frozen=True)
class StarWeights:
    quantity: Decimal
    quality: Decimal
    efficiency: Decimal
    min_items: int
    origin: str = "default"  # where the page says they come from: a key of ORIGINS

    def of(self, part: str) -> Decimal:
        return {"quantity": self.quantity, "quality": self.quality, "efficiency": self.efficiency}[
            part
        ]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: each weight as a number (0.3), the minimum, and the origin."""
        return {
            **{part: float(self.of(part)) for part in PARTS},
            "min_items": self.min_items,
            "origin": self.origin,
            "origin_label": ORIGINS.get(self.origin, self.origin),
        }

    def formula(self) -> str:
        """综合得分 = 数量得分×0.3 + 质量得分×0.4 + 效率得分×0.3"""
        terms = " + ".join(f"{PART_LABELS[p]}得分×{_plain(self.of(p))}" for p in PARTS)
        return f"综合得分 = {terms}"


def _plain(value: Decimal) -> str:
    """0.30 → 0.3, 1.00 → 1: the weight as an office would write it."""
    return format(value.normalize(), "f")


def _weight(raw: Any, part: str) -> Decimal:
    if isinstance(raw, bool):
        raise WeightsInvalid(f"{PART_LABELS[part]}权重应为0到1之间的小数")
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError) as exc:
        raise WeightsInvalid(f"{PART_LABELS[part]}权重应为0到1之间的小数") from exc
    if not value.is_finite() or not 0 <= value <= 1:
        raise WeightsInvalid(f"{PART_LABELS[part]}权重应为0到1之间的小数")
    if value.as_tuple().exponent < -4:  # type: ignore[operator]
        raise WeightsInvalid(f"{PART_LABELS[part]}权重最多四位小数")
    return value


def check_weights(raw: Mapping[str, Any], min_items: Any, origin: str = "settings") -> StarWeights:
    """The weights of `raw` (the three parts, each 0..1, summing to exactly 1) and the
    minimum (a whole number ≥ 1); WeightsInvalid with the reason otherwise."""
    unknown = sorted(set(raw) - set(PARTS))
    if unknown:
        raise WeightsInvalid(
            f"未知的权重项：{'、'.join(unknown)}（应为 quantity、quality、efficiency）"
        )
    values = {part: _weight(raw.get(part, DEFAULT_WEIGHTS[part]), part) for part in PARTS}
    if sum(values.values()) != ONE:
        total = _plain(sum(values.values(), Decimal(0)))
        raise WeightsInvalid(f"数量、质量、效率三项权重之和应为1（现为{total}）")
    if isinstance(min_items, bool) or not isinstance(min_items, int | str):
        raise WeightsInvalid("评星的最低件数应为正整数")
    try:
        minimum = int(str(min_items).strip())
    except ValueError as exc:
        raise WeightsInvalid("评星的最低件数应为正整数") from exc
    if not 1 <= minimum <= MAX_MIN_ITEMS:
        raise WeightsInvalid(f"评星的最低件数应在1到{MAX_MIN_ITEMS}之间")
    return StarWeights(**values, min_items=minimum, origin=origin)


def current_weights() -> StarWeights:
    """The weights and minimum in force: the administrator's (console), else the settings',
    else the defaults."""
    from supervision.models import StarWeightSetting

    row = StarWeightSetting.objects.filter(pk=1).first()
    if row is not None:
        return check_weights(
            {part: getattr(row, part) for part in PARTS},
            row.min_items,
            "console",
        )
    raw = getattr(settings, "HUIYIN_STAR_WEIGHTS", None)
    minimum = getattr(settings, "HUIYIN_STAR_MIN_ITEMS", None)
    origin = "settings" if raw is not None or minimum is not None else "default"
    if raw is not None and not isinstance(raw, Mapping):
        raise WeightsInvalid("HUIYIN_STAR_WEIGHTS 应为 {quantity, quality, efficiency} 三项权重")
    return check_weights(
        raw if raw is not None else DEFAULT_WEIGHTS,
        minimum if minimum is not None else DEFAULT_MIN_ITEMS,
        origin,
    )


@transaction.atomic
def set_star_weights(
    *, by: User, quantity: Any, quality: Any, efficiency: Any, min_items: Any
) -> StarWeights:
    """The administrator sets the weights (checked as any: they sum to 1); one audit event
    with the old and the new values. The stars of any period are computed with them."""
    from audit.record import record_event
    from orgs.access import standing_of
    from orgs.models import Role
    from supervision.models import StarWeightSetting

    if not standing_of(by).has(Role.ADMIN):
        raise WeightsForbidden("只有系统管理员可以设置督办评星权重")
    weights = check_weights(
        {"quantity": quantity, "quality": quality, "efficiency": efficiency}, min_items, "console"
    )
    old = current_weights()
    StarWeightSetting.objects.update_or_create(
        pk=1,
        defaults={
            **{part: weights.of(part) for part in PARTS},
            "min_items": weights.min_items,
            "updated_by": by,
        },
    )
    record_event(
        actor=by,
        action="star_weights",
        subject="督办评星权重",
        details={"old": old.as_dict(), "new": weights.as_dict()},
    )
    return weights


class WeightsForbidden(WeightsInvalid, Forbidden):
    """Someone other than an administrator (the page answers 403)."""
