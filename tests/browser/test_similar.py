"""Similar cases in Chromium (issue 15, "registering a proposal like an earlier one shows
the earlier one"): as the coordinator types a title on 登记办件, the panel beside the
form lists the earlier case with its state, lead unit and the beginning of its reply,
linking to it; the page keeps its strict CSP (no console errors).

Screenshots: test-artifacts/screenshots/similar-*.png.
"""

import os
import re
from datetime import date
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import Page, expect

from cases import actions
from cases.tests.factories import Cast, register
from similar import index

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def log_in(page: Page, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(url + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(f"pw-{username}")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"^(?!.*/login/).*$"))


def test_the_register_page_shows_the_earlier_case(live_server, page, screenshot):
    index.reset()
    cast = Cast()
    old = register(
        cast,
        on=date(2025, 3, 1),
        year=2025,
        title="关于提高乡村医生补助待遇的建议",
        content="乡村医生收入偏低，养老没有保障，建议提高补助标准。",
    )
    actions.assign_case(old, by=cast.coordinator, lead_unit=cast.jiceng, on=date(2025, 3, 2))
    register(cast, on=date(2025, 3, 1), year=2025, title="关于缓解医院停车难的建议")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, live_server.url, "coordinator")
    page.goto(live_server.url + "/cases/new/")
    panel = page.locator("#register-similar")
    expect(panel).to_contain_text("填写标题或内容后")
    page.locator("#f-register-title").fill("关于稳定村医队伍提高村医待遇的建议")
    item = panel.locator(f'[data-similar-case="{old.pk}"]')
    expect(item).to_be_visible()
    expect(item).to_contain_text("关于提高乡村医生补助待遇的建议")
    expect(item).to_contain_text("2025年")
    expect(item).to_contain_text("基层卫生健康处")
    expect(item).to_contain_text("已交办")
    expect(panel).not_to_contain_text("医院停车难")
    screenshot(page, "similar-register")
    href = item.get_by_role("link").get_attribute("href")
    assert href == f"/cases/{old.pk}/"
    assert not [e for e in errors if "Content Security Policy" in e], errors
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "similar-register-phone")


def test_a_long_content_sends_only_its_beginning(live_server, page):
    """5,000 characters of content: the panel still answers (a POST, not a GET whose
    address would pass the server's limit: 414), and sends only what the index reads."""
    index.reset()
    cast = Cast()
    old = register(
        cast,
        on=date(2025, 3, 1),
        year=2025,
        title="关于提高乡村医生补助待遇的建议",
        content="乡村医生收入偏低，养老没有保障，建议提高补助标准。",
    )
    sent: list[tuple[str, dict[str, list[str]]]] = []

    def seen(request) -> None:
        if "/similar/register-panel/" in request.url:
            sent.append((request.method, parse_qs(request.post_data or "")))

    log_in(page, live_server.url, "coordinator")
    page.goto(live_server.url + "/cases/new/")
    page.on("request", seen)
    panel = page.locator("#register-similar")
    content = ("乡村医生收入偏低，养老没有保障，建议提高补助标准。" * 250)[:5000]
    page.locator("#f-register-content").fill(content)
    expect(panel.locator(f'[data-similar-case="{old.pk}"]')).to_be_visible()
    method, data = sent[-1]
    assert method == "POST"
    assert data["content"] == [content[: index.CONTENT_CHARS]]
    assert set(data) <= {"title", "content", "csrfmiddlewaretoken"}
