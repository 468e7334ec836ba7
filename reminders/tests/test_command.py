"""`huiyin remind [--today YYYY-MM-DD] [--wait]` (the issue's Contract)."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command

from notify.models import Message, Notification, Status
from reminders.tests.conftest import frozen

pytestmark = pytest.mark.django_db


def remind(*args: str) -> str:
    out = StringIO()
    call_command("remind", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_today_runs_exactly_that_morning_whatever_the_clock_says(cast, case_due):
    with frozen(date(2026, 1, 5)):
        output = remind("--today", "2026-06-12")
    assert "2026-06-12" in output
    # The day's steps, as due on 06-12: five working days before the reply deadline.
    ahead = Message.objects.filter(key__contains=":2026-06-22:ahead:", channel="inapp")
    assert ahead.exists() and all("剩余5个工作日" in m.subject for m in ahead)
    digests = Message.objects.filter(kind="digest").values_list("key", flat=True)
    assert {k.rsplit(":", 1)[1] for k in digests} <= {"2026-06-12"}


def test_without_today_it_runs_the_commission_s_today(cast, case_due):
    with frozen(date(2026, 6, 18)):
        remind()
    assert Message.objects.filter(key__contains=":2026-06-22:eve:").exists()


def test_without_today_it_sends_nothing_before_the_office_hours_start(cast, case_due, settings):
    settings.HUIYIN_REMIND_AT = "08:30"
    early = datetime(2026, 6, 18, 7, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(early, tick=False):
        output = remind()
        assert "早于提醒时间 08:30" in output and "未发送提醒" in output
        assert not Message.objects.exists()
        # --today runs regardless of the hour (the Contract).
        remind("--today", "2026-06-18")
    assert Message.objects.filter(key__contains=":2026-06-22:eve:").exists()


def test_on_a_rest_day_it_sends_nothing_and_succeeds(cast, case_due):
    output = remind("--today", "2026-06-20")
    assert "不是工作日" in output
    assert not Message.objects.exists()


@pytest.mark.parametrize("bad", ["2026-13-01", "tomorrow", "1900-01-01"])
def test_a_bad_day_is_refused_in_chinese(bad):
    with pytest.raises(CommandError, match="--today (日期格式|须在)"):
        remind("--today", bad)


def test_wait_returns_once_what_it_queued_is_delivered(cast, case_due):
    output = remind("--today", "2026-06-12", "--wait", "--timeout", "30")
    assert "全部发送成功" in output
    written = Message.objects.all()
    assert written and all(m.status == Status.SENT for m in written)
    assert Notification.objects.filter(recipient=cast.yizheng_handler, case=case_due).exists()
    to_handler = [m for m in mail.outbox if m.to == [cast.yizheng_handler.email]]
    # The reply's 5-days reminder, and the digest of the day (the unit's draft target,
    # 06-05, is overdue).
    (reply,) = [m for m in to_handler if "答复期限剩余5个工作日" in m.subject]
    assert case_due.number in reply.subject and case_due.title in reply.subject
    assert "剩余5个工作日" in reply.body and f"/cases/{case_due.pk}/" in reply.body
    assert len(to_handler) == 2
    # Again: nothing new is queued, nothing is sent twice.
    remind("--today", "2026-06-12", "--wait")
    assert len([m for m in mail.outbox if m.to == [cast.yizheng_handler.email]]) == 2
