"""`huiyin audit verify | archive | verify-archive` (issue 16)."""

import gzip
import json
from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from audit.archive import verify_archive
from audit.chain import verify_chain
from audit.models import AuditArchive, AuditEvent
from audit.record import record_event
from audit.tests.test_chain import TABLE, tamper

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("audit", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue()
    return 0, out.getvalue()


def test_verify_exits_0_then_1_with_the_broken_link():
    events = [record_event(actor=None, action="unit_created", subject=f"u{i}") for i in range(3)]
    code, out = run("verify")
    assert code == 0 and out.startswith("OK 3 events verified")
    tamper(f"UPDATE {TABLE} SET subject = 'forged' WHERE id = %s", [events[1].pk])
    code, out = run("verify")
    assert code == 1
    assert f"BROKEN at event {events[1].pk}" in out and "unit_created" in out
    assert run("verify", "--from", "2100-01-01")[0] == 0
    assert run("verify", "--from", "nonsense")[0] == 1


def _old_events(time_machine, days_ago: int, n: int) -> list[AuditEvent]:
    moment = timezone.now() - timedelta(days=days_ago)
    time_machine.move_to(moment, tick=False)
    made = [record_event(actor=None, action="unit_created", subject=f"old{i}") for i in range(n)]
    time_machine.move_to(moment + timedelta(days=days_ago), tick=False)
    return made


def test_archive_refuses_within_the_retention(tmp_path):
    code, out = run("archive", "--before", timezone.localdate().isoformat(), "--to",
                    str(tmp_path / "a.jsonl.gz"))  # fmt: skip
    assert code == 1
    assert not (tmp_path / "a.jsonl.gz").exists()


def test_archive_writes_a_signed_file_removes_the_rows_and_anchors_the_chain(
    tmp_path, time_machine
):
    old = _old_events(time_machine, 400, 4)
    recent = record_event(actor=None, action="unit_created", subject="recent")
    before = (timezone.localdate() - timedelta(days=200)).isoformat()
    target = tmp_path / "audit-2025.jsonl.gz"
    code, out = run("archive", "--before", before, "--to", str(target))
    assert code == 0, out
    assert out.startswith("OK 4 events archived")
    assert not AuditEvent.objects.filter(pk__in=[e.pk for e in old]).exists()
    anchor = AuditArchive.objects.get()
    assert (anchor.up_to_id, anchor.last_chain, anchor.count) == (old[-1].pk, old[-1].chain, 4)
    # The chain now starts from the anchor: the remaining rows and the archive event verify.
    report = verify_chain()
    assert report.ok and report.first_id == recent.pk
    assert AuditEvent.objects.filter(action="audit_archive").count() == 1
    assert run("verify-archive", str(target)) == (0, f"OK 4 events in {target} verified\n")
    # A second archive of the same days has nothing left to take.
    assert run("archive", "--before", before, "--to", str(tmp_path / "b.jsonl.gz"))[0] == 1


def test_verify_archive_finds_an_altered_file(tmp_path, time_machine):
    _old_events(time_machine, 300, 2)
    target = tmp_path / "a.jsonl.gz"
    before = (timezone.localdate() - timedelta(days=190)).isoformat()
    assert run("archive", "--before", before, "--to", str(target))[0] == 0
    lines = gzip.decompress(target.read_bytes()).splitlines()
    row = json.loads(lines[1])
    row["subject"] = "forged"
    lines[1] = json.dumps(row, ensure_ascii=False, sort_keys=True).encode()
    altered = tmp_path / "b.jsonl.gz"
    altered.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    check = verify_archive(altered)
    assert not check.ok
    code, out = run("verify-archive", str(altered))
    assert code == 1 and out.startswith("FAIL")
    truncated = tmp_path / "c.jsonl.gz"
    truncated.write_bytes(gzip.compress(b"\n".join(lines[:-1]) + b"\n"))
    assert not verify_archive(truncated).ok
    assert not verify_archive(tmp_path / "missing.gz").ok


def test_the_archive_keeps_to_a_prefix_of_the_chain(time_machine, tmp_path):
    """Nothing younger than the retention goes, even if ids interleave: the archive stops
    before the first event of the day named."""
    _old_events(time_machine, 500, 2)
    _old_events(time_machine, 100, 1)  # within the retention
    _old_events(time_machine, 450, 1)  # older, but after a young one in id order
    before = (timezone.localdate() - timedelta(days=190)).isoformat()
    assert run("archive", "--before", before, "--to", str(tmp_path / "a.gz"))[0] == 0
    assert AuditArchive.objects.get().count == 2
    assert verify_chain().ok
    assert date.fromisoformat(before) < timezone.localdate() and datetime.now()
