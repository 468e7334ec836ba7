"""A public opinion on the staff case page: its facts in the header and its own 基本信息
(channel, person with the phone masked — 显示完整号码 for those who may see it, area, answer, merges), declared
in spec.py as the workflow's `page`."""

from typing import Any

from cases.models import Case
from huiyin.types import User
from opinions.models import Area, Channel, Opinion, Result
from opinions.privacy import mask_email, mask_phone, sees_code, sees_phone, without_phones


def page_context(case: Case, user: User) -> dict[str, Any]:
    # Phones masked for everyone; whoever answers the person may reveal them in full (a
    # POST to opinions.reveal, kept as a security event).
    may_reveal = sees_phone(user, case)
    opinion = Opinion.objects.select_related("campaign", "merged_into").get(pk=case.pk)
    # The duplicates merged into this one: their people are answered with it, so whoever
    # answers this one sees how to reach them (the phones as for this case's own person).
    merged = [
        {
            "pk": o.pk,
            "number": o.case.number,
            "requester": o.requester or "匿名",
            "phone": mask_phone(o.phone),
            "channel": Channel(o.channel).label,
        }
        for o in Opinion.objects.filter(merged_into=case).select_related("case").order_by("pk")
    ]
    return {
        "opinion": opinion,
        "code": opinion.code if sees_code(user) else "",
        "content": case.content if may_reveal else without_phones(case.content),
        "email": opinion.email if may_reveal else mask_email(opinion.email),
        "phone": mask_phone(opinion.phone),
        "may_reveal": may_reveal and bool(opinion.phone or any(m["phone"] for m in merged)),
        "channel": Channel(opinion.channel).label,
        "area": Area(opinion.area).label if opinion.area else "",
        "suggested_area": Area(opinion.suggested_area).label,
        "result": Result(opinion.result).label if opinion.result else "",
        "forward_late": opinion.forwarded_on is not None
        and opinion.forwarded_on > opinion.forward_target,
        "merged": merged,
    }
