"""The statistics of 群众意见建议 on the web: the page (GET /opinions/stats/), the same figures
as .xlsx (/opinions/stats.xlsx) and the weekly bulletin (/opinions/bulletin.docx).

The views are thin: read the period and the campaign from the query string, call
opinions.stats.opinion_figures (or the bulletin), render. Bad input is a 400 with the
reason in Chinese; a user without statistics gets 403, as on the 议提案 dashboard.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, path
from django.views.decorators.http import require_GET

from attachments.downloads import as_download
from audit.record import today
from huiyin.dates import parse_date
from huiyin.errors import DomainError
from opinions.models import Campaign
from opinions.stats import (
    NO_STATS,
    PERIODS,
    RATE_LABELS,
    RATE_NOTES,
    RATING_LABELS,
    RESULT_LABELS,
    Period,
    fraction,
    may_see_opinion_stats,
    opinion_figures,
    percent,
    period_of,
)
from orgs.access import standing_of
from workflow.errors import CaseError

app_name = "opinions_stats"

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CAMPAIGNS_LISTED = 200
ID_MAX_DIGITS = 12
DEFAULT_PERIOD = "month"


@dataclass(frozen=True)
class StatsQuery:
    period: Period
    campaign_id: int | None


def _campaign_id(raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > ID_MAX_DIGITS:
        raise CaseError("征集活动应为活动编号（整数）", field="campaign")
    return int(raw)


def parse_query(params: Any, on: date) -> StatsQuery:
    """The period (本周 / 本月 / 本年 / 全部 / 自定义 start–end) and the campaign asked for; a
    campaign without a period means its whole span. CaseError with a Chinese message for
    anything unreadable."""
    campaign_id = _campaign_id(params.get("campaign", ""))
    kind = params.get("period", "").strip() or ("all" if campaign_id else DEFAULT_PERIOD)
    if kind not in PERIODS:
        raise CaseError("统计期间应为本周、本月、本年、全部或自定义", field="period")
    start = end = None
    if kind == "custom":
        raw_start, raw_end = params.get("start", ""), params.get("end", "")
        start = (
            parse_date(raw_start, label="开始日期", field="start") if raw_start.strip() else None
        )
        end = parse_date(raw_end, label="结束日期", field="end") if raw_end.strip() else None
    return StatsQuery(period_of(kind, on, start, end), campaign_id)


def _check_access(request: HttpRequest) -> None:
    if not may_see_opinion_stats(request.user):
        raise PermissionDenied(NO_STATS)


def _campaigns() -> list[Campaign]:
    return list(
        Campaign.objects.only("id", "name").order_by("-starts_on", "-id")[:CAMPAIGNS_LISTED]
    )


def _chart_data(figures: dict[str, Any]) -> dict[str, Any]:
    """What stats.js draws: names and counts only (never an opinion's text)."""

    def points(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{"name": r["label"], "value": r["received"]} for r in rows]

    return {
        "areas": points(figures["by_area"]),
        "channels": points(figures["by_channel"]),
        "units": [
            {
                "name": u["name"],
                "rates": {
                    k: u["rates"][k]["rate"] for k in ("answer_on_time", "reply", "satisfaction")
                },
            }
            for u in figures["by_unit"]
        ],
    }


def _rate_cards(figures: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {
            "key": key,
            "label": RATE_LABELS[key],
            "percent": percent(value),
            "fraction": fraction(value),
            "note": RATE_NOTES[key],
        }
        for key, value in figures["rates"].items()
    ]


def _unit_rows(figures: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for u in figures["by_unit"]:
        rates = [
            {"percent": percent(u["rates"][k]), "fraction": fraction(u["rates"][k]), "key": k}
            for k in ("answer_on_time", "reply", "satisfaction")
        ]
        rows.append({**u, "shown_rates": rates})
    return rows


def _book_return(figures: dict[str, Any]) -> str:
    campaign = figures["campaign"]
    if not campaign or not campaign["book_return"] or campaign["book_return"]["rate"] is None:
        return ""
    return f"{percent(campaign['book_return'])}，{fraction(campaign['book_return'])}"


def _bad_request(request: HttpRequest, message: str, params: Any, on: date) -> HttpResponse:
    return render(
        request,
        "opinions/stats/page.html",
        {
            "error": message,
            "periods": PERIODS,
            "chosen": {k: params.get(k, "") for k in ("period", "start", "end", "campaign")},
            "campaigns": _campaigns(),
            "today": on,
        },
        status=400,
    )


@require_GET
@login_required
def stats_page(request: HttpRequest) -> HttpResponse:
    _check_access(request)
    on = today()
    try:
        query = parse_query(request.GET, on)
        figures = opinion_figures(
            user=request.user,
            start=query.period.start,
            end=query.period.end,
            campaign_id=query.campaign_id,
            as_of=on,
        )
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        return _bad_request(request, exc.message, request.GET, on)
    chosen = {
        "period": query.period.kind,
        "start": query.period.start.isoformat() if query.period.kind == "custom" else "",
        "end": query.period.end.isoformat() if query.period.kind == "custom" else "",
        "campaign": str(query.campaign_id or ""),
    }
    return render(
        request,
        "opinions/stats/page.html",
        {
            "f": figures,
            "period": query.period,
            "periods": PERIODS,
            "chosen": chosen,
            "campaigns": _campaigns(),
            "rate_cards": _rate_cards(figures),
            "unit_rows": _unit_rows(figures),
            "result_rows": [(RESULT_LABELS[k], n) for k, n in figures["by_result"].items()],
            "rating_rows": [(RATING_LABELS[k], figures["feedback"][k]) for k in RATING_LABELS],
            "charts": _chart_data(figures),
            "notes": RATE_NOTES,
            "book_return": _book_return(figures),
            "export_query": request.GET.urlencode(),
            "may_bulletin": standing_of(request.user).sees_all,
            "today": on,
        },
    )


def _plain_error(message: str, status: int = 400) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@require_GET
@login_required
def stats_export(request: HttpRequest) -> HttpResponse:
    from opinions.export import figures_workbook, workbook_filename

    _check_access(request)
    on = today()
    try:
        query = parse_query(request.GET, on)
        figures = opinion_figures(
            user=request.user,
            start=query.period.start,
            end=query.period.end,
            campaign_id=query.campaign_id,
            as_of=on,
        )
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        return _plain_error(exc.message)
    return as_download(
        HttpResponse(figures_workbook(figures), content_type=XLSX_CONTENT_TYPE),
        workbook_filename(figures),
        f"opinion-stats-{figures['start']}-{figures['end']}.xlsx",
    )


@require_GET
@login_required
def bulletin_download(request: HttpRequest) -> HttpResponse:
    from letters.build import DOCX_CONTENT_TYPE
    from opinions.bulletin import NOT_ALLOWED, bulletin_filename, last_full_week, weekly_bulletin

    if not standing_of(request.user).sees_all:
        raise PermissionDenied(NOT_ALLOWED)
    on = today()
    raw = request.GET.get("week", "")
    try:
        week = (
            parse_date(raw, label="周报的周一日期", field="week")
            if raw.strip()
            else last_full_week(on)
        )
        if week > on:
            raise CaseError("周报的日期不能晚于今天", field="week")
        content = weekly_bulletin(week, user=request.user, as_of=on)
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        return _plain_error(exc.message)
    return as_download(
        HttpResponse(content, content_type=DOCX_CONTENT_TYPE),
        bulletin_filename(week),
        f"opinion-bulletin-{week.isoformat()}.docx",
    )


urlpatterns: list[URLPattern | URLResolver] = [
    path("stats/", stats_page, name="stats"),
    path("stats.xlsx", stats_export, name="export"),
    path("bulletin.docx", bulletin_download, name="bulletin"),
]
