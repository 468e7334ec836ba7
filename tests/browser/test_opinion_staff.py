"""群众意见建议 from the staff's side in Chromium (issue 12): the office enters a call with
the keyboard (quick entry: Enter saves and the form is ready for the next call), the leader
forwards it the same day on the opinion's page, the unit signs for it and answers, the
office calls back and records the rating; the viewer sees the phone masked.

Screenshots: test-artifacts/screenshots/opinion-staff-*.png.
"""

import os

import pytest
from playwright.sync_api import Page, expect

from cases.models import Case
from cases.tests.factories import Cast
from tests.browser.test_handler import log_in, open_card

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CALL = "市一院门诊挂号要排一个多小时，建议增加自助挂号机。"


def _submit_card(page: Page, action: str) -> None:
    page.locator(f"#action-body-{action} button[type=submit]").last.click()
    page.wait_for_load_state()


def test_a_call_from_entry_to_rating(live_server, page, screenshot):
    Cast()
    url = live_server.url
    page.set_viewport_size({"width": 1366, "height": 900})

    log_in(page, url, "coordinator")
    page.goto(url + "/opinions/quick/")
    page.get_by_label("反映人").fill("王女士")
    page.get_by_label("联系电话").fill("13812341234")
    page.get_by_label("内容").fill(CALL)
    screenshot(page, "opinion-staff-01-quick-entry")
    page.get_by_label("联系电话").press("Enter")  # Enter in a one-line field saves
    saved = page.locator("#quick-saved")
    expect(saved).to_contain_text("已登记 YJ")
    expect(page.get_by_label("内容")).to_have_value("")  # ready for the next call
    screenshot(page, "opinion-staff-02-saved")
    case = Case.objects.get(category="public_opinion")

    log_in(page, url, "leader")
    open_card(page, url, case.pk, "forward")
    page.locator("#action-body-forward select[name=lead_unit]").select_option("yizheng")
    screenshot(page, "opinion-staff-03-forward")
    _submit_card(page, "forward")
    expect(page.locator(".hy-facts")).to_contain_text("医政医管处")

    log_in(page, url, "yizheng")
    open_card(page, url, case.pk, "accept")
    _submit_card(page, "accept")
    open_card(page, url, case.pk, "answer")
    body = page.locator("#action-body-answer")
    body.locator("select[name=result]").select_option("solvable")
    body.locator("textarea[name=text]").fill("已在门诊大厅增设6台自助挂号机。")
    screenshot(page, "opinion-staff-04-answer")
    _submit_card(page, "answer")
    expect(page.locator("#opinion")).to_contain_text("已在门诊大厅增设6台自助挂号机")
    # The unit answers the person: the number masked on the page, in full after 显示完整号码
    # (a reveal in the security trail).
    expect(page.locator(".hy-facts")).to_contain_text("138****1234")
    page.get_by_role("button", name="显示完整号码").click()
    expect(page.locator("main")).to_contain_text("13812341234")

    log_in(page, url, "coordinator")
    open_card(page, url, case.pk, "callback")
    body = page.locator("#action-body-callback")
    body.locator("input[name=reached]").check()
    body.locator("select[name=rating]").select_option("satisfied")
    _submit_card(page, "callback")
    expect(page.locator(".hy-case-header")).to_contain_text("已办结")
    screenshot(page, "opinion-staff-05-closed")

    log_in(page, url, "viewer")
    page.goto(f"{url}/cases/{case.pk}/")
    expect(page.locator(".hy-facts")).to_contain_text("138****1234")
    assert "13812341234" not in page.content()
    screenshot(page, "opinion-staff-06-viewer-masked")
