"""导入导出 in the web UI: upload a ledger, see the preview, confirm, watch the progress;
export the filtered case list; download the template. Thin: the work is in
transfer.services (plan, apply, export) and transfer.jobs (the job steps)."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from attachments.checks import clean_filename
from attachments.downloads import as_download
from audit.record import today
from cases.actions.importing import may_create_units
from cases.listing import CaseFilter, InvalidFilter
from cases.models.choices import PROPOSAL_CATEGORIES
from cases.permissions import visible_cases
from huiyin.errors import DomainError
from huiyin.types import AuthedRequest
from huiyin.views import invalid_input
from orgs.access import standing_of
from orgs.models import Role
from transfer import jobs
from transfer.export_views import describe_filter, export_columns_for
from transfer.forms import LedgerUploadForm
from transfer.models import ImportJob
from transfer.planning import STATUS_LABELS
from transfer.services import export_workbook, template_workbook
from web.views.ledger import invalid_filter_page

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# One request builds the whole workbook in memory: about 5 s and 10 MB for this many.
EXPORT_MAX_CASES = 20_000
RECENT_JOBS = 10
ROW_BADGES = {
    "new": "bg-success-subtle text-success-emphasis border-success-subtle",
    "changed": "bg-primary-subtle text-primary-emphasis border-primary-subtle",
    "unchanged": "bg-light text-body-secondary",
    "error": "bg-danger text-white border-danger",
}
Status = ImportJob.Status


def _require_coordinator(request: AuthedRequest) -> None:
    if not standing_of(request.user).has(Role.COORDINATOR):
        raise PermissionDenied("只有议提案管理员可以导入台账")


def _job_for(request: AuthedRequest, pk: int) -> ImportJob:
    """The user's own job; another user's is as good as missing (404)."""
    _require_coordinator(request)
    job = ImportJob.objects.filter(pk=pk, user=request.user).first()
    if job is None:
        raise Http404("导入任务不存在")
    return job


def _xlsx(content: bytes, filename: str, fallback: str) -> HttpResponse:
    return as_download(HttpResponse(content, content_type=XLSX_CONTENT_TYPE), filename, fallback)


# Import


@login_required
def import_upload(request: AuthedRequest) -> HttpResponse:
    _require_coordinator(request)
    status = 200
    if request.method == "POST":
        form = LedgerUploadForm(
            request.POST, request.FILES, may_create_units=may_create_units(request.user)
        )
        if form.is_valid():
            upload = form.cleaned_data["file"]
            job = jobs.create_job(
                request.user,
                upload,
                clean_filename(upload.name),
                create_units=form.cleaned_data["create_units"],
            )
            inline = job.size <= jobs.INLINE_CHECK_BYTES
            jobs.start(job.pk, jobs.check_job, inline=inline)
            if inline:
                job.refresh_from_db()
                if job.status == Status.FAILED:
                    # A file that cannot be read at all: say so on the form itself.
                    form.add_error("file", job.error)
            if not form.errors:
                return redirect("transfer-import-job", pk=job.pk)
        status = 400
    else:
        form = LedgerUploadForm(may_create_units=may_create_units(request.user))
    recent = ImportJob.objects.filter(user=request.user).order_by("-id")[:RECENT_JOBS]
    context = {
        "form": form,
        "recent": recent,
        "max_mb": settings.HUIYIN_IMPORT_MAX_BYTES // (1024 * 1024),
    }
    return render(request, "transfer/import.html", context, status=status)


def _job_context(job: ImportJob) -> dict[str, Any]:
    done, total = jobs.progress_of(job)
    preview = job.preview or {}
    counts = preview.get("counts", {})
    rows = [
        {
            **row,
            "label": STATUS_LABELS.get(row["status"], row["status"]),
            "badge": ROW_BADGES.get(row["status"], ""),
        }
        for row in preview.get("rows", [])
    ]
    return {
        "job": job,
        "preview": preview,
        "counts": counts,
        "rows": rows,
        "rows_hidden": preview.get("rows_total", 0) - len(rows),
        "to_write": counts.get("new", 0) + counts.get("changed", 0),
        # Read from the plan's error codes, never from the wording of a message.
        "unknown_units": not job.create_units and bool(preview.get("has_unknown_units")),
        "unknown_unit_names": preview.get("unknown_units", []),
        "may_create_units": may_create_units(job.user),
        "done": done,
        "total": total,
        "percent": int(done * 100 / total) if total else 0,
    }


@login_required
@require_GET
def import_job(request: AuthedRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    return render(request, "transfer/job.html", _job_context(job))


@login_required
@require_GET
def import_progress(request: AuthedRequest, pk: int) -> HttpResponse:
    """The progress partial that the job page polls (htmx, every second). Once the job
    has moved on, the page reloads to show the preview or the result."""
    # The poll does not renew the session: on SQLite a running import holds the write
    # lock, and the session write would wait for it and then fail.
    request.session.save = lambda must_create=False: None  # type: ignore[method-assign]
    job = _job_for(request, pk)
    response = render(request, "transfer/_progress.html", _job_context(job))
    if not job.busy:
        response["HX-Redirect"] = reverse("transfer-import-job", args=[job.pk])
    return response


@login_required
@require_POST
def import_confirm(request: AuthedRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    preview = job.preview or {}
    to_write = preview.get("counts", {}).get("new", 0) + preview.get("counts", {}).get("changed", 0)
    if job.status != Status.CHECKED:
        messages.warning(request, f"该导入任务当前“{job.get_status_display()}”，不能再确认")
    elif preview.get("has_errors"):
        messages.error(request, "文件有错误，不能导入；请修改后重新上传")
    elif request.POST.get("digest") != preview.get("digest"):
        messages.warning(request, "检查结果已更新，请查看后再确认")
    elif not to_write:
        messages.info(request, "所有行均无变化，无需导入")
    elif jobs.claim(job.pk, (Status.CHECKED,), Status.QUEUED, started_at=None):
        # Inline or not, the job page says how it went (done, failed or the progress).
        jobs.start(job.pk, jobs.run_job, inline=to_write <= jobs.INLINE_APPLY_ROWS)
    else:
        messages.warning(request, "该导入任务已确认")
    return redirect("transfer-import-job", pk=job.pk)


@login_required
@require_POST
def import_recheck(request: AuthedRequest, pk: int) -> HttpResponse:
    """Check the stored file again (after a refused confirmation, or to see the current
    state of the database)."""
    job = _job_for(request, pk)
    if not job.file:
        messages.error(request, "上传的文件已不在服务器上，请重新上传")
    elif jobs.claim(
        job.pk,
        (Status.CHECKED, Status.FAILED),
        Status.PENDING,
        preview={},
        summary={},
        error="",
        total=0,
        done=0,
        started_at=None,
        finished_at=None,
    ):
        jobs.start(job.pk, jobs.check_job, inline=job.size <= jobs.INLINE_CHECK_BYTES)
    return redirect("transfer-import-job", pk=job.pk)


@login_required
@require_GET
def template_download(request: AuthedRequest) -> HttpResponse:
    _require_coordinator(request)
    return _xlsx(template_workbook(), "议提案台账导入模板.xlsx", "ledger-template.xlsx")


# Export


@login_required
@require_GET
def export(request: AuthedRequest) -> HttpResponse:
    """The case list as filtered (the list's own parameters), all pages, as .xlsx."""
    try:
        case_filter = CaseFilter.from_params(request.GET)
    except InvalidFilter as exc:
        return invalid_filter_page(request, exc)
    cases = case_filter.apply(visible_cases(request.user), today()).filter(
        category__in=PROPOSAL_CATEGORIES
    )
    count = cases.order_by().values("pk")[: EXPORT_MAX_CASES + 1].count()
    if count > EXPORT_MAX_CASES:
        messages.error(
            request,
            f"符合条件的办件超过{EXPORT_MAX_CASES}件，一次导出不了；请按年度等条件缩小范围后再导出",
        )
        query = request.GET.urlencode()
        return redirect(reverse("case-list") + (f"?{query}" if query else ""))
    try:
        columns = export_columns_for(request)
    except DomainError as exc:
        return invalid_input(
            request,
            exc.message,
            heading="无效的导出列",
            back_url=reverse("transfer-export-columns"),
            back_label="重新选择导出列",
        )
    year = case_filter.year if case_filter.year and case_filter.year > 0 else None
    heading = f"{year}年度议提案办理台账" if year else None
    stamp = str(year) if year else f"{today():%Y%m%d}"
    workbook = export_workbook(
        cases, heading=heading, columns=columns, description=describe_filter(case_filter)
    )
    return _xlsx(workbook, f"议提案台账-{stamp}.xlsx", f"ledger-{stamp}.xlsx")
