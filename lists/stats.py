"""The figures of a list (清单): one function, `list_figures`, read by the command
(`huiyin stats --list ID`), the report page, the 整改情况报告 and the bulletin, so that
they all print the same numbers.

Definitions, as of a day `on` (today, or the 截至 date of a report, or a period's end):
- items: the list's items received by `on` (those the user may see, when a user is given);
  measures: the measures of those items.
- finished (已完成整改): the item's unit has finished — the item is 待销号 or 已销号 and its
  completion date (Item.completed_on, the day 销号 was asked for) is on or before `on`.
- items_struck_off (已销号): 已销号 with Item.struck_off_on on or before `on`;
  items_submitted (待销号): finished but not yet struck off.
- items_overdue (逾期): not finished and its deadline (完成时限) before `on` — for today, an
  item 整改中 whose deadline has passed.
- measures_struck_off: struck off on or before `on`; measures_submitted: asked for 销号 by
  `on` and not struck off by then; measures_overdue: neither, with a deadline before `on`.
- 整改完成率 completion_rate = finished / items;
  按期整改率 on_time_rate = finished items with completed_on ≤ deadline / finished items;
  销号率 strike_off_rate = items_struck_off / items.
  Fractions 0–1 rounded to 4 places; a zero denominator gives None (JSON null).
- by_unit: per unit code (the units' order): the items the unit leads (牵头处室) with the
  same counts and rates, and the measures it owns (责任处室). by_category: per 类别.

The rows keep dates, not a history: for a day in the past, an item reopened since (问题反弹)
counts as 整改中 and a refused 销号 as never asked for. Four queries whatever the size:
the items grouped by lead unit and category, the measures grouped by unit, the units (and
the user's roles, once per request).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, F, Min, Q, QuerySet

from cases.permissions import visible_cases
from huiyin.types import AnyUser
from lists.models import Item, ListKind, Measure, MeasureStatus, RectList
from orgs.access import standing_of
from orgs.models import Unit
from workflow.vocabulary import State

UNCATEGORISED = "未分类"
FINISHED_STATES = (State.REVIEWING, State.CLOSED)
DONE_MEASURE = (MeasureStatus.SUBMITTED, MeasureStatus.STRUCK_OFF)


def rate(numerator: int, denominator: int) -> float | None:
    """numerator / denominator rounded to 4 places; None when there is nothing to divide."""
    if not denominator:
        return None
    return round(numerator / denominator, 4)


def percent(value: float | None) -> str:
    """0.8571 → "85.7%"; None → "—"."""
    return "—" if value is None else f"{value * 100:.1f}%"


def noun(rect_list: RectList) -> str:
    """What the list's items are called: 问题 (a problem list) or 项目 (a project list)."""
    return "项目" if rect_list.kind == ListKind.PROJECTS else "问题"


# ── the conditions, as of a day ──────────────────────────────────────────────────────────


def finished_q(on: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}case__state__in": FINISHED_STATES, f"{prefix}completed_on__lte": on})


def struck_off_q(on: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}case__state": State.CLOSED, f"{prefix}struck_off_on__lte": on})


def measure_done_q(on: date) -> Q:
    return Q(status__in=DONE_MEASURE, submitted_on__lte=on)


def measure_struck_off_q(on: date) -> Q:
    return Q(status=MeasureStatus.STRUCK_OFF, struck_off_on__lte=on)


def scoped_items(rect_list: RectList, on: date, user: AnyUser | None = None) -> QuerySet[Item]:
    """The list's items counted on `on`: received by then, and visible to `user` if given."""
    items = Item.objects.filter(rect_list=rect_list, case__received_on__lte=on)
    if user is not None and not standing_of(user).sees_all:
        items = items.filter(case__in=visible_cases(user).values("pk"))  # type: ignore[arg-type]
    return items


def item_status(item: Item, on: date) -> str:
    """An item's status on `on` by the same rules as the figures: 已销号, 待销号, 逾期 or
    整改中 (the item with its case)."""
    case = item.case
    if case.state == State.CLOSED and item.struck_off_on and item.struck_off_on <= on:
        return "已销号"
    if case.state in FINISHED_STATES and item.completed_on and item.completed_on <= on:
        return "待销号"
    if case.deadline is not None and case.deadline < on:
        return "逾期"
    return "整改中"


def measure_status(measure: Measure, on: date) -> str:
    """A measure's status on `on`: 已销号, 待销号, 逾期, 推进中 or 未开始."""
    if measure.status == MeasureStatus.STRUCK_OFF and (measure.struck_off_on or on) <= on:
        return "已销号"
    if measure.status in DONE_MEASURE and (measure.submitted_on or on) <= on:
        return "待销号"
    if measure.deadline < on:
        return "逾期"
    if measure.started_on is not None and measure.started_on <= on:
        return "推进中"
    return "未开始"


# ── the figures ──────────────────────────────────────────────────────────────────────────


def _item_counts(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The counts and rates of some grouped item rows (all of them, a unit's, a category's)."""
    n = sum(r["n"] for r in rows)
    finished = sum(r["finished"] for r in rows)
    on_time = sum(r["on_time"] for r in rows)
    struck = sum(r["struck"] for r in rows)
    overdue = sum(r["past"] - r["past_finished"] for r in rows)
    return {
        "items": n,
        "items_finished": finished,
        "items_on_time": on_time,
        "items_struck_off": struck,
        "items_submitted": finished - struck,
        "items_in_progress": n - finished,
        "items_overdue": overdue,
        "completion_rate": rate(finished, n),
        "on_time_rate": rate(on_time, finished),
        "strike_off_rate": rate(struck, n),
    }


def _measure_counts(rows: list[dict[str, Any]]) -> dict[str, Any]:
    n = sum(r["n"] for r in rows)
    done = sum(r["done"] for r in rows)
    struck = sum(r["struck"] for r in rows)
    return {
        "measures": n,
        "measures_struck_off": struck,
        "measures_submitted": done - struck,
        "measures_overdue": sum(r["past"] - r["past_done"] for r in rows),
    }


def _grouped_items(items: QuerySet[Item], on: date) -> list[dict[str, Any]]:
    finished = finished_q(on)
    past = Q(case__deadline__lt=on)
    return list(
        items.values("case__lead_unit_id", "category")
        .annotate(
            n=Count("pk"),
            first=Min("seq"),
            finished=Count("pk", filter=finished),
            on_time=Count("pk", filter=finished & Q(completed_on__lte=F("case__deadline"))),
            struck=Count("pk", filter=struck_off_q(on)),
            past=Count("pk", filter=past),
            past_finished=Count("pk", filter=past & finished),
        )
        .order_by()
    )


def _grouped_measures(items: QuerySet[Item], on: date) -> list[dict[str, Any]]:
    done = measure_done_q(on)
    past = Q(deadline__lt=on)
    return list(
        Measure.objects.filter(item__in=items.values("pk"))
        .values("unit_id")
        .annotate(
            n=Count("pk"),
            done=Count("pk", filter=done),
            struck=Count("pk", filter=measure_struck_off_q(on)),
            past=Count("pk", filter=past),
            past_done=Count("pk", filter=past & done),
        )
        .order_by()
    )


def _unit_rows(
    item_rows: list[dict[str, Any]], measure_rows: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    ids = {r["case__lead_unit_id"] for r in item_rows} | {r["unit_id"] for r in measure_rows}
    units = Unit.objects.filter(pk__in=[i for i in ids if i is not None]).order_by(
        "sort_order", "code"
    )
    by_unit: dict[str, dict[str, Any]] = {}
    for unit in units.only("pk", "code", "name"):
        led = [r for r in item_rows if r["case__lead_unit_id"] == unit.pk]
        owned = [r for r in measure_rows if r["unit_id"] == unit.pk]
        counts = _item_counts(led)
        by_unit[unit.code] = {
            "code": unit.code,
            "name": unit.name,
            **counts,
            # The short names the brief's consumers read (the same numbers).
            "struck_off": counts["items_struck_off"],
            "overdue": counts["items_overdue"],
            **_measure_counts(owned),
        }
    return by_unit


def _category_rows(item_rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in sorted(item_rows, key=lambda r: r["first"]):
        groups.setdefault(r["category"] or UNCATEGORISED, []).append(r)
    return {name: {"name": name, **_item_counts(rows)} for name, rows in groups.items()}


def list_figures(rect_list: RectList, today: date, user: AnyUser | None = None) -> dict[str, Any]:
    """The figures of `rect_list` on the day `today` (see the module's definitions); with
    `user`, only the items that user may see."""
    on = today
    items = scoped_items(rect_list, on, user)
    item_rows = _grouped_items(items, on)
    measure_rows = _grouped_measures(items, on)
    return {
        "list": {
            "id": rect_list.pk,
            "code": rect_list.code,
            "name": rect_list.name,
            "kind": rect_list.kind,
            "reports_to": rect_list.reports_to,
        },
        "as_of": on,
        "scoped": user is not None and not standing_of(user).sees_all,
        **_item_counts(item_rows),
        **_measure_counts(measure_rows),
        "by_unit": _unit_rows(item_rows, measure_rows),
        "by_category": _category_rows(item_rows),
    }
