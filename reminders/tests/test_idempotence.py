"""A morning run repeated, or run twice at once, sends nothing new: every message has a
unique key (deadline, step, recipient; a digest: recipient, day) and the outbox writes a key once per channel."""

import threading
from datetime import date

import pytest
from django.db import connection, connections

from notify.models import Message
from reminders.run import morning_run
from reminders.tests.conftest import due_case

DAYS = (date(2026, 6, 12), date(2026, 6, 22), date(2026, 6, 25))


def _many(cast, n=6):
    return [
        due_case(cast, handler=cast.yizheng_handler, leader=cast.leader, title=f"建议{i}")
        for i in range(n)
    ]


@pytest.mark.django_db
def test_running_a_day_twice_sends_nothing_new(cast):
    _many(cast, 2)
    for day in DAYS:
        first = morning_run(day)
        assert first.messages
        count = Message.objects.count()
        again = morning_run(day)
        assert again.messages == []
        assert again.skipped == again.reminders == first.reminders
        assert Message.objects.count() == count


@pytest.mark.django_db
def test_a_later_run_of_an_earlier_day_adds_only_what_that_day_was_missing(cast):
    """`remind --today D` after other days were run: exactly day D's reminders, once."""
    _many(cast, 1)
    morning_run(date(2026, 6, 22))
    before = set(Message.objects.values_list("key", flat=True))
    morning_run(date(2026, 6, 12))
    added = set(Message.objects.values_list("key", flat=True)) - before
    # The 5-days-before reminders (a step's key has no day) and the day's digests.
    assert added and all(":ahead:" in k or k.endswith(":2026-06-12") for k in added)
    assert any(":ahead:" in k for k in added)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs real parallel connections (PostgreSQL)"
)
def test_two_runs_at_once_send_each_reminder_once(cast):
    _many(cast)
    for day in DAYS:
        before = Message.objects.count()
        results = _race(day)
        written = sorted(pk for r in results for pk in r.messages)
        # Every message was written by exactly one of the two runs …
        assert written and len(written) == len(set(written))
        assert Message.objects.count() - before == len(written)
        # … and all that the day should have (a third run finds nothing to add).
        assert morning_run(day).messages == []


def _race(day):
    """Two morning runs of `day` started at the same moment, each on its own connection."""
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(morning_run(day))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == 2
    return results
