"""发文设置 in Chromium: the administrator sets the commission, the header names it.
Screenshots: test-artifacts/screenshots/console-organisation-*.png."""

import os

import pytest

from cases.tests.factories import Cast
from letters.setup import current
from tests.browser.second_factor import log_in_with_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's sync API runs an event loop in this thread (see tests/conftest.py).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def test_the_administrator_configures_the_commission(live_server, page, phone_page, screenshot):
    Cast()
    # An administrator: the password, then enrolment of the second factor (issue 16).
    log_in_with_code(page, live_server.url, "admin", next_path="/console/organisation/")
    page.wait_for_url(live_server.url + "/console/organisation/")
    assert page.get_by_text("发文设置尚未完成").is_visible()
    screenshot(page, "console-organisation-unconfigured")

    page.get_by_label("机关名称").fill("武汉市卫生健康委员会")
    page.get_by_label("答复函的发文机关代字").fill("X卫函")
    page.get_by_role("button", name="保存").click()
    assert page.get_by_text("不能用“X”等占位符").is_visible()
    page.get_by_label("答复函的发文机关代字").fill("武卫函")
    page.get_by_label("默认联系电话").fill("027-85550123")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(live_server.url + "/console/organisation/")
    assert page.get_by_text("已保存发文设置").is_visible()
    assert (
        "武汉市卫生健康委员会 · 议提案和群众意见办理" in page.locator(".navbar-brand").inner_text()
    )
    assert not page.get_by_text("发文设置尚未完成").is_visible()
    screenshot(page, "console-organisation-saved")
    assert (current().name, current().code()) == ("武汉市卫生健康委员会", "武卫函")

    phone_page.context.add_cookies(page.context.cookies())
    phone_page.goto(live_server.url + "/console/organisation/")
    screenshot(phone_page, "console-organisation-phone")
