"""The outbox (DESIGN.md §8): every outgoing message is a row written in the transaction
that decided to send it; delivery happens after commit, by the worker.

- `queue(...)` writes one Message per channel the recipient has on, never twice for one
  (key, channel), and after commit enqueues the delivery task for the new rows;
  `queue_many([Outgoing(...), …])` does it for many notifications in a few queries (the
  morning run), and `queue` is `queue_many` of one.
- `deliver_due(now)` is one pass: it sends what was due at its start, within a time
  budget. The scheduler calls it every minute (and `huiyin deliver` once), so a message
  whose task was lost (the worker or Redis was down) still goes out.
- `wait(ids, timeout)` returns when every message is sent or failed (`remind --wait`).

Two workers never send one message twice: a worker claims a row with a conditional UPDATE
(healthchecks' sendalerts) that moves `next_attempt_at` into the future for the length of a
lease, and sends only if that UPDATE changed exactly one row. A failure retries with
back-off (1, 2, 4 … minutes, at most HUIYIN_NOTIFY_BACKOFF_CAP_MINUTES); after
HUIYIN_NOTIFY_MAX_ATTEMPTS the message is failed, for the admin to retry (/console/outbox/).
"""

import enum
import logging
import math
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
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
from notify.channels import Undeliverable, channel, channels, unreachable
from notify.models import KEY_LENGTH, LINK_LENGTH, SUBJECT_LENGTH, Message, Preference, Status
from notify.preferences import preferences_for

if TYPE_CHECKING:
    from cases.models import Case

logger = logging.getLogger(__name__)

# Ids per query (SQLite bounds the parameters of one statement).
CHUNK = 500
# One delivery pass (the minutely sweep, a `deliver` task) stops taking new messages after
# this many seconds: a hanging mail server cannot hold the scheduler's morning run, and a
# task stays well under RQ's job timeout (RQ_QUEUES' DEFAULT_TIMEOUT, 300 s) even when its
# last send then waits EMAIL_TIMEOUT (30 s).
PASS_SECONDS = 50.0
# Ids per `deliver` task: a task's pass is bounded by PASS_SECONDS anyway; a smaller task
# leaves less for a killed job to repeat.
TASK_CHUNK = 50
# A channel that failed to connect this many times in a row is down: the rest of its
# messages wait for the next pass instead of each waiting out a timeout.
DOWN_AFTER = 3
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

    for chunk in _chunks(ids, TASK_CHUNK):
        try:
            deliver.enqueue(chunk)
        except Exception:
            logger.warning("could not enqueue delivery of %d messages", len(chunk), exc_info=True)


def _chunks(values: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    items = list(values)
    for start in range(0, len(items), size):
        yield items[start : start + size]


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


def _seconds() -> float:
    # A monotonic clock that time_machine leaves running (it freezes time.monotonic): a
    # budget runs out in a test with a frozen clock too.
    return time.perf_counter()


class Outcome(enum.Enum):
    SENT = "sent"
    FAILED = "failed"  # failed or to be retried: the channel answered
    UNREACHABLE = "unreachable"  # to be retried: the channel could not be reached
    SKIPPED = "skipped"  # not claimed: another worker has it, or it is no longer due


class _Pass:
    """One delivery pass: its deadline, each channel's run of connection failures, the
    channels stopped for the rest of it, and the batches (open connections) it entered."""

    def __init__(self, budget: float, stack: ExitStack) -> None:
        self.deadline = _seconds() + budget
        self.stack = stack
        self.failures: dict[str, int] = {}
        self.stopped: set[str] = set()
        self.entered: set[str] = set()

    def over(self) -> bool:
        return _seconds() >= self.deadline

    def attempt(self, pk: int, name: str, now: datetime) -> Outcome:
        if name not in self.entered:
            self.entered.add(name)
            found = channel(name)
            if found is not None:
                self.stack.enter_context(found.batch())
        outcome = _attempt(pk, now=now)
        if outcome is Outcome.UNREACHABLE:
            self.failures[name] = self.failures.get(name, 0) + 1
            if self.failures[name] >= DOWN_AFTER:
                logger.warning(
                    "channel %s unreachable %d times in a row: left for the next pass",
                    name,
                    DOWN_AFTER,
                )
                self.stopped.add(name)
        elif outcome is not Outcome.SKIPPED:
            self.failures[name] = 0
        return outcome


def deliver_due(
    now: datetime | None = None, *, ids: Iterable[int] | None = None, budget: float = PASS_SECONDS
) -> int:
    """One pass: send the pending messages that were due at its start (`now`, default the
    clock; each send reads the clock again), or only those of `ids`, oldest first, until
    `budget` seconds have passed. A message that becomes due during the pass (a retry's
    back-off ran out) waits for the next one; a channel that could not be reached DOWN_AFTER
    times in a row is left alone for the rest of the pass. Returns how many were sent."""
    clock: Callable[[], datetime] = (lambda: now) if now is not None else timezone.now
    start = clock()
    sent = 0
    with ExitStack() as stack:
        run = _Pass(budget, stack)
        for scope in _chunks(ids) if ids is not None else [None]:
            # Every message read leaves the due set (sent, failed, moved by its back-off or
            # a lease past `start`) or belongs to a stopped channel, excluded from then on.
            while not run.over():
                due = Message.objects.filter(status=Status.PENDING, next_attempt_at__lte=start)
                if scope is not None:
                    due = due.filter(pk__in=scope)
                if run.stopped:
                    due = due.exclude(channel__in=run.stopped)
                batch = list(
                    due.order_by("next_attempt_at", "pk").values_list("pk", "channel")[:CHUNK]
                )
                if not batch:
                    break
                for pk, name in batch:
                    if run.over():
                        break
                    if name not in run.stopped:
                        sent += run.attempt(pk, name, clock()) is Outcome.SENT
    return sent


def deliver_one(pk: int, *, now: datetime) -> bool:
    """Claim one message and send it; True if it went out now."""
    return _attempt(pk, now=now) is Outcome.SENT


def _attempt(pk: int, *, now: datetime) -> Outcome:
    lease_until = now + _lease()
    claimed = Message.objects.filter(pk=pk, status=Status.PENDING, next_attempt_at__lte=now).update(
        next_attempt_at=lease_until, attempts=F("attempts") + 1
    )
    if claimed != 1:
        return Outcome.SKIPPED  # another worker has it, or it is no longer due
    message = Message.objects.select_related("recipient").get(pk=pk)
    found = channel(message.channel)
    try:
        if found is None:
            raise Undeliverable(f"渠道“{message.channel}”未启用")
        _check_recipient(message)
        found.send(message)
    except Undeliverable as exc:
        _failed(message, exc, now=now, permanent=True)
        return Outcome.FAILED
    except Exception as exc:
        _failed(message, exc, now=now, permanent=False)
        return Outcome.UNREACHABLE if unreachable(exc) else Outcome.FAILED
    Message.objects.filter(pk=pk, status=Status.PENDING).update(
        status=Status.SENT, sent_at=now, last_error=""
    )
    return Outcome.SENT


def _check_recipient(message: Message) -> None:
    """At send time, not only when queued: the recipient may have been deactivated, or
    have lost sight of the case (reassigned, another unit), since."""
    if not message.recipient.is_active:
        raise Undeliverable("收件人已停用")
    if message.case_id is not None:
        from cases.permissions import visible_cases

        if not visible_cases(message.recipient).filter(pk=message.case_id).exists():
            raise Undeliverable("收件人已无权查看该办件")


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
    deadline = _seconds() + timeout
    for _ in range(max(1, math.ceil(timeout / poll)) + 1):
        deliver_due(ids=wanted, budget=deadline - _seconds())
        if not any(
            Message.objects.filter(pk__in=chunk, status=Status.PENDING).exists()
            for chunk in _chunks(wanted)
        ):
            return True
        if _seconds() >= deadline:
            break
        time.sleep(poll)
    return False
