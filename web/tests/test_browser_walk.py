"""One case from registration to closing, re-handled after 不满意, done entirely in the
browser: the coordinator registers and assigns it, the unit head accepts and answers, the
co-unit gives its opinion, the coordinator reviews the four gates, the leader signs on a
phone. Every page passed is saved to test-artifacts/screenshots/walk-NN-*.png: look at them.
"""

import os
import re
from datetime import timedelta
from itertools import count

import pytest
from playwright.sync_api import Page, expect

from audit.record import today
from cases.models import Case
from cases.tests.factories import Cast
from huiyin.formats import cn_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the test reads the database between steps

TITLE = "关于加强基层医疗卫生人才队伍建设的建议"


class Walk:
    """The two browsers of the walk (a laptop and the leader's phone) and the screenshots."""

    def __init__(self, live_server, page: Page, phone: Page, screenshot) -> None:
        self.url = live_server.url
        self.page = page
        self.phone = phone
        self._screenshot = screenshot
        self._numbers = count(1)
        self.case: Case | None = None

    def shot(self, page: Page, name: str) -> None:
        self._screenshot(page, f"walk-{next(self._numbers):02d}-{name}")

    def log_in(self, page: Page, username: str) -> None:
        page.context.clear_cookies()
        page.goto(self.url + "/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(f"pw-{username}")
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(re.compile(r"^(?!.*/login/).*$"))

    def open_case(self, page: Page, action: str | None = None):
        """The case page as the 待办 list links to it: /cases/<id>/#action-<name> opens
        that action's card. Returns the card's form."""
        path = f"{self.url}/cases/{self.case.pk}/"
        if page.url.split("#")[0] == path:
            # Only the hash would change: the browser would not load the page again.
            page.goto("about:blank")
        page.goto(path + (f"#action-{action}" if action else ""))
        if action is None:
            return None
        page.locator(f"#action-body-{action}.show").wait_for()
        page.wait_for_function("!document.querySelector('.collapsing')")
        # Nothing moves under the next click: the page and its fonts loaded (a CJK font
        # arriving late reflows the text; on a busy machine a click landed beside its radio).
        page.wait_for_load_state("load")
        page.evaluate("document.fonts.ready.then(() => true)")
        return page.locator(f"#action-body-{action} form")

    def submit(self, page: Page, form, button: str) -> None:
        form.get_by_role("button", name=button).click()
        page.wait_for_url(f"{self.url}/cases/{self.case.pk}/")
        # Each action says what happened and what comes next (proposals/messages.py).
        expect(page.locator(".alert-success")).to_have_count(1)
        expect(page.locator(".alert-success")).not_to_be_empty()

    def state(self) -> str:
        self.case.refresh_from_db()
        return self.case.state

    def header_says(self, page: Page, text: str) -> None:
        expect(page.locator(".hy-case-header")).to_contain_text(text)

    def no_sideways_scroll(self, page: Page) -> None:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"], f"page is {width}px wide on a phone"


def test_a_case_from_registration_to_closing(live_server, page, phone_page, screenshot):
    Cast()
    walk = Walk(live_server, page, phone_page, screenshot)
    day = today()
    received = day - timedelta(days=7)
    assigned = day - timedelta(days=3)

    # --- 议提案管理员 registers the case ----------------------------------------------------
    walk.log_in(page, "coordinator")
    walk.shot(page, "coordinator-home")
    page.goto(walk.url + "/cases/new/")
    form = page.locator("form.hy-register")
    form.get_by_role("combobox", name="类别", exact=True).select_option(label="人大代表建议")
    form.get_by_role("combobox", name="级别", exact=True).select_option(label="市级")
    fields = {
        "编号": "20260088",
        "届次": "市十五届人大五次会议",
        "交办机关": "市人大常委会代表工委",
        "标题": TITLE,
        "内容": "建议加大基层卫生人才培养力度，提高待遇保障。",
        "主题": "基层卫生、人才",
        "领衔人": "陈代表",
        "联名人": "刘代表、周代表",
        "收到日期": received.isoformat(),
    }
    for label, value in fields.items():
        form.get_by_role("textbox", name=label, exact=True).fill(value)
    walk.shot(page, "register-form")
    form.get_by_role("button", name="登记").click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    walk.case = Case.objects.get(number="20260088")
    assert walk.state() == "registered"
    walk.header_says(page, "已登记")
    walk.header_says(page, "刘代表、周代表")
    walk.shot(page, "registered")

    # --- and assigns it, with a co-unit; the deadlines follow the date live -----------------
    form = walk.open_case(page, "assign")
    form.get_by_role("radiogroup", name="主办处室").get_by_label("医政医管处").check()
    co_units = form.locator("#field-assign-co_units")
    co_units.get_by_role("searchbox", name="筛选协办处室").fill("基层")
    expect(co_units.get_by_label("中医药管理处")).to_be_hidden()
    co_units.get_by_label("基层卫生健康处").check()
    handler = form.get_by_label("承办人")
    expect(handler.locator("option[value=jiceng]")).to_be_disabled()  # another unit's head
    handler.select_option(label="赵科员（医政医管处·承办人）")
    form.get_by_label("分管领导").select_option(label="李主任")
    preview = page.locator("#assign-preview")
    expect(preview).to_contain_text(f"按 {cn_date(day)} 交办计算")
    form.get_by_label("交办日期").fill(assigned.isoformat())
    expect(preview).to_contain_text(f"按 {cn_date(assigned)} 交办计算")  # htmx, no reload
    for label in ("答复期限", "处室初稿期限", "协办意见期限", "申请退回截止"):
        expect(preview).to_contain_text(label)
    walk.shot(page, "assign-form")
    walk.submit(page, form, "交办")
    assert walk.state() == "assigned"
    assert walk.case.assigned_on == assigned
    walk.header_says(page, "已交办")
    walk.header_says(page, cn_date(walk.case.deadline))
    if walk.case.deadline_provisional:
        walk.header_says(page, "暂定")
    expect(preview).to_have_count(0)
    walk.shot(page, "assigned")

    # --- 处室负责人 accepts, talks with the deputy ------------------------------------------
    walk.log_in(page, "yizheng")
    walk.shot(page, "unit-head-home")
    form = walk.open_case(page, "accept")
    walk.shot(page, "accept-form")
    walk.submit(page, form, "签收")
    assert walk.state() == "handling"
    walk.header_says(page, "办理中")

    form = walk.open_case(page, "communicate")
    form.get_by_role("radiogroup", name="沟通阶段").get_by_text("事前").click()
    form.get_by_role("radiogroup", name="沟通方式").get_by_text("面商").click()
    form.get_by_label("参加人员").fill("陈代表、张处长、赵科员")
    form.get_by_label("沟通情况").fill("当面听取陈代表对基层人才培养的意见，商定办理思路。")
    walk.shot(page, "communicate-form")
    walk.submit(page, form, "保存沟通记录")
    assert walk.case.communications.get().method == "face_to_face"
    expect(page.locator("#communications")).to_contain_text("当面听取陈代表")

    # --- the co-unit's head gives its opinion to the lead unit ------------------------------
    walk.log_in(page, "jiceng")
    form = walk.open_case(page, "submit_opinion")
    form.get_by_label("会办意见").fill("同意主办处室意见。我处将配合做好乡村医生培训工作。")
    walk.shot(page, "opinion-form")
    walk.submit(page, form, "提交会办意见")
    expect(page.locator("#opinions")).to_contain_text("配合做好乡村医生培训")
    assert walk.state() == "handling"

    # --- the unit head answers: class B with a commitment -----------------------------------
    walk.log_in(page, "yizheng")
    form = walk.open_case(page, "submit_reply")
    commitments = form.locator("[data-commitments]")
    expect(commitments).to_be_hidden()
    form.locator("label[for='f-submit_reply-reply_class-B']").click()
    expect(commitments).to_be_visible()  # B promises something: say what and by when
    text = (
        "一、关于人才培养。我委将扩大农村订单定向医学生培养规模。\n"
        "二、关于待遇保障。我委正会同有关部门研究提高基层医务人员待遇的措施。"
    )
    form.get_by_label("答复内容").fill(text)
    expect(form.get_by_label("联系人")).to_have_value("张处长")  # prefilled
    form.get_by_label("联系电话").fill("0571-8888 1234")
    # Sent without the commitment: refused, beside the field, with nothing lost.
    form.get_by_role("button", name="提交答复").click()
    page.wait_for_url(f"{walk.url}/cases/{walk.case.pk}/actions/submit_reply/")
    form = page.locator("#action-body-submit_reply form")
    expect(form.locator("#field-submit_reply-commitments")).to_contain_text(
        "B类答复须列明承诺事项及完成时间"
    )
    expect(form.get_by_label("答复内容")).to_have_value(text)
    expect(form.get_by_label("联系电话")).to_have_value("0571-8888 1234")
    expect(form.locator("#f-submit_reply-reply_class-B")).to_be_checked()
    assert walk.state() == "handling"
    walk.shot(page, "reply-refused")
    commitments = form.locator("[data-commitments]")
    commitments.get_by_label("第1项承诺事项").fill("出台基层卫生人才培养实施方案")
    commitments.get_by_label("第1项完成时间").fill((day + timedelta(days=180)).isoformat())
    walk.shot(page, "reply-form")
    walk.submit(page, form, "提交答复")
    assert walk.state() == "reviewing"  # a unit head's draft goes straight to review
    assert walk.case.commitments.count() == 1
    walk.header_says(page, "审核中")

    # --- the coordinator reviews the four gates, the draft beside them ----------------------
    walk.log_in(page, "coordinator")
    form = walk.open_case(page, "review")
    expect(page.locator("#action-body-review .hy-draft")).to_contain_text("订单定向")
    for gate in ("format", "policy", "content", "resolution"):
        form.locator(f"#f-review-gates-{gate}").check()
    form.get_by_label("政策法规意见").fill("引用政策准确")
    expect(form.locator("#f-review-passed-1")).to_be_checked()  # four ticks suggest 通过
    walk.shot(page, "review-form")
    walk.submit(page, form, "审核")
    assert walk.state() == "signing"
    assert walk.case.replies.get().review["review"]["gate_comments"] == {"policy": "引用政策准确"}

    # --- the leader signs on a phone --------------------------------------------------------
    phone = walk.phone
    walk.log_in(phone, "leader")
    walk.shot(phone, "phone-leader-home")
    form = walk.open_case(phone, "sign")
    letter = phone.locator(".hy-letter")
    expect(letter).to_contain_text("B类")
    expect(letter).to_contain_text("陈代表：")
    expect(letter).to_contain_text("出台基层卫生人才培养实施方案")
    expect(letter).to_contain_text("联系人：张处长")
    walk.no_sideways_scroll(phone)
    walk.shot(phone, "phone-sign")
    sign = form.get_by_role("button", name="同意签发")
    assert sign.bounding_box()["height"] >= 44  # a thumb-sized button
    walk.submit(phone, form, "同意签发")
    assert walk.state() == "replied"
    walk.header_says(phone, "已答复")
    walk.no_sideways_scroll(phone)
    walk.shot(phone, "phone-signed")

    # --- the deputy is not satisfied: round 2 with a new deadline ---------------------------
    form = walk.open_case(page, "record_feedback")
    expect(page.get_by_role("link", name="答复函")).to_be_visible()
    expect(page.get_by_role("link", name="征询意见表")).to_be_visible()
    form.get_by_role("radiogroup", name="办理结果评价").get_by_text("不满意").click()
    form.get_by_role("radiogroup", name="办理态度评价").get_by_text("满意", exact=True).click()
    form.get_by_label("代表委员的意见和建议").fill("待遇保障措施不够具体。")
    walk.shot(page, "feedback-unsatisfied-form")
    walk.submit(page, form, "登记评价")
    assert walk.state() == "handling"
    assert walk.case.round == 2
    walk.header_says(page, "第2轮 · 重新办理")
    walk.header_says(page, cn_date(walk.case.deadline))
    walk.shot(page, "round-2")

    # --- round 2: the unit head answers again (A) -------------------------------------------
    walk.log_in(page, "yizheng")
    form = walk.open_case(page, "submit_reply")
    form.locator("label[for='f-submit_reply-reply_class-A']").click()
    expect(form.locator("[data-commitments]")).to_be_hidden()
    form.get_by_label("答复内容").fill(
        "一、关于待遇保障。经与市人社局、市财政局研究，已出台提高乡村医生补助标准的通知。"
    )
    expect(form.get_by_label("联系电话")).to_have_value("0571-8888 1234")  # from round 1
    walk.shot(page, "reply-2-form")
    walk.submit(page, form, "提交答复")
    assert walk.state() == "reviewing"

    walk.log_in(page, "coordinator")
    form = walk.open_case(page, "review")
    for gate in ("format", "policy", "content", "resolution"):
        form.locator(f"#f-review-gates-{gate}").check()
    walk.shot(page, "review-2-form")
    walk.submit(page, form, "审核")
    assert walk.state() == "signing"

    form = walk.open_case(phone, "sign")
    expect(phone.locator(".hy-letter")).to_contain_text("A类")
    walk.no_sideways_scroll(phone)
    walk.shot(phone, "phone-sign-2")
    walk.submit(phone, form, "同意签发")
    assert walk.state() == "replied"

    # --- satisfied: closed ------------------------------------------------------------------
    form = walk.open_case(page, "record_feedback")
    form.get_by_role("radiogroup", name="办理结果评价").get_by_text("满意", exact=True).click()
    form.get_by_role("radiogroup", name="办理态度评价").get_by_text("满意", exact=True).click()
    walk.submit(page, form, "登记评价")
    assert walk.state() == "closed"
    assert (walk.case.round, walk.case.feedback_result, walk.case.reply_class) == (
        2,
        "satisfied",
        "A",
    )
    walk.header_says(page, "已办结")

    # The timeline tells the whole story, in order, with who did it.
    items = page.locator(".hy-timeline-item")
    labels = [items.nth(i).locator("strong").inner_text() for i in range(items.count())]
    assert labels == [
        "登记",
        "交办",
        "签收",
        "沟通",
        "提交会办意见",
        "提交答复",
        "审核",
        "签发",
        "登记评价",
        "提交答复",
        "审核",
        "签发",
        "登记评价",
    ]
    timeline = page.locator("#timeline")
    for text in ("王协调", "张处长", "李主任", "已答复 → 办理中", "已答复 → 已办结", "不满意"):
        expect(timeline).to_contain_text(text)
    expect(page.locator("details.hy-round-old")).to_contain_text("第1轮答复（B类）")
    walk.shot(page, "closed")

    # The print view and the closed case on the phone.
    page.goto(f"{walk.url}/cases/{walk.case.pk}/print/")
    expect(page.get_by_role("button", name="打印")).to_be_visible()
    expect(page.locator(".hy-print-page")).to_contain_text("第2轮")
    walk.shot(page, "print")
    walk.open_case(phone)
    walk.no_sideways_scroll(phone)
    walk.shot(phone, "phone-closed")


def test_the_action_forms_fit_a_phone(live_server, phone_page, screenshot):
    """The forms the walk fills on a laptop, opened on a phone: one column, no sideways
    scrolling, the draft above the review checklist."""
    from cases import actions
    from cases.tests.factories import register

    cast = Cast()
    day = today()
    walk = Walk(live_server, phone_page, phone_page, screenshot)
    phone = phone_page

    walk.case = register(cast, on=day - timedelta(days=7))
    walk.log_in(phone, "coordinator")
    walk.open_case(phone, "assign")
    phone.locator("#field-assign-lead_unit").get_by_label("医政医管处").check()
    expect(phone.locator("#assign-preview")).to_contain_text("答复期限")
    walk.no_sideways_scroll(phone)
    screenshot(phone, "phone-form-assign")

    actions.assign_case(
        walk.case, by=cast.coordinator, lead_unit=cast.yizheng, co_units=[cast.jiceng]
    )
    actions.accept_case(walk.case, by=cast.yizheng_head)
    walk.log_in(phone, "yizheng")
    form = walk.open_case(phone, "submit_reply")
    form.locator("label[for='f-submit_reply-reply_class-C']").click()
    form.locator("[data-add-commitment]").click()
    expect(form.locator("[data-commitment-row]")).to_have_count(2)
    walk.no_sideways_scroll(phone)
    screenshot(phone, "phone-form-reply")

    actions.submit_reply(
        walk.case,
        by=cast.yizheng_handler,
        text="一、关于人才培养。\n二、关于待遇保障。",
        reply_class="A",
        contact="赵科员",
        phone="12345678",
    )
    form = walk.open_case(phone, "approve_reply")
    expect(phone.locator("#action-body-approve_reply .hy-draft")).to_contain_text("关于待遇保障")
    walk.no_sideways_scroll(phone)
    screenshot(phone, "phone-form-approve")
    form.get_by_role("radiogroup", name="结论").get_by_text("同意", exact=True).click()
    walk.submit(phone, form, "处室审核")
    assert walk.state() == "reviewing"

    walk.log_in(phone, "coordinator")
    form = walk.open_case(phone, "review")
    # Both boxes in one go: the page may still be scrolling to the card between two reads.
    draft_bottom, gates_top = phone.evaluate(
        """() => [
            document.querySelector('#action-body-review .hy-draft').getBoundingClientRect().bottom,
            document.querySelector('#field-review-gates').getBoundingClientRect().top,
        ]"""
    )
    assert draft_bottom <= gates_top  # stacked: the draft first
    form.locator("#f-review-gates-format").check()
    form.get_by_role("radiogroup", name="结论").get_by_text("不通过，退回修改").click()
    form.get_by_role("button", name="审核").click()
    expect(form.locator("#field-review-gates")).to_contain_text("未通过的理由")
    walk.no_sideways_scroll(phone)
    screenshot(phone, "phone-form-review-refused")
