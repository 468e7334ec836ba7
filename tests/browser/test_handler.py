"""承办人 and re-handling in Chromium (issue 9, points 1, 3 and 6's success messages): the
unit head accepts a case naming its handler, then gives it to another handler; the header,
the ledger and the timeline say so. A case rated 不满意 shows on its handler's 我的待办 as
重新办理 with its new deadline, and the round-2 reply form starts from the round-1 answer
with the proposer's rating beside it.

Screenshots: test-artifacts/screenshots/handler-*.png.
"""

import os
import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from audit.record import today
from cases import actions
from cases.tests.factories import Cast, make_user, register
from huiyin.formats import cn_date
from orgs.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

GATES = {"format": True, "policy": True, "content": True, "resolution": True}


def log_in(page: Page, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(url + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(f"pw-{username}")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"^(?!.*/login/).*$"))


def open_card(page: Page, url: str, case_id: int, action: str) -> None:
    page.goto("about:blank")
    page.goto(f"{url}/cases/{case_id}/#action-{action}")
    page.locator(f"#action-body-{action}.show").wait_for()
    page.wait_for_function("!document.querySelector('.collapsing')")


def test_accept_with_a_handler_then_reassign(live_server, page, screenshot):
    cast = Cast()
    make_user("yizheng_clerk2", (cast.yizheng, Role.HANDLER), full_name="钱科员")
    day = today()
    case = register(cast, on=day, title="关于优化门诊预约挂号流程的建议")
    actions.assign_case(case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=day)
    case.refresh_from_db()
    url = live_server.url

    log_in(page, url, "yizheng")
    open_card(page, url, case.pk, "accept")
    picker = page.locator("#f-accept-handler")
    # Only the unit's handlers are offered, not its head nor other units' people.
    assert picker.locator("option").all_inner_texts() == ["不指定", "赵科员", "钱科员"]
    picker.select_option("yizheng_clerk2")
    screenshot(page, "handler-01-accept-with-picker")
    page.locator("#action-body-accept button[type=submit]").click()
    expect(
        page.get_by_text(f"已签收，承办人钱科员；答复期限{cn_date(case.deadline)}")
    ).to_be_visible()
    expect(page.locator("#case-handler")).to_have_text("钱科员")
    screenshot(page, "handler-02-accepted")

    open_card(page, url, case.pk, "assign_handler")
    card = page.locator("#action-body-assign_handler")
    expect(card.get_by_text("现在的承办人：钱科员")).to_be_visible()
    card.locator("#f-assign_handler-handler").select_option("yizheng_clerk")
    card.locator("button[type=submit]").click()
    expect(page.get_by_text("已将此件交给赵科员承办")).to_be_visible()
    expect(page.locator("#case-handler")).to_have_text("赵科员")
    timeline = page.locator("body")
    expect(timeline.get_by_text("钱科员 → 赵科员")).to_be_visible()
    screenshot(page, "handler-03-reassigned")

    page.goto(f"{url}/cases/?handler=yizheng_clerk")
    row = page.locator("tbody tr", has_text="关于优化门诊预约挂号流程的建议")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("赵科员")
    screenshot(page, "handler-04-ledger")
    page.goto(f"{url}/cases/{case.pk}/print/")
    expect(page.locator("tr", has_text="承办人").first).to_contain_text("赵科员")


def test_round_two_starts_from_round_one(live_server, page, screenshot):
    cast = Cast()
    day = today()
    case = register(cast, on=day, title="关于加强基层医疗卫生人才队伍建设的建议")
    actions.assign_case(case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=day)
    actions.accept_case(case, by=cast.yizheng_head, handler=cast.yizheng_handler)
    actions.submit_reply(
        case,
        by=cast.yizheng_handler,
        text="一、关于人才培养。我委将联合市人社局制定基层卫生人才培养方案。",
        reply_class="B",
        contact="赵科员",
        phone="0571-87001234",
        commitments=[{"what": "年内出台基层卫生人才培养方案", "due": date(day.year + 1, 6, 30)}],
    )
    actions.approve_reply(case, by=cast.yizheng_head, approved=True)
    actions.review_reply(case, by=cast.coordinator, passed=True, gates=GATES)
    actions.sign_reply(case, by=cast.leader, approved=True)
    actions.record_feedback(
        case,
        by=cast.coordinator,
        result="unsatisfied",
        attitude="basically_satisfied",
        comment="培养方案没有时间表，希望明确分年度目标",
    )
    case.refresh_from_db()
    assert case.round == 2
    url = live_server.url

    log_in(page, url, "yizheng_clerk")
    section = page.locator("#sec-mine")
    flag = f"重新办理 · 第2轮 · 新答复期限 {cn_date(case.deadline)}"
    expect(section.get_by_text(flag)).to_be_visible()
    # The handler's own cases come first on the page.
    assert page.locator("section.hy-todo-section").first.get_attribute("id") == "sec-mine"
    screenshot(page, "handler-05-todo-rehandling")

    open_card(page, url, case.pk, "submit_reply")
    card = page.locator("#action-body-submit_reply")
    expect(card.locator("#f-submit_reply-text")).to_have_value(re.compile("^一、关于人才培养"))
    expect(card.locator("#f-submit_reply-reply_class-B")).to_be_checked()
    expect(card.locator("input[name=commitments-0-what]")).to_have_value(
        "年内出台基层卫生人才培养方案"
    )
    expect(card.get_by_text("培养方案没有时间表，希望明确分年度目标")).to_be_visible()
    expect(card.get_by_text("已按第1轮的答复填入")).to_be_visible()
    screenshot(page, "handler-06-round-two-prefilled")

    log_in(page, url, "coordinator")
    expect(page.locator("#sec-rehandling").get_by_text(flag)).to_be_visible()
    screenshot(page, "handler-07-coordinator-rehandling")
