"""The tamper-evident chain (issue 16): every event linked on insert, verification finding
an edited, a deleted and an out-of-order row, and the database refusing change."""

import threading
from datetime import date, datetime

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from audit import chain
from audit.models import AuditEvent, EventKind
from audit.record import record_event
from cases.tests.factories import make_user

TABLE = AuditEvent._meta.db_table
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger is PostgreSQL's"
)


def tamper(sql: str, params: list | None = None) -> None:
    """Change audit rows behind the application's back (the trigger off on PostgreSQL,
    inside the test's transaction)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_event_immutable")
        cursor.execute(sql, params or [])
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER audit_event_immutable")


def some_events(n: int = 5) -> list[AuditEvent]:
    user = make_user("chain_user")
    return [
        record_event(
            actor=user,
            action="unit_created",
            subject=f"unit:{i}",
            details={"b": i, "a": ["x", None], "名称": "医政医管处"},
            address="10.0.0.1" if i % 2 else None,
        )
        for i in range(n)
    ]


def test_every_column_but_the_chain_is_covered():
    stored = {f.attname for f in AuditEvent._meta.concrete_fields} - {"chain"}
    assert set(chain.CHAIN_FIELDS) == stored


@pytest.mark.django_db
def test_create_links_each_event_to_the_previous_one():
    events = some_events(3)
    rows = list(AuditEvent.objects.order_by("id").values_list(*chain.CHAIN_FIELDS, "chain"))
    assert [r[0] for r in rows] == [e.pk for e in events]
    previous = chain.GENESIS
    for row in rows:
        assert len(row[-1]) == 64
        assert row[-1] == chain.link(previous, row[:-1])
        previous = row[-1]
    # The values the save linked are those read back (times, JSON, addresses).
    assert [e.chain for e in events] == [r[-1] for r in rows]
    report = chain.verify_chain()
    assert (report.ok, report.checked, report.first_bad_id) == (True, 3, None)


def test_null_and_empty_are_different_links():
    values = [1, "action", None, "", "", None, "", "x", date(2026, 1, 1),
              datetime(2026, 1, 1, tzinfo=timezone.get_current_timezone()), "", "", {}, None, "ok"]  # fmt: skip
    other = list(values)
    other[2] = ""
    assert chain.link(chain.GENESIS, values) != chain.link(chain.GENESIS, other)
    assert chain.encode(values) == chain.encode(list(values))


@pytest.mark.django_db
def test_bulk_create_links_the_events_in_id_order():
    first = some_events(1)[0]
    made = AuditEvent.objects.bulk_create(
        [AuditEvent(action="register", on=date(2026, 3, i + 1), details={"n": i}) for i in range(4)]
    )
    assert all(e.pk and e.chain for e in made)
    assert [e.pk for e in made] == sorted(e.pk for e in made)
    assert min(e.pk for e in made) > first.pk
    assert chain.verify_chain().ok
    assert chain.verify_chain().checked == 5


@pytest.mark.django_db
def test_an_event_cannot_be_saved_twice():
    (event,) = some_events(1)
    event.action = "other"
    with pytest.raises(ValueError, match="不可修改"):
        event.save()


@pytest.mark.django_db
def test_an_edited_row_is_the_first_broken_link():
    events = some_events(5)
    tamper(f"UPDATE {TABLE} SET subject = 'unit:forged' WHERE id = %s", [events[2].pk])
    report = chain.verify_chain()
    assert not report.ok
    assert report.first_bad_id == events[2].pk
    assert report.checked == 2


@pytest.mark.django_db
def test_an_edited_json_value_breaks_the_link():
    events = some_events(3)
    tamper(f"UPDATE {TABLE} SET details = %s WHERE id = %s", ['{"b": 1}', events[1].pk])
    assert chain.verify_chain().first_bad_id == events[1].pk


@pytest.mark.django_db
def test_a_deleted_row_breaks_the_next_link():
    events = some_events(5)
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [events[1].pk])
    report = chain.verify_chain()
    assert (report.ok, report.first_bad_id) == (False, events[2].pk)
    assert "删除" in report.reason


@pytest.mark.django_db
def test_a_row_inserted_out_of_order_is_found():
    events = some_events(4)
    # A copy of a real row (with its valid chain) under an id between two others.
    gap = events[2].pk
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [gap])
    assert chain.verify_chain().first_bad_id == events[3].pk
    fields = ", ".join(f'"{AuditEvent._meta.get_field(f).column}"' for f in chain.CHAIN_FIELDS)
    tamper(
        f'INSERT INTO {TABLE} ({fields}, "chain") SELECT %s, {fields.split(", ", 1)[1]}, "chain" '
        f"FROM {TABLE} WHERE id = %s",
        [gap, events[1].pk],
    )
    report = chain.verify_chain()
    assert (report.ok, report.first_bad_id) == (False, gap)


@pytest.mark.django_db
def test_verify_from_a_date_trusts_the_predecessor(time_machine):
    time_machine.move_to(datetime(2026, 3, 1, 9, tzinfo=timezone.get_current_timezone()))
    old = some_events(3)
    time_machine.move_to(datetime(2026, 3, 5, 9, tzinfo=timezone.get_current_timezone()))
    new = record_event(actor=None, action="calendar_override_set", subject="x")
    tamper(f"UPDATE {TABLE} SET subject = 'forged' WHERE id = %s", [old[0].pk])
    assert chain.verify_chain().first_bad_id == old[0].pk
    report = chain.verify_chain(since=date(2026, 3, 5))
    assert (report.ok, report.checked, report.first_id) == (True, 1, new.pk)
    assert chain.verify_chain(since=date(2026, 3, 6)).checked == 0


@pytest.mark.django_db
def test_rechain_mends_what_a_loader_replaced():
    events = some_events(4)
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [events[1].pk])
    assert not chain.verify_chain().ok
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        assert chain.rechain(events[0].pk) == 2
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")
    assert chain.verify_chain().ok


@on_postgresql
@pytest.mark.django_db
def test_the_database_refuses_update_and_delete():
    (event,) = some_events(1)
    for sql in (
        f"UPDATE {TABLE} SET subject = 'forged' WHERE id = %s",
        f"DELETE FROM {TABLE} WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="cannot be changed"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(kind=EventKind.SECURITY)
    # Archiving's setting does not open young rows either.
    with pytest.raises(DatabaseError, match="younger than the retention"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL huiyin.audit_archive = 'on'")
            cursor.execute("SET LOCAL huiyin.audit_retention_days = '1'")
            cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).subject == "unit:0"


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_parallel_inserts_never_share_a_predecessor():
    user = make_user("parallel_user")
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(10):
                with transaction.atomic():
                    record_event(actor=user, action="unit_created", subject=f"t{n}:{i}")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert AuditEvent.objects.count() == 80
    report = chain.verify_chain()
    assert (report.ok, report.checked) == (True, 80), report
