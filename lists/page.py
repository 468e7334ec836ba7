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
from lists.models import OPEN_MEASURE, Evidence, Item, Measure, MeasureStatus, Progress
from orgs.models import Role
from workflow.vocabulary import Relation, State


def item_rows(
    item: Item, measures: list[Measure], on: Any
) -> tuple[str, list[tuple[Measure, str]]]:
    """The item's light and each measure's (lists.light keys), with one calendar."""
    case = item.case
    days = [d for d in (case.deadline, *(m.deadline for m in measures)) if d]
    lights = light.Lights(on, min([case.received_on, *days]), max([on, *days]))
    start = case.received_on
    rows = [
        (
            m,
            lights.of(
                start=start,
                deadline=m.deadline,
                percent=m.percent,
                struck_off=m.status == MeasureStatus.STRUCK_OFF,
                submitted=m.status == MeasureStatus.SUBMITTED,
                reported=m.started_on is not None,
            ),
        )  # fmt: skip
        for m in measures
    ]
    item_light = lights.of(
        start=start,
        deadline=case.deadline,
        percent=item.progress,
        struck_off=case.state == State.CLOSED,
        submitted=case.state == State.REVIEWING,
        reported=item.started_on is not None,
    )
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
    return {
        "item": item,
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
