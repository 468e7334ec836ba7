"""The import jobs themselves: real threads, compare-and-set claims, `huiyin run-jobs`
resuming what a stopped server left, the progress side channel."""

import threading
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from cases.models import Case
from transfer import jobs
from transfer.models import ImportJob
from transfer.tests.helpers import basic_file, basic_row

Status = ImportJob.Status


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_job(cast, status=Status.PENDING, content: bytes | None = None, **fields) -> ImportJob:
    content = content if content is not None else basic_file(basic_row("1"), basic_row("2"))
    job = jobs.create_job(
        cast.coordinator, ContentFile(content, name="x.xlsx"), "台账.xlsx", create_units=False
    )
    if status != Status.PENDING or fields:
        ImportJob.objects.filter(pk=job.pk).update(status=status, **fields)
        job.refresh_from_db()
    return job


def checked(cast) -> ImportJob:
    job = make_job(cast)
    jobs.check_job(job.pk)
    job.refresh_from_db()
    assert job.status == Status.CHECKED
    return job


@pytest.mark.django_db(transaction=True)
def test_the_background_thread_checks_and_imports(cast, monkeypatch):
    # The thread starts once the request is over: the test database is SQLite in memory,
    # whose table locks do not wait (busy_timeout applies to files only), so a thread
    # writing while the test client still saves the session fails at random.
    threads = []

    def spawn(step, pk):
        thread = threading.Thread(
            target=jobs._in_thread, args=(step, pk), name=f"huiyin-import-{pk}"
        )
        threads.append(thread)
        return thread

    monkeypatch.setattr(jobs, "_spawn", spawn)
    monkeypatch.setattr(jobs, "INLINE_CHECK_BYTES", 0)
    monkeypatch.setattr(jobs, "INLINE_APPLY_ROWS", 0)
    client = Client()
    client.force_login(cast.coordinator)

    content = basic_file(basic_row("1"), basic_row("2"), basic_row("3"))
    client.post("/transfer/import/", {"file": ContentFile(content, name="台账.xlsx")})
    assert len(threads) == 1 and threads[0].name.startswith("huiyin-import-")
    threads[0].start()
    threads[0].join(timeout=60)
    job = ImportJob.objects.get()
    assert job.status == Status.CHECKED, job.error

    client.post(f"/transfer/import/{job.pk}/confirm/", {"digest": job.preview["digest"]})
    assert len(threads) == 2
    threads[1].start()
    threads[1].join(timeout=60)
    job.refresh_from_db()
    assert job.status == Status.DONE, job.error
    assert Case.objects.count() == 3 and (job.done, job.total) == (3, 3)


@pytest.mark.django_db
def test_a_claim_succeeds_once(cast):
    job = make_job(cast)
    assert jobs.claim(job.pk, (Status.PENDING,), Status.CHECKING)
    assert not jobs.claim(job.pk, (Status.PENDING,), Status.CHECKING)
    jobs.check_job(job.pk)  # already claimed by someone else: does nothing
    job.refresh_from_db()
    assert job.status == Status.CHECKING and job.preview == {}


@pytest.mark.django_db
def test_run_jobs_requeues_stale_jobs_and_runs_the_waiting_ones(cast):
    now = timezone.now()
    waiting = make_job(cast)
    confirmed = checked(cast)
    ImportJob.objects.filter(pk=confirmed.pk).update(status=Status.QUEUED)
    # A server that stopped mid-import: its transaction rolled back, the row says running.
    died = checked(cast)
    ImportJob.objects.filter(pk=died.pk).update(
        status=Status.RUNNING, started_at=now - timedelta(hours=1), done=500
    )
    busy = make_job(cast, Status.CHECKING, started_at=now - timedelta(minutes=1))

    out = StringIO()
    call_command("run-jobs", stdout=out)
    text = out.getvalue()
    assert "重新排队1个中断的导入任务" in text
    assert f"导入任务#{waiting.pk}（台账.xlsx）：待确认" in text
    assert f"导入任务#{confirmed.pk}（台账.xlsx）：已导入" in text
    assert f"导入任务#{died.pk}（台账.xlsx）：失败" in text  # same cases, now unchanged
    statuses = dict(ImportJob.objects.values_list("pk", "status"))
    assert statuses[waiting.pk] == Status.CHECKED
    assert statuses[confirmed.pk] == Status.DONE
    assert statuses[died.pk] == Status.FAILED
    assert statuses[busy.pk] == Status.CHECKING  # a fresh one is left to its worker
    assert Case.objects.count() == 2

    again = StringIO()
    call_command("run-jobs", stdout=again)
    assert again.getvalue().strip() == "没有等待中的导入任务"


@pytest.mark.django_db
def test_run_jobs_deletes_old_unimported_uploads(cast, settings):
    old = checked(cast)
    recent = checked(cast)
    done = checked(cast)
    ImportJob.objects.filter(pk=done.pk).update(status=Status.DONE)
    ImportJob.objects.filter(pk__in=[old.pk, done.pk]).update(
        created_at=timezone.now() - timedelta(days=40)
    )
    paths = {j.pk: Path(settings.MEDIA_ROOT) / j.file.name for j in (old, recent, done)}
    out = StringIO()
    call_command("run-jobs", stdout=out)
    assert "删除1个超过30天未导入的上传文件" in out.getvalue()
    assert not paths[old.pk].exists() and paths[recent.pk].exists() and paths[done.pk].exists()
    old.refresh_from_db()
    assert not old.file


@pytest.mark.django_db
def test_a_check_of_an_unreadable_file_fails_and_drops_it(cast, settings):
    job = make_job(cast, content=b"PK\x03\x04 broken")
    path = Path(settings.MEDIA_ROOT) / job.file.name
    jobs.check_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == (Status.FAILED, "文件已损坏，不是有效的.xlsx文件")
    assert not job.file and not path.exists()


@pytest.mark.django_db
def test_a_job_of_a_user_who_lost_the_role_fails(cast):
    from orgs.models import Membership

    job = checked(cast)
    ImportJob.objects.filter(pk=job.pk).update(status=Status.QUEUED)
    Membership.objects.filter(user=cast.coordinator).delete()
    jobs.run_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == (Status.FAILED, "只有议提案管理员可以导入台账")
    assert not Case.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_progress_is_seen_while_the_import_transaction_is_open(cast):
    job = make_job(cast, Status.RUNNING)
    progress = jobs._Progress(job.pk)
    try:
        with transaction.atomic():
            Case.objects.update(title="x")  # the import's transaction, holding its locks
            progress(3, 10)
            assert jobs.progress_of(ImportJob.objects.get(pk=job.pk)) == (3, 10)
    finally:
        progress.close()
    job.refresh_from_db()
    if connection.vendor == "sqlite":
        # The only writer is the import: the row waits for the end of the job.
        assert (job.done, job.total) == (0, 0)
    else:
        # Written through the second connection, committed while the import still ran.
        assert (job.done, job.total) == (3, 10)
    assert jobs._live == {}


@pytest.mark.django_db
def test_the_stored_upload_is_sealed_and_an_older_plain_one_still_reads(cast, settings):
    """The ledger holds proposers' names and contacts: never in clear under MEDIA_ROOT."""
    from huiyin.crypto import decrypt_bytes, is_encrypted_bytes

    content = basic_file(basic_row("1"), basic_row("2"))
    job = make_job(cast, content=content)
    stored = (Path(settings.MEDIA_ROOT) / job.file.name).read_bytes()
    assert is_encrypted_bytes(stored) and content not in stored
    assert decrypt_bytes(stored) == content and job.size == len(content)
    jobs.check_job(job.pk)
    job.refresh_from_db()
    assert job.status == Status.CHECKED and job.total == 2

    # An upload kept before sealing (plain bytes) is still checked.
    older = make_job(cast, content=content)
    (Path(settings.MEDIA_ROOT) / older.file.name).write_bytes(content)
    jobs.check_job(older.pk)
    older.refresh_from_db()
    assert older.status == Status.CHECKED and older.total == 2
