"""A supervision item on the staff case page: its source, urgency and live light, the
instruction, milestones, progress reports, completion report, timing and rating, and the
case it supervises (declared in spec.py as the workflow's `page`)."""

from typing import Any

from audit.record import today
from cases.models import Case
from huiyin.types import User
from supervision.light import case_light
from supervision.models import Light, Milestone, ProgressReport, Supervision


def page_context(case: Case, user: User) -> dict[str, Any]:
    item = Supervision.objects.select_related("linked_case").get(pk=case.pk)
    light = case_light(case, today())
    return {
        "item": item,
        "light": light,
        "light_label": Light(light).label,
        "milestones": list(Milestone.objects.filter(case=case)),
        "progress": list(ProgressReport.objects.filter(case=case).select_related("by")),
    }
