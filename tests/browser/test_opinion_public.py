"""群众意见建议 on a phone (issue 12): a person submits from a 390×844 touch screen, keeps
the tracking code and the private link, staff forward, accept and answer (through the
actions, as the other browser tests set up data), and the person opens the link on the
phone, reads the answer and rates it. Under the site's Content-Security-Policy (no
violation recorded), with no horizontal scrolling at 375 px, and with no serious
accessibility violation (axe-core, WCAG 2.0 A/AA) on the form (also with errors), the
receipt and the private page.

The clock is set to Wednesday 2026-09-30 10:00 (Asia/Shanghai), ticking, so the answer is
due 2026-10-13 (5 working days, the National Day holiday skipped).

Screenshots: test-artifacts/screenshots/opinion-public-*.png.
"""

import os
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Browser, Page, expect

from cases.actions import accept_case
from cases.models import Feedback
from cases.tests.factories import Cast
from opinions import actions
from opinions.models import Opinion
from opinions.public import challenge
from tests.browser.conftest import CONTEXT_OPTIONS, DEFAULT_TIMEOUT_MS
from tests.browser.test_accessibility import axe_violations, describe
from workflow.vocabulary import State

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

WEDNESDAY = datetime(2026, 9, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TEXT = (
    "市人民医院门诊挂号排队时间太长，早上七点就排了一个多小时。"
    "老人不会用手机预约，希望增加人工窗口，并安排志愿者帮助老人挂号。"
)
ANSWER = "您反映的问题已收悉。我院已于10月8日起在门诊大厅增设两个人工挂号窗口，并安排志愿者引导老年患者。"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
# Recorded before any page script: what the Content-Security-Policy refused.
CSP_WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


@pytest.fixture(autouse=True)
def _wednesday():
    with time_machine.travel(WEDNESDAY, tick=True):
        yield


def no_csp_violation(page: Page) -> None:
    assert page.evaluate("window.__csp") == []


def fits(page: Page, width: int = 375) -> None:
    """Nothing wider than the screen: no sideways scrolling on a small phone."""
    page.set_viewport_size({"width": width, "height": 812})
    # the resized layout settles in the next frames (seen once: a stale width of 399px)
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    if overflow > 0:
        wide = page.evaluate(
            """(w) => Array.from(document.querySelectorAll('body *'))
                .filter((e) => e.getBoundingClientRect().right > w + 0.5)
                .map((e) => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))
                .slice(0, 5)""",
            width,
        )
        raise AssertionError(f"{overflow}px wider than {width}px: {wide}")
    page.set_viewport_size(PHONE["viewport"])


def staff_answer(cast: Cast, opinion: Opinion) -> None:
    case = opinion.case
    actions.forward(case, by=cast.leader, lead_unit=cast.yizheng)
    accept_case(case, by=cast.yizheng_head)
    actions.answer(case, by=cast.yizheng_handler, text=ANSWER, result="solvable")


def test_submit_on_a_phone_then_read_the_answer_and_rate_it(live_server, phone_page, screenshot):
    cast = Cast()
    page = phone_page
    page.add_init_script(CSP_WATCH)
    url = live_server.url

    # 1. The form: labels tied to their inputs, big enough to touch.
    page.goto(url + "/yijian/")
    expect(page.get_by_role("heading", name="提交意见建议")).to_be_visible()
    expect(page.locator(".yj-hp")).not_to_be_in_viewport()  # the honeypot is out of sight
    fits(page)
    screenshot(page, "opinion-public-01-form")

    # An empty text comes back with the message beside the field.
    page.get_by_role("button", name="提交", exact=True).click()
    content = page.get_by_label("意见建议内容")
    expect(content).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_content-error")).to_have_text("请填写意见建议内容")
    expect(page.locator("#yj-errors")).to_be_focused()
    screenshot(page, "opinion-public-02-error")

    content.fill(TEXT)
    expect(page.locator(".yj-counter")).to_have_text(f"已输入 {len(TEXT)} / 2000 字")
    page.get_by_label("涉及方面").select_option("service")
    page.get_by_label("姓名").fill("匿名")
    page.get_by_label("联系电话").fill("138 1234 5678")
    screenshot(page, "opinion-public-03-filled")
    page.get_by_role("button", name="提交", exact=True).click()

    # 2. The receipt: the code and the private link, "请保存".
    page.wait_for_url(re.compile(r"/yijian/ok/\?r="))
    expect(page.get_by_role("heading", name="提交成功")).to_be_visible()
    expect(page.locator(".yj-hint")).to_contain_text("请保存")
    code = page.locator("#yj-code").inner_text()
    link = page.locator("#yj-link").get_attribute("href")
    assert re.fullmatch(r"[A-Z2-9]{10}", code)
    assert link and link.startswith(f"/yijian/t/{code}/")
    expect(page.locator("#yj-link")).to_have_text(url + link)
    page.get_by_role("button", name="复制查询码").click()
    expect(page.locator("#yj-copy-status")).not_to_be_empty()
    fits(page)
    screenshot(page, "opinion-public-04-receipt")

    opinion = Opinion.objects.select_related("case").get(code=code)
    assert opinion.channel == "web" and opinion.phone == "13812345678"
    assert opinion.case.content == TEXT and opinion.area == "service"

    # 3. Before the answer: 已受理, the deadline, the masked phone.
    page.goto(url + link)
    expect(page.locator(".yj-state")).to_have_text("已受理")
    expect(page.locator(".yj-facts")).to_contain_text("138****5678")
    expect(page.locator(".yj-facts")).to_contain_text("2026年10月13日")
    screenshot(page, "opinion-public-05-received")

    # 4. Staff forward, accept and answer.
    staff_answer(cast, opinion)

    # 5. The person opens the link again, reads the answer, rates it.
    page.goto(url + link)
    expect(page.locator(".yj-state")).to_have_text("已答复")
    expect(page.locator(".yj-facts")).to_contain_text("医政医管处")
    answer = page.locator(".yj-answer")
    expect(answer).to_contain_text(ANSWER)
    expect(answer).to_contain_text("有条件解决")
    body = page.locator("main").inner_text()
    for hidden in ("13812345678", "赵科员", "张处长", "李主任"):
        assert hidden not in body
    fits(page)
    screenshot(page, "opinion-public-06-answered")

    page.get_by_label("满意", exact=True).check()
    page.get_by_label("意见（选填）").fill("窗口增加后快多了，谢谢！")
    screenshot(page, "opinion-public-07-rating")
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_url(re.compile(r"\?rated=1$"))
    expect(page.get_by_role("status")).to_contain_text("感谢您的评价")
    expect(page.locator(".yj-state")).to_have_text("已办结")
    expect(page.locator(".yj-ratings")).to_contain_text("满意")
    expect(page.get_by_role("button", name="提交评价")).to_have_count(0)
    screenshot(page, "opinion-public-08-rated")
    no_csp_violation(page)

    opinion.case.refresh_from_db()
    assert opinion.case.state == State.CLOSED
    assert opinion.case.feedback_result == "satisfied"
    feedback = Feedback.objects.get(case=opinion.case)
    assert feedback.recorded_by is None and feedback.comment == "窗口增加后快多了，谢谢！"


def test_lookup_by_code_on_a_phone(live_server, phone_page, screenshot):
    page = phone_page
    url = live_server.url
    case = actions.register_opinion(
        by=None, channel="web", content=TEXT, phone="0635-8881234", client_address="127.0.0.1"
    )
    page.goto(url + "/yijian/query/")
    page.get_by_label("查询码").fill(case.opinion.code.lower())
    page.get_by_label("联系电话后四位").fill("0000")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#yj-errors")).to_contain_text("查询码或电话号码后四位不正确")
    fits(page)
    screenshot(page, "opinion-public-09-query-error")
    page.get_by_label("联系电话后四位").fill("1234")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(re.compile(rf"/yijian/t/{case.opinion.code}/"))
    expect(page.locator(".yj-facts")).to_contain_text("063****1234")


def test_past_the_rate_the_question_lets_a_person_through(
    live_server, phone_page, screenshot, settings
):
    settings.HUIYIN_PUBLIC_RATE_PER_ADDRESS = "1/hour"
    page = phone_page
    page.add_init_script(CSP_WATCH)
    url = live_server.url
    page.goto(url + "/yijian/")
    page.get_by_label("意见建议内容").fill(TEXT)
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url(re.compile(r"/yijian/ok/"))
    page.goto(url + "/yijian/")
    label = page.locator("label[for=id_challenge_answer]")
    expect(label).to_contain_text("验证问题：")
    page.get_by_label("意见建议内容").fill("医院停车太难了，建议增加停车位。")
    fits(page)
    screenshot(page, "opinion-public-10-challenge")
    a, op, b = re.search(r"验证问题：(\S+?)(加|减)(\S+?)等于多少", label.inner_text()).groups()
    x, y = challenge.parse_answer(a), challenge.parse_answer(b)
    assert x is not None and y is not None
    page.get_by_label("验证问题").fill(str(x + y if op == "加" else x - y))
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url(re.compile(r"/yijian/ok/"))
    assert Opinion.objects.count() == 2
    no_csp_violation(page)


def test_public_pages_have_no_serious_accessibility_violation(live_server, browser: Browser):
    cast = Cast()
    case = actions.register_opinion(
        by=None, channel="web", content=TEXT, phone="13812345678", client_address="127.0.0.1"
    )
    staff_answer(cast, case.opinion)
    from opinions.links import private_path

    context = browser.new_context(**CONTEXT_OPTIONS, bypass_csp=True, **PHONE)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    found: list[str] = []
    try:
        page = context.new_page()
        for path in ("/yijian/", "/yijian/query/", private_path(case.opinion)):
            page.goto(live_server.url + path)
            found += [f"{path}: {describe(v)}" for v in axe_violations(page)]
        # the form with its errors shown
        page.goto(live_server.url + "/yijian/")
        page.get_by_label("电子邮箱").fill("not-an-email")
        page.get_by_role("button", name="提交", exact=True).click()
        expect(page.locator("#id_email-error")).to_be_visible()
        found += [f"/yijian/ (errors): {describe(v)}" for v in axe_violations(page)]
        # the receipt
        page.get_by_label("电子邮箱").fill("")
        page.get_by_label("意见建议内容").fill(TEXT)
        page.get_by_role("button", name="提交", exact=True).click()
        page.wait_for_url(re.compile(r"/yijian/ok/"))
        found += [f"receipt: {describe(v)}" for v in axe_violations(page)]
    finally:
        context.close()
    assert not found, "\n".join(found)
