"""The lists on the web: the index of the lists the user may see, a list's page (its
items with their measures' lights; the 挂图作战 board is lists/board.py), and the upload
of 佐证材料 for a measure or an item. Thin: every write is lists.actions'."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cases.queries import case_for_user
from lists import measures
from lists.access import list_for_user, visible_lists
from lists.models import Item
from orgs.access import standing_of
from orgs.models import Role
from workflow.errors import ActionForbidden, CaseError
from workflow.vocabulary import State

if TYPE_CHECKING:
    from huiyin.types import AuthedRequest


@login_required
@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    lists = visible_lists(request.user).annotate(
        n_items=Count("items", distinct=True),
        n_closed=Count("items", filter=Q(items__case__state=State.CLOSED), distinct=True),
    )
    return render(
        request,
        "lists/index.html",
        {
            "lists": list(lists.select_related("owner")[:200]),
            "may_create": standing_of(request.user).has(Role.COORDINATOR),
        },
    )


@login_required
@require_GET
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    rect_list = list_for_user(request.user, pk)
    from cases.permissions import visible_cases

    items = (
        Item.objects.filter(rect_list=rect_list, case__in=visible_cases(request.user))
        .select_related("case", "case__lead_unit")
        .order_by("seq")
    )
    return render(request, "lists/detail.html", {"list": rect_list, "items": list(items[:1000])})


@login_required
@require_POST
def evidence(request: AuthedRequest, pk: int) -> HttpResponse:
    case = case_for_user(request.user, pk)  # 404 for an item the user may not see
    url = reverse("case-detail", args=[case.pk])
    raw = request.POST.get("measure", "")
    try:
        if not raw.isdigit() and raw != "":
            raise CaseError("请选择具体举措", field="measure")
        upload = request.FILES.get("file")
        if upload is None:
            raise CaseError("请选择要上传的文件", field="file")
        found = measures.attach_evidence(
            case, by=request.user, upload=upload, measure_id=int(raw) if raw else None
        )
    except ActionForbidden as exc:
        raise PermissionDenied(exc.message) from None
    except CaseError as exc:
        messages.error(request, f"佐证材料未上传：{exc.message}")
        return redirect(url)
    messages.success(request, f"已上传佐证材料：{found.attachment.filename}")
    return redirect(f"{url}#list-item")
