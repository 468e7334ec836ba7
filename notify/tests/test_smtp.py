"""E-mail through a real SMTP server started by the test (aiosmtpd on a free local port):
what arrives, to whom; the server down for several worker cycles then back (each message
exactly once); failed after the last attempt and sent by the admin's retry button."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.utils.html import escape

from cases import actions
from cases.tests.factories import register
from notify import outbox
from notify.models import Message, Notification, Status

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 15, 8, 30, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _frozen():
    # Messages are due from when they are written: write them at NOW.
    with time_machine.travel(NOW, tick=False):
        yield


def _assigned(cast, **overrides):
    """A case led by 医政医管处: its head and handler see it (a reminder to someone who does
    not see the case is not sent)."""
    case = register(cast, on=date(2026, 3, 20), **overrides)
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 20)
    )
    return case


def _reminder(cast, case, recipient, step="-5"):
    """A due-soon reminder as the morning run writes it (reminders/ words its text)."""
    return outbox.queue(
        key=f"reply:{case.pk}:2026-06-22:{step}:{recipient.pk}:2026-06-15",
        recipient=recipient,
        kind="reminder",
        case=case,
        subject=f"【到期提醒】{case.number} {case.title}",
        text=(f"办件：{case.number} {case.title}\n答复期限：2026年6月22日\n剩余5个工作日\n"),
        html=(
            f"<p>办件：<strong>{escape(case.number)}</strong> {escape(case.title)}</p>"
            "<p>答复期限：2026年6月22日，剩余5个工作日</p>"
        ),
        link=f"/cases/{case.pk}/",
    )


def _parts(mail):
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_a_reminder_arrives_by_smtp_with_its_content(cast, smtp):
    case = _assigned(cast, title="关于<加强>基层医疗卫生人才队伍建设的建议")
    with transaction.atomic():
        written = _reminder(cast, case, cast.yizheng_handler)
        written += _reminder(cast, case, cast.yizheng_head)
    assert outbox.deliver_due(now=NOW) == 4

    assert sorted(to for to, _ in smtp.mails) == [
        ["yizheng@example.org"],
        ["yizheng_clerk@example.org"],
    ]
    (to, mail), _ = sorted(smtp.mails, key=lambda m: m[0])[::-1]
    assert to == ["yizheng_clerk@example.org"]
    # (Django folds a long encoded subject onto the next line; readers drop the fold.)
    assert mail["Subject"].strip() == f"【到期提醒】{case.number} {case.title}"
    assert mail["To"] == "yizheng_clerk@example.org"
    assert "huiyin@localhost" in mail["From"]
    assert mail["Message-ID"].startswith("<huiyin-")
    text, html = _parts(mail)
    link = f"https://huiyin.example.gov.cn/cases/{case.pk}/"
    for part in (text, html):
        assert case.number in part
        assert "2026年6月22日" in part and "剩余5个工作日" in part
        assert link in part
    assert case.title in text
    assert "关于&lt;加强&gt;基层" in html and "<加强>" not in html  # escaped in the HTML
    # The bell got the same reminder, without the mail's footer.
    notice = Notification.objects.get(recipient=cast.yizheng_handler)
    assert notice.case == case and notice.link == f"/cases/{case.pk}/"
    assert notice.title.startswith("【到期提醒】")


def test_smtp_down_for_several_cycles_then_up_delivers_each_exactly_once(cast, smtp):
    case = _assigned(cast)
    recipients = [cast.yizheng_handler, cast.yizheng_head, cast.leader, cast.coordinator]
    smtp.stop()  # the mail server goes down before the morning run
    with transaction.atomic():
        for person in recipients:
            _reminder(cast, case, person)
    emails = Message.objects.filter(channel="email")
    assert emails.count() == 4

    # The worker's minutely sweep for 20 minutes: the bell is served, the mails wait.
    moment = NOW
    for _ in range(20):
        outbox.deliver_due(now=moment)
        moment += timedelta(minutes=1)
    assert Notification.objects.count() == 4
    assert smtp.mails == []
    assert set(emails.values_list("status", flat=True)) == {Status.PENDING}
    # Tried at 0, 1, 3, 7 and 15 minutes: the back-off doubles.
    assert set(emails.values_list("attempts", flat=True)) == {5}
    assert "Connection refused" in emails.first().last_error

    smtp.start()  # back, on the same port
    for _ in range(40):  # the next retry is due 16 minutes after the last one
        outbox.deliver_due(now=moment)
        moment += timedelta(minutes=1)
    assert sorted(to[0] for to, _ in smtp.mails) == sorted(p.email for p in recipients)
    ids = [mail["Message-ID"] for _, mail in smtp.mails]
    assert len(ids) == len(set(ids)) == 4
    assert set(emails.values_list("status", "attempts")) == {(Status.SENT, 6)}
    # And nothing more, however often the worker looks again.
    for _ in range(3):
        outbox.deliver_due(now=moment + timedelta(days=1))
    assert len(smtp.mails) == 4 and Notification.objects.count() == 4


def test_failed_after_the_last_attempt_then_sent_by_the_retry_button(
    cast, smtp, settings, client_for
):
    settings.HUIYIN_NOTIFY_MAX_ATTEMPTS = 3
    case = _assigned(cast)
    smtp.stop()
    with transaction.atomic():
        _reminder(cast, case, cast.yizheng_handler)
    email = Message.objects.get(channel="email")
    moment = NOW
    for _ in range(10):
        outbox.deliver_due(now=moment)
        moment += timedelta(minutes=1)
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.FAILED, 3)

    admin = client_for(cast.admin)
    page = admin.get("/console/outbox/").content.decode()
    assert f'id="message-{email.pk}"' in page and "Connection refused" in page
    assert "yizheng_clerk@example.org" in page and case.number in page

    smtp.start()
    response = admin.post(f"/console/outbox/{email.pk}/retry/")
    assert response.status_code == 302 and response["Location"] == "/console/outbox/"
    # The test's transaction never commits, so the worker's sweep sends it.
    outbox.deliver_due()
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert [to for to, _ in smtp.mails] == [["yizheng_clerk@example.org"]]
    page = admin.get("/console/outbox/").content.decode()
    assert "没有发送失败的消息" in page
    # Retrying again is refused: it is not failed any more.
    again = admin.post(f"/console/outbox/{email.pk}/retry/", follow=True)
    assert "无需重发" in again.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_retry_is_delivered_after_commit_without_waiting_for_the_sweep(smtp, settings):
    """The button's delivery task runs after the commit (here at once: immediate backend)."""
    from django.test import Client

    from cases.tests.factories import Cast

    cast = Cast()
    settings.HUIYIN_NOTIFY_MAX_ATTEMPTS = 1
    smtp.stop()
    case = _assigned(cast)
    with transaction.atomic():
        _reminder(cast, case, cast.leader)  # delivered after commit: the mail fails
    email = Message.objects.get(channel="email")
    assert email.status == Status.FAILED
    smtp.start()
    client = Client()
    client.force_login(cast.admin)
    client.post("/console/outbox/retry/")
    email.refresh_from_db()
    assert email.status == Status.SENT and len(smtp.mails) == 1


def test_the_morning_run_s_mail_over_smtp(cast, smtp):
    """`huiyin remind --today 2026-06-12 --wait` against the real server: the handler's
    reminder names the case's number and title, its deadline, the working days left and
    the link (the wording is reminders/'; the way there is this app's)."""
    from io import StringIO

    from django.core.management import call_command

    from reminders.tests.conftest import due_case

    case = due_case(cast, handler=cast.yizheng_handler, title="关于完善家庭医生签约服务的建议")
    out = StringIO()
    call_command("remind", "--today", "2026-06-12", "--wait", stdout=out, stderr=out)
    to_handler = [mail for to, mail in smtp.mails if to == ["yizheng_clerk@example.org"]]
    (reply,) = [m for m in to_handler if case.title in m["Subject"] and "剩余5个" in m["Subject"]]
    assert case.number in reply["Subject"]
    text, html = _parts(reply)
    link = f"https://huiyin.example.gov.cn/cases/{case.pk}/"
    for part in (text, html):
        assert case.number in part and case.title in part
        assert "2026年6月22日" in part and "剩余5个工作日" in part and link in part
    assert any(to == ["yizheng@example.org"] for to, _ in smtp.mails)  # and the unit head
    assert not Message.objects.filter(status=Status.PENDING).exists()


def test_one_pass_sends_its_mails_over_one_connection(cast, smtp):
    case = _assigned(cast)
    recipients = [cast.yizheng_handler, cast.yizheng_head, cast.leader, cast.coordinator]
    with transaction.atomic():
        for person in recipients:
            _reminder(cast, case, person)
    assert outbox.deliver_due(now=NOW) == 8
    assert len(smtp.mails) == 4
    assert smtp.mailbox.connections == 1


@pytest.mark.parametrize(
    ("answer", "where", "status"),
    [
        ("550 5.1.1 no such user", "refuse", Status.FAILED),
        ("554 5.7.1 rejected as spam", "reject", Status.FAILED),
        ("450 4.2.1 try again later", "refuse", Status.PENDING),  # greylisting: retried
    ],
)
def test_a_permanent_refusal_fails_at_once_a_temporary_one_is_retried(
    cast, smtp, answer, where, status
):
    case = _assigned(cast)
    if where == "refuse":
        smtp.mailbox.refuse[cast.yizheng_head.email] = answer
    else:
        smtp.mailbox.reject = answer
    with transaction.atomic():
        _reminder(cast, case, cast.yizheng_head)
        _reminder(cast, case, cast.leader)
    outbox.deliver_due(now=NOW)
    refused = Message.objects.get(channel="email", recipient=cast.yizheng_head)
    assert (refused.status, refused.attempts) == (status, 1)
    assert answer.split()[0] in refused.last_error
    if status == Status.FAILED:
        assert "拒收" in refused.last_error
    # The connection is still good for the next mail of the pass.
    other = Message.objects.get(channel="email", recipient=cast.leader)
    assert other.status == (Status.FAILED if where == "reject" else Status.SENT)


def test_a_hanging_server_stops_the_channel_for_the_pass(cast, settings):
    """A server that accepts the connection and never answers: three timeouts, then the
    pass leaves the other mails for the next one instead of waiting for each."""
    import socket
    import time

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_TIMEOUT = 0.3
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(20)  # the kernel accepts; nobody ever says 220
        settings.EMAIL_HOST, settings.EMAIL_PORT = silent.getsockname()
        case = _assigned(cast)
        people = [cast.yizheng_handler, cast.yizheng_head, cast.leader, cast.coordinator]
        with transaction.atomic():
            for person in people:
                _reminder(cast, case, person)
        started = time.perf_counter()
        assert outbox.deliver_due(now=NOW) == 4  # the in-app ones
        took = time.perf_counter() - started
    emails = Message.objects.filter(channel="email")
    assert sorted(emails.values_list("attempts", flat=True)) == [0, 1, 1, 1]
    assert took < 4 * 0.3 + 0.2
    assert "timed out" in emails.filter(attempts=1).first().last_error
