"""A second tab acting on a stale page (issue 9, point 6): the unit head has the case open
in two tabs, accepts it in one, then clicks 签收 in the other. The second tab is told who
did what and when, and is shown the case as it is now, without the old form.

Screenshots: test-artifacts/screenshots/stale-tab-*.png, password-*.png.
"""

import os
import re

import pytest
from playwright.sync_api import Page, expect

from audit.record import today
from cases import actions
from cases.models import Case
from cases.tests.factories import Cast, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def log_in(page: Page, url: str, username: str) -> None:
    page.goto(url + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(f"pw-{username}")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"^(?!.*/login/).*$"))


def open_card(page: Page, url: str, case_id: int, action: str) -> None:
    page.goto(f"{url}/cases/{case_id}/#action-{action}")
    page.locator(f"#action-body-{action}.show").wait_for()
    page.wait_for_function("!document.querySelector('.collapsing')")


def test_a_stale_tab_is_told_what_happened(live_server, page, screenshot):
    cast = Cast()
    day = today()
    case = register(cast, on=day, title="关于优化门诊预约挂号流程的建议")
    actions.assign_case(case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=day)
    url = live_server.url

    log_in(page, url, "yizheng")
    open_card(page, url, case.pk, "accept")
    second = page.context.new_page()  # the same session in another tab
    open_card(second, url, case.pk, "accept")
    page.bring_to_front()  # a background tab is not painted: no screenshot
    screenshot(page, "stale-tab-01-both-tabs-show-accept")

    page.locator("#action-body-accept button[type=submit]").click()
    page.wait_for_load_state()
    assert Case.objects.get(pk=case.pk).state == "handling"

    second.bring_to_front()
    second.locator("#action-body-accept button[type=submit]").click()
    second.wait_for_load_state()
    notice = second.locator(".alert", has_text="页面已过期")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("张处长")
    expect(notice).to_contain_text("签收")
    at = day.strftime("%Y年") + f"{day.month}月{day.day}日"
    expect(notice).to_contain_text(at)
    # The page is the current one: the 签收 form is gone, the state reads 办理中.
    expect(second.locator("#action-body-accept")).to_have_count(0)
    screenshot(second, "stale-tab-02-told-what-happened")
    # One accept event only.
    assert case.events.filter(action="accept").count() == 1


def test_a_password_set_by_the_administrator_is_changed_at_the_first_login(
    live_server, page, screenshot
):
    """Point 12, in the browser: the forced change page, then the system as usual."""
    from orgs.actions import reset_password

    cast = Cast()
    reset_password(cast.viewer, by=cast.security, password="Temp-2026-pass")
    url = live_server.url
    page.goto(url + "/login/")
    page.get_by_label("用户名").fill("viewer")
    page.get_by_label("密码").fill("Temp-2026-pass")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r".*/account/password/$"))
    expect(page.get_by_text("您的密码是管理员设置的")).to_be_visible()
    page.goto(url + "/cases/")  # anywhere else: back to the change page
    page.wait_for_url(re.compile(r".*/account/password/$"))
    page.get_by_label("当前密码").fill("Temp-2026-pass")
    page.get_by_label("新密码", exact=True).fill("weakpass")
    page.get_by_label("再次输入新密码").fill("weakpass")
    page.get_by_role("button", name="保存新密码").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("至少三类")
    screenshot(page, "password-01-forced-change-refused")
    page.get_by_label("当前密码").fill("Temp-2026-pass")
    page.get_by_label("新密码", exact=True).fill("Mine-2026-pass")
    page.get_by_label("再次输入新密码").fill("Mine-2026-pass")
    page.get_by_role("button", name="保存新密码").click()
    page.wait_for_url(re.compile(r"^(?!.*/account/password/).*$"))
    expect(page.locator(".alert", has_text="密码已修改")).to_be_visible()
    screenshot(page, "password-02-changed")
