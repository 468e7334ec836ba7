"""The tamper-evident chain of audit events (等保三级: 审计记录的完整性保护).

Every AuditEvent's `chain` is the hex HMAC-SM3 (the audit key, huiyin.crypto.audit_key) of
the previous event's chain and a canonical encoding of every other stored column of the row,
id included, in id order. Editing a row breaks its own link; deleting one breaks the next
row's link; a row inserted out of order cannot be given a link without the key.

Links are made on insert (AuditEvent.save, AuditEventManager.bulk_create) under a lock held
to the commit (PostgreSQL: a transaction-level advisory lock; SQLite serialises writes
already), taken right before the insert, and the ids are taken under it, so the id order is
the chain order. The lock is the last one an action takes: actions lock their case first and
write their event last.

An archive (audit.archive) removes the oldest events; an AuditArchive row keeps the last
archived chain, from which the chain then starts.
"""

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from cryptography.hazmat.primitives import hashes, hmac
from django.db import connection, transaction
from django.utils import timezone

from huiyin.crypto import audit_key

GENESIS = "0" * 64
# The stored columns a link covers, in the order they are encoded (all but `chain`).
CHAIN_FIELDS = (
    "id",
    "kind",
    "case_id",
    "case_label",
    "subject",
    "actor_id",
    "actor_name",
    "action",
    "on",
    "at",
    "from_state",
    "to_state",
    "details",
    "address",
    "result",
)
ADVISORY_LOCK = 0x48594155  # "HYAU": the chain's head, on PostgreSQL
BATCH = 5000

_mac_lock = threading.Lock()
_mac_cache: dict[bytes, hmac.HMAC] = {}


def keyed_mac() -> hmac.HMAC:
    """An HMAC-SM3 context with the audit key already absorbed; copied for each link."""
    key = audit_key()
    with _mac_lock:
        mac = _mac_cache.get(key)
        if mac is None:
            _mac_cache.clear()
            mac = _mac_cache[key] = hmac.HMAC(key, hashes.SM3())
        return mac.copy()


def at_text(value: datetime) -> str:
    """A stored time in one fixed form: UTC, microseconds."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def details_text(value: Any) -> str:
    """JSON with sorted keys, as the database gives it back (a round trip first)."""
    if isinstance(value, str):
        value = json.loads(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# One encoder: the loaders encode rows with it too, byte for byte as encode() does.
ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def encode(values: Sequence[Any]) -> bytes:
    """The canonical encoding of a row's CHAIN_FIELDS values: a JSON array, so that NULL
    and "" differ and no value can run into the next."""
    row = list(values)
    on = row[8]
    row[8] = on.isoformat() if isinstance(on, date) else on
    at = row[9]
    row[9] = at_text(at) if isinstance(at, datetime) else at
    row[12] = json.loads(details_text(row[12]))
    row[13] = str(row[13]) if row[13] is not None else None
    return ENCODER.encode(row).encode()


def link(previous: str, values: Sequence[Any]) -> str:
    """The chain value of a row that follows `previous`."""
    mac = keyed_mac()
    mac.update(previous.encode("ascii") + b"\n" + encode(values))
    return mac.finalize().hex()


class Linker:
    """Links rows one after another with one keyed context (the loaders' hot path)."""

    def __init__(self, previous: str) -> None:
        self.previous = previous
        self._mac = keyed_mac()

    def add_encoded(self, encoded: bytes) -> str:
        mac = self._mac.copy()
        mac.update(self.previous.encode("ascii") + b"\n" + encoded)
        self.previous = mac.finalize().hex()
        return self.previous

    def add(self, values: Sequence[Any]) -> str:
        return self.add_encoded(encode(values))


def row_values(event: Any) -> list[Any]:
    """The CHAIN_FIELDS values of an unsaved event, as the database will give them back."""
    from audit.models import AuditEvent

    address = event.address
    if address:
        address = AuditEvent._meta.get_field("address").get_prep_value(address)
    values = [getattr(event, name) for name in CHAIN_FIELDS]
    values[13] = address or None
    return values


# The head of the chain --------------------------------------------------------------


def _table() -> str:
    from audit.models import AuditEvent

    return AuditEvent._meta.db_table


def anchor_chain() -> str:
    """Where the chain starts: the last archived event's chain, else GENESIS."""
    from audit.models import AuditArchive

    last = AuditArchive.objects.order_by("-up_to_id").values_list("last_chain", flat=True).first()
    return last or GENESIS


def lock_head(count: int) -> tuple[str, list[int]]:
    """Take the chain's lock (held to the commit) and return the last chain and `count`
    new ids, ascending. Call inside a transaction, right before the insert."""
    table = _table()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
            # A statement after the lock: it sees what the lock's last holder committed.
            cursor.execute(
                f'SELECT (SELECT chain FROM "{table}" ORDER BY id DESC LIMIT 1), '
                f"nextval(pg_get_serial_sequence('{table}', 'id')) "
                "FROM generate_series(1, %s)",
                [count],
            )
            rows = cursor.fetchall()
            last = rows[0][0] if rows else None
            ids = sorted(row[1] for row in rows)
        else:
            cursor.execute(
                f'SELECT (SELECT chain FROM "{table}" ORDER BY id DESC LIMIT 1), '
                f'MAX(COALESCE((SELECT MAX(id) FROM "{table}"), 0), '
                "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
                [table],
            )
            last, top = cursor.fetchone()
            ids = list(range(top + 1, top + 1 + count))
    return (last if last else anchor_chain()), ids


def chain_new(events: Sequence[Any]) -> None:
    """Give unsaved events their ids and links, in order. Inside a transaction; the
    caller inserts them right after, before anything else."""
    previous, ids = lock_head(len(events))
    linker = Linker(previous)
    for event, pk in zip(events, ids, strict=True):
        event.id = pk
        event.chain = linker.add(row_values(event))


def rechain(after_id: int = 0) -> int:
    """Rewrite the links of the events after `after_id` (the loaders' use only, after they
    replaced events; the database's trigger must be off in the transaction). Returns how
    many rows changed."""
    from audit.models import AuditEvent

    previous = (
        AuditEvent.objects.filter(id__lte=after_id)
        .order_by("-id")
        .values_list("chain", flat=True)
        .first()
    ) or anchor_chain()
    linker = Linker(previous)
    changed = 0
    table = _table()
    with connection.cursor() as cursor:
        for rows in batches(after_id, None):
            updates = []
            for row in rows:
                value = linker.add(row[:-1])
                if value != row[-1]:
                    updates.append((value, row[0]))
            if updates:
                cursor.executemany(f'UPDATE "{table}" SET chain = %s WHERE id = %s', updates)
                changed += len(updates)
    return changed


@contextmanager
def changes_allowed() -> Iterator[None]:
    """The database's refusal of UPDATE and DELETE lifted inside the current transaction
    (PostgreSQL: replica mode turns off its triggers; needs a superuser). For the
    benchmark loaders and tests only: what they change must be re-linked (rechain)."""
    if connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("changes_allowed() needs a transaction")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")


def replace_events(events: Any) -> int:
    """Delete the events of a queryset and re-link those after them (the loaders, which
    replace the cases they made, and their events with them). Inside a transaction."""
    first = events.order_by("id").values_list("id", flat=True).first()
    if first is None:
        return 0
    with changes_allowed():
        deleted, _ = events.delete()
        rechain(first - 1)
    from audit.integrity import follow_rechain

    transaction.on_commit(lambda: follow_rechain(first))
    return deleted


def last_link() -> tuple[int, str]:
    """The last event's id and chain (0 and the anchor when there is none)."""
    from audit.models import AuditEvent

    row = AuditEvent.objects.order_by("-id").values_list("id", "chain").first()
    return row if row else (0, anchor_chain())


# Verification -----------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_id: int | None
    reason: str
    first_id: int | None = None
    last_id: int | None = None
    last_chain: str = ""


def batches(after_id: int, up_to: int | None) -> Iterator[list[tuple[Any, ...]]]:
    from audit.models import AuditEvent

    last = after_id
    while True:
        query = AuditEvent.objects.filter(id__gt=last).order_by("id")
        if up_to is not None:
            query = query.filter(id__lte=up_to)
        rows = list(query.values_list(*CHAIN_FIELDS, "chain")[:BATCH])
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _start(since: date | None, start: tuple[int, str]) -> tuple[int, str] | None:
    """The id after which to verify and the chain to trust there (None: nothing to do)."""
    from audit.models import AuditEvent

    if since is None:
        return start
    moment = timezone.make_aware(datetime.combine(since, time.min))
    first = (
        AuditEvent.objects.filter(at__gte=moment, id__gt=start[0])
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    if first is None:
        return None
    before = (
        AuditEvent.objects.filter(id__lt=first, id__gt=start[0])
        .order_by("-id")
        .values_list("id", "chain")
        .first()
    )
    return before or start


def verify_chain(*, since: date | None = None) -> ChainReport:
    """Walk the chain in id order, in batches (bounded memory), from the newest archive
    anchor or, with `since`, from the first event of that day (trusting its predecessor's
    stored chain). The first row whose stored chain is not the link of its predecessor and
    its own columns is the first broken link: that row was edited, or the row before it was
    deleted, or it was inserted out of order.

    Before the walk (audit.integrity): every anchor's signature (a forged anchor is refused,
    not started from) and the head checkpoint outside the database (the newest rows deleted,
    the table emptied). Those failures have no first_bad_id, only a reason."""
    from audit.integrity import checked_start, head_problem

    anchors = checked_start()
    if anchors.problem:
        return ChainReport(False, 0, None, anchors.problem)
    problem = head_problem(anchors)
    if problem:
        return ChainReport(False, 0, None, problem)
    start = _start(since, (anchors.after_id, anchors.chain))
    if start is None:
        return ChainReport(True, 0, None, "")
    previous_id, previous = start
    linker = Linker(previous)
    checked = 0
    first_id = None
    for rows in batches(previous_id, None):
        for row in rows:
            stored = row[-1]
            expected = linker.add(row[:-1])
            if first_id is None:
                first_id = row[0]
            if stored != expected:
                return ChainReport(
                    False, checked, row[0], _why(stored, previous_id, row[0]), first_id, row[0]
                )
            linker.previous = stored
            previous_id = row[0]
            checked += 1
    return ChainReport(
        True, checked, None, "", first_id, previous_id or None, linker.previous if checked else ""
    )


def _why(stored: str, previous_id: int, pk: int) -> str:
    if not stored:
        return "没有校验值：这条记录不是经由系统写入的"
    if previous_id and pk != previous_id + 1:
        return (
            f"校验值与前一条记录（{previous_id}）接不上：其间的记录可能被删除，"
            "或这条记录被修改、被插入"
        )
    return "校验值与记录内容或前一条记录不符：这条记录被修改、被插入，或前一条被删除"
