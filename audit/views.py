"""The audit trail in the console (/console/audit/): the 审计管理员 reads, filters and exports
the whole trail and checks its chain; the 安全管理员 reads the 审计管理员's own events."""

import io
import json
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from openpyxl import Workbook

from attachments.downloads import as_download
from audit.chain import verify_chain
from audit.integrity import write_head
from audit.models import AuditEvent
from audit.queries import (
    EXPORT_LIMIT,
    TrailFilter,
    action_labels,
    event_for,
    events_for,
    page_of,
    scope_for,
)
from audit.trail import SecurityAction, masked_query, record_security_event
from huiyin.types import AuthedRequest

VERIFY_DAYS = 30
COLUMNS = ("编号", "记录时间", "类别", "操作", "结果", "操作人", "来源地址", "办件", "对象",
           "原状态", "新状态", "详情", "校验链")  # fmt: skip


def _before(request: AuthedRequest) -> int | None:
    value = request.GET.get("before", "")
    return int(value) if value.isdigit() and len(value) < 19 else None


@login_required
@require_GET
def trail(request: AuthedRequest) -> HttpResponse:
    scope = scope_for(request.user)
    form = TrailFilter(request.GET or None)
    events = form.apply(events_for(request.user)) if form.is_bound else events_for(request.user)
    page = page_of(events, _before(request))
    labels = action_labels()
    rows = [(event, labels.get(event.action, event.action)) for event in page.events]
    return render(
        request,
        "audit/trail.html",
        {
            "form": form,
            "rows": rows,
            "page": page,
            "scope": scope,
            "query": form.query_string() if form.is_bound else "",
            "first_page": _before(request) is None,
            "verify_days": VERIFY_DAYS,
            "export_limit": EXPORT_LIMIT,
        },
    )


@login_required
@require_GET
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    event = event_for(request.user, pk)
    return render(
        request,
        "audit/detail.html",
        {
            "event": event,
            "label": action_labels().get(event.action, event.action),
            "details": json.dumps(event.details, ensure_ascii=False, indent=2, sort_keys=True),
        },
    )


def _cell(value: object) -> object:
    # A text cell never starts a formula in the spreadsheet.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


@login_required
@require_GET
def export(request: AuthedRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if not scope.everything:
        raise PermissionDenied("只有审计管理员可以导出审计记录")
    form = TrailFilter(request.GET or None)
    events = form.apply(events_for(request.user)) if form.is_bound else events_for(request.user)
    labels = action_labels()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("审计记录")
    sheet.append(COLUMNS)
    written = 0
    for event in events.order_by("-id")[:EXPORT_LIMIT].iterator(chunk_size=2000):
        at = timezone.localtime(event.at).replace(tzinfo=None)
        sheet.append(
            [
                event.pk, at, event.get_kind_display(), labels.get(event.action, event.action),
                event.get_result_display(), _cell(event.actor_name), event.address or "",
                _cell(event.case_label), _cell(event.subject), event.from_state, event.to_state,
                _cell(json.dumps(event.details, ensure_ascii=False, sort_keys=True)), event.chain,
            ]
        )  # fmt: skip
        written += 1
    buffer = io.BytesIO()
    book.save(buffer)
    with transaction.atomic():
        record_security_event(
            request,
            action=SecurityAction.AUDIT_EXPORT,
            subject="audit",
            details={"rows": written, "capped": written >= EXPORT_LIMIT,
                     "query": masked_query(form.query_string()) if form.is_bound else {}},
        )  # fmt: skip
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return as_download(response, f"审计记录-{stamp}.xlsx", f"audit-{stamp}.xlsx")


@login_required
@require_POST
def verify(request: AuthedRequest) -> HttpResponse:
    if not scope_for(request.user).everything:
        raise PermissionDenied("只有审计管理员可以校验审计记录")
    since = timezone.localdate() - timedelta(days=VERIFY_DAYS)
    report = verify_chain(since=since)
    if report.ok and report.checked and report.last_id is not None:
        write_head(report.last_id, report.last_chain, report.checked)  # audit.integrity
    if report.ok:
        messages.success(
            request, f"校验链完好：{since.isoformat()} 起的 {report.checked} 条记录全部相符"
        )
    elif report.first_bad_id is None:
        messages.error(request, f"校验失败：{report.reason}")
    else:
        event = AuditEvent.objects.filter(pk=report.first_bad_id or 0).first()
        when = timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S") if event else "?"
        messages.error(
            request,
            f"校验链断开：第 {report.first_bad_id} 条记录（{when}）{report.reason}；"
            f"其前 {report.checked} 条相符",
        )
    return redirect("audit:trail")
