"""清单化管理 in Chromium (issue 14): the office imports a list drafted in Excel (title row,
merged cells, several measures in a cell), checks the preview and confirms it; the unit
head reports progress on a measure, uploads its evidence and asks for 销号; the list's
owner strikes the measures off, the unit asks for the item's 销号 and the owner accepts it;
the 挂图作战 board shows it struck off and prints on A3 landscape.

Screenshots: test-artifacts/screenshots/lists-*.png; the printed board:
test-artifacts/lists-board.pdf.
"""

import os
import re

import pytest
from playwright.sync_api import Page, expect

from cases.tests.factories import Cast
from lists.models import Item, MeasureStatus, RectList
from lists.tests import messy
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_handler import log_in, open_card

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NAME = "形式主义官僚主义专项整治项目清单"


def submit(page: Page, action: str) -> None:
    page.locator(f"#action-body-{action} button[type=submit]").click()
    page.wait_for_load_state()


def import_the_list(page: Page, url: str, owner: int, tmp_path, screenshot) -> RectList:
    workbook = tmp_path / "专项整治项目清单.xlsx"
    workbook.write_bytes(messy.build())
    page.goto(url + "/lists/")
    page.locator("#hy-list-import").click()
    page.get_by_label("清单文件（.xlsx）").set_input_files(str(workbook))
    page.get_by_label("清单名称").fill(NAME)
    page.get_by_label("开始日期").fill("2026-03-02")
    page.get_by_label("清单负责人（销号审核）").select_option(str(owner))
    screenshot(page, "lists-01-import")
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_text(f"{messy.ITEMS}", exact=False).first).to_be_visible()
    expect(page.get_by_text(messy.item_title(1)).first).to_be_visible()
    screenshot(page, "lists-02-preview")
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_url(re.compile(r"/lists/\d+/$"))
    rect_list = RectList.objects.get(name=NAME)
    assert rect_list.items.count() == messy.ITEMS
    screenshot(page, "lists-03-list")
    return rect_list


def test_from_import_to_strike_off_and_the_printed_board(live_server, page, screenshot, tmp_path):
    cast = Cast()
    url = live_server.url
    log_in(page, url, "coordinator")
    rect_list = import_the_list(page, url, cast.coordinator.pk, tmp_path, screenshot)

    # An item of 医政医管处 whose measures are all its own.
    item = next(
        i
        for i in Item.objects.filter(rect_list=rect_list, case__lead_unit=cast.yizheng)
        .select_related("case")
        .order_by("seq")
        if {m.unit_id for m in i.measures.all()} == {cast.yizheng.pk}
    )
    case_id, measures = item.pk, list(item.measures.order_by("seq"))

    log_in(page, url, "yizheng")
    evidence = tmp_path / "整改佐证.pdf"
    evidence.write_bytes(PDF)
    for m in measures:
        open_card(page, url, case_id, "report_progress")
        card = page.locator("#action-body-report_progress")
        card.locator("select[name=measure]").select_option(str(m.pk))
        card.locator("[name=text]").fill("已制定方案并组织落实。")
        card.locator("input[name=percent]").fill("80")
        if m == measures[0]:
            screenshot(page, "lists-04-progress")
        submit(page, "report_progress")
        expect(page.locator(".alert-success")).to_be_visible()
        form = page.locator("#evidence-form")
        form.locator("select[name=measure]").select_option(str(m.pk))
        form.locator("input[name=file]").set_input_files(str(evidence))
        form.get_by_role("button", name="上传", exact=True).click()
        expect(page.get_by_text("已上传佐证材料：整改佐证.pdf")).to_be_visible()
        open_card(page, url, case_id, "submit_measure")
        page.locator("#action-body-submit_measure select[name=measure]").select_option(str(m.pk))
        submit(page, "submit_measure")
        expect(page.get_by_text("已申请销号，待清单负责人审核")).to_be_visible()
    screenshot(page, "lists-05-submitted")
    assert {m.status for m in item.measures.all()} == {MeasureStatus.SUBMITTED}

    # The owner strikes each measure off; the unit asks for the item's 销号; it is accepted.
    log_in(page, url, "coordinator")
    for m in measures:
        open_card(page, url, case_id, "review_measure")
        card = page.locator("#action-body-review_measure")
        card.locator("select[name=measure]").select_option(str(m.pk))
        card.get_by_text("同意销号").click()
        submit(page, "review_measure")
        expect(page.locator(".alert-success")).to_be_visible()
    log_in(page, url, "yizheng")
    open_card(page, url, case_id, "request_strike_off")
    page.locator("#action-body-request_strike_off [name=note]").fill("整改任务全部完成。")
    submit(page, "request_strike_off")
    expect(page.get_by_text("事项已申请销号，待清单负责人审核")).to_be_visible()
    log_in(page, url, "coordinator")
    open_card(page, url, case_id, "strike_off")
    page.locator("#action-body-strike_off").get_by_text("同意销号").click()
    screenshot(page, "lists-06-strike-off")
    submit(page, "strike_off")
    expect(page.get_by_text("已销号").first).to_be_visible()
    screenshot(page, "lists-07-struck-off")
    item.refresh_from_db()
    assert item.struck_off_on is not None and item.case.state == "closed"

    # The board: the item struck off; printed on A3 landscape.
    page.goto(f"{url}/lists/{rect_list.pk}/board/")
    row = page.locator(f".hy-gantt-item[data-case='{case_id}']").first
    expect(row).to_contain_text("已销号")
    screenshot(page, "lists-08-board")
    page.emulate_media(media="print")
    expect(page.locator("nav.hy-topbar")).to_be_hidden()
    screenshot(page, "lists-09-board-print")
    printed = ARTIFACTS / "lists-board.pdf"
    page.pdf(path=str(printed), prefer_css_page_size=True, print_background=True)
    assert printed.read_bytes().startswith(b"%PDF") and printed.stat().st_size > 10_000
