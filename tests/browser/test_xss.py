"""Stored XSS (issue 9, point 7): script planted in any text a user can type never runs.

Every text that can reach a chart, a table or a tooltip carries an `<img onerror>` and a
`<script>` payload: the unit name (the one the review used: the 各单位按期率 tooltip), the
proposers, the title, the topic, 交办机关, 届次, the content, a handler's name, the reply,
a communication and an opinion. The pages of each role are opened in Chromium — the
dashboard's tooltips shown for every data point and hovered with the mouse — twice:

- with the Content-Security-Policy bypassed, so that only escaping stands between the
  payload and the page: the payload must not run (it would call window.xss()), and must not
  even become an element (no <img src=x> in the page);
- with the policy on, as users get it: nothing runs and no CSP violation is reported from
  our own pages (a violation would mean an inline script or handler of ours, or a payload
  that became markup).

Screenshots: test-artifacts/screenshots/xss-*.png.
"""

import os
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page

from cases import actions
from cases.models import Case
from cases.tests.factories import make_user
from orgs.actions import create_unit
from orgs.models import Role
from tests.browser.conftest import CONTEXT_OPTIONS, DEFAULT_TIMEOUT_MS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

YEAR = 2026
GATES = {"format": True, "policy": True, "content": True, "resolution": True}


def evil(label: str) -> str:
    """`label` then the two payloads; short enough for a 50-character topic."""
    return f"{label}<img src=x onerror=xss()><script>xss()</script>"


UNIT = evil("处")

# Recorded before any page script: payload calls, CSP violations.
INIT = """
window.__xss = [];
window.xss = function () { window.__xss.push(location.pathname); };
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " @" + location.pathname);
});
"""


def plant(cast) -> dict[str, int]:
    """Two cases full of payloads: one replied (it reaches every chart), one in handling."""
    unit = create_unit(by=cast.admin, code="evil", name=UNIT, kind="department")
    head = make_user("evil_head", (unit, Role.HEAD), full_name=evil("长"))
    clerk = make_user("evil_clerk", (unit, Role.HANDLER), full_name=evil("员"))
    common = {
        "category": "npc_suggestion",
        "level": "municipal",
        "year": YEAR,
        "session": evil("届"),
        "issuer": evil("机"),
        "title": evil("标题"),
        "content": evil("内容"),
        "lead_proposer": evil("领"),
        "joint_proposers": [evil("附")],
        "mode": "lead",
        "topics": [evil("题")],
        "received_on": date(YEAR, 3, 2),
    }
    replied = actions.register_case(by=cast.coordinator, number="X-1", **common)
    handling = actions.register_case(by=cast.coordinator, number="X-2", **common)
    for case in (replied, handling):
        actions.assign_case(
            case,
            by=cast.coordinator,
            lead_unit=unit,
            co_units=[cast.jiceng],
            assigned_on=date(YEAR, 3, 3),
        )
        actions.accept_case(case, by=head, handler=clerk, on=date(YEAR, 3, 4))
        actions.communicate(
            case,
            by=clerk,
            stage="during",
            method="phone",
            summary=evil("沟通"),
            participants=evil("人"),
            on=date(YEAR, 3, 5),
        )
    actions.submit_opinion(handling, by=cast.jiceng_head, text=evil("意见"), on=date(YEAR, 3, 6))
    actions.submit_reply(
        replied,
        by=clerk,
        text=evil("答复"),
        reply_class="B",
        contact=evil("联"),
        phone="12345678",
        commitments=[{"what": evil("承诺"), "due": date(YEAR, 12, 31)}],
        on=date(YEAR, 4, 20),
    )
    actions.approve_reply(replied, by=head, approved=True, on=date(YEAR, 4, 21))
    actions.review_reply(
        replied, by=cast.coordinator, passed=True, gates=GATES, on=date(YEAR, 4, 22)
    )
    actions.sign_reply(replied, by=cast.leader, approved=True, on=date(YEAR, 4, 23))
    replied.refresh_from_db()
    return {
        "replied": replied.pk,
        "handling": handling.pk,
        "proposer": replied.lead_proposer.pk,
        "unit": unit.pk,
    }


def context_for(browser: Browser, live_server, username: str, **options) -> BrowserContext:
    """A browser context logged in as `username` (the session cookie of a forced login)."""
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    context = browser.new_context(**CONTEXT_OPTIONS, **options)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.add_init_script(INIT)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def show_every_tooltip(page: Page) -> list[str]:
    """Show the tooltip of every data point of every chart (as a hover does), then hover the
    unit chart's bars with the mouse; returns the texts the unit chart's tooltips showed."""
    page.wait_for_selector("html[data-charts-ready='true']")
    shown = page.evaluate(
        """() => {
            const texts = [];
            document.querySelectorAll("[data-chart]").forEach((el) => {
                const chart = echarts.getInstanceByDom(el);
                chart.getOption().series.forEach((series, s) => {
                    (series.data || []).forEach((_, i) => {
                        chart.dispatchAction({ type: "showTip", seriesIndex: s, dataIndex: i });
                        if (el.dataset.chart === "onTimeByUnit") texts.push(el.textContent);
                    });
                });
                chart.dispatchAction({ type: "hideTip" });
            });
            return texts;
        }"""
    )
    bars = page.evaluate(
        """() => {
            const el = document.querySelector('[data-chart="onTimeByUnit"]');
            const data = echarts.getInstanceByDom(el).getModel().getSeriesByIndex(0).getData();
            const box = el.getBoundingClientRect();
            const found = [];
            for (let i = 0; i < data.count(); i++) {
                const bar = data.getItemLayout(i);
                found.push({ x: box.left + bar.x + Math.max(bar.width, 2) / 2,
                             y: box.top + bar.y + bar.height / 2 });
            }
            return found;
        }"""
    )
    for bar in bars:
        page.mouse.move(bar["x"], bar["y"])
        page.wait_for_timeout(150)
        shown.append(page.locator('[data-chart="onTimeByUnit"]').text_content() or "")
    return shown


def visit(context: BrowserContext, live_server, paths: list[str], *, errors: list[str]) -> Page:
    page = context.new_page()
    page.on(
        "console",
        lambda m: errors.append(f"{m.type}: {m.text} @{page.url}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e} @{page.url}"))
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        assert "<img src=x onerror=xss()>" in page.locator("body").inner_text(), path
        tips = show_every_tooltip(page) if path.startswith("/dashboard/") else []
        page.wait_for_timeout(200)  # an <img src=x> fails to load, then its onerror runs
        assert page.evaluate("window.__xss") == [], f"{path}: a payload ran"
        # The planted unit name reached the tooltip, as text.
        assert not tips or any(UNIT in text for text in tips), tips[:3]
        planted = page.evaluate(
            "() => document.querySelectorAll('img[src=\"x\"], script:not([src]):not([type])').length"
        )
        assert planted == 0, f"{path}: a payload became markup"
        assert page.evaluate("window.__csp") == [], f"{path}: CSP violation"
    return page


def pages(ids: dict[str, int]) -> dict[str, list[str]]:
    case, other = f"/cases/{ids['replied']}/", f"/cases/{ids['handling']}/"
    dashboard = f"/dashboard/?year={YEAR}"
    return {
        "coordinator": [
            "/",
            "/cases/",
            case,
            other,
            f"/cases/{ids['replied']}/print/",
            "/proposers/",
            f"/proposers/{ids['proposer']}/",
            dashboard,
        ],
        "admin": [
            dashboard,
            "/console/units/",
            f"/console/units/{ids['unit']}/",
            "/console/users/",
            case,
        ],
        "evil_head": ["/", case, other, dashboard],
        "evil_clerk": ["/", other],
        "jiceng": [other],
    }


def test_planted_script_never_runs(live_server, browser, screenshot, cast):
    ids = plant(cast)
    assert Case.objects.count() == 2
    for username, paths in pages(ids).items():
        # Escaping alone, the policy bypassed: the payload would run if anything let it in.
        errors: list[str] = []
        context = context_for(browser, live_server, username, bypass_csp=True)
        try:
            visit(context, live_server, paths, errors=errors)
        finally:
            context.close()
        # As users get it: the policy on, and not one violation or script error.
        context = context_for(
            browser, live_server, username, viewport={"width": 1366, "height": 900}
        )
        try:
            page = visit(context, live_server, paths, errors=errors)
            screenshot(page, f"xss-{username}")
            if username == "coordinator":
                page.goto(live_server.url + f"/dashboard/?year={YEAR}")
                show_every_tooltip(page)
                page.evaluate(
                    """() => echarts
                        .getInstanceByDom(document.querySelector('[data-chart="onTimeByUnit"]'))
                        .dispatchAction({ type: "showTip", seriesIndex: 0, dataIndex: 0 })"""
                )
                page.wait_for_timeout(400)
                screenshot(page, "xss-dashboard")  # the planted unit's tooltip, as text
        finally:
            context.close()
        assert errors == [], errors


def test_the_api_docs_work_under_the_policy(live_server, browser, screenshot, cast):
    """django-ninja's Swagger UI loads its script from static files: it renders under the
    policy, without a violation."""
    errors: list[str] = []
    context = context_for(browser, live_server, "admin")
    try:
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        response = page.goto(live_server.url + "/api/v1/docs")
        assert response is not None and response.status == 200
        assert "script-src 'self'" in (response.headers.get("content-security-policy") or "")
        page.locator(".swagger-ui .opblock").first.wait_for()
        assert page.evaluate("window.__csp") == []
        screenshot(page, "xss-api-docs")
    finally:
        context.close()
    assert errors == [], errors
