"""批量导入 in the web UI: upload, the preview (rows, errors by row and column, near-duplicate
groups), the confirmation, and the progress of the import. The work is opinions.importing
(plan_opinions, import_opinions); this module keeps the job and shows it.

A job is a folder under MEDIA_ROOT/opinion-imports/<token>/: the uploaded file and a small
JSON state (owner, defaults, status, preview, progress, result). Not a table, because:
- on SQLite the import's one transaction holds the database's only write lock for its
  whole length (tens of seconds for 30,000 rows), so progress written to the database would
  wait for the import it reports on; a file is written at once, and every process of the
  server (gunicorn workers) reads the same one;
- the confirmation plans the stored file again (it never trusts what the browser sends
  back) and imports only if the plan has the digest that was previewed.
The state changes are atomic (write to a temporary file, then rename); the one step two
requests could race for, taking a checked job to the import, is claimed by creating a
marker file exclusively, so a job imports once however often "导入" is clicked.

Small files are checked and imported in the request; larger ones in a thread of the web
process started after the request (like transfer.jobs, whose reasons apply here too). A
server stopped mid-import leaves nothing written (one transaction) and the job "running":
after STALE_AFTER it shows as failed and may be uploaded again.
"""

from __future__ import annotations

import io
import json
import logging
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connections, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from attachments.checks import clean_filename, extension_of, human_size
from attachments.downloads import as_download
from huiyin.crypto import decrypt_bytes, encrypt_bytes, is_encrypted_bytes
from huiyin.errors import DomainError
from huiyin.text import text_problem
from huiyin.types import AuthedRequest
from opinions.importing import BY_KEY, TEMPLATE_COLUMNS, ImportPlan, import_opinions, plan_opinions
from opinions.models import Campaign, Channel
from opinions.privacy import mask_phone, without_phones
from opinions.quick import IntakeForm, require_registrar
from transfer.errors import ImportFileError

logger = logging.getLogger(__name__)

INLINE_CHECK_BYTES = 256 * 1024  # about 2,000 rows: checked while the user waits
INLINE_APPLY_ROWS = 300  # rows imported in the request; more in the background
STALE_AFTER = timedelta(minutes=15)  # far beyond a 50,000-row import
PURGE_AFTER = timedelta(days=30)
PREVIEW_ROWS = 50
PREVIEW_ERRORS = 1000
PREVIEW_GROUPS = 200
FILENAME_MAX = 200
INTERNAL_ERROR = "导入未完成：系统内部错误，未导入任何数据。请联系系统管理员（导入任务{token}）"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BUSY = ("checking", "running")
STATUS_LABELS = {
    "checking": "检查中",
    "checked": "待确认",
    "running": "导入中",
    "done": "已导入",
    "failed": "失败",
}


# --- the job store -----------------------------------------------------------------------


def _root() -> Path:
    return Path(settings.MEDIA_ROOT) / "opinion-imports"


def _folder(token: str) -> Path:
    if not token.isascii() or not token.replace("-", "").replace("_", "").isalnum():
        raise Http404("导入任务不存在")
    return _root() / token


def read_state(token: str) -> dict[str, Any] | None:
    try:
        return json.loads((_folder(token) / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_state(token: str, **changes: Any) -> dict[str, Any]:
    """Update the job's state in place: written beside it, then renamed over it."""
    state = read_state(token) or {}
    state.update(changes, updated=time.time())
    folder = _folder(token)
    temporary = folder / f"state.{threading.get_ident()}.tmp"
    temporary.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, folder / "state.json")
    return state


def create_job(
    user_id: int, data: bytes, filename: str, *, channel: str, campaign: int | None
) -> str:
    _purge()
    token = secrets.token_urlsafe(12)
    folder = _folder(token)
    folder.mkdir(parents=True)
    # Sealed on disk (SM4), as attachments: the file holds the people's phones and e-mails.
    (folder / "upload").write_bytes(encrypt_bytes(data))
    write_state(
        token,
        user=user_id,
        filename=filename,
        size=len(data),
        channel=channel,
        campaign=campaign,
        status="checking",
        created=time.time(),
        preview={},
        done=0,
        total=0,
        summary={},
        error="",
    )
    return token


def _purge() -> None:
    """Jobs older than PURGE_AFTER go, with their files (a person's phone number in them)."""
    cutoff = time.time() - PURGE_AFTER.total_seconds()
    root = _root()
    if not root.is_dir():
        return
    for folder in root.iterdir():
        state = read_state(folder.name) if folder.is_dir() else None
        if state is not None and state.get("created", 0) < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def _claim(token: str) -> bool:
    """True for exactly one caller: the one that takes the checked job to the import."""
    try:
        descriptor = os.open(_folder(token) / "claimed", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return False
    os.close(descriptor)
    return True


def _plan(token: str, state: dict[str, Any], *, near_duplicates: bool = True) -> ImportPlan:
    from django.contrib.auth import get_user_model

    blob = (_folder(token) / "upload").read_bytes()
    data = decrypt_bytes(blob) if is_encrypted_bytes(blob) else blob
    user = get_user_model().objects.get(pk=state["user"])
    return plan_opinions(
        data,
        state["filename"],
        user=user,
        default_channel=state.get("channel") or "",
        default_campaign=state.get("campaign"),
        near_duplicates=near_duplicates,
    )


def preview_of(plan: ImportPlan) -> dict[str, Any]:
    """What the preview page shows: counts, the errors, the near-duplicate groups with the
    beginning of their text, the first rows."""
    by_row = {r.row: r for r in plan.rows}
    channels = dict(Channel.choices)
    return {
        "text": plan.summary(),
        "rows_read": plan.rows_read,
        "rows_ok": len(plan.rows),
        "error_rows": plan.error_rows,
        "errors_total": len(plan.errors),
        "has_errors": plan.has_errors,
        "errors": [
            {
                "row": e.row,
                "column": e.column,
                "message": without_phones(e.message),
                "text": without_phones(str(e)),
            }  # fmt: skip
            for e in plan.errors[:PREVIEW_ERRORS]
        ],
        "ignored_columns": plan.ignored_columns,
        "notes": plan.notes,
        "groups_total": len(plan.groups),
        "grouped_rows": sum(len(g) for g in plan.groups),
        "groups": [
            {"rows": group, "text": without_phones(by_row[group[0]].content)[:60]}
            for group in plan.groups[:PREVIEW_GROUPS]
        ],
        "rows": [
            {
                "row": r.row,
                "channel": str(channels.get(r.channel, r.channel)),
                "received_on": r.received_on.isoformat(),
                "requester": r.requester,
                # The preview is stored (the job's state.json): never a full number.
                "phone": mask_phone(r.phone),
                "content": without_phones(r.content)[:80],
            }
            for r in plan.rows[:PREVIEW_ROWS]
        ],
        "digest": plan.digest(),
    }


def check_job(token: str) -> None:
    state = read_state(token)
    if state is None or state.get("status") != "checking":
        return
    try:
        plan = _plan(token, state)
    except (ImportFileError, DomainError) as exc:
        write_state(token, status="failed", error=exc.message)
        return
    except Exception:
        logger.exception("opinion import %s: check failed", token)
        write_state(token, status="failed", error=INTERNAL_ERROR.format(token=token))
        return
    write_state(token, status="checked", preview=preview_of(plan), total=len(plan.rows))


def run_job(token: str) -> None:
    """Plan the stored file again and import it, if it still says what the user saw."""
    state = read_state(token)
    if state is None or state.get("status") != "running":
        return
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if done in (0, total) or time.monotonic() - last[0] > 0.5:
            last[0] = time.monotonic()
            write_state(token, done=done, total=total, phase="writing")

    try:
        plan = _plan(token, state, near_duplicates=False)
        if plan.digest() != state["preview"].get("digest"):
            raise ImportFileError(
                "检查之后，文件所涉征集活动在系统中有了变化，导入结果会与预览不同；"
                "未导入任何数据，请重新上传"
            )
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.get(pk=state["user"])
        ids = import_opinions(plan, by=user, source=state["filename"], progress=progress)
    except (ImportFileError, DomainError) as exc:
        write_state(token, status="failed", error=exc.message)
        return
    except Exception:
        logger.exception("opinion import %s: import failed", token)
        write_state(token, status="failed", error=INTERNAL_ERROR.format(token=token))
        return
    from cases.models import Case

    numbers = list(Case.objects.filter(pk__in=[ids[0], ids[-1]]).values_list("number", flat=True))
    # The file (names and phone numbers) is not kept once its opinions are in.
    (_folder(token) / "upload").unlink(missing_ok=True)
    write_state(
        token,
        status="done",
        done=len(ids),
        total=len(ids),
        summary={"created": len(ids), "first": min(numbers), "last": max(numbers)} if ids else {},
    )


def start(token: str, step: Callable[[str], None], *, inline: bool) -> None:
    if inline:
        step(token)
        return

    def work() -> None:
        try:
            step(token)
        finally:
            connections.close_all()  # this thread's connections only

    # Once the request's own writes are committed (the session), so that on SQLite the
    # import does not wait for them.
    thread = threading.Thread(target=work, name=f"huiyin-opinions-{token}", daemon=True)
    transaction.on_commit(thread.start)


def _stale(state: dict[str, Any]) -> bool:
    return (
        state.get("status") in BUSY
        and time.time() - state.get("updated", 0) > STALE_AFTER.total_seconds()
    )


# --- the pages ---------------------------------------------------------------------------


class UploadForm(IntakeForm):
    id_prefix = "import"

    file = forms.FileField(
        label="意见文件（.xlsx或.csv）",
        error_messages={"required": "请选择要导入的文件", "empty": "文件是空的"},
    )
    channel = forms.ChoiceField(
        label="默认渠道",
        choices=[("", "（以文件中的“渠道”列为准）"), *Channel.choices],
        required=False,
        help_text="文件中没有“渠道”列或该格为空时使用",
    )
    campaign = forms.ModelChoiceField(
        label="默认征集活动",
        queryset=Campaign.objects.order_by("-starts_on", "-id"),
        required=False,
        empty_label="（不属于征集活动）",
        help_text="文件中没有“征集活动”列或该格为空时使用",
        error_messages={"invalid_choice": "请选择列表中的征集活动"},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.HUIYIN_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"文件过大（{human_size(upload.size)}），一次最多导入{human_size(limit)}；请分批导入"
            )
        problem = text_problem(upload.name or "", max_length=FILENAME_MAX)
        if problem:
            raise forms.ValidationError(f"文件名{problem}，请改名后再导入")
        extension = extension_of(upload.name or "")
        if extension == ".xls":
            raise forms.ValidationError(
                "不支持旧版Excel文件（.xls），请在Excel中另存为.xlsx后再导入"
            )
        if extension not in (".xlsx", ".xlsm", ".csv"):
            raise forms.ValidationError("仅支持导入.xlsx或.csv文件")
        return upload


def _job_for(request: AuthedRequest, token: str) -> dict[str, Any]:
    """The user's own job; another user's is as good as missing (404)."""
    require_registrar(request)
    state = read_state(token)
    if state is None or state.get("user") != request.user.pk:
        raise Http404("导入任务不存在")
    if _stale(state):
        state = write_state(
            token, status="failed", error="导入中断（服务器曾重启），未导入任何数据，请重新上传"
        )
    return state


def _job_context(token: str, state: dict[str, Any]) -> dict[str, Any]:
    done, total = int(state.get("done") or 0), int(state.get("total") or 0)
    return {
        "token": token,
        "job": state,
        "status_label": STATUS_LABELS.get(state.get("status", ""), ""),
        "busy": state.get("status") in BUSY,
        # The rows are being written (after the second reading and the preparation).
        "writing": bool(
            state.get("status") == "running" and state.get("phase") == "writing" and total
        ),
        "preview": state.get("preview") or {},
        "done": done,
        "total": total,
        "percent": int(done * 100 / total) if total else 0,
    }


@login_required
def import_upload(request: AuthedRequest) -> HttpResponse:
    require_registrar(request)
    status = 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            campaign = form.cleaned_data["campaign"]
            token = create_job(
                request.user.pk,
                upload.read(),
                clean_filename(upload.name),
                channel=form.cleaned_data["channel"] or "",
                campaign=campaign.pk if campaign else None,
            )
            start(token, check_job, inline=upload.size <= INLINE_CHECK_BYTES)
            state = read_state(token) or {}
            if state.get("status") == "failed" and not state.get("preview"):
                # A file that cannot be read at all: say so on the form itself.
                form.add_error("file", state.get("error", ""))
            else:
                return redirect("opinions_intake:import-job", token=token)
        status = 400
    elif request.method == "GET":
        form = UploadForm()
    else:
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    context = {"form": form, "max_size": human_size(settings.HUIYIN_IMPORT_MAX_BYTES)}
    return render(request, "opinions/intake/import.html", context, status=status)


@login_required
@require_GET
def import_job(request: AuthedRequest, token: str) -> HttpResponse:
    state = _job_for(request, token)
    return render(request, "opinions/intake/import_job.html", _job_context(token, state))


@login_required
@require_GET
def import_progress(request: AuthedRequest, token: str) -> HttpResponse:
    """The progress partial the job page polls (htmx, every second); once the job has moved
    on, the page reloads to show the preview or the result."""
    # The poll does not renew the session: on SQLite a running import holds the write lock.
    request.session.save = lambda must_create=False: None  # type: ignore[method-assign]
    state = _job_for(request, token)
    response = render(request, "opinions/intake/_import_progress.html", _job_context(token, state))
    if state.get("status") not in BUSY:
        response["HX-Redirect"] = reverse("opinions_intake:import-job", args=[token])
    return response


@login_required
@require_POST
def import_confirm(request: AuthedRequest, token: str) -> HttpResponse:
    state = _job_for(request, token)
    preview = state.get("preview") or {}
    if state.get("status") != "checked":
        messages.warning(
            request, f"该导入任务当前“{STATUS_LABELS.get(state.get('status', ''), '')}”，不能再确认"
        )
    elif preview.get("has_errors"):
        messages.error(request, "文件有错误，不能导入；请修改后重新上传")
    elif request.POST.get("digest") != preview.get("digest"):
        messages.warning(request, "检查结果已更新，请查看后再确认")
    elif not preview.get("rows_ok"):
        messages.info(request, "没有可导入的意见")
    elif _claim(token):
        write_state(
            token, status="running", phase="preparing", done=0, total=preview.get("rows_ok", 0)
        )
        start(token, run_job, inline=preview.get("rows_ok", 0) <= INLINE_APPLY_ROWS)
    else:
        messages.warning(request, "该导入任务已确认")
    return redirect("opinions_intake:import-job", token=token)


@login_required
@require_GET
def template_download(request: AuthedRequest) -> HttpResponse:
    require_registrar(request)
    return as_download(
        HttpResponse(template_workbook(), content_type=XLSX_CONTENT_TYPE),
        "群众意见导入模板.xlsx",
        "opinions-template.xlsx",
    )


EXAMPLE = {
    "channel": "意见簿",
    "campaign": "",
    "received": "2026-04-11",
    "content": "门诊挂号排队时间太长，建议增加自助挂号机。",
    "area": "医疗服务水平",
    "requester": "张女士",
    "phone": "13812341234",
}
NOTES = (
    ("内容", "必填。意见建议的原文，可多段，最多20000字。"),
    ("日期", "必填。收到日期，如2026-04-11、2026年4月11日；可带时间，如2026-04-11 09:30。"),
    (
        "渠道",
        "网站、电话、电子邮件、微信、移动应用、意见簿、转来批次、来访之一；为空时用上传时选择的默认渠道。",
    ),
    ("征集活动", "已在“征集活动”中建立的活动名称；为空时用上传时选择的默认活动。"),
    (
        "领域",
        "可空，由系统建议。填写的视为已确认：人才队伍建设、基层卫生服务能力、信息化建设、医疗服务水平、医疗机构管理、卫生监督执法、其他。",
    ),
    ("反映人、电话", "可空（匿名）。电话只能包含数字、空格和+-()。"),
    ("单位", "不导入：承办单位在签批转办时确定。"),
)


def template_workbook() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "群众意见"
    sheet.append([BY_KEY[k].label for k in TEMPLATE_COLUMNS])
    sheet.append([EXAMPLE[k] for k in TEMPLATE_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFG", (10, 18, 14, 60, 16, 10, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("填写说明")
    notes.append(["列", "说明"])
    for row in NOTES:
        notes.append(list(row))
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 90
    for cell in notes["B"]:
        cell.alignment = Alignment(wrap_text=True)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
