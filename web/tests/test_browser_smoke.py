"""End to end in Chromium: log in, find a case, assign it, see the timeline. Screenshots of
each page go to test-artifacts/screenshots/ (look at them: glyphs, layout, spacing)."""

import os

import pytest

from audit.record import today
from cases.tests.factories import Cast, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's sync API runs an event loop in this thread; the test reads the database
# between page steps, which Django would otherwise refuse (tests/conftest.py sets it too).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def open_action(page, action: str, label: str):
    """Expand an action's card and wait for Bootstrap's collapse animation to finish."""
    button = page.locator(f'button[aria-controls="action-body-{action}"]')
    assert button.inner_text().strip() == label
    if button.get_attribute("aria-expanded") != "true":  # the primary card starts open
        button.click()
    page.locator(f"#action-body-{action}.show").wait_for()
    page.wait_for_function("!document.querySelector('.collapsing')")
    return page.locator(f"#action-body-{action} form")


def log_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(f"pw-{username}")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")


def test_coordinator_assigns_a_case(live_server, page, phone_page, screenshot):
    cast = Cast()
    case = register(cast, on=today())

    page.goto(live_server.url + "/cases/")
    page.wait_for_url("**/login/?next=/cases/")
    screenshot(page, "01-login")
    log_in(page, live_server, "coordinator")
    assert page.get_by_text("共 1 件").is_visible()
    assert page.get_by_text("王协调").is_visible()
    screenshot(page, "02-case-list")

    page.get_by_role("link", name=case.title).click()
    page.wait_for_url(f"{live_server.url}/cases/{case.pk}/")
    assert page.locator(".hy-case-header").get_by_text("已登记").is_visible()
    screenshot(page, "03-case-registered")

    form = open_action(page, "assign", "交办")
    form.get_by_role("radiogroup", name="主办处室").get_by_label("医政医管处").check()
    form.get_by_role("group", name="协办处室").get_by_label("基层卫生健康处").check()
    screenshot(page, "04-assign-form")
    form.get_by_role("button", name="交办").click()
    page.wait_for_url(f"{live_server.url}/cases/{case.pk}/")

    assert page.locator(".alert-success").get_by_text("已交办给医政医管处").is_visible()
    assert page.locator(".hy-case-header").get_by_text("已交办").is_visible()
    entry = page.locator(".hy-timeline-item").last
    assert "交办" in entry.inner_text() and "王协调" in entry.inner_text()
    assert "医政医管处" in entry.inner_text()
    screenshot(page, "05-case-assigned")
    case.refresh_from_db()
    assert (case.state, case.lead_unit.code) == ("assigned", "yizheng")

    # The same pages on a phone, as the unit head who now has it.
    log_in(phone_page, live_server, "yizheng")
    screenshot(phone_page, "06-phone-case-list")
    phone_page.goto(f"{live_server.url}/cases/{case.pk}/")
    screenshot(phone_page, "07-phone-case")


def test_refused_action_and_registration_pages(live_server, page, screenshot):
    cast = Cast()
    case = register(cast, on=today())
    log_in(page, live_server, "coordinator")

    page.goto(f"{live_server.url}/cases/{case.pk}/")
    form = open_action(page, "assign", "交办")
    form.get_by_role("radiogroup", name="主办处室").get_by_label("医政医管处").check()
    form.get_by_role("group", name="协办处室").get_by_label("医政医管处").check()
    form.get_by_role("button", name="交办").click()
    assert page.get_by_text("协办处室不能与主办处室相同").is_visible()
    screenshot(page, "08-refused-action")

    page.goto(live_server.url + "/cases/new/")
    screenshot(page, "09-register")
