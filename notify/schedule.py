"""When `huiyin scheduler` does what: every minute the outbox's sweep (the messages whose
delivery task was lost while the worker or Redis was down, and the retries that are due),
and once per working day, at HUIYIN_REMIND_AT (TIME_ZONE, Asia/Shanghai), the morning run
`huiyin remind --today <that day>`. HUIYIN_SCHEDULER=off turns the morning run off (a site
that runs `huiyin remind` from cron), never the sweep: without it a retry would never be
sent.

The memory of the last morning run is the process's own. A scheduler that starts after the
time on a day counts that day as done (the contract: it never fires at start-up for a day
already begun, it waits for the next working morning), so a restart cannot fire a day
twice: it can only fire a day whose time had not come when it started, and no run of that
day had happened before then. Two schedulers at once (or a cron `remind` beside one) are
harmless too: a reminder's unique key makes a second run send nothing.
"""

import datetime
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import close_old_connections
from django.utils import timezone

from notify.management.process import Stop
from workdays.calendar import is_workday

logger = logging.getLogger(__name__)

ONE_DAY = datetime.timedelta(days=1)
TICK_SECONDS = 60.0
# The longest run of rest days (Spring Festival, 国庆) is 9; a year bounds the search.
NEXT_RUN_HORIZON = 366
TIME_OF_DAY = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def remind_at() -> datetime.time:
    """HUIYIN_REMIND_AT as a time of day; a value that is not HH:MM stops the scheduler."""
    raw = str(settings.HUIYIN_REMIND_AT)
    match = TIME_OF_DAY.match(raw.strip())
    if match is None:
        raise ImproperlyConfigured(f"HUIYIN_REMIND_AT must be a time of day HH:MM, not {raw!r}")
    return datetime.time(int(match[1]), int(match[2]))


def run_remind(day: datetime.date) -> None:
    # Through the command's own parser: the contract is `huiyin remind --today D`.
    call_command("remind", "--today", day.isoformat())
    call_command("disable_inactive")  # accounts unused for HUIYIN_INACTIVE_DAYS (orgs.policy)
    call_command("audit", "verify", "--scheduled")  # moves audit.head on (audit.integrity)


def sweep_outbox() -> None:
    from notify.outbox import deliver_due

    sent = deliver_due()  # one pass, bounded in time (PASS_SECONDS)
    if sent:
        logger.info("outbox: %d message(s) sent", sent)


@dataclass
class Scheduler:
    at: datetime.time
    # The last day that needs no morning run: the last one run, or the day the process
    # started on when its time had already passed.
    done: datetime.date
    remind: Callable[[datetime.date], object] = run_remind
    sweep: Callable[[], object] = sweep_outbox
    # False under HUIYIN_SCHEDULER=off: the sweep only.
    reminding: bool = True

    @classmethod
    def starting(
        cls, now: datetime.datetime | None = None, **jobs: Callable[..., object]
    ) -> "Scheduler":
        at = remind_at()
        local = timezone.localtime(now or timezone.now())
        done = local.date() if local.time() >= at else local.date() - ONE_DAY
        return cls(at=at, done=done, reminding=bool(settings.HUIYIN_SCHEDULER), **jobs)

    def due(self, now: datetime.datetime) -> datetime.date | None:
        """The day whose morning run is due at `now`, if any."""
        local = timezone.localtime(now)
        day = local.date()
        if not self.reminding or day <= self.done or local.time() < self.at or not is_workday(day):
            return None
        return day

    def next_run(self) -> datetime.datetime | None:
        """When the next morning run will be, on the calendar as it is now (None: off)."""
        if not self.reminding:
            return None
        day = self.done + ONE_DAY
        for _ in range(NEXT_RUN_HORIZON):
            if is_workday(day):
                return timezone.make_aware(datetime.datetime.combine(day, self.at))
            day += ONE_DAY
        return None

    def tick(self, now: datetime.datetime | None = None) -> datetime.date | None:
        """One minute's work; returns the day whose morning run it did. A failure is logged
        and tried again at the next tick (both jobs are safe to repeat), so the process
        keeps running: under honcho, one process that exits stops them all."""
        close_old_connections()
        ran = None
        try:
            day = self.due(now or timezone.now())
            if day is not None:
                logger.info("morning run for %s", day)
                self.remind(day)
                self.done = ran = day
                logger.info("morning run for %s done; next: %s", day, _when(self.next_run()))
        except Exception:
            logger.exception("the morning run failed; trying again in a minute")
        try:
            self.sweep()
        except Exception:
            logger.exception("the outbox sweep failed; trying again in a minute")
        close_old_connections()
        return ran

    def run(self, stop: Stop, *, interval: float = TICK_SECONDS) -> None:
        """Tick at the start of every minute until a stop is asked."""
        while not stop.requested:
            self.tick()
            if not stop.sleep(interval - time.time() % interval):
                break


def _when(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def describe(scheduler: Scheduler) -> str:
    """The start-up line: when the next morning run is."""
    if not scheduler.reminding:
        return (
            "HUIYIN_SCHEDULER=off：不运行 remind（可由 cron 运行 huiyin remind）；"
            "每分钟投递到期的消息"
        )
    return (
        f"调度：每个工作日 {scheduler.at:%H:%M}（{settings.TIME_ZONE}）运行 remind，"
        f"下次 {_when(scheduler.next_run())}；每分钟投递到期的消息"
    )
