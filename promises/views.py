"""回头看 on the web: the list of the year's promises (GET /promises/), its .xlsx
(/promises/export.xlsx) and the report to the NPC/CPPCC (/promises/report.docx), with the
same query string.

Who: the office, leaders, viewers and admins see every unit's promises; a unit's heads and
handlers their own units' (the owner unit, Commitment.unit); anyone else is refused (403).
The report names every unit: the whole commission's roles only. A filter value that does
not parse, or a unit not offered, is a 400 page saying why. Without a year, the latest year
with promises in the user's scope (one query, which also lists those years as links).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from attachments.downloads import as_download
from audit.record import today
from cases.listing import InvalidFilter, QueryReader
from cases.models import CaseProposer, Commitment
from letters.views import docx_response
from orgs.models import Unit, UnitKind
from promises import export, figures, report
from promises.figures import (
    CLASSES,
    OPEN_FILTER,
    SETTLED,
    STATUS_FILTERS,
    STATUS_LABELS,
    Filters,
    NoPromises,
    figures_of,
    needs_time,
    needs_time_figures,
    promise_years,
    promises_in,
    scope_units,
    status_q,
)

if TYPE_CHECKING:
    from huiyin.types import AuthedRequest

PER_PAGE = 50
NOT_YOURS = "回头看由办公室、委领导、查阅人员和各处室（本处室的承诺事项）查看"
REPORT_NOT_YOURS = "承诺事项兑现情况报告由办公室、委领导和查阅人员下载"
TABS = ("promises", "opinions")
STATUS_CHOICES = [
    ("open", "未开始"),
    ("in_progress", "推进中"),
    (OPEN_FILTER, "未开始和推进中"),
    *((s, STATUS_LABELS[s]) for s in SETTLED),
]


@dataclass(frozen=True)
class Query:
    filters: Filters
    tab: str
    page: int


def unit_choices(units: frozenset[int] | None) -> list[Unit]:
    qs = Unit.objects.exclude(kind=UnitKind.EXTERNAL).order_by("sort_order", "code")
    if units is not None:
        qs = qs.filter(pk__in=sorted(units))
    return list(qs.only("code", "name"))


def default_year(years: list[int]) -> int:
    """The latest year with promises in the user's scope (promise_years, latest first);
    last year when there are none."""
    return years[0] if years else today().year - 1


def latest_year(units: frozenset[int] | None) -> int:
    return default_year(promise_years(units))


def read_query(params: Any, units: list[Unit], fallback: Callable[[], int]) -> Query:
    """The query string (the year `fallback` gives when it names none); InvalidFilter
    naming whatever does not parse."""
    read = QueryReader(params)
    year = read.year("year")
    reply_class = read.choice("class", CLASSES)
    code = read.choice("unit", [u.code for u in units])
    status = read.choice("status", STATUS_FILTERS)
    overdue = read.flag("overdue")
    tab = read.choice("tab", TABS) or TABS[0]
    page = read.number("page", 1, 10**6)
    read.done()
    unit = next((u for u in units if u.code == code), None) if code else None
    filters = Filters(
        year=year if year is not None else fallback(),
        reply_class=reply_class,
        unit=unit,
        status=status,
        overdue=bool(overdue),
    )
    return Query(filters, tab, page or 1)


def query_string(f: Filters, tab: str = "", **more: Any) -> str:
    params: dict[str, Any] = {"year": f.year}
    if f.reply_class:
        params["class"] = f.reply_class
    if f.unit is not None:
        params["unit"] = f.unit.code
    params.update({"status": f.status, "overdue": 1 if f.overdue else None})
    if tab and tab != TABS[0]:
        params["tab"] = tab
    params.update(more)
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def listed(units: frozenset[int] | None, f: Filters, on: date) -> QuerySet[Commitment]:
    return (
        promises_in(units, f)
        .filter(status_q(f.status, f.overdue, on))
        .select_related("case", "reply", "unit")
        .order_by("due", "case__number", "id")
    )


def lead_proposers(case_ids: list[int]) -> dict[int, str]:
    rows = CaseProposer.objects.filter(case_id__in=case_ids, position=0).values_list(
        "case_id", "proposer__name"
    )
    return dict(rows)


def promise_count(user: Any, params: Any) -> int:
    """How many promises the list shows for this query string (as of today): what a
    figure linking to it (the dashboard's 承诺兑现率) must equal."""
    units = scope_units(user)
    q = read_query(params, unit_choices(units), lambda: latest_year(units))
    return listed(units, q.filters, today()).count()


def _figure_links(f: Filters) -> dict[str, str]:
    """Each summary figure's list: the same year, class and unit, by status."""

    def link(**more: Any) -> str:
        base = Filters(f.year, f.reply_class, f.unit)
        return "?" + query_string(base, **more)

    return {
        "total": link(),
        "fulfilled": link(status="fulfilled"),
        "partial": link(status="partial"),
        "unfulfilled": link(status="unfulfilled"),
        "open": link(status=OPEN_FILTER),
        "overdue": link(overdue=1),
    }


def _scope(request: AuthedRequest) -> frozenset[int] | None:
    try:
        return scope_units(request.user)
    except NoPromises:
        raise PermissionDenied(NOT_YOURS) from None


@login_required
@require_GET
def promise_list(request: AuthedRequest) -> HttpResponse:
    units = _scope(request)
    on = today()
    choices = unit_choices(units)
    context: dict[str, Any] = {
        "units": choices,
        "classes": CLASSES,
        "statuses": STATUS_CHOICES,
        "today": on,
        "sees_all": units is None,
    }
    years = promise_years(units)
    context["years"] = years
    try:
        q = read_query(request.GET, choices, lambda: default_year(years))
    except InvalidFilter as exc:
        context["error"] = exc.message
        return render(request, "promises/list.html", context, status=400)
    f = q.filters
    context.update({"f": f, "tab": q.tab, "query": query_string(f, q.tab)})
    context["figures"] = figures_of(promises_in(units, f), on)
    context["rate_text"] = figures.percent(context["figures"]["rate"])
    context["query_promises"] = query_string(f)
    context["query_opinions"] = query_string(f, "opinions")
    context["links"] = _figure_links(f)
    context["year_links"] = [(y, query_string(replace(f, year=y), q.tab)) for y in years]
    opinions = needs_time(units, f.year)
    context["opinion_figures"] = needs_time_figures(opinions, on)
    page: Page[Any]
    if q.tab == "opinions":
        rows = opinions.select_related("opinion", "lead_unit").order_by("opinion__fix_due", "id")
        page = Paginator(rows, PER_PAGE).get_page(q.page)
    else:
        page = Paginator(listed(units, f, on), PER_PAGE).get_page(q.page)
        names = lead_proposers([c.case_id for c in page.object_list])
        for c in page.object_list:
            c.lead_proposer = names.get(c.case_id, "")
    context["page"] = page
    if page.has_previous():
        context["previous_query"] = query_string(f, q.tab, page=page.previous_page_number())
    if page.has_next():
        context["next_query"] = query_string(f, q.tab, page=page.next_page_number())
    return render(request, "promises/list.html", context)


def _filters_or_400(request: AuthedRequest, units: frozenset[int] | None) -> Filters | HttpResponse:
    try:
        return read_query(request.GET, unit_choices(units), lambda: latest_year(units)).filters
    except InvalidFilter as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")


@login_required
@require_GET
def promise_export(request: AuthedRequest) -> HttpResponse:
    units = _scope(request)
    f = _filters_or_400(request, units)
    if isinstance(f, HttpResponse):
        return f
    on = today()
    rows = list(listed(units, f, on)[: export.MAX_ROWS])
    names = lead_proposers(sorted({c.case_id for c in rows}))
    content = export.workbook(f, rows, names, figures_of(promises_in(units, f), on), on)
    title = figures.title(f)
    return as_download(
        HttpResponse(content, content_type=export.XLSX),
        f"{title}.xlsx",
        f"promises-{f.year}{f.reply_class}.xlsx",
    )


@login_required
@require_GET
def promise_report(request: AuthedRequest) -> HttpResponse:
    units = _scope(request)
    if units is not None:
        raise PermissionDenied(REPORT_NOT_YOURS)
    f = _filters_or_400(request, units)
    if isinstance(f, HttpResponse):
        return f
    on = today()
    content = report.build(f, on)
    return docx_response(
        content, f"{figures.title(f)}.docx", f"promises-{f.year}{f.reply_class}.docx"
    )
