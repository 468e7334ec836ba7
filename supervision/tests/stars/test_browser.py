"""The ratings page in Chromium: it renders under the strict CSP with no console error,
the stars and each unit's working are on screen, and it holds together on a phone (the unit
table scrolls inside its card). Screenshots: test-artifacts/screenshots/supervision-stats*.png."""

import os

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from reminders.tests.conftest import frozen
from supervision.tests.stars.conftest import AS_OF

# Playwright's sync API runs an event loop in the test thread; the test reads the database
# between steps from that same thread (as the other browser tests do).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser]
URL = "/supervision/stats/?period=2026-Q2"


def login(page, live_server, username: str) -> None:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_the_page(live_server, quarter, page, screenshot):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, live_server, "leader")
    with frozen(AS_OF):
        page.goto(live_server.url + URL)
    assert page.locator("#sv-unit-table tbody tr[data-unit]").count() == 3
    assert page.locator("#sv-score-table tbody tr[data-unit]").count() == 3
    assert page.locator('[data-star="efficiency"] [data-winner]').count() == 2
    assert "80.75" in page.locator('[data-working="jiceng"]').inner_text()
    assert page.locator("#sv-draft").is_visible()
    screenshot(page, "supervision-stats")
    assert errors == []


def test_on_a_phone(live_server, quarter, phone_page, screenshot):
    login(phone_page, live_server, "jiceng")
    with frozen(AS_OF):
        phone_page.goto(live_server.url + URL)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1
    assert phone_page.locator("#sv-unit-table tbody tr[data-unit]").count() == 1
    screenshot(phone_page, "supervision-stats-phone")
