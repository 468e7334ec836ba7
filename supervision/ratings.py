"""督查督办 ratings and stars (seed 003: 从办件数量、质量、效率三方面对办件处室进行综合评估 …
定期评选综合之星、优秀之星、数量之星、效率之星), for a month, a quarter or a year.

What is counted — every figure "as it stands today", as the other statistics:
- completed (办结): the items whose completion report the office checked in the period
  (Supervision.checked_on in the period, with a timing): its lead unit "handled" them.
  `closed` (已销号) are those the leader in charge has since rated; the others await the
  rating. A 阶段性办结 counts as handled with the timing 部分完成; when its final report is
  checked later it moves to that later period with its final timing.
- timing: 提前 / 按时 / 逾期 / 部分完成 (computed at the check, supervision.light.timing_of);
  按时办结率 = (提前 + 按时) ÷ completed, 提前办结率 = 提前 ÷ completed.
- quality: 优秀 / 良好 / 一般 / 差 of the rated ones; `unrated` await the rating.
- received: items registered in the period (received_on), by source, urgency, state now.
- overdue_open: running items (待交办, 已交办, 办理中) past their deadline on `as_of`.

The transparent score of a unit (each sub-score 0–100, rounded to two decimals, and the
composite computed from the rounded sub-scores, so the page's numbers recompute by hand):
- 数量得分 = the unit's closed items ÷ the most closed items of any unit × 100;
- 质量得分 = the average of 优秀 100, 良好 80, 一般 60, 差 0 over its rated items;
- 效率得分 = the average of 提前 100, 按时 90, 部分完成 60, 逾期 40 over its completed items;
- 综合得分 = Σ weight × sub-score (supervision.weights; a sub-score with nothing to
  average — no rated item yet — counts 0).

Stars (ties: every tied unit gets the star):
- 数量之星: the most closed items (at least one);
- 效率之星: the best 按时办结率 (提前+按时 ÷ completed, compared as exact fractions) among
  units with at least the minimum number of completed items;
- 优秀之星: the best 质量得分 among units with at least the minimum number of rated items;
- 综合之星: the best 综合得分 among units with at least the minimum number of completed
  items. A star whose best value is 0 is not awarded.

Scores and stars are always computed over the whole commission (a unit is compared with
every unit); a unit head sees only their own units' rows and stars. Queries: the user's
standing (a unit head's), the completed items grouped by unit × source × urgency × timing
× quality × state, the received items by source × urgency × state × unit, the overdue items
by unit × source × urgency, the units' names: at most five, whatever the number of items.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django.db.models import Count

from audit.record import today
from cases.models import Case
from cases.models.choices import Category
from huiyin.periods import Period
from orgs.access import standing_of
from orgs.models import Unit
from supervision.models import Quality, Source, Supervision, Timing, Urgency
from supervision.spec import RUNNING, SUPERVISION_STATES
from supervision.weights import PART_LABELS, PARTS, StarWeights, current_weights
from workflow.errors import ActionForbidden
from workflow.vocabulary import State

if TYPE_CHECKING:
    from huiyin.types import AnyUser

NO_STATS = "只有督办管理员（办公室）、委领导、查阅人员和处室负责人可以查看督查督办统计"

QUALITY_POINTS: dict[str, int] = {
    Quality.EXCELLENT: 100,
    Quality.GOOD: 80,
    Quality.FAIR: 60,
    Quality.POOR: 0,
}
TIMING_POINTS: dict[str, int] = {
    Timing.EARLY: 100,
    Timing.ON_TIME: 90,
    Timing.PARTIAL: 60,
    Timing.LATE: 40,
}
TIMINGS = (Timing.EARLY, Timing.ON_TIME, Timing.LATE, Timing.PARTIAL)
QUALITIES = (Quality.EXCELLENT, Quality.GOOD, Quality.FAIR, Quality.POOR)
TIMING_LABELS = {str(code): str(label) for code, label in Timing.choices}
QUALITY_LABELS = {str(code): str(label) for code, label in Quality.choices}
SOURCE_LABELS = {str(code): str(label) for code, label in Source.choices}
URGENCY_LABELS = {str(code): str(label) for code, label in Urgency.choices}
ON_TIME = (Timing.EARLY, Timing.ON_TIME)
CENT = Decimal("0.01")
HUNDRED = Decimal(100)

STAR_LABELS = {
    "composite": "综合之星",
    "excellent": "优秀之星",
    "quantity": "数量之星",
    "efficiency": "效率之星",
}


# ── scope ────────────────────────────────────────────────────────────────────────────────


def may_see_supervision_stats(user: AnyUser | None) -> bool:
    standing = standing_of(user)
    return standing.sees_all or bool(standing.head_of)


def scope_units(user: AnyUser | None) -> frozenset[int] | None:
    """None: the whole commission (commission roles; `user` None is the command line); a
    unit head: the units they head. ActionForbidden for anyone else (handlers too)."""
    if user is None:
        return None
    standing = standing_of(user)
    if standing.sees_all:
        return None
    if standing.head_of:
        return standing.head_of
    raise ActionForbidden(NO_STATS)


# ── arithmetic ───────────────────────────────────────────────────────────────────────────


def rate(numerator: int, denominator: int) -> dict[str, Any]:
    """{numerator, denominator, rate}: printed as 75.0%（3/4）."""
    return {
        "numerator": numerator,
        "denominator": denominator,
        "rate": None if denominator == 0 else round(numerator / denominator, 4),
    }


def cents(value: Decimal | Fraction) -> Decimal:
    """Rounded half up to two decimals (86.665 → 86.67), as by hand."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _average(points: dict[str, int], counts: dict[str, int]) -> Decimal | None:
    total = sum(counts.get(code, 0) for code in points)
    if total == 0:
        return None
    return cents(Fraction(sum(points[code] * counts.get(code, 0) for code in points), total))


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def shown(value: Decimal | float | None) -> str:
    """86.67 / 87.5 / 100 / —: a score as the page prints it (no trailing zeros)."""
    if value is None:
        return "—"
    text = format(Decimal(str(value)).quantize(CENT), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# ── the queries ──────────────────────────────────────────────────────────────────────────


def _completed(period: Period) -> Any:
    return Supervision.objects.filter(
        checked_on__gte=period.start, checked_on__lte=period.end
    ).exclude(timing="")


def _scoped(qs: Any, units: frozenset[int] | None, field: str) -> Any:
    return qs if units is None else qs.filter(**{f"{field}__in": sorted(units)})


def completed_rows(period: Period) -> list[dict[str, Any]]:
    """(lead unit, source, urgency, timing, quality, state) → n of the items checked in the
    period, over the whole commission: one scan gives both the units' tallies and the
    breakdowns by source and urgency (a few thousand groups at most)."""
    return list(
        _completed(period)
        .values("case__lead_unit", "source", "urgency", "timing", "quality", "case__state")
        .annotate(n=Count("pk"))
        .order_by()
    )


def received_rows(period: Period, units: frozenset[int] | None) -> list[dict[str, Any]]:
    """(source, urgency, state, lead unit) → n of the items registered in the period."""
    qs = Supervision.objects.filter(
        case__received_on__gte=period.start, case__received_on__lte=period.end
    )
    qs = _scoped(qs, units, "case__lead_unit")
    return list(
        qs.values("source", "urgency", "case__state", "case__lead_unit")
        .annotate(n=Count("pk"))
        .order_by()
    )


def overdue_rows(as_of: date, units: frozenset[int] | None) -> list[dict[str, Any]]:
    """(lead unit, source, urgency) → n of the running items past their deadline on `as_of`
    (the cases' (state, deadline) index)."""
    qs = Case.objects.filter(
        category=Category.SUPERVISION, state__in=list(RUNNING), deadline__lt=as_of
    )
    qs = _scoped(qs, units, "lead_unit")
    return list(
        qs.values("lead_unit", "supervision__source", "supervision__urgency")
        .annotate(n=Count("pk"))
        .order_by()
    )


# ── per unit ─────────────────────────────────────────────────────────────────────────────


@dataclass
class Tally:
    """One unit's completed items: by timing, by quality, closed."""

    timing: dict[str, int]
    quality: dict[str, int]
    closed: int = 0

    @classmethod
    def empty(cls) -> Tally:
        return cls(dict.fromkeys(TIMINGS, 0), dict.fromkeys([*QUALITIES, ""], 0))

    def add(self, row: dict[str, Any]) -> None:
        n = row["n"]
        self.timing[row["timing"]] = self.timing.get(row["timing"], 0) + n
        self.quality[row["quality"]] = self.quality.get(row["quality"], 0) + n
        if row["case__state"] == State.CLOSED:
            self.closed += n

    @property
    def completed(self) -> int:
        return sum(self.timing.values())

    @property
    def rated(self) -> int:
        return sum(self.quality.get(q, 0) for q in QUALITIES)

    @property
    def on_time(self) -> int:
        return sum(self.timing.get(t, 0) for t in ON_TIME)


def _tallies(rows: Iterable[dict[str, Any]]) -> dict[int | None, Tally]:
    found: dict[int | None, Tally] = {}
    for row in rows:
        unit = row["case__lead_unit"]
        if unit not in found:
            found[unit] = Tally.empty()
        found[unit].add(row)
    return found


def _scores(t: Tally, most_closed: int, weights: StarWeights) -> dict[str, Any]:
    quantity = cents(Fraction(t.closed * 100, most_closed)) if most_closed else Decimal("0.00")
    quality = _average(QUALITY_POINTS, t.quality)
    efficiency = _average(TIMING_POINTS, t.timing)
    parts = {"quantity": quantity, "quality": quality, "efficiency": efficiency}
    composite = cents(sum((weights.of(p) * (parts[p] or Decimal(0)) for p in PARTS), Decimal(0)))
    working = " + ".join(f"{shown(parts[p] or 0)}×{shown_weight(weights.of(p))}" for p in PARTS)
    return {
        **{p: _number(v) for p, v in parts.items()},
        "composite": float(composite),
        "working": f"{working} = {shown(composite)}",
    }


def shown_weight(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _unit_row(unit: Unit, t: Tally, most_closed: int, weights: StarWeights) -> dict[str, Any]:
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "received": 0,
        "overdue_open": 0,
        "completed": t.completed,
        "closed": t.closed,
        "awaiting_rating": t.completed - t.closed,
        "timing": {str(k): t.timing.get(k, 0) for k in TIMINGS},
        "quality": {
            **{str(k): t.quality.get(k, 0) for k in QUALITIES},
            "rated": t.rated,
            "unrated": t.quality.get("", 0),
        },
        "rates": {
            "on_time": rate(t.on_time, t.completed),
            "early": rate(t.timing.get(Timing.EARLY, 0), t.completed),
        },
        "scores": _scores(t, most_closed, weights),
    }


# ── stars ────────────────────────────────────────────────────────────────────────────────


Candidate = tuple[dict[str, Any], Any, str, str]


def _award(code: str, rule: str, candidates: list[Candidate], empty: str) -> dict[str, Any]:
    """The best value among (row, comparable value, printed value, the value in words);
    every tied unit wins."""
    positive = [c for c in candidates if c[1] > 0]
    star: dict[str, Any] = {
        "code": code,
        "label": STAR_LABELS[code],
        "rule": rule,
        "candidates": len(candidates),
        "winners": [],
        "tied": False,
        "note": "",
    }
    if not positive:
        star["note"] = empty
        return star
    best = max(c[1] for c in positive)
    star["winners"] = [
        {"code": row["code"], "name": row["name"], "value": text, "phrase": phrase}
        for row, value, text, phrase in positive
        if value == best
    ]
    winners = star["winners"]
    star["tied"] = len(winners) > 1
    if star["tied"]:
        star["note"] = f"{len(winners)}个单位并列，均授予{STAR_LABELS[code]}"
    return star


def stars(rows: list[dict[str, Any]], weights: StarWeights) -> list[dict[str, Any]]:
    """综合之星、优秀之星、数量之星、效率之星, in the seed's order, from the unit rows of the
    whole commission."""
    n = weights.min_items
    enough = [r for r in rows if r["completed"] >= n]
    rated = [r for r in rows if r["quality"]["rated"] >= n]
    composite: list[Candidate] = []
    for r in enough:
        value = shown(r["scores"]["composite"])
        composite.append((r, Decimal(str(r["scores"]["composite"])), value, f"综合得分{value}分"))
    excellent: list[Candidate] = []
    for r in rated:
        value = shown(r["scores"]["quality"])
        excellent.append((r, Decimal(str(r["scores"]["quality"])), value, f"质量得分{value}分"))
    quantity: list[Candidate] = [
        (r, r["closed"], f"{r['closed']}件", f"销号{r['closed']}件") for r in rows
    ]
    efficiency: list[Candidate] = []
    for r in enough:
        on_time = r["rates"]["on_time"]
        efficiency.append(
            (r, Fraction(on_time["numerator"], r["completed"]), rate_text(on_time),
             f"按时办结率{percent(on_time)}，{r['completed']}件中{on_time['numerator']}件按时")
        )  # fmt: skip
    none = f"没有单位满足条件（办结不少于{n}件）"
    return [
        _award("composite", f"综合得分最高（办结不少于{n}件）", composite, none),
        _award("excellent", f"质量得分最高（已评价不少于{n}件）", excellent,
               f"没有单位满足条件（已评价不少于{n}件）"),
        _award("quantity", "销号件数最多", quantity, "本期没有销号的督办事项"),
        _award("efficiency", f"按时办结率（提前+按时）最高（办结不少于{n}件）", efficiency, none),
    ]  # fmt: skip


def _mark(rows: list[dict[str, Any]], awarded: list[dict[str, Any]], n: int) -> None:
    """Each row: which stars it may compete for (the minimum volume) and which it won."""
    for row in rows:
        row["eligible"] = {
            "composite": row["completed"] >= n,
            "excellent": row["quality"]["rated"] >= n,
            "efficiency": row["completed"] >= n,
            "quantity": row["completed"] > 0,
        }
        row["stars"] = [
            star["label"]
            for star in awarded
            if any(w["code"] == row["code"] for w in star["winners"])
        ]


def percent(value: dict[str, Any] | None) -> str:
    if not value or value["rate"] is None:
        return "—"
    return f"{value['rate'] * 100:.1f}%"


def rate_text(value: dict[str, Any]) -> str:
    """75.0%（3/4）; — when there is nothing to divide by."""
    if value["rate"] is None:
        return "—"
    return f"{percent(value)}（{value['numerator']}/{value['denominator']}）"


# ── breakdowns ───────────────────────────────────────────────────────────────────────────


def _kind_rows(
    codes: dict[str, str],
    key: str,
    received: list[dict[str, Any]],
    completed: list[dict[str, Any]],
    overdue: list[dict[str, Any]],
    overdue_key: str,
) -> list[dict[str, Any]]:
    """One row per code (every one, in the vocabulary's order): received, completed and its
    timing, the on-time rate, overdue now."""
    rows = []
    for code, label in codes.items():
        timing = dict.fromkeys(TIMINGS, 0)
        for r in completed:
            if r[key] == code:
                timing[r["timing"]] = timing.get(r["timing"], 0) + r["n"]
        done = sum(timing.values())
        rows.append(
            {
                "code": code,
                "label": label,
                "received": sum(r["n"] for r in received if r[key] == code),
                "completed": done,
                "timing": {str(k): v for k, v in timing.items()},
                "on_time": rate(sum(timing[t] for t in ON_TIME), done),
                "overdue_open": sum(r["n"] for r in overdue if r[overdue_key] == code),
            }
        )
    return rows


def _state_rows(received: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "code": code,
            "label": label,
            "received": sum(r["n"] for r in received if r["case__state"] == code),
        }
        for code, label in SUPERVISION_STATES.items()
    ]


# ── the figures ──────────────────────────────────────────────────────────────────────────


def _totals(tallies: Iterable[Tally]) -> Tally:
    total = Tally.empty()
    for t in tallies:
        for k, v in t.timing.items():
            total.timing[k] = total.timing.get(k, 0) + v
        for k, v in t.quality.items():
            total.quality[k] = total.quality.get(k, 0) + v
        total.closed += t.closed
    return total


def _units(ids: set[int]) -> list[Unit]:
    if not ids:
        return []
    found = Unit.objects.filter(pk__in=sorted(ids)).only("code", "name", "sort_order")
    return sorted(found, key=lambda u: (u.sort_order, u.code))


def supervision_figures(
    *,
    user: AnyUser | None,
    start: date,
    end: date,
    as_of: date | None = None,
    period: Period | None = None,
    weights: StarWeights | None = None,
) -> dict[str, Any]:
    """The ratings of the items completed from `start` to `end` and the stars, for what
    `user` may see (None: the command line, everything). JSON-ready: stable English keys,
    dates as ISO strings, rates as {numerator, denominator, rate}, scores as numbers with
    two decimals. ActionForbidden for a user without statistics."""
    as_of = as_of or today()
    period = period or Period(f"{start.isoformat()}..{end.isoformat()}", "custom", start, end)
    units = scope_units(user)
    weights = weights or current_weights()
    completed = completed_rows(period)
    tallies = _tallies(completed)
    kinds = [r for r in completed if units is None or r["case__lead_unit"] in units]
    received = received_rows(period, units)
    overdue = overdue_rows(as_of, units)

    unit_ids = {u for u in tallies if u is not None}
    unit_ids |= {r["case__lead_unit"] for r in received if r["case__lead_unit"] is not None}
    unit_ids |= {r["lead_unit"] for r in overdue if r["lead_unit"] is not None}
    unit_ids |= set(units or ())
    found = _units(unit_ids)
    most_closed = max((t.closed for u, t in tallies.items() if u is not None), default=0)
    every = [_unit_row(u, tallies.get(u.pk, Tally.empty()), most_closed, weights) for u in found]
    for row in every:
        row["received"] = sum(r["n"] for r in received if r["case__lead_unit"] == row["id"])
        row["overdue_open"] = sum(r["n"] for r in overdue if r["lead_unit"] == row["id"])
    all_stars = stars([r for r in every if r["id"] in tallies], weights)
    _mark(every, all_stars, weights.min_items)
    shown_rows = every if units is None else [r for r in every if r["id"] in units]
    if units is not None:
        codes = {r["code"] for r in shown_rows}
        for star in all_stars:
            star["winners"] = [w for w in star["winners"] if w["code"] in codes]
    mine = [t for u, t in tallies.items() if units is None or u in units]
    total = _totals(mine)
    return {
        "category": "supervision",
        "period": period.code,
        "label": period.label if period.kind != "custom" else f"{start.isoformat()} 至 {end.isoformat()}",
        "start": start.isoformat(),
        "end": end.isoformat(),
        "as_of": as_of.isoformat(),
        "scope": None if units is None else [r["code"] for r in shown_rows],
        "received": sum(r["n"] for r in received),
        "unassigned": sum(r["n"] for r in received if r["case__lead_unit"] is None),
        "completed": total.completed,
        "closed": total.closed,
        "awaiting_rating": total.completed - total.closed,
        "timing": {str(k): total.timing.get(k, 0) for k in TIMINGS},
        "quality": {
            **{str(k): total.quality.get(k, 0) for k in QUALITIES},
            "rated": total.rated,
            "unrated": total.quality.get("", 0),
        },
        "rates": {
            "on_time": rate(total.on_time, total.completed),
            "early": rate(total.timing.get(Timing.EARLY, 0), total.completed),
        },
        "average_quality": _number(_average(QUALITY_POINTS, total.quality)),
        "overdue_open": sum(r["n"] for r in overdue),
        "by_source": _kind_rows(SOURCE_LABELS, "source", received, kinds, overdue, "supervision__source"),
        "by_urgency": _kind_rows(URGENCY_LABELS, "urgency", received, kinds, overdue, "supervision__urgency"),
        "by_state": _state_rows(received),
        "by_unit": [{k: v for k, v in r.items() if k != "id"} for r in shown_rows],
        "scoring": scoring(weights, most_closed),
        "stars": all_stars,
    }  # fmt: skip


def scoring(weights: StarWeights, most_closed: int) -> dict[str, Any]:
    """What the page prints next to the scores, so that anyone can recompute them."""
    return {
        "weights": weights.as_dict(),
        "formula": weights.formula(),
        "quantity_basis": most_closed,
        "quality_points": {str(k): v for k, v in QUALITY_POINTS.items()},
        "timing_points": {str(k): v for k, v in TIMING_POINTS.items()},
        "rules": {
            "quantity": f"数量得分 = 本单位销号件数 ÷ 销号最多的单位的件数（{most_closed}件）× 100",
            "quality": "质量得分 = 已评价事项的平均分（优秀100、良好80、一般60、差0）",
            "efficiency": "效率得分 = 办结事项的平均分（提前完成100、按时完成90、部分完成60、逾期完成40）",
            "composite": weights.formula() + "（尚无评价的质量得分按0计）",
            "rounding": "各项得分四舍五入保留两位小数，综合得分按保留后的各项得分计算",
        },
        "labels": dict(PART_LABELS),
    }


def period_figures(
    period: Period, *, user: AnyUser | None, as_of: date | None = None
) -> dict[str, Any]:
    """supervision_figures for a Period (what the page, the exports and the command call)."""
    return supervision_figures(
        user=user, start=period.start, end=period.end, as_of=as_of, period=period
    )
