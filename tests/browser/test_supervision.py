"""督查督办 in Chromium (issue 13): the coordinator registers a red item from a leader's
instruction and assigns it in one step; the case page shows its light; the board lists it
and gives its 督办单; the unit head accepts it, reports progress and submits the completion
report; the coordinator checks it, the leader in charge rates it, and it leaves the board.

Screenshots: test-artifacts/screenshots/supervision-*.png.
"""

import io
import os
import re
from datetime import timedelta

import docx
import pytest
from playwright.sync_api import Page, expect

from audit.record import today
from cases import actions as case_actions
from cases.models import Case
from cases.tests.factories import Cast
from letters.tests.conftest import TEST_COMMISSION, configure
from supervision import actions
from supervision.models import Supervision
from tests.browser.test_handler import log_in, open_card
from workdays.calendar import workdays_after

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

TITLE = "落实急救电话10秒接听率提升措施"


def submit(page: Page, action: str) -> None:
    page.locator(f"#action-body-{action} button[type=submit]").click()


def register_red_item(page: Page, url: str, screenshot) -> None:
    page.goto(url + "/supervision/new/")
    form = page.locator("#sv-register")
    form.get_by_label("督办来源").select_option("leader_instruction")
    # The colour is a radio button labelled with its name.
    form.get_by_text("红色（特急）").click()
    expect(form.get_by_role("radio", name="红色（特急）")).to_be_checked()
    form.get_by_label("督办事项").fill(TITLE)
    form.get_by_label("文号").fill("委领导批示〔2026〕12号")
    form.get_by_label("来文单位").fill("委办公室")
    form.get_by_label("领导批示").fill("请医政处抓紧落实，确保接听率达到99%以上。")
    form.get_by_label("承办单位").select_option("yizheng")
    form.get_by_label("分管领导").select_option("leader")
    form.get_by_label("基层卫生健康处").check()
    form.get_by_label("阶段性目标1", exact=True).fill("制定整改方案")
    first_step = workdays_after(today(), 1).date
    form.get_by_label("阶段性目标1的完成时限").fill(first_step.isoformat())
    screenshot(page, "supervision-01-register")
    form.get_by_role("button", name="登记").click()


def test_a_red_item_from_registration_to_closing(live_server, page, screenshot):
    Cast()  # the coordinator, the leader, the units and their heads
    configure()
    url = live_server.url

    # An empty title first: refused beside the field, in Chinese.
    log_in(page, url, "coordinator")
    page.goto(url + "/supervision/new/")
    page.locator("#sv-register").get_by_role("button", name="登记").click()
    expect(page.locator("#reg-title-error")).to_have_text("请填写督办事项")
    expect(page.locator("#reg-urgency-error")).to_have_text("请选择紧急程度")
    screenshot(page, "supervision-00-register-errors")

    register_red_item(page, url, screenshot)
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    case = Case.objects.get(title=TITLE)
    expect(page.get_by_text(f"已登记督办事项 {case.number}，并已交办")).to_be_visible()
    # Three working days from today: close to the deadline from the start.
    light = page.locator(".hy-light").first
    expect(light).to_have_text("临近期限")
    expect(page.get_by_text("红色（特急）").first).to_be_visible()
    screenshot(page, "supervision-02-case-page")

    page.goto(url + "/supervision/")
    row = page.locator(f"tr[data-case='{case.pk}']")
    expect(row).to_contain_text("蓝灯 · 临近期限")
    expect(row).to_contain_text("红色（特急）")
    expect(page.locator("section.hy-sv-group[data-unit='医政医管处']")).to_contain_text(TITLE)
    expect(page.locator("#sv-chips")).to_contain_text("蓝灯 临近期限 1")
    screenshot(page, "supervision-03-board")
    with page.expect_download() as download:
        row.get_by_role("link", name="督办单").click()
    assert download.value.suggested_filename == f"督办通知单_{case.number}.docx"
    blob = open(download.value.path(), "rb").read()
    document = docx.Document(io.BytesIO(blob))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == TEST_COMMISSION and f"督〔{today().year}〕1号" in texts
    cells = {c.text for t in document.tables for r in t.rows for c in r.cells}
    assert {TITLE, "医政医管处", "基层卫生健康处", "红色（特急）"} <= cells

    # The unit head accepts it, reports progress, and reports it done.
    log_in(page, url, "yizheng")
    open_card(page, url, case.pk, "accept")
    submit(page, "accept")
    expect(page.locator(".alert-success")).to_be_visible()
    open_card(page, url, case.pk, "report_progress")
    card = page.locator("#action-body-report_progress")
    card.locator("[name=text]").fill("已召开专题会部署，整改方案已印发。")
    card.locator("input[name=percent]").fill("60")
    screenshot(page, "supervision-04-progress")
    submit(page, "report_progress")
    expect(page.get_by_text("已召开专题会部署，整改方案已印发。").first).to_be_visible()
    expect(page.get_by_text("60%").first).to_be_visible()
    open_card(page, url, case.pk, "submit_completion")
    page.locator("#action-body-submit_completion [name=report]").fill(
        "急救电话10秒接听率已达到99.2%，各项措施已全部落实。"
    )
    submit(page, "submit_completion")
    expect(page.get_by_text("办结待核查").first).to_be_visible()
    screenshot(page, "supervision-05-completed")

    # The coordinator checks it; the leader in charge rates it: 销号.
    log_in(page, url, "coordinator")
    open_card(page, url, case.pk, "check_completion")
    page.locator("#action-body-check_completion").get_by_text("核查通过").click()
    submit(page, "check_completion")
    expect(page.get_by_text("待质量评价").first).to_be_visible()
    log_in(page, url, "leader")
    open_card(page, url, case.pk, "rate")
    card = page.locator("#action-body-rate")
    card.get_by_label("办理质量").select_option("excellent")
    card.locator("[name=comment]").fill("措施有力，成效明显。")
    screenshot(page, "supervision-06-rate")
    submit(page, "rate")
    expect(page.get_by_text("已评价，督办事项已销号")).to_be_visible()
    screenshot(page, "supervision-07-closed")
    item = Supervision.objects.get(pk=case.pk)
    assert (item.quality, item.progress_percent) == ("excellent", 60)

    page.goto(url + "/supervision/")
    expect(page.locator(f"tr[data-case='{case.pk}']")).to_have_count(0)
    expect(page.locator("#sv-empty")).to_have_text("没有在办的督办事项。")
    screenshot(page, "supervision-08-board-empty")


def _item(cast, title, urgency, unit, *, days_ago, percent=None, source="meeting", milestone=None):
    """An item received and assigned `days_ago` days ago (history entered after the fact)."""
    on = today() - timedelta(days=days_ago)
    case = actions.register_supervision(
        by=cast.coordinator, source=source, urgency=urgency, title=title, received_on=on
    )
    if unit is None:
        return case
    milestones = [milestone] if milestone else None
    actions.assign(case, by=cast.coordinator, lead_unit=unit, assigned_on=on, milestones=milestones)
    head = cast.yizheng_head if unit == cast.yizheng else cast.jiceng_head
    case_actions.accept_case(case, by=head, on=on)
    if percent is not None:
        actions.report_progress(case, by=head, text="按计划推进", percent=percent, on=on)
    return case


def test_the_board_groups_lights_and_filters(live_server, page, phone_page, screenshot):
    cast = Cast()
    configure()
    _item(cast, "急救站点布局调整", "red", cast.yizheng, days_ago=20, percent=40)
    _item(cast, "分时段预约诊疗", "green", cast.yizheng, days_ago=10, percent=60,
          milestone=("完成方案", today() - timedelta(days=2)))  # fmt: skip
    _item(cast, "检验检查结果互认", "green", cast.jiceng, days_ago=2, percent=10,
          source="public_concern")  # fmt: skip
    _item(cast, "日间手术预约服务", "blue", cast.jiceng, days_ago=14, percent=90)
    _item(cast, "院前告知系统建设", "yellow", None, days_ago=0)
    url = live_server.url

    log_in(page, url, "viewer")
    page.goto(url + "/supervision/")
    groups = page.locator("section.hy-sv-group h2")
    expect(groups).to_have_text(["尚未交办", "基层卫生健康处", "医政医管处"])
    yizheng = page.locator("section.hy-sv-group[data-unit='医政医管处'] tbody tr")
    # The overdue item first, with its light in words; the missed milestone: yellow.
    expect(yizheng.nth(0)).to_contain_text("红灯 · 已逾期")
    expect(yizheng.nth(1)).to_contain_text("黄灯 · 进度滞后")
    expect(page.locator("#sv-chips")).to_contain_text("红灯 已逾期 1")
    expect(page.locator("#sv-new")).to_have_count(0)  # a viewer registers nothing
    screenshot(page, "supervision-09-board-lights")

    page.locator("#sv-chips a[data-light=red]").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text("急救站点布局调整")
    page.locator("#sv-chips a[data-light='']").click()
    page.get_by_label("督办来源").select_option("public_concern")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text("检验检查结果互认")
    screenshot(page, "supervision-10-board-source")

    log_in(phone_page, url, "jiceng")
    phone_page.goto(url + "/supervision/")
    expect(phone_page.locator("section.hy-sv-group h2")).to_have_text(["基层卫生健康处"])
    screenshot(phone_page, "supervision-11-board-phone")
