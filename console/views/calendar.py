"""The working-day calendar: a year of month grids, overrides by day, and the import of the
State Council's yearly notice (paste → preview → confirm)."""

import re
from datetime import date
from typing import Any

from django.contrib import messages
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from audit.models import AuditEvent
from audit.record import today
from console.forms import DayForm, NoticeForm
from console.views.common import admin_required, calendar_reader_required, is_admin
from huiyin.formats import cn_date
from huiyin.types import AuthedRequest
from workdays.actions import (
    MAX_YEAR,
    MIN_YEAR,
    NOTE_MAX,
    import_year,
    remove_override,
    set_override,
)
from workdays.calendar import is_workday
from workdays.errors import CalendarError
from workdays.models import CalendarOverride
from workdays.notice import NoticeResult, parse_notice
from workdays.queries import WEEKDAY_LABELS, year_calendar

DOCUMENT_NUMBER_RE = re.compile(r"国办发(?:明电)?\s*[〔\[（(]\s*\d{4}\s*[〕\]）)]\s*\d+\s*号")


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("年份超出范围")


def _calendar_url(year: int, day: date | None = None) -> str:
    url = reverse("console:calendar", args=[year])
    return f"{url}?day={day.isoformat()}#day-form" if day else url


@calendar_reader_required
def calendar_current(request: AuthedRequest) -> HttpResponse:
    return redirect("console:calendar", year=today().year)


def _selected_day(raw: str | None, year: int) -> date | None:
    try:
        day = date.fromisoformat(raw or "")
    except ValueError:
        return None
    return day if day.year == year else None


def _day_form(year: int, day: date | None) -> DayForm:
    if day is None:
        return DayForm(year=year)
    override = CalendarOverride.objects.filter(day=day).first()
    return DayForm(
        year=year,
        initial={
            "day": day,
            # An adjusted day shows its adjustment; any other day offers the opposite of
            # what it is now, which is what choosing it usually means.
            "kind": "workday" if is_workday(day) == (override is not None) else "holiday",
            "note": override.note if override else "",
        },
    )


def _calendar_page(
    request: AuthedRequest,
    year: int,
    *,
    day: date | None = None,
    day_form: DayForm | None = None,
    status: int = 200,
) -> HttpResponse:
    now = today()
    cal = year_calendar(year, today=now)
    editable = is_admin(request.user)
    selected = day
    return render(
        request,
        "console/calendar.html",
        {
            "cal": cal,
            "year": year,
            "today": now,
            "editable": editable,
            "hide_console_nav": not editable,
            "day_form": (day_form or _day_form(year, day)) if editable else None,
            "selected": selected,
            "selected_override": CalendarOverride.objects.filter(day=selected).first()
            if selected
            else None,
            "weekdays": WEEKDAY_LABELS,
            "prev_year": year - 1 if year > MIN_YEAR else None,
            "next_year": year + 1 if year < MAX_YEAR else None,
            "is_this_year": year == now.year,
        },
        status=status,
    )


@calendar_reader_required
def calendar_year(request: AuthedRequest, year: int) -> HttpResponse:
    _check_year(year)
    day = _selected_day(request.GET.get("day"), year) if is_admin(request.user) else None
    return _calendar_page(request, year, day=day)


@admin_required
@require_POST
def calendar_day(request: AuthedRequest, year: int) -> HttpResponse:
    """Set a day's override (休 or 班, with a note), or remove it."""
    _check_year(year)
    if request.POST.get("remove"):
        day = _selected_day(request.POST.get("day"), year)
        if day is None:
            messages.error(request, f"请选择 {year} 年内的日期")
            return redirect("console:calendar", year=year)
        try:
            remove_override(day, by=request.user)
        except CalendarError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已取消{cn_date(day)}的调整，恢复为法定安排（或按周末计算）")
        return redirect(_calendar_url(year, day))

    form = DayForm(request.POST, year=year)
    if form.is_valid():
        day = form.cleaned_data["day"]
        workday = form.cleaned_data["kind"] == "workday"
        try:
            set_override(day, is_workday=workday, by=request.user, note=form.cleaned_data["note"])
        except CalendarError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, f"已将{cn_date(day)}设为{'班（工作日）' if workday else '休（休息日）'}"
            )
            return redirect(_calendar_url(year, day))
    day = form.cleaned_data.get("day") if hasattr(form, "cleaned_data") else None
    return _calendar_page(request, year, day=day, day_form=form, status=400)


def _note(text: str) -> str:
    found = DOCUMENT_NUMBER_RE.search(text)
    number = re.sub(r"\s+", "", found.group(0)) if found else ""
    note = f"国务院办公厅节假日安排通知（{number}）" if number else "国务院办公厅节假日安排通知"
    return note[:NOTE_MAX]


def _preview_context(year: int, result: NoticeResult) -> dict[str, Any]:
    cal = year_calendar(year, today=today(), preview=result.days)
    work_days = [d for d, flag in result.days.items() if flag]
    return {
        "result": result,
        "preview": cal,
        "work_days": work_days,
        "holiday_days": sum(1 for flag in result.days.values() if not flag),
        "replaced": CalendarOverride.objects.filter(day__year=year).count(),
        "changed": sum(1 for m in cal.months for w in m.weeks for d in w if d.changed),
    }


@admin_required
def calendar_notice(request: AuthedRequest, year: int) -> HttpResponse:
    """Paste the notice → preview of its days → confirm the import."""
    _check_year(year)
    form = NoticeForm(request.POST or None)
    step = request.POST.get("step", "")
    context: dict[str, Any] = {
        "year": year,
        "form": form,
        "weekdays": WEEKDAY_LABELS,
        "already": year_calendar(year, today=today()),
    }
    status = 200
    if request.method == "POST" and step in {"preview", "confirm"} and form.is_valid():
        text = form.cleaned_data["text"]
        try:
            result = parse_notice(text, year)
        except CalendarError as exc:
            form.add_error("text", exc.message)
            status = 400
        else:
            if step == "confirm":
                return _import(request, year, text, result)
            context.update(_preview_context(year, result))
    elif request.method == "POST" and step in {"preview", "confirm"}:
        status = 400
    return render(request, "console/calendar_notice.html", context, status=status)


def _import(request: AuthedRequest, year: int, text: str, result: NoticeResult) -> HttpResponse:
    last_event = AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0
    try:
        summary = import_year(year, result.days, by=request.user, source="notice", note=_note(text))
    except CalendarError as exc:  # parse_notice already keeps to the year: unexpected
        messages.error(request, exc.message)
        return redirect("console:calendar-notice", year=year)
    recomputed = (
        AuditEvent.objects.filter(id__gt=last_event, action="recompute_deadlines")
        .values("case")
        .distinct()
        .count()
    )
    effect = f"{recomputed} 件办件的暂定期限已重新计算" if recomputed else "没有办件的期限因此改变"
    messages.success(
        request,
        f"已导入 {year} 年节假日安排：{len(result.holidays)} 个节假日，"
        f"休 {summary.holidays} 天，班 {summary.workdays} 天，该年已确认；{effect}。",
    )
    return redirect("console:calendar", year=year)
