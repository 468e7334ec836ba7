"""公开 in a browser (issue 15): the public page of disclosed replies on a phone and on a
desktop (search, the reply, nothing personal in it), and the office's 公开预览 on the case
page: the masked parts marked, then 全文公开 from the card. Under the site's
Content-Security-Policy (no violation recorded), with no sideways scrolling at 375 px.

Screenshots: test-artifacts/screenshots/disclosure-*.png.
"""

import os
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Page, expect

from cases.tests.factories import Cast
from disclosure import actions
from disclosure.models import Disclosure
from disclosure.tests.helpers import signed
from tests.browser.test_opinion_public import CSP_WATCH, fits, no_csp_violation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

MONDAY = datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MOBILE_SHAPE = re.compile(r"1[3-9][0-9]{9}")
ID_SHAPE = re.compile(r"[0-9]{17}[0-9Xx]")


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(MONDAY, tick=True):
        yield


def clean(page: Page) -> None:
    text = page.locator("body").inner_text()
    squeezed = re.sub(r"[ \u00a0\u3000\-–—]", "", text)
    for shape in (MOBILE_SHAPE, ID_SHAPE):
        assert not shape.search(text) and not shape.search(squeezed)


def log_in(page: Page, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(url + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(f"pw-{username}")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"^(?!.*/login/).*$"))


def published(cast: Cast) -> Disclosure:
    """Three disclosed replies; the first full of personal data."""
    first = actions.disclose(signed(cast, number="20260001"), by=cast.coordinator, mode="full")
    for n, title in enumerate(("关于发展社区养老服务的建议", "关于加强乡村医生队伍建设的建议")):
        case = signed(cast, number=f"2026010{n}", title=title, text=f"{title}收悉。现答复如下：……")
        actions.disclose(case, by=cast.coordinator, mode="full")
    return first


def test_the_public_page_on_a_phone_and_a_desktop(live_server, phone_page, page, screenshot):
    cast = Cast()
    first = published(cast)
    url = live_server.url

    phone = phone_page
    phone.add_init_script(CSP_WATCH)
    phone.goto(url + "/disclosure/")
    expect(phone.get_by_role("heading", name="查询办理答复")).to_be_visible()
    expect(phone.locator(".gk-item")).to_have_count(3)
    expect(phone.locator(".gk-count")).to_contain_text("共 3 件公开答复")
    clean(phone)
    fits(phone)
    screenshot(phone, "disclosure-01-phone-list")

    # Search by words: the form on the page, no script needed.
    phone.get_by_label("搜索").fill("医疗费用")
    phone.get_by_role("button", name="搜索").click()
    phone.wait_for_url(re.compile(r"/disclosure/\?q="))
    expect(phone.locator(".gk-item")).to_have_count(1)
    expect(phone.locator(".gk-count")).to_contain_text("找到 1 件")
    screenshot(phone, "disclosure-02-phone-search")

    phone.locator(".gk-item a").first.click()
    phone.wait_for_url(re.compile(rf"/disclosure/{first.pk}/$"))
    expect(phone.locator("h1")).to_contain_text("患者刘某某")
    body = phone.locator(".gk-text")
    expect(body).to_contain_text("患者张某")
    expect(body).to_contain_text("139****5678")
    expect(body).to_contain_text("解放路***")
    for secret in ("张三", "李四", "赵科员", "330102", "ZY20250301"):
        expect(phone.locator("body")).not_to_contain_text(secret)
    clean(phone)
    fits(phone)
    screenshot(phone, "disclosure-03-phone-detail")
    no_csp_violation(phone)

    page.add_init_script(CSP_WATCH)
    page.goto(url + "/disclosure/?year=2026")
    expect(page.locator(".gk-item")).to_have_count(3)
    page.get_by_label("类别").select_option("cppcc_proposal")
    page.get_by_role("button", name="搜索").click()
    expect(page.locator(".gk-item")).to_have_count(0)
    expect(page.get_by_text("没有符合条件的公开答复")).to_be_visible()
    page.get_by_role("link", name="清除条件").click()
    expect(page.locator(".gk-item")).to_have_count(3)
    clean(page)
    screenshot(page, "disclosure-04-desktop-list")
    no_csp_violation(page)


def test_the_office_sees_the_masking_then_publishes(live_server, page, screenshot):
    cast = Cast()
    case = signed(cast)
    url = live_server.url
    page.add_init_script(CSP_WATCH)
    log_in(page, url, "coordinator")
    page.goto(f"{url}/cases/{case.pk}/")
    panel = page.locator("#disclosure")
    expect(panel).to_contain_text("公开预览")
    expect(panel).to_contain_text("尚未决定是否公开")
    expect(panel.locator("mark").first).to_be_visible()
    count = int(panel.locator(".hy-masked-count").inner_text())
    assert count >= 10 and panel.locator("mark").count() == count
    expect(panel.locator("mark", has_text="张某").first).to_have_attribute("title", "姓名")
    panel.scroll_into_view_if_needed()
    screenshot(page, "disclosure-05-case-preview")

    page.goto(f"{url}/cases/{case.pk}/#action-disclose")
    page.locator("#action-body-disclose.show").wait_for()
    card = page.locator("#action-body-disclose")
    expect(card.locator("mark").first).to_be_visible()  # the masking, beside the choice
    card.get_by_label(re.compile("^全文公开")).check()
    screenshot(page, "disclosure-06-card")
    card.get_by_role("button", name="公开答复").click()
    page.wait_for_load_state()
    expect(page.locator("#disclosure .hy-disclosure-decision")).to_contain_text("全文公开")
    found = Disclosure.objects.get(case=case)
    assert found.published
    screenshot(page, "disclosure-07-decided")
    no_csp_violation(page)

    # The public page has it (a new tab).
    with page.context.expect_page() as opened:
        page.locator("#disclosure").get_by_role("link", name="查看公开页面").click()
    public = opened.value
    public.wait_for_url(re.compile(rf"/disclosure/{found.pk}/$"))
    expect(public.locator("h1")).to_contain_text("患者刘某某")
