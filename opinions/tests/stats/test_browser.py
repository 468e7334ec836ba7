"""The statistics page in Chromium: the charts draw under the strict CSP (no console
error), each with its hidden table of figures, the custom dates appear only for 自定义, and
the page holds together on a phone. Screenshots: test-artifacts/screenshots/opinion-stats*.png."""

import os

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

# Playwright's sync API runs an event loop in the test thread; the test reads the database
# between steps from that same thread (as the other browser tests do).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

URL = "/opinions/stats/?period=custom&start=2026-11-02&end=2026-11-08"


def login(page, live_server, username: str) -> None:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.mark.browser
def test_charts_and_tables(live_server, week, page, screenshot):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, live_server, "leader")
    page.goto(live_server.url + URL)
    page.wait_for_selector("html[data-charts-ready='true']")
    assert page.locator('[data-chart="areas"] canvas').count() == 1
    assert page.locator('[data-chart="channels"] canvas').count() == 1
    hidden = page.locator('[data-chart="channels"] + table').inner_text()
    assert "电话" in hidden and "3 条" in hidden
    assert page.locator("#op-unit-table tbody tr").count() == 3
    assert page.locator("#op-start").is_visible()
    screenshot(page, "opinion-stats")
    page.select_option("#op-period", "month")
    assert not page.locator("#op-start").is_visible()
    assert errors == []


@pytest.mark.browser
def test_on_a_phone(live_server, week, phone_page, screenshot):
    login(phone_page, live_server, "jiceng")
    phone_page.goto(live_server.url + URL)
    phone_page.wait_for_selector("html[data-charts-ready='true']")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1  # nothing wider than the screen (the unit table scrolls inside)
    assert phone_page.locator("#op-unit-table tbody tr").count() == 1
    screenshot(phone_page, "opinion-stats-phone")
