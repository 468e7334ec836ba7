"""The bell and mark-as-read in Chromium (issue 11): two reminders queued through the outbox
and delivered after commit show as "2" on the bell; the list marks one read (the bell says
1), opening the other marks it read and lands on its case (no count left); on a phone the
bell stays in the bar beside the collapsed menu.

Screenshots: test-artifacts/screenshots/notifications-*.png.
"""

import os
import re
from datetime import date

import pytest
from django.db import transaction
from playwright.sync_api import Page, expect

from cases import actions
from cases.tests.factories import Cast, register
from notify import outbox
from notify.models import Notification
from tests.browser.second_factor import log_in_with_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _delivered_at_commit(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def log_in(page: Page, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(url + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(f"pw-{username}")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"^(?!.*/login/).*$"))


def _remind(case, recipient, step: str, words: str) -> None:
    outbox.queue(
        key=f"reply:{case.pk}:2026-06-22:{step}:{recipient.pk}:browser",
        recipient=recipient,
        kind="reminder",
        case=case,
        subject=f"【到期提醒】{case.number} {case.title}",
        text=f"答复期限：2026年6月22日\n{words}",
        link=f"/cases/{case.pk}/",
    )


def test_the_bell_counts_and_mark_as_read_clears_it(live_server, page, phone_page, screenshot):
    cast = Cast()
    first = register(cast, on=date(2026, 3, 20), title="关于加强基层医疗卫生人才队伍建设的建议")
    second = register(cast, on=date(2026, 3, 20), title="关于优化门诊预约挂号流程的建议")
    for case in (first, second):
        actions.assign_case(
            case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 20)
        )
    with transaction.atomic():
        _remind(first, cast.yizheng_handler, "-5", "剩余5个工作日")
        _remind(second, cast.yizheng_handler, "0", "今天到期")
    assert Notification.objects.filter(recipient=cast.yizheng_handler).count() == 2
    url = live_server.url

    log_in(page, url, "yizheng_clerk")
    bell = page.locator("a.hy-bell")
    expect(bell.locator(".hy-bell-count")).to_have_text("2")
    expect(bell).to_have_attribute("aria-label", "通知，2 条未读")
    screenshot(page, "notifications-01-bell-shows-2")

    bell.click()
    page.wait_for_url(f"{url}/notifications/")
    items = page.locator("#notify-list > li")
    expect(items).to_have_count(2)
    expect(page.locator("#notify-list")).to_contain_text(first.title)
    expect(page.locator("#notify-list")).to_contain_text("今天到期")
    screenshot(page, "notifications-02-list-unread")

    # Mark the first one read: it leaves the unread list, the bell says 1.
    row = page.locator("#notify-list > li", has_text=first.title)
    row.get_by_role("button", name="标为已读").click()
    page.wait_for_load_state()
    expect(items).to_have_count(1)
    expect(page.locator("#notify-list")).not_to_contain_text(first.title)
    expect(bell.locator(".hy-bell-count")).to_have_text("1")
    screenshot(page, "notifications-03-one-marked-read")

    # Open the other: it is marked read and the case page opens; no count is left.
    page.get_by_role("button", name=re.compile(second.title)).click()
    page.wait_for_url(f"{url}/cases/{second.pk}/")
    expect(page.locator("a.hy-bell .hy-bell-count")).to_have_count(0)
    expect(page.locator("a.hy-bell")).to_have_attribute("aria-label", "通知，没有未读")
    assert not Notification.objects.filter(read_at=None).exists()

    # "全部": both are there, read.
    page.goto(f"{url}/notifications/?show=all")
    expect(items).to_have_count(2)
    expect(page.locator("#notify-list > li[data-read='1']")).to_have_count(2)
    screenshot(page, "notifications-04-all-read")

    # On a phone the bell stays visible beside the collapsed menu.
    with transaction.atomic():
        _remind(first, cast.yizheng_handler, "+1", "已超期1个工作日")
    log_in(phone_page, url, "yizheng_clerk")
    phone_bell = phone_page.locator("a.hy-bell")
    expect(phone_bell).to_be_visible()
    expect(phone_page.locator("#hy-nav")).not_to_be_visible()
    expect(phone_bell.locator(".hy-bell-count")).to_have_text("1")
    phone_bell.click()
    phone_page.wait_for_url(f"{url}/notifications/")
    screenshot(phone_page, "notifications-05-phone")
    phone_page.get_by_role("button", name="全部标为已读").click()
    phone_page.wait_for_load_state()
    expect(phone_page.locator("#notify-empty")).to_contain_text("没有未读的通知")
    expect(phone_bell.locator(".hy-bell-count")).to_have_count(0)


def test_own_settings_and_the_failed_messages_page(live_server, page, screenshot, settings):
    """A user turns e-mail off and the digest on; an administrator retries a failed mail."""
    from notify.models import Message, Preference, Status

    cast = Cast()
    case = register(cast, on=date(2026, 3, 20), title="关于加强基层医疗卫生人才队伍建设的建议")
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 20)
    )
    url = live_server.url

    log_in(page, url, "yizheng_clerk")
    page.goto(f"{url}/account/notifications/")
    expect(page.get_by_label("邮件通知（发送到 yizheng_clerk@example.org）")).to_be_checked()
    page.get_by_label("邮件通知（发送到 yizheng_clerk@example.org）").uncheck()
    page.get_by_label("免打扰汇总").check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_contain_text("通知设置已保存")
    screenshot(page, "notifications-06-settings")
    saved = Preference.objects.get(user=cast.yizheng_handler)
    assert (saved.email, saved.digest) == (False, True)

    settings.HUIYIN_NOTIFY_MAX_ATTEMPTS = 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens: refused
    with transaction.atomic():
        _remind(case, cast.yizheng_head, "-5", "剩余5个工作日")
    failed = Message.objects.get(channel="email")
    assert failed.status == Status.FAILED
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    page.context.clear_cookies()
    log_in_with_code(page, url, "admin")  # an administrator: the second factor too
    page.goto(f"{url}/console/outbox/")
    row = page.locator(f"#message-{failed.pk}")
    expect(row).to_contain_text("yizheng@example.org")
    expect(row).to_contain_text("ConnectionRefusedError")
    screenshot(page, "notifications-07-outbox-failed")
    row.get_by_role("button", name="重新发送").click()
    expect(page.locator(".alert-success")).to_contain_text("已重新发送 1 条消息")
    expect(page.locator("#outbox-empty")).to_be_visible()
    failed.refresh_from_db()
    assert failed.status == Status.SENT
