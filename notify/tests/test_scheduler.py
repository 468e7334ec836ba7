"""`huiyin scheduler` on the 2026 calendar with a frozen clock: the morning run once at
HUIYIN_REMIND_AT on working days (none on the 端午 break, 06-19..21), never at start-up
for a day already begun, the outbox sweep every minute, a failure tried again; the real
command stops on SIGTERM; under HUIYIN_SCHEDULER=off it sweeps but never reminds; `huiyin
deliver` is one sweep."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.utils import timezone

from notify import outbox, schedule
from notify.models import Message, Status
from notify.schedule import Scheduler, remind_at
from reminders.tests.conftest import due_case

SHANGHAI = ZoneInfo("Asia/Shanghai")
MINUTE = timedelta(minutes=1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _remind_at_half_past_eight(settings):
    settings.HUIYIN_SCHEDULER = True
    settings.HUIYIN_REMIND_AT = "08:30"


@pytest.fixture(autouse=True)
def _keep_the_test_transaction(monkeypatch):
    # A tick drops a connection that is old (CONN_MAX_AGE; the frozen clock moves days) or
    # inside a transaction, as a request does; here that is the test's own transaction.
    # Django's test client disconnects the same call from its requests.
    monkeypatch.setattr(schedule, "close_old_connections", lambda: None)


class Jobs:
    """Stand-ins for `remind` and the sweep that record when they ran (frozen clock)."""

    def __init__(self) -> None:
        self.reminded: list[tuple[date, str]] = []
        self.sweeps = 0

    def remind(self, day: date) -> None:
        self.reminded.append((day, timezone.localtime().strftime("%m-%d %H:%M")))

    def sweep(self) -> None:
        self.sweeps += 1


def run_minutes(start: datetime, end: datetime, jobs: Jobs) -> Scheduler:
    """Start a scheduler at `start`, tick once a minute until `end`."""
    with time_machine.travel(start, tick=False) as clock:
        scheduler = Scheduler.starting(remind=jobs.remind, sweep=jobs.sweep)
        moment = start
        while moment <= end:
            clock.move_to(moment)
            scheduler.tick()
            moment += MINUTE
    return scheduler


@pytest.mark.django_db
def test_once_at_half_past_eight_on_working_days_none_over_the_dragon_boat_break():
    jobs = Jobs()
    run_minutes(at(date(2026, 6, 17), 7), at(date(2026, 6, 23), 12), jobs)
    # Wed 17, Thu 18 work; Fri 19 端午, Sat 20, Sun 21 rest; Mon 22, Tue 23 work.
    assert jobs.reminded == [
        (date(2026, 6, 17), "06-17 08:30"),
        (date(2026, 6, 18), "06-18 08:30"),
        (date(2026, 6, 22), "06-22 08:30"),
        (date(2026, 6, 23), "06-23 08:30"),
    ]
    assert jobs.sweeps == 6 * 24 * 60 + 5 * 60 + 1  # every minute, rest days too


@pytest.mark.django_db
def test_the_time_comes_from_huiyin_remind_at(settings):
    settings.HUIYIN_REMIND_AT = "16:05"
    jobs = Jobs()
    run_minutes(at(date(2026, 6, 18), 16), at(date(2026, 6, 18), 17), jobs)
    assert jobs.reminded == [(date(2026, 6, 18), "06-18 16:05")]


@pytest.mark.django_db
def test_started_after_the_time_it_waits_for_the_next_working_morning():
    jobs = Jobs()
    scheduler = run_minutes(at(date(2026, 6, 18), 8, 31), at(date(2026, 6, 22), 8, 29), jobs)
    assert jobs.reminded == []  # not the 18th, begun at start-up; 19..21 are rest days
    assert scheduler.next_run() == at(date(2026, 6, 22), 8, 30)
    assert jobs.sweeps > 0


@pytest.mark.django_db
def test_started_before_the_time_it_runs_that_morning():
    jobs = Jobs()
    run_minutes(at(date(2026, 6, 18), 8, 29), at(date(2026, 6, 18), 9), jobs)
    assert jobs.reminded == [(date(2026, 6, 18), "06-18 08:30")]


@pytest.mark.django_db
def test_started_on_a_rest_day_the_next_run_is_the_first_working_morning():
    with time_machine.travel(at(date(2026, 6, 20), 7), tick=False):
        scheduler = Scheduler.starting()
    assert scheduler.next_run() == at(date(2026, 6, 22), 8, 30)


@pytest.mark.django_db
def test_a_failed_morning_run_is_tried_again_the_next_minute(caplog):
    calls: list[date] = []

    def flaky_remind(day: date) -> None:
        calls.append(day)
        if len(calls) == 1:
            raise ConnectionError("database gone")

    with time_machine.travel(at(date(2026, 6, 22), 8, 29), tick=False) as clock:
        scheduler = Scheduler.starting(remind=flaky_remind, sweep=lambda: None)
        ran = []
        for minute in (30, 31, 32):
            clock.move_to(at(date(2026, 6, 22), 8, minute))
            ran.append(scheduler.tick())
    assert calls == [date(2026, 6, 22), date(2026, 6, 22)]
    assert ran == [None, date(2026, 6, 22), None]
    assert "the morning run failed" in caplog.text


@pytest.mark.django_db
def test_the_morning_run_is_the_remind_command_and_the_sweep_delivers_it(cast):
    case = due_case(cast, handler=cast.yizheng_handler)
    with time_machine.travel(at(date(2026, 6, 22), 8, 29), tick=False) as clock:
        scheduler = Scheduler.starting()
        assert scheduler.tick() is None
        assert not Message.objects.exists()
        clock.move_to(at(date(2026, 6, 22), 8, 30))
        assert scheduler.tick() == date(2026, 6, 22)
    # The reminders of the case due 2026-06-22, written by `remind --today` (the test's
    # transaction never commits, so no delivery task ran: the sweep sent them).
    today = Message.objects.filter(case=case, kind="reminder")
    assert cast.yizheng_handler.pk in set(today.values_list("recipient", flat=True))
    assert set(Message.objects.values_list("status", flat=True)) == {Status.SENT}


@pytest.mark.parametrize("raw", ["8:30", "08:30", " 23:59 "])
def test_remind_at_reads_a_time_of_day(settings, raw):
    settings.HUIYIN_REMIND_AT = raw
    hour, minute = (int(part) for part in raw.split(":"))
    assert (remind_at().hour, remind_at().minute) == (hour, minute)


@pytest.mark.parametrize("raw", ["", "0830", "24:00", "08:60", "08:30:00", "八点半"])
def test_remind_at_refuses_anything_else(settings, raw):
    settings.HUIYIN_REMIND_AT = raw
    with pytest.raises(ImproperlyConfigured, match="HUIYIN_REMIND_AT"):
        remind_at()


def _sigterm_once_listening() -> threading.Thread:
    """SIGTERM to this process once the command has put its handler in (never before:
    the default handler would end the test run)."""
    original = signal.getsignal(signal.SIGTERM)

    def send() -> None:
        for _ in range(1000):  # 10 s (a count: the test may have frozen the clock)
            if signal.getsignal(signal.SIGTERM) is not original:
                os.kill(os.getpid(), signal.SIGTERM)
                return
            time.sleep(0.01)

    thread = threading.Thread(target=send)
    thread.start()
    return thread


@pytest.mark.django_db
def test_the_command_sweeps_at_once_and_a_sigterm_meanwhile_stops_it_after(cast, monkeypatch):
    real_deliver_due = outbox.deliver_due

    def deliver_due_then_sigterm() -> int:
        sent = real_deliver_due()
        os.kill(os.getpid(), signal.SIGTERM)  # honcho stopping everything mid-sweep
        return sent

    monkeypatch.setattr(outbox, "deliver_due", deliver_due_then_sigterm)
    original = signal.getsignal(signal.SIGTERM)
    out = StringIO()
    started = time.monotonic()
    with time_machine.travel(at(date(2026, 6, 18), 9), tick=False):
        outbox.queue(  # never committed: no delivery task, the sweep sends it
            key="sweep-test",
            recipient=cast.yizheng_handler,
            kind="reminder",
            subject="到期提醒",
            text="剩余1个工作日",
        )
        call_command("scheduler", stdout=out)
    assert time.monotonic() - started < 5  # no minute's sleep after the signal
    assert signal.getsignal(signal.SIGTERM) is original
    assert set(Message.objects.values_list("status", flat=True)) == {Status.SENT}
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(
        "调度：每个工作日 08:30（Asia/Shanghai）运行 remind，下次 2026-06-22 08:30"
    )
    assert lines[-1] == "调度已停止"


@pytest.mark.django_db
def test_off_turns_the_morning_run_off_and_keeps_the_sweep(settings):
    settings.HUIYIN_SCHEDULER = False
    jobs = Jobs()
    scheduler = run_minutes(at(date(2026, 6, 18), 8), at(date(2026, 6, 22), 9), jobs)
    assert jobs.reminded == []
    assert jobs.sweeps == 4 * 24 * 60 + 60 + 1  # every minute all the same
    assert scheduler.next_run() is None


@pytest.mark.django_db
def test_off_the_command_still_sweeps_the_outbox(cast, settings, monkeypatch):
    settings.HUIYIN_SCHEDULER = False
    real_deliver_due = outbox.deliver_due

    def deliver_due_then_sigterm() -> int:
        sent = real_deliver_due()
        os.kill(os.getpid(), signal.SIGTERM)
        return sent

    monkeypatch.setattr(outbox, "deliver_due", deliver_due_then_sigterm)
    out = StringIO()
    with time_machine.travel(at(date(2026, 6, 22), 9), tick=False):
        outbox.queue(  # a retry's or a lost task's message: only the sweep sends it
            key="off-sweep",
            recipient=cast.yizheng_handler,
            kind="reminder",
            subject="到期提醒",
            text="剩余1个工作日",
        )
        call_command("scheduler", stdout=out)
    assert set(Message.objects.values_list("status", flat=True)) == {Status.SENT}
    assert not Message.objects.exclude(key="off-sweep").exists()  # no morning run
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("HUIYIN_SCHEDULER=off：不运行 remind")
    assert lines[-1] == "调度已停止"


def test_off_by_environment_a_real_process_sweeps_and_exits_0_on_sigterm(tmp_path):
    env = {**os.environ, "HUIYIN_SCHEDULER": "off", "HUIYIN_VAR_DIR": str(tmp_path)}
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", "huiyin.cli"]
    subprocess.run([*command, "migrate", "-v", "0"], env=env, check=True, timeout=120)
    process = subprocess.Popen(
        [*command, "scheduler"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("HUIYIN_SCHEDULER=off")
        time.sleep(1)  # the first sweep, on the empty outbox
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
    assert process.stderr is not None and process.stderr.read() == ""


@pytest.mark.django_db
def test_the_deliver_command_is_one_pass(cast):
    with time_machine.travel(at(date(2026, 6, 22), 9), tick=False):
        outbox.queue(
            key="cron",
            recipient=cast.yizheng_handler,
            kind="reminder",
            subject="到期提醒",
            text="剩余1个工作日",
        )
        out = StringIO()
        call_command("deliver", stdout=out)
        assert out.getvalue().strip() == "已发送 2 条消息"
        assert set(Message.objects.values_list("status", flat=True)) == {Status.SENT}
        with pytest.raises(CommandError, match="--budget"):
            call_command("deliver", "--budget", "0")
