"""The ratings and stars of 督查督办 on the web (mounted at /supervision/): the page
(GET /supervision/stats/?period=2026-Q2), the same figures as .xlsx (/supervision/stats.xlsx)
and the bulletin (/supervision/bulletin.docx, commission roles only).

The views are thin: read the period from the query string, call
supervision.ratings.period_figures (or the bulletin), render. Bad input is a 400 with the
reason in Chinese; a handler or a user without a role gets 403, as on the other statistics.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, path
from django.views.decorators.http import require_GET

from attachments.downloads import as_download
from audit.record import today
from huiyin.errors import DomainError
from huiyin.periods import Period, period_choices, read_period
from orgs.access import standing_of
from supervision.ratings import (
    NO_STATS,
    QUALITIES,
    QUALITY_LABELS,
    TIMING_LABELS,
    TIMINGS,
    may_see_supervision_stats,
    percent,
    period_figures,
    rate_text,
    shown,
)
from supervision.weights import PART_LABELS, PARTS

app_name = "supervision_stats"

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _check_access(request: HttpRequest) -> None:
    if not may_see_supervision_stats(request.user):
        raise PermissionDenied(NO_STATS)


def _fraction(value: dict[str, Any]) -> str:
    return f"{value['numerator']}/{value['denominator']}"


def _unit_rows(f: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for u in f["by_unit"]:
        s = u["scores"]
        rows.append(
            {
                **u,
                "timing_cells": [u["timing"][c] for c in TIMINGS],
                "quality_cells": [u["quality"][c] for c in QUALITIES],
                "on_time_text": percent(u["rates"]["on_time"]),
                "on_time_fraction": _fraction(u["rates"]["on_time"]),
                "score_cells": [(p, shown(s[p])) for p in PARTS],
                "composite": shown(s["composite"]),
            }
        )
    return rows


def _kind_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            **r,
            "timing_cells": [r["timing"][c] for c in TIMINGS],
            "on_time_text": rate_text(r["on_time"]),
        }
        for r in rows
    ]


def _context(request: HttpRequest, period: Period, f: dict[str, Any], on: date) -> dict[str, Any]:
    from supervision.bulletin import stars_sentence, summary_paragraph

    sees_all = standing_of(request.user).sees_all
    query = urlencode({"period": period.code})
    return {
        "f": f,
        "period": period,
        "choices": period_choices(on, period),
        "unit_rows": _unit_rows(f),
        "source_rows": _kind_rows(f["by_source"]),
        "urgency_rows": _kind_rows(f["by_urgency"]),
        "timing_labels": [TIMING_LABELS[c] for c in TIMINGS],
        "quality_labels": [QUALITY_LABELS[c] for c in QUALITIES],
        "part_labels": [PART_LABELS[p] for p in PARTS],
        "on_time": percent(f["rates"]["on_time"]),
        "on_time_fraction": _fraction(f["rates"]["on_time"]),
        "early": percent(f["rates"]["early"]),
        "early_fraction": _fraction(f["rates"]["early"]),
        "average_quality": shown(f["average_quality"]),
        "weights": [(PART_LABELS[p], shown(f["scoring"]["weights"][p])) for p in PARTS],
        "draft": summary_paragraph(f, period, on) if sees_all else "",
        "stars_text": stars_sentence(f, period) if sees_all else "",
        "export_query": query,
        "may_bulletin": sees_all,
        "today": on,
    }


@require_GET
@login_required
def stats_page(request: HttpRequest) -> HttpResponse:
    _check_access(request)
    on = today()
    try:
        period = read_period(request.GET, on)
        figures = period_figures(period, user=request.user, as_of=on)
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        context = {"error": exc.message, "choices": period_choices(on, None), "today": on}
        return render(request, "supervision/stats/page.html", context, status=400)
    return render(request, "supervision/stats/page.html", _context(request, period, figures, on))


def _plain_error(message: str, status: int = 400) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@require_GET
@login_required
def stats_export(request: HttpRequest) -> HttpResponse:
    from supervision.export import figures_workbook, workbook_filename

    _check_access(request)
    on = today()
    try:
        period = read_period(request.GET, on)
        figures = period_figures(period, user=request.user, as_of=on)
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        return _plain_error(exc.message)
    return as_download(
        HttpResponse(figures_workbook(figures), content_type=XLSX_CONTENT_TYPE),
        workbook_filename(figures),
        f"supervision-stats-{period.code}.xlsx",
    )


@require_GET
@login_required
def bulletin_download(request: HttpRequest) -> HttpResponse:
    from letters.build import DOCX_CONTENT_TYPE
    from supervision.bulletin import NOT_ALLOWED, bulletin_filename, period_bulletin

    if not standing_of(request.user).sees_all:
        raise PermissionDenied(NOT_ALLOWED)
    on = today()
    try:
        period = read_period(request.GET, on)
        content = period_bulletin(period, user=request.user, as_of=on)
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        return _plain_error(exc.message)
    return as_download(
        HttpResponse(content, content_type=DOCX_CONTENT_TYPE),
        bulletin_filename(period),
        f"supervision-bulletin-{period.code}.docx",
    )


urlpatterns: list[URLPattern | URLResolver] = [
    path("stats/", stats_page, name="stats"),
    path("stats.xlsx", stats_export, name="export"),
    path("bulletin.docx", bulletin_download, name="bulletin"),
]
