"""Fixtures and hooks shared by every test in the project."""

import os

import pytest

from tests.browser import CHROMIUM_MISSING

# Playwright's sync API keeps an asyncio event loop running in the test thread, and Django
# refuses ORM calls from a thread with a running loop. The browser tests drive the page and
# check the database from the same thread, one after the other, so the guard is moot here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    """Make skipped browser tests impossible to miss: a skip is easy to read as a pass."""
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if CHROMIUM_MISSING in str(getattr(report, "longrepr", ""))
    ]
    if skipped:
        terminalreporter.write_sep("!", "browser tests skipped", yellow=True, bold=True)
        terminalreporter.write_line(
            f"{CHROMIUM_MISSING} —— {len(skipped)} 个浏览器测试未运行。",
            yellow=True,
            bold=True,
        )
