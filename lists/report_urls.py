"""A list's figures on the web (under /lists/): the report page (/lists/<id>/report/), the
整改情况报告 (/lists/<id>/report.docx?on=2026-11-30) and the progress bulletin
(/lists/<id>/bulletin.docx?period=2026-11 | 2026-Q4 | 2026).

Thin views: read the query string (cases.listing.QueryReader; the period is supervision's),
call lists.stats / lists.report / lists.bulletin, render. An invisible list is a 404; the
documents are the office's, the leaders' and the list's reviewers' (others 403); a bad
parameter is a 400 page saying why.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, path
from django.views.decorators.http import require_GET

from audit.record import today
from cases.listing import QueryReader
from huiyin.dates import parse_date
from huiyin.errors import DomainError
from huiyin.periods import Period, period_choices, read_period
from letters.views import docx_response
from lists.access import list_for_user
from lists.models import RectList
from lists.report import NOT_ALLOWED, figures_user, list_report, may_report, report_filename
from lists.report_text import summary_paragraph
from lists.stats import list_figures, noun, percent
from workflow.errors import CaseError

if TYPE_CHECKING:
    from huiyin.types import AuthedRequest

ERROR_TEMPLATE = "lists/report/error.html"


def read_on(params: Any, rect_list: RectList, now: date) -> date:
    """?on=YYYY-MM-DD, the 截至 date: today when absent; within the list's life up to today."""
    reader = QueryReader(params)
    raw = reader.text("on", 20)
    reader.done()
    if not raw:
        return now
    on = parse_date(raw, label="截至日期", field="on")
    if on > now:
        raise CaseError("截至日期不能晚于今天", field="on")
    if on < rect_list.starts_on:
        raise CaseError("截至日期不能早于清单开始日期", field="on")
    return on


def read_list_period(params: Any, now: date) -> Period:
    """?period=2026-11 | 2026-Q4 | 2026 (supervision's parsing); the current quarter when
    absent."""
    reader = QueryReader(params)
    raw = reader.text("period", 20)
    reader.done()
    return read_period({"period": raw}, now)


def _error(request: AuthedRequest, rect_list: RectList, message: str) -> HttpResponse:
    return render(request, ERROR_TEMPLATE, {"list": rect_list, "error": message}, status=400)


def _allowed(request: AuthedRequest, rect_list: RectList) -> None:
    if not may_report(request.user, rect_list):
        raise PermissionDenied(NOT_ALLOWED)


def unit_rows(f: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            **u,
            "completion": percent(u["completion_rate"]),
            "on_time": percent(u["on_time_rate"]),
            "strike_off": percent(u["strike_off_rate"]),
        }
        for u in f["by_unit"].values()
    ]


@login_required
@require_GET
def report_page(request: AuthedRequest, pk: int) -> HttpResponse:
    rect_list = list_for_user(request.user, pk)
    on = today()
    f = list_figures(rect_list, on, user=figures_user(request.user, rect_list))
    what = noun(rect_list)
    return render(
        request,
        "lists/report/page.html",
        {
            "list": rect_list,
            "f": f,
            "on": on,
            "what": what,
            "rates": [
                (
                    "completion_rate",
                    "整改完成率",
                    percent(f["completion_rate"]),
                    f"{f['items_finished']}/{f['items']}",
                    f"已完成整改 ÷ {what}总数",
                ),
                (
                    "on_time_rate",
                    "按期整改率",
                    percent(f["on_time_rate"]),
                    f"{f['items_on_time']}/{f['items_finished']}",
                    "按期完成 ÷ 已完成整改",
                ),
                (
                    "strike_off_rate",
                    "销号率",
                    percent(f["strike_off_rate"]),
                    f"{f['items_struck_off']}/{f['items']}",
                    f"已销号 ÷ {what}总数",
                ),
            ],  # fmt: skip
            "units": unit_rows(f),
            "categories": [
                {**c, "completion": percent(c["completion_rate"])}
                for c in f["by_category"].values()
            ],
            "draft": summary_paragraph(f, what, on),
            "may_report": may_report(request.user, rect_list),
            "periods": period_choices(on, None, since=rect_list.starts_on),
            "default_period": f"{on.year}-{on.month:02d}",
        },
    )


@login_required
@require_GET
def report_docx(request: AuthedRequest, pk: int) -> HttpResponse:
    rect_list = list_for_user(request.user, pk)
    _allowed(request, rect_list)
    try:
        on = read_on(request.GET, rect_list, today())
    except DomainError as exc:
        return _error(request, rect_list, exc.message)
    return docx_response(list_report(rect_list, on), *report_filename(rect_list, on))


@login_required
@require_GET
def bulletin_docx(request: AuthedRequest, pk: int) -> HttpResponse:
    from lists.bulletin import bulletin_filename, list_bulletin

    rect_list = list_for_user(request.user, pk)
    _allowed(request, rect_list)
    now = today()
    try:
        period = read_list_period(request.GET, now)
    except DomainError as exc:
        return _error(request, rect_list, exc.message)
    content = list_bulletin(rect_list, period, now)
    return docx_response(content, *bulletin_filename(rect_list, period))


urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:pk>/report/", report_page, name="report"),
    path("<int:pk>/report.docx", report_docx, name="report-docx"),
    path("<int:pk>/bulletin.docx", bulletin_docx, name="bulletin-docx"),
]
