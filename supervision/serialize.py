"""A supervision item's own fields in the API's case answers (api.serialize adds them to
the detail of a `supervision` case); `light` live, `timing` once completed."""

from typing import Any

from audit.record import today
from cases.models import Case
from huiyin.types import User
from supervision.light import case_light
from supervision.models import Milestone, Supervision


def supervision_fields(case: Case, user: User) -> dict[str, Any]:
    item = Supervision.objects.get(pk=case.pk)
    return {
        "source": item.source,
        "urgency": item.urgency,
        "light": case_light(case, today()),
        "timing": item.timing or None,
        "supervision": {
            "document_number": item.document_number,
            "document_date": item.document_date,
            "instruction": item.instruction,
            "notice_number": item.notice_number,
            "progress_percent": item.progress_percent,
            "completion_report": item.completion_report,
            "completed_on": item.completed_on,
            "partial": item.partial,
            "quality": item.quality or None,
            "linked_case": item.linked_case_id,
            "milestones": [
                {"id": m.pk, "title": m.title, "due": m.due, "reached_on": m.reached_on}
                for m in Milestone.objects.filter(case=case)
            ],
        },
    }
