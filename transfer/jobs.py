"""Ledger imports from the web as jobs: check (the preview), then import on confirmation.

Why a plain job row and a thread, not django-tasks with its database backend:

- The import is one all-or-nothing transaction (`apply_import`). On SQLite, the embedded
  default, that transaction holds the database's only write lock for its whole length
  (about 15 s for 20,000 rows), so nothing outside the importing thread could write the
  progress anywhere in the database meanwhile, and a separate worker process could not
  report it at all. A thread of the web process can: it keeps the progress in memory,
  where the progress view of the same process reads it. On PostgreSQL the progress also
  goes to the job row through a second connection, for every process to see.
- django-tasks-db needs a `db_worker` process running beside the web server; without it
  an import would wait forever. The thread needs nothing more than the server itself.
- What the thread cannot survive (the server stopping mid-import) is safe by the same
  transaction: nothing was written. `huiyin run-jobs` (cron, or by hand) finds jobs left
  checking or running for STALE_AFTER, puts them back in the queue and runs every waiting
  job in its own process; run it twice and each job still runs once, because every status
  change is a compare-and-set (`claim`).

The job functions (`check_job`, `run_job`) take a job id and do the whole step, so moving
to the Tasks API later means decorating them and changing `start` only.

Small files skip the thread: their check (INLINE_CHECK_BYTES) and import
(INLINE_APPLY_ROWS) run in the request, through the same job functions.
"""

import hashlib
import json
import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.utils import timezone

from cases.actions.importing import check_importer
from huiyin.crypto import DecryptionError, decrypt_bytes, encrypt_bytes, is_encrypted_bytes
from huiyin.types import User
from orgs.models import UnitKind
from transfer.errors import ImportFileError
from transfer.models import ImportJob
from transfer.planning import (
    CHANGED,
    ERROR,
    NEW,
    UNCHANGED,
    ImportPlan,
    apply_import,
    plan_import,
)
from workflow.errors import CaseError

logger = logging.getLogger(__name__)
Status = ImportJob.Status

INLINE_CHECK_BYTES = 256 * 1024  # about 1,500 ledger rows: checked while the user waits
INLINE_APPLY_ROWS = 300  # cases to write in the request; more go to the background
STALE_AFTER = timedelta(minutes=15)  # far beyond the 50,000-row limit's import time
PREVIEW_ROWS = 1000  # rows listed in the preview besides the rows with errors
PREVIEW_ERROR_ROWS = 5000
INTERNAL_ERROR = "导入未完成：系统内部错误，未导入任何数据。请联系系统管理员（导入任务#{pk}）"

_live: dict[int, tuple[int, int]] = {}  # job id → (done, total) of imports running here
_live_lock = threading.Lock()


def claim(job_id: int, from_statuses: tuple[str, ...], to_status: str, **fields: Any) -> bool:
    """Move the job on only if it is still in one of `from_statuses`: of two workers (or two
    clicks) exactly one gets True."""
    changed = ImportJob.objects.filter(pk=job_id, status__in=from_statuses).update(
        status=to_status, **fields
    )
    return changed == 1


def create_job(user: User, upload: File, filename: str, *, create_units: bool) -> ImportJob:
    """Keep the uploaded ledger under a random name, sealed with SM4 (the data key: it holds
    proposers' names and contacts), and open a job for it."""
    check_importer(user)
    upload.seek(0)
    data = upload.read()
    job = ImportJob(user=user, filename=filename, size=len(data), create_units=create_units)
    job.file.save(filename, ContentFile(encrypt_bytes(data)), save=False)
    try:
        job.save()
    except BaseException:
        job.file.storage.delete(job.file.name)
        raise
    return job


# The two steps


def check_job(job_id: int) -> None:
    """Plan the stored file (a dry run) and keep the preview on the job."""
    if not claim(job_id, (Status.PENDING,), Status.CHECKING, started_at=timezone.now()):
        return
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    try:
        plan = _plan(job)
    except ImportFileError as exc:
        # The file as a whole is unreadable: nothing to check again, nothing to keep.
        _drop_file(job)
        _fail(job_id, Status.CHECKING, exc.message)
        return
    except CaseError as exc:
        _fail(job_id, Status.CHECKING, exc.message)
        return
    except Exception:
        logger.exception("import job %s: check failed", job_id)
        _fail(job_id, Status.CHECKING, INTERNAL_ERROR.format(pk=job_id))
        return
    claim(
        job_id,
        (Status.CHECKING,),
        Status.CHECKED,
        preview=preview_of(plan),
        total=len(plan.items),
        done=0,
        finished_at=timezone.now(),
    )


def run_job(job_id: int) -> None:
    """Plan the stored file again and import it, if it still says what the user saw."""
    if not claim(
        job_id, (Status.QUEUED,), Status.RUNNING, started_at=timezone.now(), done=0, total=0
    ):
        return
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    progress = _Progress(job_id)
    try:
        plan = _plan(job)
        if digest_of(plan) != job.preview.get("digest"):
            raise CaseError(
                "检查之后，文件所涉办件或单位在系统中有了变化，导入结果会与预览不同；"
                "未导入任何数据，请重新检查后再确认"
            )
        total = len(plan.items)
        ImportJob.objects.filter(pk=job_id).update(total=total)
        progress(0, total)
        with transaction.atomic():
            summary = apply_import(plan, user=job.user, source_name=job.filename, progress=progress)
            # Done in the import's own transaction: a job is "done" exactly when its cases
            # are in, and one taken back by run-jobs meanwhile rolls the import back.
            if not claim(
                job_id,
                (Status.RUNNING,),
                Status.DONE,
                done=total,
                total=total,
                summary={
                    "text": str(summary),
                    "created": summary.created,
                    "updated": summary.updated,
                    "unchanged": summary.unchanged,
                    "units_created": summary.units_created,
                },
                error="",
                finished_at=timezone.now(),
            ):
                raise CaseError("导入任务已被重新排队，本次未导入任何数据")
    except (CaseError, ImportFileError) as exc:
        _fail(job_id, Status.RUNNING, exc.message)
    except Exception:
        logger.exception("import job %s: import failed", job_id)
        _fail(job_id, Status.RUNNING, INTERNAL_ERROR.format(pk=job_id))
    finally:
        progress.close()


def _plan(job: ImportJob) -> ImportPlan:
    if not job.file:
        raise CaseError("上传的文件已不在服务器上，请重新上传")
    try:
        with job.file.open("rb") as stored:
            data = stored.read()
    except OSError:
        raise CaseError("上传的文件已不在服务器上，请重新上传") from None
    return plan_import(
        stored_bytes(data), job.filename, user=job.user, create_units=job.create_units
    )


def stored_bytes(blob: bytes) -> bytes:
    """The plain bytes of a stored upload: sealed ones opened, older plain ones as they are."""
    if not is_encrypted_bytes(blob):
        return blob
    try:
        return decrypt_bytes(blob)
    except DecryptionError:
        raise CaseError("上传的文件无法解密（数据密钥已更换或文件损坏），请重新上传") from None


def _fail(job_id: int, from_status: str, message: str) -> None:
    claim(job_id, (from_status,), Status.FAILED, error=message, finished_at=timezone.now())


def _drop_file(job: ImportJob) -> None:
    if job.file:
        job.file.storage.delete(job.file.name)
        ImportJob.objects.filter(pk=job.pk).update(file="")


# Running them


def start(job_id: int, step: Callable[[int], None], *, inline: bool) -> None:
    """Run a step now, in this request, or in a thread once the request's writes are
    committed (the thread's own connection must see the job)."""
    if inline:
        step(job_id)
    else:
        transaction.on_commit(lambda: _spawn(step, job_id))


def _spawn(step: Callable[[int], None], job_id: int) -> threading.Thread:
    thread = threading.Thread(
        target=_in_thread, args=(step, job_id), name=f"huiyin-import-{job_id}", daemon=True
    )
    thread.start()
    return thread


def _in_thread(step: Callable[[int], None], job_id: int) -> None:
    try:
        step(job_id)
    except Exception:  # the step marks its own failures; this is the last resort
        logger.exception("import job %s: thread failed", job_id)
    finally:
        connections.close_all()  # this thread's connections only


def requeue_stale(now: Any = None) -> int:
    """Jobs whose worker died (the server restarted mid-step) go back to the queue."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    count = ImportJob.objects.filter(status=Status.CHECKING, started_at__lt=cutoff).update(
        status=Status.PENDING, started_at=None
    )
    count += ImportJob.objects.filter(status=Status.RUNNING, started_at__lt=cutoff).update(
        status=Status.QUEUED, started_at=None, done=0
    )
    return count


def run_waiting() -> list[int]:
    """Run every waiting job here, oldest first; a job another worker claims is skipped."""
    ran = []
    for job_id, status in (
        ImportJob.objects.filter(status__in=(Status.PENDING, Status.QUEUED))
        .order_by("id")
        .values_list("id", "status")
    ):
        (check_job if status == Status.PENDING else run_job)(job_id)
        ran.append(job_id)
    return ran


def purge_files(days: int, now: Any = None) -> int:
    """Delete the stored files of uploads never imported, after `days` days."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    count = 0
    old = ImportJob.objects.filter(
        status__in=(Status.CHECKED, Status.FAILED), created_at__lt=cutoff
    ).exclude(file="")
    for job in old:
        _drop_file(job)
        count += 1
    return count


# Progress


class _Progress:
    """apply_import's progress callback: into this process's memory always, and into the
    job row through a second connection where the database lets a second writer in while
    the import's transaction is open (not SQLite)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.side = None
        if connection.vendor != "sqlite":
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        table = connection.ops.quote_name(ImportJob._meta.db_table)
        self.sql = f"UPDATE {table} SET done = %s, total = %s WHERE id = %s"

    def __call__(self, done: int, total: int) -> None:
        with _live_lock:
            _live[self.job_id] = (done, total)
        if self.side is not None:
            try:
                with self.side.cursor() as cursor:
                    cursor.execute(self.sql, [done, total, self.job_id])
            except DatabaseError:
                # Progress is for the eye only; the import must not fail for it.
                logger.warning("import job %s: progress not recorded", self.job_id)

    def close(self) -> None:
        with _live_lock:
            _live.pop(self.job_id, None)
        if self.side is not None:
            self.side.close()


def progress_of(job: ImportJob) -> tuple[int, int]:
    """(done, total) of a job: this process's live figures while it runs here."""
    with _live_lock:
        live = _live.get(job.pk)
    if live is not None and job.status == Status.RUNNING:
        return max(live[0], job.done), live[1] or job.total
    return job.done, job.total


# The preview


def digest_of(plan: ImportPlan) -> str:
    """What a plan would do, in a few bytes: the confirmation imports only the same."""
    outline: list[list[Any]] = [[r.row, r.status, r.changed_columns] for r in plan.rows]
    outline.append(sorted(u.name for u in plan.new_units))
    outline.append([str(e) for e in plan.header_errors])
    text = json.dumps(outline, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def preview_of(plan: ImportPlan) -> dict[str, Any]:
    """The plan as the preview page shows it: counts, and the rows (every row of a small
    file; of a large one every row with errors and the first PREVIEW_ROWS of the rest)."""
    if len(plan.rows) <= PREVIEW_ROWS:
        shown = plan.rows
    else:
        errors = [r for r in plan.rows if r.status == ERROR][:PREVIEW_ERROR_ROWS]
        others = [r for r in plan.rows if r.status != ERROR][:PREVIEW_ROWS]
        shown = sorted(errors + others, key=lambda r: r.row)
    kinds = dict(UnitKind.choices)
    return {
        "text": plan.summary(),
        "counts": {s: plan.count(s) for s in (NEW, CHANGED, UNCHANGED, ERROR)},
        "rows_total": len(plan.rows),
        "errors_total": len(plan.errors),
        "has_errors": plan.has_errors,
        "has_unknown_units": plan.has_unknown_units,
        "unknown_units": plan.unknown_units,
        "header_row": plan.header_row,
        "header_errors": [
            {"row": e.row, "column": e.column, "message": e.message, "text": str(e)}
            for e in plan.header_errors
        ],
        "ignored_columns": plan.ignored_columns,
        "computed_columns": plan.computed_columns,
        "new_units": [
            {"name": u.name, "kind": str(kinds.get(u.kind, u.kind))} for u in plan.new_units
        ],
        "rows": [
            {
                "row": r.row,
                "number": r.number,
                "title": r.title,
                "status": r.status,
                "changed": r.changed_columns,
                "errors": [{"column": e.column, "message": e.message} for e in r.errors],
            }
            for r in shown
        ],
        "digest": digest_of(plan),
        "busy_note": busy_note(plan.count(NEW) + plan.count(CHANGED)),
    }


# SQLite: the import's one transaction holds the only write lock (about 15 s for 20,000
# rows, module docstring); other users' saves wait up to busy_timeout (5 s), then are told
# 系统正忙 (huiyin/middleware.py). The preview says so when it is long enough to notice.
SQLITE_SECONDS_PER_ROW = 15 / 20_000
BUSY_NOTE_FROM_SECONDS = 3


def busy_note(rows: int) -> str:
    if connection.vendor != "sqlite":
        return ""
    seconds = round(rows * SQLITE_SECONDS_PER_ROW)
    if seconds < BUSY_NOTE_FROM_SECONDS:
        return ""
    return (
        f"导入约需{seconds}秒，期间数据库由导入独占：其他用户的保存操作会等待，"
        "等待超过5秒时提示“系统正忙，请稍后重试”（不会只保存一半）。建议在业务空闲时确认导入。"
    )
