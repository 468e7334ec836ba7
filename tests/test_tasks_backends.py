"""Both task backends for real, through `huiyin worker --burst` (what `make run` starts,
without --burst): the database backend (`db_worker` on this test database) and RQ on the
Redis at 127.0.0.1:6379 (`rqworker`), with notify's delivery task.

The RQ test uses Redis database 15 (`HUIYIN_TEST_REDIS_URL` names another) and empties it
before and after. Its worker is RQ's SimpleWorker, which runs each job in the worker's own
process: a forked job would write into a copy of an in-memory SQLite test database, which
this process never sees.
"""

import os
import signal
from collections.abc import Iterator

import django_rq
import pytest
import redis
from django.core.management import call_command
from django.db import transaction
from django_tasks import TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued

from notify import outbox
from notify.models import Message, Notification, Status

# .ci/run gives each of its two simultaneous test runs its own database.
TEST_REDIS_URL = os.environ.get("HUIYIN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(autouse=True)
def _signal_handlers_back() -> Iterator[None]:
    # db_worker and rqworker install their own SIGINT/SIGTERM handlers and keep them.
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.fixture
def database_backend(settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def rq_backend(settings) -> Iterator[None]:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": TEST_REDIS_URL, "DEFAULT_TIMEOUT": 60}}
    settings.RQ = {"WORKER_CLASS": "rq.worker.SimpleWorker"}
    connection = django_rq.get_connection("default")
    try:
        connection.ping()
    except redis.ConnectionError:
        pytest.fail("Redis is not answering on 127.0.0.1:6379 (start redis-server; .ci/run does)")
    connection.flushdb()
    yield
    connection.flushdb()


@pytest.fixture
def enqueued() -> Iterator[list[TaskResult]]:
    results: list[TaskResult] = []

    def collect(sender, task_result, **kwargs):
        results.append(task_result)

    task_enqueued.connect(collect)
    yield results
    task_enqueued.disconnect(collect)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("backend", ["database_backend", "rq_backend"])
def test_the_worker_delivers_what_the_outbox_queued(backend, request, cast, enqueued):
    request.getfixturevalue(backend)
    handler = cast.yizheng_handler
    with transaction.atomic():
        written = outbox.queue(
            key=f"worker-test:{backend}",
            recipient=handler,
            kind="reminder",
            subject="【到期提醒】第20260001号 关于加强基层医疗卫生人才队伍建设的建议",
            text="答复期限 2026年6月22日，剩余5个工作日。",
            link="/cases/1/",
        )
        assert enqueued == []  # the delivery task goes out after the commit
    ids = [message.pk for message in written]
    assert {message.channel for message in written} == {"inapp", "email"}
    [task_result] = enqueued
    assert task_result.task.module_path == "notify.tasks.deliver"
    assert task_result.args == [ids]

    # Queued, not run: the worker is not running yet.
    task_result.refresh()
    assert task_result.status == TaskResultStatus.READY
    assert set(Message.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        Status.PENDING
    }
    assert not Notification.objects.filter(recipient=handler).exists()

    call_command("worker", "--burst", verbosity=0)

    task_result.refresh()
    assert task_result.status == TaskResultStatus.SUCCESSFUL
    assert task_result.return_value == 2
    assert set(Message.objects.filter(pk__in=ids).values_list("status", flat=True)) == {Status.SENT}
    [notification] = Notification.objects.filter(recipient=handler)
    assert notification.link == "/cases/1/"

    # A second worker run finds nothing to do: the task ran once.
    call_command("worker", "--burst", verbosity=0)
    assert Notification.objects.filter(recipient=handler).count() == 1
