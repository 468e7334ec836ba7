"""The outbox (DESIGN.md §8): every outgoing message is a row written in the transaction
that decided to send it; delivery happens after commit, by the worker.

- `queue(...)` writes one Message per channel the recipient has on, never twice for one
  (key, channel), and after commit enqueues the delivery task for the new rows;
  `queue_many([Outgoing(...), …])` does it for many notifications in a few queries (the
  morning run), and `queue` is `queue_many` of one.
- `deliver_due(now)` sends what is due. The scheduler calls it every minute, so a message
  whose task was lost (the worker or Redis was down) still goes out.
- `wait(ids, timeout)` returns when every message is sent or failed (`remind --wait`).

Two workers never send one message twice: a worker claims a row with a conditional UPDATE
(healthchecks' sendalerts) that moves `next_attempt_at` into the future for the length of a
lease, and sends only if that UPDATE changed exactly one row. A failure retries with
back-off (1, 2, 4 … minutes, at most HUIYIN_NOTIFY_BACKOFF_CAP_MINUTES); after
HUIYIN_NOTIFY_MAX_ATTEMPTS the message is failed, for the admin to retry (/console/outbox/).
"""

import logging
import math
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.conf import settings
from django.db import transaction
from django.db.models import F, Model
from django.db.models.constants import OnConflict
from django.db.models.sql.compiler import SQLInsertCompiler
from django.db.models.sql.subqueries import InsertQuery
from django.utils import timezone

from huiyin.types import User
from notify.channels import Undeliverable, channel, channels
from notify.models import KEY_LENGTH, LINK_LENGTH, SUBJECT_LENGTH, Message, Preference, Status
from notify.preferences import preferences_for

if TYPE_CHECKING:
    from cases.models import Case

logger = logging.getLogger(__name__)

# Ids per delivery task and per query (SQLite bounds the parameters of one statement).
CHUNK = 500
ERROR_LENGTH = 2000
T = TypeVar("T")


@dataclass(frozen=True)
class Outgoing:
    """One notification to write: `queue`'s arguments as a value, for `queue_many`.

    `preference`: the recipient's, if the caller has read it already; read otherwise."""

    key: str
    recipient: User
    kind: str
    subject: str
    text: str
    html: str = ""
    link: str = ""
    case: "Case | None" = None
    preference: Preference | None = None


def queue(
    *,
    key: str,
    recipient: User,
    kind: str,
    subject: str,
    text: str,
    html: str = "",
    link: str = "",
    case: "Case | None" = None,
    preference: Preference | None = None,
) -> list[Message]:
    """Write the messages of one notification (`queue_many` of one)."""
    return queue_many([Outgoing(key, recipient, kind, subject, text, html, link, case, preference)])


def queue_many(items: Sequence[Outgoing]) -> list[Message]:
    """Write the messages of many notifications, inside the caller's transaction: for each,
    one per channel its recipient has on (in-app always; e-mail if they keep it on and have
    an address). A (key, channel) already written, now, earlier in `items` or by a
    concurrent caller, is skipped; a deactivated account gets nothing. Returns the rows
    written by this call, in the order of `items`; after commit they are delivered.

    A few queries whatever the number of items: the preferences, the (key, channel) pairs
    already written and the inserts, per CHUNK."""
    for item in items:
        if not item.key or len(item.key) > KEY_LENGTH:
            raise ValueError(f"a message key is 1 to {KEY_LENGTH} characters: {item.key!r}")
        if len(item.link) > LINK_LENGTH:
            raise ValueError(f"a message link is at most {LINK_LENGTH} characters: {item.link!r}")
    active = [item for item in items if item.recipient.is_active]
    preferences: dict[int, Preference] = {}
    for users in _chunks({i.recipient.pk for i in active if i.preference is None}):
        preferences |= preferences_for(users)
    rows: dict[tuple[str, str], Message] = {}
    for item in active:
        preference = item.preference
        if preference is None:
            preference = preferences[item.recipient.pk]
        for found in channels().values():
            if found.wants(item.recipient, preference):
                rows.setdefault((item.key, found.name), _row(item, found.name))
    for keys in _chunks(sorted({key for key, _ in rows})):
        for pair in Message.objects.filter(key__in=keys).values_list("key", "channel"):
            rows.pop(pair, None)
    # By key (a key's channels in the registry's order): see _insert_new.
    created = _insert_new(sorted(rows.values(), key=lambda m: m.key))
    if created:
        _deliver_after_commit([m.pk for m in created])
    order = {pair: n for n, pair in enumerate(rows)}
    return sorted(created, key=lambda m: order[m.key, m.channel])


def _row(item: Outgoing, channel_name: str) -> Message:
    return Message(
        key=item.key,
        channel=channel_name,
        recipient=item.recipient,
        case=item.case,
        kind=item.kind,
        subject=_shorten(item.subject, SUBJECT_LENGTH),
        text=item.text,
        html=item.html,
        link=item.link,
    )


def _insert_new(rows: list[Message]) -> list[Message]:
    """Insert the rows, skipping any whose (key, channel) exists, and return those this
    call inserted, with their ids.

    bulk_create(ignore_conflicts=True)'s INSERT (… ON CONFLICT DO NOTHING on PostgreSQL,
    INSERT OR IGNORE on SQLite) plus a RETURNING clause, which names exactly the rows the
    statement inserted. bulk_create itself gives no ids with ignore_conflicts, and reading
    them back by key would also return the rows of a concurrent caller that committed them
    while this insert waited on the unique index (then both callers would claim them).
    In the order given (by key), so two concurrent callers wait on the same first key
    instead of on each other. Django's own compiler writes the SQL: UNNEST on PostgreSQL,
    the parameters SQLite allows per statement."""
    if not rows:
        return []
    connection = transaction.get_connection()
    meta = Message._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    # Fields, not names as django-stubs says.
    returning: Any = [meta.pk, meta.get_field("key"), meta.get_field("channel")]
    size = max(1, min(CHUNK, connection.ops.bulk_batch_size(fields, rows)))
    inserted: dict[tuple[str, str], int] = {}
    for start in range(0, len(rows), size):
        query = InsertQuery(Message, on_conflict=OnConflict.IGNORE)
        query.insert_values(fields, list[Model](rows[start : start + size]))
        compiler = cast(SQLInsertCompiler, query.get_compiler(connection=connection))
        found: list[Any] = compiler.execute_sql(returning)
        # (A single row that conflicted comes back as None.)
        inserted |= {(key, name): pk for pk, key, name in filter(None, found)}
    created = []
    for row in rows:
        pk = inserted.get((row.key, row.channel))
        if pk is not None:
            row.pk = pk
            row._state.adding = False
            row._state.db = connection.alias
            created.append(row)
    return created


def _shorten(text: str, length: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


class _Batch:
    """The ids queued in one transaction: one on_commit callback for all of them, however
    many `queue` / `queue_many` calls the transaction makes."""

    def __init__(self) -> None:
        self.ids: list[int] = []

    def __call__(self) -> None:
        enqueue_delivery(self.ids)


_local = threading.local()


def _deliver_after_commit(ids: list[int]) -> None:
    connection = transaction.get_connection()
    batch: _Batch | None = getattr(_local, "batch", None)
    # Still registered means still the same transaction (a rollback drops the callback).
    registered = batch is not None and any(
        entry[1] is batch for entry in getattr(connection, "run_on_commit", ())
    )
    if batch is None or not registered or not connection.in_atomic_block:
        batch = _Batch()
        _local.batch = batch
        batch.ids.extend(ids)
        transaction.on_commit(batch)
    else:
        batch.ids.extend(ids)


def enqueue_delivery(ids: list[int]) -> None:
    """Hand the messages to the worker. If that fails (Redis down) they are not lost: the
    scheduler's deliver_due sends them within a minute or so."""
    from notify.tasks import deliver

    for chunk in _chunks(ids):
        try:
            deliver.enqueue(chunk)
        except Exception:
            logger.warning("could not enqueue delivery of %d messages", len(chunk), exc_info=True)


def _chunks(values: Iterable[T]) -> Iterator[list[T]]:
    items = list(values)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def max_attempts() -> int:
    return int(getattr(settings, "HUIYIN_NOTIFY_MAX_ATTEMPTS", 8))


def backoff(attempts: int) -> timedelta:
    """The pause after the `attempts`-th failure: 1, 2, 4 … minutes, capped."""
    cap = int(getattr(settings, "HUIYIN_NOTIFY_BACKOFF_CAP_MINUTES", 60))
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), cap))


def _lease() -> timedelta:
    # Longer than a send may take (EMAIL_TIMEOUT): a claim that outlives its lease could be
    # taken by a second worker while the first is still sending.
    return timedelta(seconds=int(getattr(settings, "HUIYIN_NOTIFY_LEASE_SECONDS", 300)))


def deliver_due(now: datetime | None = None, *, ids: Iterable[int] | None = None) -> int:
    """Send every pending message due at `now` (default: the clock, read per message), or
    only those of `ids` that are due. Returns how many were sent."""
    clock: Callable[[], datetime] = (lambda: now) if now is not None else timezone.now
    sent = 0
    for scope in _chunks(ids) if ids is not None else [None]:
        while True:
            due = Message.objects.filter(status=Status.PENDING, next_attempt_at__lte=clock())
            if scope is not None:
                due = due.filter(pk__in=scope)
            batch = list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:CHUNK])
            if not batch:
                break
            sent += sum(deliver_one(pk, now=clock()) for pk in batch)
    return sent


def deliver_one(pk: int, *, now: datetime) -> bool:
    """Claim one message and send it; True if it went out now."""
    lease_until = now + _lease()
    claimed = Message.objects.filter(pk=pk, status=Status.PENDING, next_attempt_at__lte=now).update(
        next_attempt_at=lease_until, attempts=F("attempts") + 1
    )
    if claimed != 1:
        return False  # another worker has it, or it is no longer due
    message = Message.objects.select_related("recipient").get(pk=pk)
    found = channel(message.channel)
    try:
        if found is None:
            raise Undeliverable(f"渠道“{message.channel}”未启用")
        found.send(message)
    except Undeliverable as exc:
        _failed(message, exc, now=now, permanent=True)
        return False
    except Exception as exc:
        _failed(message, exc, now=now, permanent=False)
        return False
    Message.objects.filter(pk=pk, status=Status.PENDING).update(
        status=Status.SENT, sent_at=now, last_error=""
    )
    return True


def _failed(message: Message, exc: Exception, *, now: datetime, permanent: bool) -> None:
    error = f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH]
    give_up = permanent or message.attempts >= max_attempts()
    logger.warning(
        "message %s (%s) attempt %d failed%s: %s",
        message.pk,
        message.channel,
        message.attempts,
        ", giving up" if give_up else "",
        error,
    )
    changes: dict[str, object] = {"last_error": error}
    if give_up:
        changes["status"] = Status.FAILED
    else:
        changes["next_attempt_at"] = now + backoff(message.attempts)
    Message.objects.filter(pk=message.pk, status=Status.PENDING).update(**changes)


def wait(ids: Iterable[int], timeout: float, *, poll: float = 0.5) -> bool:
    """Return True as soon as every message of `ids` is sent or failed, False if some are
    still pending after `timeout` seconds. It delivers what is due itself while it waits
    (the claim keeps a running worker from sending the same one again), so it also works
    where no worker runs."""
    wanted = list(ids)
    deadline = time.monotonic() + timeout
    # Also bounded by a count of polls: under a frozen clock (tests) time never runs out.
    for _ in range(max(1, math.ceil(timeout / poll)) + 1):
        deliver_due(ids=wanted)
        if not any(
            Message.objects.filter(pk__in=chunk, status=Status.PENDING).exists()
            for chunk in _chunks(wanted)
        ):
            return True
        if time.monotonic() >= deadline:
            break
        time.sleep(poll)
    return False
