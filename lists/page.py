"""A list item on the staff case page: its list, category, 责任领导, the quantitative
target, its measures with their lights, evidence and last report, the progress reports,
and the evidence upload for those who may add it (declared in spec.py as the `page`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from audit.record import today
from cases.models import Case
from cases.permissions import relations
from huiyin.types import User
from lists import light
from lists.measures import may_work_on
from lists.models import OPEN_MEASURE, Evidence, Item, Measure, Progress
from orgs.models import Role
from workflow.vocabulary import Relation, State


def item_rows(
    item: Item, measures: list[Measure], on: Any, lights: light.Lights | None = None
) -> tuple[str, list[tuple[Measure, str]]]:
    """The item's light and each measure's (lists.light keys); `lights`: a calendar already
    loaded for many items (the API's list), else one for this item."""
    case = item.case
    if lights is None:
        days = [d for d in (case.deadline, *(m.deadline for m in measures)) if d]
        lights = light.Lights(on, min([case.received_on, *days]), max([on, *days]))
    start = case.received_on
    rows = [
        (
            m,
            light.measure_key(
                lights,
                start=start,
                deadline=m.deadline,
                percent=m.percent,
                status=m.status,
                started_on=m.started_on,
            ),
        )  # fmt: skip
        for m in measures
    ]
    item_light = light.item_key(
        lights, start=start, deadline=case.deadline, progress=item.progress,
        state=case.state, started_on=item.started_on, late_measure=light.is_late(measures, on),
    )  # fmt: skip
    return item_light, rows


def page_context(case: Case, user: User) -> dict[str, Any]:
    item = (
        Item.objects.select_related("rect_list", "linked_case", "leader")
        .prefetch_related(
            Prefetch(
                "measures",
                Measure.objects.select_related("unit", "handler").prefetch_related(
                    Prefetch("evidence", Evidence.objects.select_related("attachment"))
                ),
            )
        )
        .get(pk=case.pk)
    )
    item.case = case
    measures = list(item.measures.all())
    item_light, rows = item_rows(item, measures, today())
    mine = relations(user, case)
    uploadable = (
        []
        if case.state == State.CLOSED
        else [m for m in measures if m.status in OPEN_MEASURE and may_work_on(user, mine, m)]
    )
    from lists.board import indicator_of

    target = {name: getattr(item, name) for name in ("indicator", "indicator_unit", "baseline",
                                                     "target", "current")}  # fmt: skip
    return {
        "item": item,
        "indicator": indicator_of({**target, "case_id": case.pk}),
        "list": item.rect_list,
        "light": light.shown(item_light),
        "rows": [{"measure": m, "light": light.shown(key)} for m, key in rows],
        "reports": list(
            Progress.objects.filter(item=item)
            .select_related("by", "measure")
            .order_by("-on", "-id")
        ),
        "item_evidence": list(
            Evidence.objects.filter(item=item, measure__isnull=True).select_related("attachment")
        ),
        "uploadable": uploadable,
        "may_upload_item": case.state != State.CLOSED
        and bool(mine & {Role.COORDINATOR, Relation.LEAD_UNIT}),
    }
