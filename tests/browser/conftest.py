"""Playwright fixtures for end-to-end tests in Debian's Chromium.

Playwright's own browser download cannot work here, so the tests drive the system
Chromium (`apt-get install chromium fonts-noto-cjk`). A test looks like:

    @pytest.mark.browser
    def test_login(live_server, page, screenshot):
        page.goto(live_server.url + "/login/")
        screenshot(page, "login")

`live_server` comes from pytest-django and brings `transactional_db` with it, so the
server thread sees the rows a test creates. Without Chromium the tests are skipped with a
notice, unless HUIYIN_REQUIRE_BROWSER=1 (as in CI), which turns the skip into a failure.
"""

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser import CHROMIUM_MISSING

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
FAILURES = ARTIFACTS / "failures"

# Headless, as root, on a machine with no network but loopback: without the background
# networking flags Chromium keeps trying to reach Google's hosts at every start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Playwright's 30 s default turns one broken selector into a long wait; pages here are local.
# 20 s, not 10: CI runs two test suites at once on two cores, and a page that loads its
# fonts and scripts in 10 s alone took longer there.
DEFAULT_TIMEOUT_MS = 20_000
CONTEXT_OPTIONS = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture(scope="session")
def chromium_path() -> str:
    system = Path("/usr/bin/chromium")
    path = str(system) if os.access(system, os.X_OK) else shutil.which("chromium")
    if path:
        return path
    if os.environ.get("HUIYIN_REQUIRE_BROWSER") == "1":
        pytest.fail(
            "HUIYIN_REQUIRE_BROWSER=1 but Chromium is not installed "
            "(apt-get install chromium fonts-noto-cjk)",
            pytrace=False,
        )
    pytest.skip(CHROMIUM_MISSING)


# Each test folder that imports these fixtures (web/tests, reports/tests …) gets its own
# definition of `browser`, so a run of several folders sets it up several times; but a
# thread can run only one Playwright at a time. They share one, closed by the last user.
_shared: dict[str, Any] = {"users": 0}


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    if not _shared["users"]:
        playwright = sync_playwright().start()
        try:
            _shared["browser"] = playwright.chromium.launch(
                executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
            )
        except BaseException:
            playwright.stop()
            raise
        _shared["playwright"] = playwright
    _shared["users"] += 1
    try:
        yield _shared["browser"]
    finally:
        _shared["users"] -= 1
        if not _shared["users"]:
            try:
                _shared.pop("browser").close()
            finally:
                _shared.pop("playwright").stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    # Keep each phase's report on the item, so the page fixtures know whether the test failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _page(browser: Browser, request: pytest.FixtureRequest, **options) -> Iterator[Page]:
    context = browser.new_context(**CONTEXT_OPTIONS, **options)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed and not page.is_closed():
            # What the page showed when the test failed: the quickest way to see why in CI.
            FAILURES.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid).strip("_")
            try:
                page.screenshot(path=str(FAILURES / f"{name}.png"), full_page=True)
            except Exception as exc:  # the failure itself matters more than its picture
                print(f"failure screenshot not taken: {exc}")
        context.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A desktop page: 1366×900, zh-CN, Asia/Shanghai, in a fresh context (no cookies)."""
    yield from _page(browser, request, viewport={"width": 1366, "height": 900})


@pytest.fixture
def phone_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A phone-sized touch page (390×844), for the mobile layouts."""
    yield from _page(
        browser,
        request,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    """screenshot(page, "name") saves a full-page PNG to test-artifacts/screenshots/name.png."""

    def take(page: Page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
