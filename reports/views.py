"""The dashboard (统计看板) and the annual summary's download."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Min
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit.record import today
from cases.figures import DEFINITIONS
from cases.models import Case
from cases.models.choices import PROPOSAL_CATEGORIES
from huiyin.types import AuthedRequest
from orgs.access import standing_of
from orgs.models import Unit, UnitKind
from reports.access import (
    MAX_YEAR,
    MIN_YEAR,
    NO_STATS,
    NO_SUMMARY,
    UnknownUnit,
    may_download_summary,
    may_see_stats,
    own_units,
    parse_year,
    stats_unit,
)
from reports.dashboard import dashboard_data
from workflow.errors import ActionForbidden

BAD_YEAR = f"年度应为{MIN_YEAR}至{MAX_YEAR}之间的整数，已显示本年度"


def _years(year: int, this_year: int) -> list[int]:
    """The years from the first to the last with cases, and the shown and current ones,
    newest first (min and max come from the year index, not from a scan)."""
    span = Case.objects.filter(category__in=PROPOSAL_CATEGORIES).aggregate(
        first=Min("year"), last=Max("year")
    )
    found = set(range(span["first"], span["last"] + 1)) if span["first"] else set()
    return sorted(found | {year, this_year}, reverse=True)


def _scope(request: AuthedRequest) -> tuple[int, Unit | None, list[str]]:
    """The year and unit asked for, with the warnings to show for what could not be used."""
    if not may_see_stats(request.user):
        raise PermissionDenied(NO_STATS)
    warnings = []
    this_year = today().year
    year = parse_year(request.GET.get("year"), this_year)
    if year is None:
        warnings.append(BAD_YEAR)
        year = this_year
    try:
        unit = stats_unit(request.user, request.GET.get("unit"))
    except ActionForbidden as exc:
        raise PermissionDenied(exc.message) from None
    except UnknownUnit as exc:
        unit = stats_unit(request.user, None)
        warnings.append(f"{exc.message}，已显示{unit.name if unit else '全委'}的统计")
    return year, unit, warnings


@require_GET
@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    year, unit, warnings = _scope(request)
    this_year = today().year
    if standing_of(request.user).sees_all:
        unit_choices = list(
            Unit.objects.filter(is_active=True)
            .exclude(kind=UnitKind.EXTERNAL)
            .only("code", "name")
            .order_by("sort_order", "code")
        )
        whole_commission = True
    else:
        unit_choices = own_units(request.user)
        whole_commission = False
    data = dashboard_data(year, unit)
    deadlines = data["deadlines"]
    deadline_sections = [
        (
            "overdue",
            deadlines["overdue"],
            deadlines["overdue_rows"],
            "bi-exclamation-octagon",
            "没有超期未复的办件",
            deadlines["overdue_note"],
        ),
        (
            "due_soon",
            deadlines["due_soon"],
            deadlines["due_soon_rows"],
            "bi-hourglass-split",
            f"{deadlines['due_soon_workdays']}个工作日内没有到期的办件",
            deadlines["due_soon_note"],
        ),
    ]
    return render(
        request,
        "reports/dashboard.html",
        {
            **data,
            "warnings": warnings,
            "deadline_sections": deadline_sections,
            "previous_year": year - 1,
            "years": _years(year, this_year),
            "unit_choices": unit_choices,
            "whole_commission": whole_commission,
            "can_download": may_download_summary(request.user),
            "today": today(),
            "definitions": DEFINITIONS,
        },
    )


@require_GET
@login_required
def summary_download(request: AuthedRequest) -> HttpResponse:
    from letters.views import docx_response
    from reports.summary import annual_summary, summary_filename

    if not may_download_summary(request.user):
        raise PermissionDenied(NO_SUMMARY)
    year = parse_year(request.GET.get("year"), today().year)
    if year is None:
        return render(
            request,
            "reports/bad_request.html",
            {"message": f"年度应为{MIN_YEAR}至{MAX_YEAR}之间的整数"},
            status=400,
        )
    return docx_response(annual_summary(year), summary_filename(year), f"summary-{year}.docx")
