"""回头看 in Chromium (issue 15): last year's B-class promises, still tracked after the case
closed. The office opens the list (figures at the top, an overdue promise flagged); the
owner unit's head records on the closed case that one promise was not kept, is asked for
the reason, gives it; the list then counts it as 未兑现 with its reason, and exports.

Screenshots: test-artifacts/screenshots/promises-*.png.
"""

import os
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from audit.record import today
from cases.tests.factories import Cast
from promises.tests.helpers import promised_case
from tests.browser.test_handler import log_in, open_card

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_the_promises_of_last_year_after_closing(live_server, page, screenshot):
    cast = Cast()
    year = today().year - 1
    case = promised_case(
        cast,
        year=year,
        title="关于建设区域医疗中心的建议",
        promises=[
            ("启动区域医疗中心建设", date(year, 10, 30)),
            ("建成并投入使用", today() + timedelta(days=200)),
        ],
    )
    assert case.state == "closed"
    url = live_server.url

    log_in(page, url, "coordinator")
    page.goto(url + "/promises/")
    expect(page.locator("#hy-promises-title")).to_contain_text(
        f"{year}年B类、C类件承诺事项兑现情况"
    )
    expect(page.locator('[data-figure="total"]')).to_have_text("2")
    expect(page.locator('[data-figure="overdue"]')).to_have_text("1")
    expect(page.locator("#hy-promises-table")).to_contain_text("逾期")
    screenshot(page, "promises-01-list")

    log_in(page, url, "yizheng")
    open_card(page, url, case.pk, "update_commitment")
    card = page.locator("#action-body-update_commitment")
    promise = case.commitments.get(what="启动区域医疗中心建设")
    card.locator("select[name=id]").select_option(str(promise.pk))
    card.locator("select[name=status]").select_option("unfulfilled")
    card.locator("[name=note]").fill("项目未获立项。")
    screenshot(page, "promises-02-card")
    card.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.get_by_text("未兑现须填写原因").first).to_be_visible()
    card = page.locator("#action-body-update_commitment")
    card.locator("[name=reason]").fill("省级项目资金未下达")
    card.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("#commitments")).to_contain_text("省级项目资金未下达")
    screenshot(page, "promises-03-case")

    log_in(page, url, "coordinator")
    page.goto(url + "/promises/")
    expect(page.locator('[data-figure="unfulfilled"]')).to_have_text("1")
    expect(page.locator('[data-figure="rate"]')).to_have_text("0.0%")
    expect(page.locator("#hy-promises-table")).to_contain_text("省级项目资金未下达")
    with page.expect_download() as download:
        page.locator("#hy-promises-docx").click()
    assert download.value.suggested_filename.endswith(".docx")
    screenshot(page, "promises-04-after")


def test_the_list_on_a_phone(live_server, page, screenshot):
    """390 px wide: the promise, its due date and its status fit; the case's number, class,
    proposer and unit read under the promise (as lists/ do on a phone)."""
    cast = Cast()
    year = today().year - 1
    promised_case(
        cast,
        year=year,
        title="关于加快社区医院建设的建议",
        promises=[
            ("年内新建社区医院5家", date(year, 12, 12)),
            ("完善家庭医生签约服务包", today() + timedelta(days=200)),
        ],
    )
    log_in(page, live_server.url, "coordinator")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + f"/promises/?year={year}")
    table = page.locator("#hy-promises-table")
    expect(table).to_contain_text("年内新建社区医院5家")
    wrapper_overflow = page.evaluate(
        "() => { const w = document.querySelector('#hy-promises-table').parentElement;"
        " return w.scrollWidth - w.clientWidth; }"
    )
    assert wrapper_overflow <= 1, wrapper_overflow
    status = table.locator("thead th", has_text="状态")
    box = status.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    expect(table.locator("thead th", has_text="编号")).to_be_hidden()
    late = table.locator("tr[data-late]")
    expect(late).to_have_count(1)
    expect(late.locator(".badge.text-bg-danger")).to_be_visible()
    expect(late.locator(".d-md-none a")).to_be_visible()  # the case's number, linked
    # A promise's text is not one character a line: its cell is at least 8em wide.
    what = late.locator("td").nth(4).bounding_box()
    assert what is not None and what["width"] >= 120, what
    screenshot(page, "promises-05-phone")
