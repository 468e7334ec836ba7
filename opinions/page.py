"""A public opinion on the staff case page: its facts in the header and its own 基本信息
(channel, person with the phone as the viewer may see it, area, answer, merges), declared
in spec.py as the workflow's `page`."""

from typing import Any

from cases.models import Case
from huiyin.types import User
from opinions.models import Area, Channel, Opinion, Result
from opinions.privacy import shown_phone


def page_context(case: Case, user: User) -> dict[str, Any]:
    opinion = Opinion.objects.select_related("campaign", "merged_into").get(pk=case.pk)
    merged = list(
        Case.objects.filter(opinion__merged_into=case).only("pk", "number", "title").order_by("pk")
    )
    return {
        "opinion": opinion,
        "phone": shown_phone(user, case, opinion.phone),
        "channel": Channel(opinion.channel).label,
        "area": Area(opinion.area).label if opinion.area else "",
        "suggested_area": Area(opinion.suggested_area).label,
        "result": Result(opinion.result).label if opinion.result else "",
        "forward_late": opinion.forwarded_on is not None
        and opinion.forwarded_on > opinion.forward_target,
        "merged": merged,
    }
