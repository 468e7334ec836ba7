"""The worker's heartbeat: the scheduler enqueues `ops.tasks.beat` every minute, the task
worker runs it and stamps the "worker" row. A stamp older than STALE says that the worker,
the scheduler or the queue between them has stopped."""

import datetime

from django.utils import timezone

from ops.models import Heartbeat

WORKER = "worker"
# Three missed minutes: a worker busy with a long task (a big export) is not "down" yet.
STALE = datetime.timedelta(minutes=5)


def beat(name: str = WORKER, *, at: datetime.datetime | None = None) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"at": at or timezone.now()})


def last_beat(name: str = WORKER) -> datetime.datetime | None:
    return Heartbeat.objects.filter(name=name).values_list("at", flat=True).first()


def worker_problem(now: datetime.datetime | None = None) -> str:
    """ "" when the worker beat within STALE; else what is wrong (Chinese, for an operator)."""
    at = last_beat()
    if at is None:
        return "任务进程从未报到（huiyin worker 与 huiyin scheduler 是否在运行？）"
    age = (now or timezone.now()) - at
    if age > STALE:
        minutes = int(age.total_seconds() // 60)
        return f"任务进程 {minutes} 分钟未报到（上次 {timezone.localtime(at):%Y-%m-%d %H:%M}）"
    return ""
