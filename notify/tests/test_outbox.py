"""The outbox: queue writes one row per channel the recipient has on, never twice; queue_many
does the same for many at once in a few queries; delivery after commit; the claim;
back-off, failure after the last attempt, the admin's retry; wait()."""

import math
import smtplib
import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction

from audit.models import AuditEvent
from huiyin.errors import Forbidden, NotFound
from notify import actions, outbox
from notify.channels import Channel, Undeliverable, unreachable
from notify.models import Message, Notification, Preference, Status
from notify.preferences import digest_user_ids, preference_for, preferences_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 15, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _frozen():
    # Messages are due from when they are written: write them at NOW.
    with time_machine.travel(NOW, tick=False):
        yield


BROKEN = ["notify.channels.InAppChannel", "notify.tests.test_outbox.BrokenChannel"]
GONE = ["notify.channels.InAppChannel", "notify.tests.test_outbox.GoneChannel"]


class BrokenChannel(Channel):
    """A mail server that is down: every send raises (the outbox retries)."""

    name = "email"
    label = "坏掉的邮件"
    calls = 0

    def wants(self, recipient, preference):
        return True

    def send(self, message):
        BrokenChannel.calls += 1
        raise ConnectionRefusedError("mail server down")


class GoneChannel(BrokenChannel):
    def send(self, message):
        raise Undeliverable("mailbox does not exist")


def _outgoing(user, key="reply:1:2026-06-22:-5:1:2026-06-15", **extra) -> outbox.Outgoing:
    data = {
        "key": key,
        "recipient": user,
        "kind": "reminder",
        "subject": "【到期提醒】第20260001号 关于加强基层医疗卫生人才队伍建设的建议",
        "text": "答复期限 2026年6月22日，剩余5个工作日。",
        "link": "/cases/1/",
    }
    data.update(extra)
    return outbox.Outgoing(**data)


def _queue(user, key="reply:1:2026-06-22:-5:1:2026-06-15", **extra):
    return outbox.queue(**vars(_outgoing(user, key, **extra)))


def test_a_message_per_channel_the_recipient_has_on(cast):
    handler = cast.yizheng_handler
    written = _queue(handler)
    assert sorted(m.channel for m in written) == ["email", "inapp"]
    assert all(m.status == Status.PENDING and m.attempts == 0 for m in written)

    Preference.objects.create(user=cast.yizheng_head, email=False)
    assert [m.channel for m in _queue(cast.yizheng_head, key="k-head")] == ["inapp"]

    cast.jiceng_head.email = ""
    cast.jiceng_head.save()
    assert [m.channel for m in _queue(cast.jiceng_head, key="k-jiceng")] == ["inapp"]

    # A preference the caller read already (the morning run reads many at once).
    assert len(_queue(cast.leader, key="k-leader", preference=Preference(email=False))) == 1
    # A deactivated account gets nothing.
    cast.viewer.is_active = False
    cast.viewer.save()
    assert _queue(cast.viewer, key="k-viewer") == []


def test_the_same_key_is_never_written_twice(cast):
    assert len(_queue(cast.yizheng_handler)) == 2
    assert _queue(cast.yizheng_handler) == []
    assert Message.objects.count() == 2
    # The e-mail switched on later: only the missing channel is written.
    Preference.objects.create(user=cast.leader, email=False)
    assert len(_queue(cast.leader, key="k-leader")) == 1
    Preference.objects.filter(user=cast.leader).update(email=True)
    assert [m.channel for m in _queue(cast.leader, key="k-leader")] == ["email"]


def test_queue_many_writes_what_queue_would_for_each_item(cast, django_assert_max_num_queries):
    Preference.objects.create(user=cast.yizheng_head, email=False)
    cast.jiceng_head.email = ""
    cast.jiceng_head.save()
    cast.viewer.is_active = False
    cast.viewer.save()
    _queue(cast.leader, key="old")  # written by an earlier call: skipped
    items = [
        _outgoing(cast.yizheng_handler, key="b"),
        _outgoing(cast.yizheng_head, key="a"),  # e-mail off
        _outgoing(cast.jiceng_head, key="c"),  # no address
        _outgoing(cast.viewer, key="d"),  # deactivated
        _outgoing(cast.leader, key="old"),
        _outgoing(cast.yizheng_handler, key="b", subject="又一次"),  # the same key again
        _outgoing(cast.leader, key="e", preference=Preference(email=False)),
    ]
    with django_assert_max_num_queries(3):  # preferences, keys written already, insert
        written = outbox.queue_many(items)
    assert [(m.key, m.channel) for m in written] == [
        ("b", "inapp"),
        ("b", "email"),
        ("a", "inapp"),
        ("c", "inapp"),
        ("e", "inapp"),
    ]
    stored = Message.objects.in_bulk([m.pk for m in written])
    assert [(stored[m.pk].key, stored[m.pk].channel) for m in written] == [
        (m.key, m.channel) for m in written
    ]
    assert stored[written[0].pk].subject.startswith("【到期提醒】")  # the first "b" wins
    assert stored[written[0].pk].recipient == cast.yizheng_handler
    assert Message.objects.count() == 7
    assert outbox.queue_many(items) == []
    assert outbox.queue_many([]) == []


def test_queue_many_takes_a_few_queries_for_many_messages(cast, django_assert_max_num_queries):
    users = [cast.leader, cast.viewer, cast.yizheng_handler, cast.jiceng_head]
    items = [_outgoing(users[n % 4], key=f"k{n:04d}") for n in range(1200)]
    # Preferences, 3 chunks of keys written already, the inserts: 2400 rows by 500 (fewer
    # on SQLite, which bounds the parameters of a statement).
    fields = [f for f in Message._meta.concrete_fields if not f.primary_key]
    per_insert = min(outbox.CHUNK, connection.ops.bulk_batch_size(fields, [None] * 2400))
    with django_assert_max_num_queries(1 + 3 + math.ceil(2400 / per_insert)):
        written = outbox.queue_many(items)
    assert len(written) == 2400 == Message.objects.count()
    assert len({m.pk for m in written}) == 2400


def test_rows_written_meanwhile_are_skipped_by_the_insert_and_not_returned(cast):
    """A concurrent caller may write a (key, channel) after the check for existing ones:
    the insert skips it and does not count it as its own, for one row or many."""
    (theirs, _) = _queue(cast.leader, key="meanwhile")

    def row(key, channel="inapp"):
        return Message(key=key, channel=channel, recipient=cast.leader, kind="reminder")

    assert outbox._insert_new([row("meanwhile")]) == []
    mine = outbox._insert_new([row("meanwhile"), row("fresh"), row("meanwhile", "email")])
    assert [(m.key, m.channel) for m in mine] == [("fresh", "inapp")]
    assert Message.objects.get(pk=mine[0].pk).key == "fresh"
    assert Message.objects.get(key="meanwhile", channel="inapp").pk == theirs.pk
    assert Message.objects.count() == 3


def test_queue_many_refuses_a_bad_item_before_writing_any(cast):
    with pytest.raises(ValueError):
        outbox.queue_many([_outgoing(cast.leader, key="fine"), _outgoing(cast.leader, key="")])
    with pytest.raises(ValueError):
        outbox.queue_many([_outgoing(cast.leader, key="fine", link="/" * 201)])
    assert not Message.objects.exists()


def test_queue_many_is_delivered_after_commit_by_one_task(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            outbox.queue_many([_outgoing(cast.leader, key=f"m{i}") for i in range(3)])
            _queue(cast.leader, key="single")
            assert not Notification.objects.exists()
    assert len(callbacks) == 1
    assert Message.objects.filter(status=Status.SENT).count() == 8
    assert len(mail.outbox) == 4


def test_long_subjects_are_shortened_and_bad_keys_refused(cast):
    (inapp, _) = _queue(cast.leader, subject="长" * 300)
    assert len(inapp.subject) == 200 and inapp.subject.endswith("…")
    with pytest.raises(ValueError):
        _queue(cast.leader, key="")
    with pytest.raises(ValueError):
        _queue(cast.leader, key="k" * 201)


def test_delivered_after_commit_with_one_task_per_transaction(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            for i in range(3):
                _queue(cast.yizheng_handler, key=f"k{i}")
            assert not Notification.objects.exists()  # nothing before the commit
    assert len(callbacks) == 1  # one delivery task for the six messages
    assert Message.objects.filter(status=Status.SENT).count() == 6
    assert Notification.objects.filter(recipient=cast.yizheng_handler).count() == 3
    assert len(mail.outbox) == 3
    assert mail.outbox[0].to == ["yizheng_clerk@example.org"]


def test_a_rolled_back_transaction_sends_nothing_and_the_next_one_still_does(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            _queue(cast.leader, key="gone")
            raise RuntimeError("the decision to send was undone")
        with transaction.atomic():
            _queue(cast.leader, key="kept")
    assert len(callbacks) == 1
    assert list(Message.objects.values_list("key", "status").distinct()) == [("kept", "sent")]


def test_a_worker_that_finds_the_message_claimed_does_not_send_it(cast, monkeypatch):
    """A second worker asking for the same message while the first is sending it."""
    (inapp, email) = _queue(cast.leader)
    from notify.channels import EmailChannel

    second_worker: list[bool] = []
    real_send = EmailChannel.send

    def send_while_another_worker_tries(self, message):
        second_worker.append(outbox.deliver_one(message.pk, now=NOW))
        second_worker.append(outbox.deliver_due(now=NOW) > 0)
        real_send(self, message)

    monkeypatch.setattr(EmailChannel, "send", send_while_another_worker_tries)
    assert outbox.deliver_due(now=NOW) == 2
    assert second_worker == [False, False]
    assert len(mail.outbox) == 1
    assert Message.objects.filter(status=Status.SENT, attempts=1).count() == 2
    assert outbox.deliver_due(now=NOW + timedelta(hours=1)) == 0


def test_back_off_then_failed_after_the_last_attempt_then_retried(cast, settings):
    settings.HUIYIN_NOTIFY_CHANNELS = BROKEN
    settings.HUIYIN_NOTIFY_MAX_ATTEMPTS = 4
    BrokenChannel.calls = 0
    (_, email) = _queue(cast.leader)
    outbox.deliver_due(now=NOW)
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.PENDING, 1)
    assert email.next_attempt_at == NOW + timedelta(minutes=1)
    assert "mail server down" in email.last_error

    # Not due before its time: nothing is tried.
    assert outbox.deliver_due(now=NOW + timedelta(seconds=59)) == 0
    assert BrokenChannel.calls == 1
    moment = NOW
    for attempt, pause in ((2, 2), (3, 4)):
        moment = email.next_attempt_at
        outbox.deliver_due(now=moment)
        email.refresh_from_db()
        assert email.attempts == attempt
        assert email.next_attempt_at == moment + timedelta(minutes=pause)
    outbox.deliver_due(now=email.next_attempt_at)
    email.refresh_from_db()
    assert (email.status, email.attempts, BrokenChannel.calls) == (Status.FAILED, 4, 4)
    assert outbox.deliver_due(now=NOW + timedelta(days=1)) == 0
    assert BrokenChannel.calls == 4

    with pytest.raises(Forbidden):
        actions.retry_failed(by=cast.coordinator, message_ids=[email.pk])
    settings.HUIYIN_NOTIFY_CHANNELS = [
        "notify.channels.InAppChannel",
        "notify.channels.EmailChannel",
    ]
    with transaction.atomic():  # delivered after commit (captured: the test's own atomic)
        assert actions.retry_failed(by=cast.admin, message_ids=[email.pk]) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.PENDING, 0)
    assert AuditEvent.objects.filter(action="notify_retry").count() == 1
    assert outbox.deliver_due() == 1
    email.refresh_from_db()
    assert email.status == Status.SENT and len(mail.outbox) == 1


def test_the_back_off_is_capped(settings):
    settings.HUIYIN_NOTIFY_BACKOFF_CAP_MINUTES = 60
    assert [outbox.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 7, 8, 20)] == [
        1,
        2,
        4,
        60,
        60,
        60,
    ]


def test_undeliverable_and_unknown_channels_fail_at_once(cast, settings):
    settings.HUIYIN_NOTIFY_CHANNELS = GONE
    (_, email) = _queue(cast.leader)
    outbox.deliver_due(now=NOW)
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.FAILED, 1)
    assert "mailbox does not exist" in email.last_error

    (_, other) = _queue(cast.viewer, key="k-viewer")
    settings.HUIYIN_NOTIFY_CHANNELS = ["notify.channels.InAppChannel"]
    outbox.deliver_due(now=NOW)
    other.refresh_from_db()
    assert other.status == Status.FAILED and "未启用" in other.last_error


def test_retry_refuses_what_is_not_failed(cast):
    (inapp, _) = _queue(cast.leader)
    with pytest.raises(actions.NotifyError) as refused:
        actions.retry_failed(by=cast.admin, message_ids=[inapp.pk])
    assert refused.value.status == 400
    with pytest.raises(NotFound):
        actions.retry_failed(by=cast.admin, message_ids=[999999])
    assert actions.retry_failed(by=cast.admin) == 0


def test_wait_returns_when_sent_or_failed(cast, settings):
    written = _queue(cast.leader)
    assert outbox.wait([m.pk for m in written], timeout=5, poll=0.01)
    assert Message.objects.filter(status=Status.SENT).count() == 2

    settings.HUIYIN_NOTIFY_CHANNELS = BROKEN
    stuck = _queue(cast.viewer, key="k-stuck")
    assert not outbox.wait([m.pk for m in stuck], timeout=0.05, poll=0.01)
    assert Message.objects.get(pk=stuck[1].pk).status == Status.PENDING


def test_preferences_read_without_writing(cast):
    assert preference_for(cast.leader).pk is None and preference_for(cast.leader).email
    Preference.objects.create(user=cast.viewer, digest=True)
    found = preferences_for([cast.leader.pk, cast.viewer.pk])
    assert (found[cast.leader.pk].digest, found[cast.viewer.pk].digest) == (False, True)
    assert digest_user_ids([cast.leader.pk, cast.viewer.pk]) == {cast.viewer.pk}
    assert not Preference.objects.filter(user=cast.leader).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel connections: PostgreSQL")
def test_two_concurrent_callers_write_one_message_per_channel():
    from cases.tests.factories import Cast

    cast = Cast()
    start = threading.Barrier(8)
    written: list[int] = []

    def caller() -> None:
        try:
            start.wait()
            with transaction.atomic():
                written.extend(m.pk for m in _queue(cast.leader, key="race"))
        finally:
            connection.close()

    threads = [threading.Thread(target=caller) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(written) == 2
    assert Message.objects.filter(key="race").count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel connections: PostgreSQL")
def test_concurrent_queue_many_callers_each_return_only_what_they_wrote():
    """Overlapping batches, given in different orders: every (key, channel) is written once
    and returned to exactly one caller."""
    from cases.tests.factories import Cast

    cast = Cast()
    users = [cast.leader, cast.yizheng_handler, cast.jiceng_head]
    start = threading.Barrier(6)
    written: list[list[int]] = []

    def caller(n: int) -> None:
        keys = [f"race{k:03d}" for k in range(n * 40, n * 40 + 200)]
        items = [_outgoing(users[k % 3], key=key) for k, key in enumerate(keys)]
        try:
            start.wait()
            with transaction.atomic():
                written.append([m.pk for m in outbox.queue_many(items[:: 1 if n % 2 else -1])])
        finally:
            connection.close()

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [pk for pks in written for pk in pks]
    assert len(written) == 6
    assert len(every) == len(set(every)) == Message.objects.count() == 400 * 2


SLOW = ["notify.channels.InAppChannel", "notify.tests.test_outbox.SlowChannel"]
CLOCKWORK = ["notify.channels.InAppChannel", "notify.tests.test_outbox.ClockworkChannel"]


class SlowChannel(BrokenChannel):
    """A mail server that takes 50 ms per mail, and delivers it."""

    def send(self, message):
        import time

        time.sleep(0.05)


class ClockworkChannel(BrokenChannel):
    """A send that fails (not a connection failure) and takes two minutes of the clock:
    by the end of the send, the message's back-off has run out."""

    clock = None

    def send(self, message):
        ClockworkChannel.calls += 1
        ClockworkChannel.clock.shift(timedelta(minutes=2))
        raise RuntimeError("452 too many mails this hour")


def _many(cast, n, prefix="k"):
    people = [cast.leader, cast.viewer, cast.coordinator, cast.yizheng_head]
    return [_queue(people[i % 4], key=f"{prefix}{i}") for i in range(n)]


def test_a_pass_sends_only_what_was_due_at_its_start(cast, settings):
    settings.HUIYIN_NOTIFY_CHANNELS = CLOCKWORK
    ClockworkChannel.calls = 0
    with time_machine.travel(NOW, tick=False) as clock:
        ClockworkChannel.clock = clock
        _many(cast, 2)
        outbox.deliver_due()  # the clock's own time, read per message
    emails = Message.objects.filter(channel="email")
    # Each tried once: its retry (due a minute later, long passed by the end) is the next
    # pass's, not this one's.
    assert ClockworkChannel.calls == 2
    assert set(emails.values_list("status", "attempts")) == {(Status.PENDING, 1)}
    assert "452" in emails.first().last_error


def test_a_pass_stops_taking_messages_after_its_budget(cast, settings):
    import time

    settings.HUIYIN_NOTIFY_CHANNELS = SLOW
    _many(cast, 10)
    started = time.perf_counter()
    sent = outbox.deliver_due(now=NOW, budget=0.12)
    assert time.perf_counter() - started < 0.12 + 0.1  # at most one send after the budget
    assert 1 <= Message.objects.filter(channel="email", status=Status.SENT).count() <= 3
    assert sent < 20
    untouched = Message.objects.filter(channel="email", attempts=0)
    assert untouched.count() >= 7 and set(untouched.values_list("status", flat=True)) == {
        Status.PENDING
    }
    # The next pass goes on where it stopped.
    assert outbox.deliver_due(now=NOW) == 20 - sent


def test_wait_keeps_to_its_timeout(cast, settings):
    import time

    settings.HUIYIN_NOTIFY_CHANNELS = SLOW
    ids = [m.pk for written in _many(cast, 20) for m in written]
    started = time.perf_counter()
    assert not outbox.wait(ids, timeout=0.15, poll=0.01)
    assert time.perf_counter() - started < 0.15 + 0.1
    assert Message.objects.filter(status=Status.PENDING).exists()


def test_a_channel_unreachable_three_times_in_a_row_waits_for_the_next_pass(cast, settings):
    settings.HUIYIN_NOTIFY_CHANNELS = BROKEN
    BrokenChannel.calls = 0
    _many(cast, 5)
    assert outbox.deliver_due(now=NOW) == 5  # the in-app ones all go
    assert BrokenChannel.calls == outbox.DOWN_AFTER == 3
    emails = Message.objects.filter(channel="email")
    assert sorted(emails.values_list("attempts", flat=True)) == [0, 0, 1, 1, 1]
    # The next pass takes the two that waited first (oldest due first), then one retry.
    outbox.deliver_due(now=NOW + timedelta(minutes=1))
    assert sorted(emails.values_list("attempts", flat=True)) == [1, 1, 1, 1, 2]


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ConnectionRefusedError(111, "refused"), True),
        (TimeoutError("timed out"), True),
        (smtplib.SMTPServerDisconnected("gone"), True),
        (smtplib.SMTPConnectError(421, "busy"), True),
        (smtplib.SMTPDataError(451, "try later"), False),
        (smtplib.SMTPRecipientsRefused({"a@b": (450, b"later")}), False),
        (RuntimeError("bug"), False),
    ],
)
def test_what_counts_as_unreachable(error, expected):
    assert unreachable(error) is expected


def test_a_delivery_task_carries_at_most_50_ids(monkeypatch):
    from types import SimpleNamespace

    from notify import tasks

    enqueued: list[list[int]] = []
    monkeypatch.setattr(tasks, "deliver", SimpleNamespace(enqueue=enqueued.append))
    outbox.enqueue_delivery(list(range(120)))
    assert [len(ids) for ids in enqueued] == [50, 50, 20]
    assert [i for ids in enqueued for i in ids] == list(range(120))


def test_the_recipient_is_checked_again_when_sending(cast):
    from cases import actions as case_actions
    from cases.tests.factories import register

    case = register(cast, on=date(2026, 3, 20))
    case_actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 20)
    )
    elsewhere = register(cast, on=date(2026, 3, 20))  # not the handler's unit's case
    kept = _queue(cast.yizheng_handler, key="kept", case=case)
    hidden = _queue(cast.yizheng_handler, key="hidden", case=elsewhere)
    coordinator = _queue(cast.coordinator, key="coordinator", case=elsewhere)
    gone = _queue(cast.viewer, key="gone")
    cast.viewer.is_active = False  # deactivated after the reminder was written
    cast.viewer.save()
    outbox.deliver_due(now=NOW)

    def outcome(written):
        return {
            (m.status, m.last_error) for m in Message.objects.filter(pk__in=[w.pk for w in written])
        }

    assert outcome(kept) == outcome(coordinator) == {(Status.SENT, "")}
    assert outcome(hidden) == {(Status.FAILED, "Undeliverable: 收件人已无权查看该办件")}
    assert outcome(gone) == {(Status.FAILED, "Undeliverable: 收件人已停用")}
    assert not Notification.objects.filter(recipient__in=[cast.viewer], case=None).exists()
    assert not Notification.objects.filter(case=elsewhere, recipient=cast.yizheng_handler).exists()
    assert [m.to for m in mail.outbox] == [
        [cast.yizheng_handler.email],
        [cast.coordinator.email],
    ]


def test_digest_user_ids_asks_by_500(cast, django_assert_num_queries):
    Preference.objects.create(user=cast.viewer, digest=True)
    Preference.objects.create(user=cast.leader, digest=False)
    ids = [*range(100000, 101100), cast.viewer.pk, cast.leader.pk]
    with django_assert_num_queries(3):
        assert digest_user_ids(ids) == {cast.viewer.pk}
