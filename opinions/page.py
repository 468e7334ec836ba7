"""A public opinion on the staff case page: its facts in the header and its own 基本信息
(channel, person with the phone as the viewer may see it, area, answer, merges), declared
in spec.py as the workflow's `page`."""

from typing import Any

from cases.models import Case
from huiyin.types import User
from opinions.models import Area, Channel, Opinion, Result
from opinions.privacy import sees_code, shown_email, shown_phone, shown_text


def page_context(case: Case, user: User) -> dict[str, Any]:
    opinion = Opinion.objects.select_related("campaign", "merged_into").get(pk=case.pk)
    # The duplicates merged into this one: their people are answered with it, so whoever
    # answers this one sees how to reach them (the phones as for this case's own person).
    merged = [
        {
            "pk": o.pk,
            "number": o.case.number,
            "requester": o.requester or "匿名",
            "phone": shown_phone(user, case, o.phone),
            "channel": Channel(o.channel).label,
        }
        for o in Opinion.objects.filter(merged_into=case).select_related("case").order_by("pk")
    ]
    return {
        "opinion": opinion,
        "code": opinion.code if sees_code(user) else "",
        "content": shown_text(user, case, case.content),
        "email": shown_email(user, case, opinion.email),
        "phone": shown_phone(user, case, opinion.phone),
        "channel": Channel(opinion.channel).label,
        "area": Area(opinion.area).label if opinion.area else "",
        "suggested_area": Area(opinion.suggested_area).label,
        "result": Result(opinion.result).label if opinion.result else "",
        "forward_late": opinion.forwarded_on is not None
        and opinion.forwarded_on > opinion.forward_target,
        "merged": merged,
    }
