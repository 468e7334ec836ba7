"""显示完整号码: the case page shows a person's phone masked (138****1234) to everyone; those
who answer the person (opinions.privacy.sees_phone) may ask for it in full with a POST,
which is kept as a REVEAL security event (the case named, never the number). Anyone else
gets 403, and a case they cannot see is 404, as everywhere."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from audit.trail import SecurityAction, record_security_event
from cases.models import Category
from cases.queries import case_for_user
from huiyin.types import AuthedRequest
from opinions.models import Channel, Opinion
from opinions.privacy import sees_phone


@login_required
@require_POST
def reveal_phone(request: AuthedRequest, pk: int) -> HttpResponse:
    case = case_for_user(request.user, pk)
    if case.category != Category.PUBLIC_OPINION:
        raise Http404("办件不存在")
    if not sees_phone(request.user, case):
        raise PermissionDenied("只有答复反映人的单位和议提案管理员可以查看完整号码")
    opinion = Opinion.objects.get(pk=case.pk)
    # The duplicates merged into this one: their people are answered with it.
    merged = [
        {"number": o.case.number, "requester": o.requester or "匿名", "phone": o.phone,
         "channel": Channel(o.channel).label}
        for o in Opinion.objects.filter(merged_into=case).select_related("case").order_by("pk")
        if o.phone
    ]  # fmt: skip
    with transaction.atomic():
        record_security_event(
            request,
            action=SecurityAction.REVEAL,
            case=case,
            subject=f"case:{case.pk}",
            details={"field": "phone"},
        )
    return render(
        request,
        "opinions/case/reveal.html",
        {"case": case, "opinion": opinion, "merged": merged},
    )
