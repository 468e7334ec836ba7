"""The lists on the web: the index of the lists the user may see, a list's page (its
items with their measures' lights; the 挂图作战 board is lists/board.py), and the upload
of 佐证材料 for a measure or an item. Thin: every write is lists.actions'."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Avg, Count, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from audit.record import today
from cases.figures import overdue_q
from cases.listing import InvalidFilter, parse_page
from cases.models import Assignment, AssignmentKind
from cases.permissions import LIVE_ASSIGNMENT
from cases.queries import case_for_user
from lists import measures
from lists.access import list_for_user, may_edit, visible_lists, with_counts
from lists.board import (
    Lamp,
    deadline_words,
    indicator_of,
    lamp,
    legend,
    scoped_items,
)
from lists.light import Lights, is_late, item_key, measure_key
from lists.models import Item, Measure, MeasureStatus, RectList
from orgs.access import standing_of
from orgs.models import Role
from workflow.errors import ActionForbidden, CaseError
from workflow.vocabulary import State

if TYPE_CHECKING:
    from huiyin.types import AuthedRequest


LISTS_PER_PAGE = 50
ITEMS_PER_PAGE = 100


def _page_or_400(request: AuthedRequest) -> int | HttpResponse:
    try:
        return parse_page(request.GET.get("page"))
    except InvalidFilter as exc:
        return render(request, "lists/board/bad_filter.html", {"error": exc.message}, status=400)


@login_required
@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    page = _page_or_400(request)
    if isinstance(page, HttpResponse):
        return page
    lists = (
        with_counts(visible_lists(request.user), request.user, today())
        .select_related("owner")
        .order_by("-year", "-id")
    )
    shown = Paginator(lists, LISTS_PER_PAGE).get_page(page)
    return render(
        request,
        "lists/index.html",
        {
            "lists": list(shown.object_list),
            "page": shown,
            "may_create": standing_of(request.user).has(Role.COORDINATOR),
        },
    )


@dataclass
class ItemView:
    item: Item
    lamp: Lamp
    days: str
    co_units: list[str] = field(default_factory=list)
    measures: list[tuple[Measure, Lamp, str]] = field(default_factory=list)
    indicator: dict[str, Any] | None = None


def _totals(items: QuerySet[Item], on: date) -> dict[str, Any]:
    found = items.aggregate(
        items=Count("pk"),
        closed=Count("pk", filter=Q(case__state=State.CLOSED)),
        overdue=Count("pk", filter=overdue_q(on, "case__")),
        progress=Avg("progress"),
    )
    found.update(
        Measure.objects.filter(item__in=items).aggregate(
            measures=Count("pk"),
            measures_struck=Count("pk", filter=Q(status=MeasureStatus.STRUCK_OFF)),
        )
    )
    found["progress"] = round(found["progress"] or 0)
    return found


def _item_views(items: list[Item], on: date) -> list[ItemView]:
    ids = [i.pk for i in items]
    by_item: dict[int, list[Measure]] = {pk: [] for pk in ids}
    for m in (
        Measure.objects.filter(item_id__in=ids).select_related("unit").order_by("item_id", "seq")
    ):
        by_item[m.item_id].append(m)
    co_units: dict[int, list[str]] = {pk: [] for pk in ids}
    live = Assignment.objects.filter(
        case_id__in=ids, kind=AssignmentKind.CO, status__in=LIVE_ASSIGNMENT
    ).select_related("unit")
    for a in live.order_by("unit__sort_order", "unit__code"):
        co_units[a.case_id].append(a.unit.name)
    days = [d for i in items for d in (i.case.received_on, i.case.deadline) if d]
    days += [m.deadline for ms in by_item.values() for m in ms]
    lights = Lights(on, min(days, default=on), max(days, default=on))
    views = []
    for i in items:
        case = i.case
        key = item_key(
            lights, start=case.received_on, deadline=case.deadline, progress=i.progress,
            state=case.state, started_on=i.started_on, late_measure=is_late(by_item[i.pk], on),
        )  # fmt: skip
        closed = (
            "已销号"
            if case.state == State.CLOSED
            else "待销号"
            if case.state == State.REVIEWING
            else ""
        )
        view = ItemView(
            i,
            lamp(key),
            deadline_words(
                lights.span.workdays_between(on, case.deadline), case.deadline, on, closed=closed
            )
            if case.deadline
            else "",  # fmt: skip
            co_units=co_units[i.pk],
        )
        for m in by_item[i.pk]:
            m_key = measure_key(
                lights, start=case.received_on, deadline=m.deadline, percent=m.percent,
                status=m.status, started_on=m.started_on,
            )  # fmt: skip
            m_closed = m.get_status_display() if m.status in (MeasureStatus.STRUCK_OFF, MeasureStatus.SUBMITTED) else ""  # fmt: skip
            view.measures.append(
                (m, lamp(m_key), deadline_words(lights.span.workdays_between(on, m.deadline), m.deadline, on, closed=m_closed))
            )  # fmt: skip
        views.append(view)
    return views


@login_required
@require_GET
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    rect_list = list_for_user(request.user, pk)  # 404 for a list the user may not see
    page = _page_or_400(request)
    if isinstance(page, HttpResponse):
        return page
    on = today()
    items = scoped_items(request.user, RectList.objects.filter(pk=rect_list.pk))
    totals = _totals(items, on)
    pages = max(1, -(-totals["items"] // ITEMS_PER_PAGE))
    page = min(page, pages)
    shown = list(
        items.select_related("case", "case__lead_unit").order_by("seq")[
            (page - 1) * ITEMS_PER_PAGE : page * ITEMS_PER_PAGE
        ]
    )
    views = _item_views(shown, on)
    indicators: list[dict[str, Any]] = []
    for v in views:
        i = v.item
        v.indicator = indicator_of(
            {
                "case_id": i.pk, "indicator": i.indicator, "indicator_unit": i.indicator_unit,
                "baseline": i.baseline, "current": i.current, "target": i.target,
            }
        )  # fmt: skip
        if v.indicator is not None:
            v.indicator["index"] = len(indicators)
            indicators.append(v.indicator)
    return render(
        request,
        "lists/detail.html",
        {
            "list": rect_list,
            "may_edit": may_edit(request.user, rect_list),
            "delegates": list(rect_list.delegates.all()),
            "totals": totals,
            "rows": views,
            "indicators": indicators,
            "page": page,
            "pages": pages,
            "legend": legend(),
            "today": on,
        },
    )


@login_required
@require_POST
def evidence(request: AuthedRequest, pk: int) -> HttpResponse:
    case = case_for_user(request.user, pk)  # 404 for an item the user may not see
    url = reverse("case-detail", args=[case.pk])
    raw = request.POST.get("measure", "")
    try:
        if raw != "" and not (raw.isascii() and raw.isdigit() and len(raw) < 10):
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
