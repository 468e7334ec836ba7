"""主体责任清单: what a unit is responsible for across every list (GET /lists/duty/ and
/lists/duty/<unit code>/): its open measures (it owns them) and the open items it leads,
the nearest deadline first, each with its light (lists.board's rule, one calendar for the
page) and the working days left or overdue. A unit's people see their own units only
(another unit is 403, an unknown one 404); the office, leaders and viewers see any unit.
Fixed queries: the unit, the measures, the items, the calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from audit.record import today
from cases.listing import InvalidFilter, parse_page
from lists.board import Lamp, deadline_words, lamp, legend
from lists.light import Lights, item_key, late_measure, measure_key
from lists.models import OPEN_MEASURE, Item, Measure, MeasureStatus
from orgs.access import standing_of
from orgs.models import Unit, UnitKind
from workflow.vocabulary import State

if TYPE_CHECKING:
    from huiyin.types import AuthedRequest, User

ROWS_PER_PAGE = 200
NO_DUTY = "只有委领导、办公室、查阅人员和处室人员可以查看主体责任清单"
OTHER_UNIT = "只能查看本处室的主体责任清单"
# A unit answers for a measure until it is struck off: 待销号 ones stay on its list.
OPEN_STATUSES = [*(str(s) for s in OPEN_MEASURE), str(MeasureStatus.SUBMITTED)]


def duty_units(user: User) -> QuerySet[Unit]:
    standing = standing_of(user)
    units = Unit.objects.filter(is_active=True).exclude(kind=UnitKind.EXTERNAL)
    if standing.sees_all:
        return units.order_by("sort_order", "code")
    if not standing.unit_ids:
        raise PermissionDenied(NO_DUTY)
    return units.filter(pk__in=sorted(standing.unit_ids)).order_by("sort_order", "code")


@login_required
@require_GET
def duty_index(request: AuthedRequest) -> HttpResponse:
    units = list(duty_units(request.user))
    if len(units) == 1 and not standing_of(request.user).sees_all:
        return redirect("lists:duty_unit", code=units[0].code)
    ids = [u.pk for u in units]
    measures = dict(
        Measure.objects.filter(unit_id__in=ids, status__in=OPEN_STATUSES)
        .values_list("unit_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    items = dict(
        Item.objects.filter(case__lead_unit_id__in=ids, case__state=State.HANDLING)
        .values_list("case__lead_unit_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = [(u, measures.get(u.pk, 0), items.get(u.pk, 0)) for u in units]
    return render(request, "lists/board/duty_index.html", {"rows": rows})


@dataclass
class DutyRow:
    kind: str  # 事项 or 举措
    case_id: int
    list_code: str
    list_name: str
    item_seq: int
    item_title: str
    text: str
    deadline: date
    percent: int
    lamp: Lamp
    days: str
    overdue: bool


def duty_rows(unit: Unit, on: date, page: int) -> tuple[list[DutyRow], int, int]:
    """The unit's open measures and open items, nearest deadline first: a page of them,
    how many in all, and the page's number (clamped to the last)."""
    measures = list(
        Measure.objects.filter(unit=unit, status__in=OPEN_STATUSES)
        .order_by("deadline", "item_id", "seq")
        .values(
            "item_id", "seq", "text", "deadline", "percent", "status", "started_on",
            "item__seq", "item__rect_list__code", "item__rect_list__name",
            "item__case__title", "item__case__received_on",
        )
    )  # fmt: skip
    items = list(
        Item.objects.filter(case__lead_unit=unit, case__state=State.HANDLING)
        .exclude(case__deadline=None)
        .order_by("case__deadline", "pk")
        .annotate(late=late_measure(on))
        .values(
            "case_id", "seq", "progress", "started_on", "rect_list__code", "rect_list__name",
            "case__title", "case__state", "case__deadline", "case__received_on", "late",
        )
    )  # fmt: skip
    merged: list[tuple[date, int, dict[str, Any]]] = [(m["deadline"], 1, dict(m)) for m in measures]
    merged += [(i["case__deadline"], 0, dict(i)) for i in items if i["case__deadline"]]
    merged.sort(key=lambda t: (t[0], t[1]))
    pages = max(1, -(-len(merged) // ROWS_PER_PAGE))
    page = min(page, pages)
    shown = merged[(page - 1) * ROWS_PER_PAGE : page * ROWS_PER_PAGE]
    if not shown:
        return [], len(merged), page
    starts = [
        r["item__case__received_on"] if kind else r["case__received_on"] for _, kind, r in shown
    ]
    lights = Lights(on, min([*starts, shown[0][0]]), shown[-1][0])
    rows = []
    for (deadline, kind, r), start in zip(shown, starts, strict=True):
        if kind:
            key = measure_key(
                lights, start=start, deadline=deadline, percent=r["percent"],
                status=r["status"], started_on=r["started_on"],
            )  # fmt: skip
            row = DutyRow(
                "举措", r["item_id"], r["item__rect_list__code"], r["item__rect_list__name"],
                r["item__seq"], r["item__case__title"], r["text"], deadline, r["percent"],
                lamp(key), "", False,
            )  # fmt: skip
        else:
            key = item_key(
                lights, start=start, deadline=deadline, progress=r["progress"],
                state=r["case__state"], started_on=r["started_on"], late_measure=r["late"],
            )  # fmt: skip
            row = DutyRow(
                "事项（牵头）", r["case_id"], r["rect_list__code"], r["rect_list__name"],
                r["seq"], r["case__title"], "", deadline, r["progress"], lamp(key), "", False,
            )  # fmt: skip
        row.days = deadline_words(lights.span.workdays_between(on, deadline), deadline, on)
        row.overdue = deadline < on
        rows.append(row)
    return rows, len(merged), page


@login_required
@require_GET
def duty_unit(request: AuthedRequest, code: str) -> HttpResponse:
    unit = Unit.objects.filter(code=code).exclude(kind=UnitKind.EXTERNAL).first()
    if unit is None:
        raise Http404("处室不存在")
    standing = standing_of(request.user)
    if not standing.sees_all:
        if not standing.unit_ids:
            raise PermissionDenied(NO_DUTY)
        if unit.pk not in standing.unit_ids:
            raise PermissionDenied(OTHER_UNIT)
    try:
        page = parse_page(request.GET.get("page"))
    except InvalidFilter as exc:
        return render(request, "lists/board/bad_filter.html", {"error": exc.message}, status=400)
    on = today()
    rows, total, page = duty_rows(unit, on, page)
    pages = max(1, -(-total // ROWS_PER_PAGE))
    context = {
        "unit": unit, "rows": rows, "total": total, "page": page, "pages": pages,
        "today": on, "legend": legend(), "per_page": ROWS_PER_PAGE,
    }  # fmt: skip
    return render(request, "lists/board/duty.html", context)
