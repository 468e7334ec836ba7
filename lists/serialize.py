"""A list item's own fields in the API's case answers and in `GET /api/v1/lists/{id}`:
its list, category, 责任领导, target, progress, light and measures."""

from __future__ import annotations

from typing import Any

from audit.record import today
from cases.models import Case
from huiyin.types import User
from lists.models import Item, Measure
from lists.page import item_rows


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def measure_fields(m: Measure, light_key: str) -> dict[str, Any]:
    return {
        "id": m.pk,
        "seq": m.seq,
        "text": m.text,
        "unit": m.unit.code,
        "unit_name": m.unit.name,
        "handler": m.handler.get_username() if m.handler else None,
        "deadline": m.deadline,
        "weight": m.weight,
        "status": m.status,
        "percent": m.percent,
        "started_on": m.started_on,
        "submitted_on": m.submitted_on,
        "struck_off_on": m.struck_off_on,
        "refused_reason": m.refused_reason or None,
        "evidence": [e.attachment_id for e in m.evidence.all()],
        "light": light_key,
    }


def item_own_fields(item: Item, item_light: str, rows: list[tuple[Measure, str]]) -> dict[str, Any]:
    """What an item carries beside its case, with its light and its measures' (from
    lists.page.item_rows): the case detail's and each item of GET /lists/{id}."""
    return {
        "seq": item.seq,
        "item_category": item.category,
        "source": item.source,
        "leader_name": item.leader_name,
        "indicator": {
            "name": item.indicator,
            "unit": item.indicator_unit,
            "baseline": _number(item.baseline),
            "target": _number(item.target),
            "current": _number(item.current),
            "direction": item.direction,
        }
        if item.indicator
        else None,
        "progress": item.progress,
        "light": item_light,
        "started_on": item.started_on,
        "completed_on": item.completed_on,
        "struck_off_on": item.struck_off_on,
        "linked_case": item.linked_case_id,
        "measures": [measure_fields(m, key) for m, key in rows],
    }


def item_fields(case: Case, user: User) -> dict[str, Any]:
    """The workflow's `fields`: the item's own fields in the API's case detail."""
    item = (
        Item.objects.select_related("rect_list")
        .prefetch_related("measures__unit", "measures__handler", "measures__evidence")
        .get(pk=case.pk)
    )
    item.case = case
    item_light, rows = item_rows(item, list(item.measures.all()), today())
    listed = {"id": item.rect_list_id, "code": item.rect_list.code, "name": item.rect_list.name}
    return {"list": listed, **item_own_fields(item, item_light, rows)}
