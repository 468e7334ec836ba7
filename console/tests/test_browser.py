"""The console in Chromium: the calendar with the notice import (paste → preview → confirm),
the units and users pages. Screenshots: test-artifacts/screenshots/console-*.png."""

import os
import re
from datetime import date

import pytest

from cases.tests.factories import Cast, make_unit
from orgs.models import UnitKind
from tests.browser.conftest import SCREENSHOTS
from tests.browser.second_factor import log_in_with_code
from workdays.models import CalendarOverride, ConfirmedYear
from workdays.tests.test_notice import NOTICE_2026

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's sync API runs an event loop in this thread (see tests/conftest.py).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def log_in_as_admin(page, live_server) -> None:
    # An administrator: the password, then enrolment or the code (issue 16).
    log_in_with_code(page, live_server.url, "admin", next_path="/console/")
    page.wait_for_url(live_server.url + "/console/")


def test_calendar_override_and_notice_import(live_server, page, screenshot):
    Cast()
    log_in_as_admin(page, live_server)
    screenshot(page, "console-index")

    page.get_by_role("link", name="系统管理").first.click()
    page.get_by_role("tab", name="工作日历").or_(
        page.get_by_role("link", name="工作日历")
    ).first.click()
    page.goto(live_server.url + "/console/calendar/2026/")
    national_day = page.locator('td[data-date="2026-10-01"]')
    assert "休" in national_day.inner_text()
    assert "班" in page.locator('td[data-date="2026-09-20"]').inner_text()
    screenshot(page, "console-calendar-2026")

    # Click a day: the form beside the year fills in without a reload.
    page.locator('td[data-date="2026-12-24"] a').click()
    form = page.locator("#day-form")
    assert form.get_by_label("日期").input_value() == "2026-12-24"
    assert form.get_by_label("休（休息日）").is_checked()
    form.get_by_label("说明").fill("全市停工一天")
    form.get_by_role("button", name="保存调整").click()
    page.wait_for_url("**/console/calendar/2026/?day=2026-12-24*")
    assert page.get_by_text("已将2026年12月24日设为休（休息日）").is_visible()
    assert "休" in page.locator('td[data-date="2026-12-24"]').inner_text()
    assert CalendarOverride.objects.get(day=date(2026, 12, 24)).note == "全市停工一天"
    screenshot(page, "console-calendar-override")

    # A malformed notice: the error beside the text, the text kept, nothing written.
    page.get_by_role("link", name="导入国务院通知").click()
    page.wait_for_url("**/console/calendar/2026/notice/")
    broken = NOTICE_2026.replace("1月1日（周四）", "1月1日（周五）")
    page.get_by_label("通知全文").fill(broken)
    page.get_by_role("button", name="解析并预览").click()
    error = page.locator(".hy-notice-error")
    assert "与实际星期不符" in error.inner_text()
    assert page.get_by_label("通知全文").input_value() == broken.replace("\r\n", "\n")
    screenshot(page, "console-calendar-notice-error")

    page.get_by_label("通知全文").fill(NOTICE_2026)
    page.get_by_role("button", name="解析并预览").click()
    assert page.get_by_text("解析结果：7 个节假日").is_visible()
    assert page.locator('.hy-year-preview td[data-date="2026-10-01"].hy-day-previewed').count() == 1
    assert "将替换该年现有的 1 条日历调整" in page.locator(".hy-confirm").inner_text()
    assert not ConfirmedYear.objects.exists()
    screenshot(page, "console-calendar-notice-preview")

    page.get_by_role("button", name="确认导入").click()
    page.wait_for_url(live_server.url + "/console/calendar/2026/")
    assert page.get_by_text("已导入 2026 年节假日安排").is_visible()
    assert ConfirmedYear.objects.filter(year=2026, source="notice").exists()
    assert not CalendarOverride.objects.filter(day=date(2026, 12, 24)).exists()
    assert CalendarOverride.objects.filter(day__year=2026).count() == 39
    screenshot(page, "console-calendar-imported")

    page.get_by_role("link", name="2027 年").click()
    page.wait_for_url("**/console/calendar/2027/")
    assert page.locator(".hy-year-status").inner_text() == "暂定"
    screenshot(page, "console-calendar-2027")


def test_units_and_users_pages(live_server, page, phone_page, screenshot):
    cast = Cast()
    county = make_unit("xq-weijian", "西区卫生健康局", UnitKind.COUNTY)
    make_unit("xq-cdc", "西区疾病预防控制中心", UnitKind.AFFILIATED, parent=county)
    log_in_as_admin(page, live_server)

    page.goto(live_server.url + "/console/units/")
    assert page.get_by_role("link", name="西区疾病预防控制中心").is_visible()
    screenshot(page, "console-units")

    page.get_by_role("link", name="新建单位").click()
    page.get_by_label("代码").fill("fuyou")
    page.get_by_label("名称").fill("妇幼健康处")
    page.get_by_label("上级单位").select_option(label="办公室")
    page.get_by_role("button", name="创建").click()
    page.wait_for_url(live_server.url + "/console/units/")
    assert page.get_by_text("已创建单位：妇幼健康处").is_visible()

    page.goto(live_server.url + "/console/users/")
    screenshot(page, "console-users")
    page.get_by_label("搜索").fill("医政")
    page.get_by_role("button", name="查询").click()
    assert page.get_by_role("link", name="张处长").is_visible()
    assert page.get_by_role("link", name="王协调").count() == 0

    page.get_by_role("link", name="张处长").click()
    page.wait_for_url(f"{live_server.url}/console/users/{cast.yizheng_head.pk}/")
    # 三权分立: the 系统管理员 edits details and status; roles and passwords are the
    # 安全管理员's (a second browser context, their own login and second factor).
    assert page.locator("form[action$='/roles/']").count() == 0
    assert page.get_by_text("角色由安全管理员设置").is_visible()
    page = page.context.browser.new_context(viewport=page.viewport_size).new_page()
    log_in_with_code(
        page, live_server.url, "security", next_path=f"/console/users/{cast.yizheng_head.pk}/"
    )
    page.wait_for_url(f"{live_server.url}/console/users/{cast.yizheng_head.pk}/")
    roles = page.locator("form[action$='/roles/']")
    roles.get_by_label("单位").select_option(label="\u3000妇幼健康处")
    roles.get_by_label("角色").select_option(label="承办人")
    roles.get_by_role("button", name="添加").click()
    assert page.get_by_text("已添加角色：妇幼健康处 · 承办人").is_visible()
    password = page.locator("form[action$='/password/']")
    password.get_by_label(re.compile("^密码")).fill("123")
    password.get_by_label("再次输入密码").fill("123")
    password.get_by_role("button", name="重设密码").click()
    assert password.locator(".invalid-feedback").first.is_visible()
    screenshot(page, "console-user")

    phone_page.context.add_cookies(page.context.cookies())
    phone_page.goto(live_server.url + "/console/calendar/2026/")
    screenshot(phone_page, "console-calendar-phone")
    # The first screen as a phone shows it (the full page is a long column of months).
    phone_page.screenshot(path=str(SCREENSHOTS / "console-calendar-phone-top.png"))
    phone_page.goto(live_server.url + "/console/users/")
    phone_page.screenshot(path=str(SCREENSHOTS / "console-users-phone-top.png"))


def test_deadline_rule_settings(live_server, page, screenshot):
    Cast()
    log_in_as_admin(page, live_server)
    page.goto(live_server.url + "/console/rules/")
    assert page.get_by_text("只影响今后计算的期限").first.is_visible()
    page.get_by_role("link", name="修改人大代表建议的答复期限").click()
    page.get_by_label("市级", exact=True).fill("30")
    page.get_by_label("市级的期限单位").select_option(label="个月")
    page.get_by_role("button", name="保存").click()
    assert page.get_by_text("答复期限应在 1 到 24 个月之间").is_visible()
    assert page.get_by_label("市级", exact=True).input_value() == "30"
    screenshot(page, "console-rule-edit-error")
    page.get_by_label("市级", exact=True).fill("2")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(live_server.url + "/console/rules/")
    assert page.get_by_text("新规则只用于今后计算的期限").is_visible()
    screenshot(page, "console-rules")
