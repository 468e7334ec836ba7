import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import BaseCommand

from notify import schedule
from notify.management.process import Stop


class Command(BaseCommand):
    help = (
        "定时任务进程：每个工作日 HUIYIN_REMIND_AT（默认 08:30）运行一次 remind，每分钟投递到期的消息；"
        "启动时若当天时间已过，等下一个工作日早上。HUIYIN_SCHEDULER=off 时不运行 remind，"
        "仍每分钟投递到期的消息（重试、丢失任务的消息）"
    )

    def handle(self, *args, verbosity: int, **options):
        with Stop() as stop, _progress_shown(quiet=verbosity == 0):
            scheduler = schedule.Scheduler.starting(sweep=_sweep_and_beat)
            self.stdout.write(schedule.describe(scheduler))
            scheduler.run(stop)
            self.stdout.write("调度已停止")


def _sweep_and_beat() -> None:
    # The worker's heartbeat rides on the minutely tick: the worker runs it (ops/heartbeat.py).
    from ops.tasks import beat

    try:
        beat.enqueue()
    except Exception:
        logging.getLogger(schedule.__name__).exception("the heartbeat could not be enqueued")
    schedule.sweep_outbox()


@contextmanager
def _progress_shown(*, quiet: bool) -> Iterator[None]:
    # The scheduler's info lines (each morning run, messages sent) reach the terminal
    # through the root logger's console handler (settings.LOGGING), which shows every
    # record a logger lets through; the root's level (warnings) does not apply to them.
    logger = logging.getLogger(schedule.__name__)
    previous = logger.level
    logger.setLevel(logging.WARNING if quiet else logging.INFO)
    try:
        yield
    finally:
        logger.setLevel(previous)
