"""The security review of issue 16: what the chain alone could not show (signed anchors, the
head checkpoint outside the database), the query strings kept masked, anonymous refusals
bounded, dates bounded, columns truncated, the import's events written last."""

import json
import stat
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone

from audit import integrity
from audit.archive import archive_events
from audit.chain import verify_chain
from audit.models import AuditArchive, AuditEvent
from audit.record import record_event
from audit.tests.test_chain import TABLE, on_postgresql, tamper
from audit.tests.test_commands import _old_events, run
from audit.tests.test_console import URL, client_for, people  # noqa: F401 (a fixture)
from audit.trail import SecurityAction, masked_query, record_security_event

pytestmark = pytest.mark.django_db


def events(n: int, prefix: str = "u") -> list[AuditEvent]:
    return [
        record_event(actor=None, action="unit_created", subject=f"{prefix}{i}") for i in range(n)
    ]


def test_a_verify_writes_a_signed_checkpoint_readable_only_by_its_owner(settings):
    made = events(3)
    assert run("verify")[0] == 0
    path = settings.HUIYIN_KEY_DIR / "audit.head"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    head = integrity.read_head()
    assert head is not None and (head.id, head.chain, head.count) == (
        made[-1].pk,
        made[-1].chain,
        3,
    )


def test_deleting_the_newest_rows_is_found():
    made = events(4)
    assert run("verify")[0] == 0
    tamper(f"DELETE FROM {TABLE} WHERE id >= %s", [made[2].pk])
    assert verify_chain().ok is False
    code, out = run("verify")
    assert code == 1
    assert out.startswith("FAIL") and f"第 {made[-1].pk} 条" in out and "删除" in out


def test_replacing_the_newest_row_is_found():
    made = events(2)
    assert run("verify")[0] == 0
    tamper(f"UPDATE {TABLE} SET chain = %s WHERE id = %s", ["f" * 64, made[-1].pk])
    code, out = run("verify")
    assert code == 1 and out.startswith("FAIL") and "替换" in out


def test_an_emptied_table_is_found():
    events(2)
    assert run("verify")[0] == 0
    tamper(f"DELETE FROM {TABLE}")
    code, out = run("verify")
    assert code == 1 and "空" in out and "清空" in out


def test_an_emptied_table_after_an_archive_is_found(tmp_path, time_machine, settings):
    _old_events(time_machine, 400, 2)
    before = (timezone.localdate() - timedelta(days=200)).isoformat()
    assert run("archive", "--before", before, "--to", str(tmp_path / "a.gz"))[0] == 0
    tamper(f"DELETE FROM {TABLE}")  # the archive's own event too
    assert not (settings.HUIYIN_KEY_DIR / "audit.head").exists()
    code, out = run("verify")
    assert code == 1 and "归档锚点" in out and "清空" in out


def test_a_tampered_checkpoint_is_refused(settings):
    made = events(3)
    assert run("verify")[0] == 0
    path = settings.HUIYIN_KEY_DIR / "audit.head"
    data = json.loads(path.read_text())
    data["id"] = made[0].pk  # an attacker moving the checkpoint back before deleting
    data["chain"] = made[0].chain
    path.write_text(json.dumps(data))
    code, out = run("verify")
    assert code == 1 and "检查点" in out and "签名不符" in out
    path.write_text("not json")
    code, out = run("verify")
    assert code == 1 and "无法读取检查点" in out


def test_the_checkpoint_moves_forward_and_survives_an_archive(tmp_path, time_machine):
    _old_events(time_machine, 400, 3)
    assert run("verify")[0] == 0  # the checkpoint on an event the archive will take
    before = (timezone.localdate() - timedelta(days=200)).isoformat()
    assert run("archive", "--before", before, "--to", str(tmp_path / "a.gz"))[0] == 0
    code, out = run("verify")
    assert code == 0, out
    later = events(1, "later")[0]
    assert run("verify")[0] == 0
    assert integrity.read_head().id == later.pk


def test_a_forged_anchor_does_not_hide_what_came_before(tmp_path, time_machine):
    made = events(4)
    # Hiding the first three: an anchor ending at the third, inserted by hand (no signature).
    AuditArchive.objects.create(
        up_to_id=made[2].pk, last_chain=made[2].chain, before=timezone.localdate(), count=3,
        file_name="x", sha="0" * 64,
    )  # fmt: skip
    tamper(f"DELETE FROM {TABLE} WHERE id <= %s", [made[2].pk])
    code, out = run("verify")
    assert code == 1 and "归档锚点" in out and "签名不符" in out
    # A signature copied from nowhere fails the same way.
    assert not verify_chain().ok


def test_a_real_anchor_is_signed_and_chained_to_the_previous_one(tmp_path, time_machine):
    _old_events(time_machine, 500, 2)
    _old_events(time_machine, 300, 2)
    archive_events(before=timezone.localdate() - timedelta(days=400), to=tmp_path / "a.gz")
    archive_events(before=timezone.localdate() - timedelta(days=200), to=tmp_path / "b.gz")
    first, second = AuditArchive.objects.order_by("up_to_id")
    assert len(first.signature) == 64 and second.signature != first.signature
    assert second.signature == integrity.anchor_signature(
        up_to_id=second.up_to_id, last_chain=second.last_chain, count=second.count,
        sha=second.sha, previous_signature=first.signature,
    )  # fmt: skip
    assert verify_chain().ok
    for name in ("a.gz", "b.gz"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600


@on_postgresql
def test_the_database_refuses_changing_an_anchor_and_deleting_unanchored_events(
    tmp_path, time_machine
):
    old = _old_events(time_machine, 400, 2)
    archive_events(before=timezone.localdate() - timedelta(days=200), to=tmp_path / "a.gz")
    anchor = AuditArchive.objects.get()
    for statement in (
        "UPDATE audit_auditarchive SET up_to_id = up_to_id + 1",
        "DELETE FROM audit_auditarchive",
    ):
        with pytest.raises(DatabaseError, match="anchors cannot be changed"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement)
    assert AuditArchive.objects.get().up_to_id == anchor.up_to_id == old[-1].pk
    # Old events no anchor covers: the archive's setting alone does not let them go.
    more = _old_events(time_machine, 400, 1)
    with pytest.raises(DatabaseError, match="not covered by an archive anchor"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL huiyin.audit_archive = 'on'")
            cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [more[0].pk])
    assert AuditEvent.objects.filter(pk=more[0].pk).exists()


def test_the_console_verify_moves_the_checkpoint(people):  # noqa: F811
    made = record_event(actor=people.coordinator, action="unit_created", subject="unit:v")
    response = client_for(people.auditor).post(URL + "verify/", follow=True)
    assert "校验链完好" in response.content.decode()
    head = integrity.read_head()
    assert head is not None and head.id >= made.pk
    tamper(f"DELETE FROM {TABLE} WHERE id >= %s", [made.pk])
    response = client_for(people.auditor).post(URL + "verify/", follow=True)
    assert "校验失败" in response.content.decode() and "删除" in response.content.decode()


def test_the_scheduler_runs_the_verification(monkeypatch, caplog):
    from notify import schedule

    made = events(2)
    monkeypatch.setattr(schedule, "call_command", _only_audit(schedule.call_command))
    schedule.run_remind(timezone.localdate())
    assert integrity.read_head().id == made[-1].pk
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [made[-1].pk])
    schedule.run_remind(timezone.localdate())  # logged, not raised
    assert any("audit verify" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")


def _only_audit(call_command):
    def only(name, *args, **kwargs):
        if name == "audit":
            return call_command(name, *args, **kwargs)
        return None

    return only


# Item 2: the query strings ----------------------------------------------------------


def test_a_phone_in_a_refused_query_is_masked(people):  # noqa: F811
    response = client_for(people.sysadmin).get(URL, {"q": "13812341234", "kind": "action"})
    assert response.status_code == 403
    event = AuditEvent.objects.get(action=SecurityAction.REFUSED)
    assert event.details["query"] == {"q": "138****1234", "kind": "action"}
    assert "13812341234" not in json.dumps(event.details)


def test_a_phone_in_the_audit_export_query_is_masked(people):  # noqa: F811
    response = client_for(people.auditor).get(URL + "export.xlsx", {"q": "13812341234"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=SecurityAction.AUDIT_EXPORT)
    assert event.details["query"] == {"q": "138****1234"}


def test_masked_query_bounds_and_masks():
    kept = masked_query("q=0571-87654321&id=110101199003071234&e=ab@x.com&n=" + "9" * 40)
    text = json.dumps(kept, ensure_ascii=False)
    assert "87654321" not in text and "1990030712" not in text and "ab@" not in text
    assert "9999999" not in text
    many = masked_query("&".join(f"k{i}={'x' * 300}" for i in range(100)))
    assert len(json.dumps(many, ensure_ascii=False)) <= 500


# Item 5: anonymous refusals ----------------------------------------------------------


def test_anonymous_refusals_are_one_per_address_per_minute(time_machine):
    client = Client(enforce_csrf_checks=True)
    for _ in range(5):
        assert client.post("/login/", {"username": "x", "password": "y"}).status_code == 403
    assert AuditEvent.objects.filter(action=SecurityAction.REFUSED).count() == 1
    other = Client(enforce_csrf_checks=True, REMOTE_ADDR="10.9.9.9")
    assert other.post("/login/", {}).status_code == 403
    assert AuditEvent.objects.filter(action=SecurityAction.REFUSED).count() == 2


def test_a_signed_in_users_refusals_are_each_recorded(people):  # noqa: F811
    client = client_for(people.sysadmin)
    for _ in range(3):
        assert client.get(URL).status_code == 403
    assert AuditEvent.objects.filter(action=SecurityAction.REFUSED).count() == 3


# Item 4: dates ------------------------------------------------------------------------


@pytest.mark.parametrize("field, value", [("date_to", "9999-12-31"), ("date_from", "0001-01-01")])
def test_far_dates_are_refused_not_a_500(people, field, value):  # noqa: F811
    client = client_for(people.auditor)
    page = client.get(URL, {field: value})
    assert page.status_code == 200
    assert "须在" in page.content.decode()
    assert client.get(URL + "export.xlsx", {field: value}).status_code == 200


# Item 6: lengths ------------------------------------------------------------------------


def test_long_paths_and_case_labels_are_cut_to_the_columns(people, cast):  # noqa: F811
    from django.http import HttpResponseForbidden

    from audit.middleware import SecurityTrailMiddleware
    from cases.tests.factories import register

    long_path = URL + "x" * 290
    request = Client().get("/").wsgi_request
    request.user, request.path = people.sysadmin, long_path
    SecurityTrailMiddleware(lambda r: HttpResponseForbidden())(request)
    refused = AuditEvent.objects.get(action=SecurityAction.REFUSED)
    assert refused.subject == long_path[:200]
    case = register(cast, on=timezone.localdate())
    case.title = "很长的标题" * 60
    event = record_security_event(None, action=SecurityAction.REVEAL, case=case)
    event.refresh_from_db()
    assert len(event.case_label) == 200 and event.case_label.startswith(f"{case.year}年")


# Item 3: the importer's events --------------------------------------------------------


def test_the_opinion_import_writes_its_events_after_every_chunk(cast, monkeypatch, time_machine):
    from audit.signals import cases_written
    from opinions import importing
    from opinions.tests.intake.conftest import NOW
    from opinions.tests.intake.test_importing import _row, xlsx

    time_machine.move_to(NOW, tick=False)
    rows = [_row(内容=f"第{i}条：病房空调坏了没人修") for i in range(25)]
    plan = importing.plan_opinions(xlsx(rows), "a.xlsx", user=cast.coordinator)
    assert not plan.has_errors
    monkeypatch.setattr(importing, "CHUNK", 10)
    seen = []

    def count_events(sender, case_ids, **kwargs):
        seen.append(AuditEvent.objects.filter(action="import").count())

    cases_written.connect(count_events, dispatch_uid="test-count")
    try:
        ids = importing.import_opinions(plan, by=cast.coordinator, source="a.xlsx")
    finally:
        cases_written.disconnect(dispatch_uid="test-count")
    # No event (so no chain lock) while the chunks are written; all 25 at the end, in order.
    assert seen == [0, 0, 0]
    made = list(AuditEvent.objects.filter(action="import").order_by("id"))
    assert [e.case_id for e in made] == ids
    assert verify_chain().ok
