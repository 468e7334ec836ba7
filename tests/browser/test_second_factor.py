"""End to end in Chromium: the 系统管理员's first login enrols an authenticator (QR code
and secret), shows the recovery codes once, and the next login asks for the code."""

import os
import time

import pyotp
import pytest

from audit.models import AuditEvent
from cases.tests.factories import Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def test_enrol_at_first_login_then_log_in_with_a_code(live_server, page, screenshot):
    Cast()
    page.goto(live_server.url + "/login/?next=/cases/")
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill("pw-admin")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/security/enrol/")
    assert page.locator("#otp-qr svg").is_visible()
    screenshot(page, "otp-01-enrol-qr")
    secret = page.locator("#otp-secret").inner_text().replace(" ", "")
    page.get_by_label("应用显示的6位数字").fill(
        "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    )
    page.get_by_role("button", name="完成绑定").click()
    assert "不正确" in page.locator("#otp-error").inner_text()
    page.get_by_label("应用显示的6位数字").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="完成绑定").click()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and all(len(c) == 11 for c in codes)
    assert page.get_by_role("button", name="打印").is_visible()
    screenshot(page, "otp-02-recovery-codes")
    page.get_by_role("link", name="我已保存，继续").click()
    page.wait_for_url(live_server.url + "/cases/")
    step = int(time.time()) // 30

    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login/")
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill("pw-admin")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/security/otp/")
    screenshot(page, "otp-03-code")
    if int(time.time()) // 30 == step:  # the enrolment's code is spent: the next step's
        time.sleep(30 - time.time() % 30 + 0.5)
    page.get_by_label("手机验证器上的6位数字").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="验证并登录").click()
    page.wait_for_url(live_server.url + "/")
    assert page.locator(".hy-user-name").is_visible()
    actions = set(AuditEvent.objects.filter(kind="security").values_list("action", flat=True))
    assert {"otp_enrol", "otp_failed", "login", "logout", "recovery_codes_issued"} <= actions
