"""The proposer's link on a phone (issue 15): a deputy opens the link the office issued
(390×844, no login, no cookies), sees where the proposal stands, confirms a communication,
rates the reply 不满意 with a comment, sees 已收到评价, and the case is back in handling in
round 2. Then the office's link page with its QR code. Under the site's CSP (no violation),
with no sideways scrolling at 375 px, and no serious accessibility violation (axe-core).

Screenshots: test-artifacts/screenshots/portal-*.png.
"""

import os
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Browser, expect

from cases import actions
from cases.models import Case, Feedback
from cases.tests.factories import Cast
from cases.tests.walks import case_in
from portal.actions import issue_link
from portal.links import link_path
from portal.models import CommunicationCheck
from tests.browser.conftest import CONTEXT_OPTIONS, DEFAULT_TIMEOUT_MS
from tests.browser.test_accessibility import axe_violations, describe
from tests.browser.test_opinion_public import CSP_WATCH, fits, no_csp_violation
from workflow.vocabulary import State

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

NOW = datetime(2026, 12, 31, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=True):
        yield


def _replied(cast: Cast) -> Case:
    case = case_in(cast, "handling")
    actions.communicate(
        case,
        by=cast.yizheng_handler,
        on=date(2026, 5, 1),
        stage="during",
        method="face_to_face",
        summary="内部沟通纪要",
        participants="参加人员甲",
    )
    from cases.tests.walks import DATES, GATES, reply_kwargs

    actions.submit_reply(case, by=cast.yizheng_head, on=DATES["reviewing"], **reply_kwargs(case))
    actions.review_reply(case, by=cast.coordinator, passed=True, gates=GATES, on=DATES["signing"])
    actions.sign_reply(case, by=cast.leader, approved=True, on=DATES["replied"])
    return case


def test_a_deputy_opens_the_link_on_a_phone_and_rates(live_server, phone_page, screenshot):
    cast = Cast()
    case = _replied(cast)
    _, token = issue_link(case, by=cast.coordinator)
    page = phone_page
    page.add_init_script(CSP_WATCH)
    page.goto(live_server.url + link_path(token))

    # Where it stands: the steps, the unit, the talk, the reply and its promise.
    expect(page.get_by_role("heading", name=re.compile("办理情况"))).to_be_visible()
    expect(page.locator("[aria-current=step]")).to_contain_text("已答复")
    # The steps are one short line each; the unit is named under them.
    expect(page.locator(".yj-steps li").nth(1)).to_have_text(re.compile(r"^已交办"))
    assert page.locator(".yj-steps li").nth(1).bounding_box()["height"] < 60  # one line
    expect(page.locator(".yj-facts")).to_contain_text("医政医管处")
    expect(page.get_by_text("年内出台基层人才培养方案")).to_be_visible()
    body = page.locator("body").inner_text()
    for internal in ("赵科员", "王协调", "李主任", "内部沟通纪要", "参加人员甲", "12345678"):
        assert internal not in body, internal
    fits(page)
    screenshot(page, "portal-01-progress")

    # Confirm the talk.
    page.get_by_text("确认此次沟通").click()
    # The two choices stacked full width: "办理单位已与我沟通" on one line at 390 px.
    tile = page.locator(".yj-choice", has_text="办理单位已与我沟通")
    assert tile.bounding_box()["height"] < 60
    page.get_by_role("radio", name="情况有出入").check()
    expect(page.locator("label", has_text="哪些情况有出入")).to_contain_text("必填")
    page.get_by_label("办理单位已与我沟通").check()
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_text("已收到您对沟通情况的确认")).to_be_visible()
    word = CommunicationCheck.objects.get(communication__case=case)
    assert (word.verdict, word.proposer.name) == ("confirmed", "陈代表")

    # Rate: 不满意 result, 基本满意 attitude, a comment.
    rate = page.locator("#rate")
    rate.scroll_into_view_if_needed()
    rate.locator("fieldset", has_text="对办理结果的评价").get_by_text("不满意").click()
    rate.locator("fieldset", has_text="对办理态度的评价").get_by_text("基本满意").click()
    page.get_by_label("意见和建议").fill("希望尽快落实人才培养方案。")
    screenshot(page, "portal-02-rating")
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_role("status").filter(has_text="已收到评价")).to_be_visible()
    expect(page.get_by_text("重新办理").first).to_be_visible()
    expect(page.get_by_role("heading", name="请您评价")).to_have_count(0)
    fits(page)
    screenshot(page, "portal-03-rated")
    no_csp_violation(page)

    case.refresh_from_db()
    assert case.state == State.HANDLING and case.round == 2
    feedback = Feedback.objects.get(case=case)
    assert (feedback.result, feedback.attitude) == ("unsatisfied", "basically_satisfied")
    assert feedback.proposer is not None and feedback.recorded_by is None


def test_the_office_issues_a_link_and_sees_its_qr_code(live_server, page, screenshot):
    cast = Cast()
    case = _replied(cast)
    page.add_init_script(CSP_WATCH)
    page.goto(live_server.url + "/login/")
    page.get_by_label("用户名").fill("coordinator")
    page.get_by_label("密码").fill("pw-coordinator")
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    panel = page.locator("#proposer-links")
    expect(panel).to_be_visible()
    panel.get_by_role("button", name="生成链接").click()
    page.wait_for_url(re.compile(r"/portal/cases/\d+/links/\d+/"))
    expect(page.get_by_role("img", name="征询链接二维码")).to_be_visible()
    url = page.locator("#proposer-link-url").inner_text()
    assert "/p/" in url
    expect(page.locator("#shown-once")).to_contain_text("链接只显示这一次")
    screenshot(page, "portal-04-issued")
    # 复制链接 (static JS, clipboard or the address selected to copy by hand).
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="复制链接").click()
    expect(page.locator("#copy-status")).to_have_text(re.compile("已复制|Ctrl"))
    # On paper: the card with its QR code, not the staff navbar or the buttons.
    page.emulate_media(media="print")
    expect(page.locator(".hy-topbar")).to_be_hidden()
    expect(page.get_by_role("button", name="打印")).to_be_hidden()
    expect(page.get_by_role("img", name="征询链接二维码")).to_be_visible()
    page.emulate_media(media="screen")
    no_csp_violation(page)
    page.reload()  # shown once: the token has left the session
    expect(page.locator("#proposer-link-url")).to_have_count(0)
    expect(page.get_by_text("链接只在生成后显示一次")).to_be_visible()
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(page.locator("#proposer-links").get_by_text("有效", exact=True)).to_be_visible()
    screenshot(page, "portal-05-panel")
    # Issuing again for the same proposer asks first; cancelling keeps the link.
    page.locator("#proposer-links").get_by_role("button", name="生成链接").click()
    expect(page.get_by_text("原链接立即作废")).to_be_visible()
    page.get_by_role("link", name="取消，保留原链接").click()
    # 作废 asks first (data-confirm): dismissed, the link stays; accepted, it is revoked.
    revoke = page.locator("#proposer-links").get_by_role("button", name="作废")
    page.once("dialog", lambda dialog: dialog.dismiss())
    revoke.click()
    expect(page.locator("#proposer-links").get_by_text("有效", exact=True)).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    revoke.click()
    expect(page.locator("#proposer-links").get_by_text("已作废", exact=True)).to_be_visible()
    no_csp_violation(page)


def test_the_proposers_page_has_no_serious_accessibility_violation(live_server, browser: Browser):
    """axe-core (WCAG 2.0 A/AA) on the page before and after a rating with errors; axe is
    injected as a script, so this context bypasses the CSP (the other tests keep it)."""
    cast = Cast()
    case = _replied(cast)
    _, token = issue_link(case, by=cast.coordinator)
    context = browser.new_context(
        **CONTEXT_OPTIONS,
        bypass_csp=True,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(live_server.url + link_path(token))
        found = [f"page: {describe(v)}" for v in axe_violations(page)]
        page.get_by_role("button", name="提交评价").click()  # nothing chosen: errors
        expect(page.locator("#yj-errors")).to_be_visible()
        found += [f"page with errors: {describe(v)}" for v in axe_violations(page)]
    finally:
        context.close()
    assert not found, "\n".join(found)
