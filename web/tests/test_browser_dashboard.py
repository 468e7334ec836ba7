"""The dashboard in Chromium: the charts render (ECharts canvases), a figure opens its list,
the unit table sorts. Screenshots: test-artifacts/screenshots/dashboard*.png.

It lives in web/tests because the Playwright fixtures are session-wide and shared through
web/tests/conftest.py: a second copy of them in another folder would start a second
Playwright in the same session, which Playwright refuses."""

import os

import pytest

from reports.stats import year_stats
from reports.tests.conftest import bulk_cases, year  # noqa: F401 (the hand-made year)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's sync API runs an event loop in this thread (see web/tests/test_browser_smoke.py).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
CHARTS = 7


def log_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(f"pw-{username}")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")


def open_dashboard(page, live_server, query: str = "year=2026") -> None:
    page.goto(f"{live_server.url}/dashboard/?{query}")
    page.wait_for_selector("html[data-charts-ready='true']")
    assert page.locator(".hy-chart canvas").count() == CHARTS


def test_the_dashboard_renders_its_charts(
    live_server,
    page,
    phone_page,
    screenshot,
    year,  # noqa: F811 (the fixture imported above)
    cast,
):
    bulk_cases(cast, 80, 2026)
    bulk_cases(cast, 40, 2025, seed=9, prefix="P")
    s = year_stats(2026)

    log_in(page, live_server, "coordinator")
    page.get_by_role("link", name="统计").click()
    page.wait_for_url(f"{live_server.url}/dashboard/")
    page.wait_for_selector("html[data-charts-ready='true']")
    open_dashboard(page, live_server)
    assert page.locator('[data-card="total"] .hy-kpi-value a').inner_text() == str(s["total"])
    screenshot(page, "dashboard")

    # A click on a bar opens the list of the cases it counts (scrolled to: the key figures
    # above it take three rows with 承诺兑现率).
    page.locator('[data-chart="categoryLevel"]').scroll_into_view_if_needed()
    point = page.evaluate(
        """() => {
            const el = document.querySelector('[data-chart="categoryLevel"]');
            const chart = echarts.getInstanceByDom(el);
            const data = chart.getOption().series[0].data[1];
            const bar = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(1);
            const box = el.getBoundingClientRect();
            return {
                x: box.left + bar.x + bar.width / 2,
                y: box.top + bar.y + bar.height / 2,
                count: data.count,
            };
        }"""
    )
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url("**/cases/?*category=npc_suggestion*level=municipal*")
    assert page.get_by_text(f"共 {point['count']} 件").is_visible()

    # A key figure opens its list too.
    open_dashboard(page, live_server)
    page.locator('[data-card="on_time"] .hy-kpi-figures a').first.click()
    page.wait_for_url("**/cases/?*on_time=1*")
    assert page.get_by_text(f"共 {s['replied_on_time']} 件").is_visible()

    # The unit table sorts by a column, within its groups (委机关处室, 委直属单位, 县区).
    open_dashboard(page, live_server)
    table = page.locator("#unit-table")
    table.get_by_role("button", name="总件数").click()
    city = table.locator('tbody[data-group="divisions"] tr:not(.hy-subtotal) td:nth-child(2)')
    totals = [int(t) for t in city.all_inner_texts()]
    assert totals == sorted(totals, reverse=True) and len(totals) > 2
    table.get_by_role("button", name="总件数").click()
    totals = [int(t) for t in city.all_inner_texts()]
    assert totals == sorted(totals)
    screenshot(page, "dashboard-sorted")

    # A unit head, on a phone: the same page for their unit.
    log_in(phone_page, live_server, "yizheng")
    open_dashboard(phone_page, live_server)
    assert "医政医管处主办" in phone_page.locator("h1").inner_text()
    screenshot(phone_page, "dashboard-phone")
