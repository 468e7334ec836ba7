"""The dashboard: who sees what, every figure equals the count of the list it links to, and
the number of queries does not grow with the number of cases."""

import json
import re
from datetime import date
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import time_machine
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases.listing import CaseFilter, list_cases
from cases.tests.factories import make_unit, make_user
from orgs.models import Role, UnitKind
from promises.views import promise_count
from reports.stats import year_stats
from reports.tests.conftest import bulk_cases

pytestmark = pytest.mark.django_db


class _Figures(HTMLParser):
    """Every linked figure of a page: (count shown, href)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[int, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and "data-count" in a:
            self.found.append((int(a["data-count"]), a["href"]))


def figures(html: str) -> list[tuple[int, str]]:
    parser = _Figures()
    parser.feed(html)
    return parser.found


def chart_data(html: str) -> dict:
    match = re.search(
        r'<script id="hy-dashboard-data" type="application/json">(.*?)</script>', html
    )
    assert match, "the charts' data is missing"
    return json.loads(unescape(match.group(1)))


def chart_points(data) -> list[tuple[int, str]]:
    """Every data point of every chart that links to a list: (count, url)."""
    if isinstance(data, dict):
        found = [(data["count"], data["url"])] if "url" in data else []
        for value in data.values():
            found += chart_points(value)
        return found
    if isinstance(data, list):
        return [p for item in data for p in chart_points(item)]
    return []


def list_count(user, url: str) -> int:
    parts = urlsplit(url)
    if parts.path == "/promises/":  # 承诺兑现率's figures: the 回头看 list
        return promise_count(user, QueryDict(parts.query))
    assert parts.path == "/cases/", url
    return list_cases(user, CaseFilter.from_params(QueryDict(parts.query))).count


def dashboard(user, query: str = "year=2026") -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    response = client.get(f"/dashboard/?{query}")
    return response.status_code, response.content.decode()


def card_count(html: str, key: str) -> int:
    """The first linked big number of a key-figure card."""
    block = html.split(f'data-card="{key}"', 1)[1]
    return figures(block)[0][0]


@pytest.fixture
def busy_year(year, cast):
    """The hand-made year, plus 60 varied cases of 2026 and 20 of 2025 (市直 and 县区)."""
    bulk_cases(cast, 60, 2026)
    bulk_cases(cast, 20, 2025, seed=9, prefix="P")
    return year


# ── every figure links to the list it counts ────────────────────────────────────────────


@pytest.mark.parametrize("on", [date(2026, 5, 26), date(2026, 12, 31)])
@pytest.mark.parametrize("who", ["coordinator", "yizheng_head", "coordinator:jiceng"])
def test_every_linked_figure_equals_the_count_of_its_list(busy_year, cast, who, on):
    username, _, unit = who.partition(":")
    user = getattr(cast, username)
    with time_machine.travel(on, tick=False):
        status, html = dashboard(user, "year=2026" + (f"&unit={unit}" if unit else ""))
        assert status == 200
        links = figures(html)
        points = chart_points(chart_data(html))
        assert len(links) > 25 and len(points) > 25
        wrong = [
            (count, url, list_count(user, url))
            for count, url in links + points
            if list_count(user, url) != count
        ]
    assert not wrong, wrong[:5]


def test_the_figures_are_the_statistics(busy_year, cast):
    s = year_stats(2026)
    _, html = dashboard(cast.leader)
    assert card_count(html, "total") == s["total"]
    assert card_count(html, "leader_led") == s["leader_led"]
    assert card_count(html, "replied") == s["replied"]
    assert f"{s['on_time_rate'] * 100:.1f}%" in html
    data = chart_data(html)
    assert [p["count"] for p in data["replyClasses"]] == list(s["reply_class"].values())
    assert [p["count"] for p in data["feedback"]] == list(s["feedback"].values())
    months = data["monthly"]
    assert sum(p["count"] for p in months["received"]) == s["total"]
    assert sum(p["count"] for p in months["answered"]) == s["replied"]
    assert sum(p["count"] for p in data["states"]) == s["total"]


def test_the_dashboard_counts_what_year_stats_counts(busy_year, cast):
    from reports.dashboard import dashboard_data

    for unit in (None, cast.yizheng, cast.jiceng):
        data = dashboard_data(2026, unit)
        assert data["stats"] == year_stats(2026, unit)
        previous = year_stats(2025, unit)
        assert data["previous"] == {
            k: v
            for k, v in previous.items()
            if k not in ("unit", "as_of", "by_category_level", "by_topic", "by_unit", "outcomes")
        }


def test_the_unit_table_groups_city_units_and_counties(busy_year, cast):
    _, html = dashboard(cast.coordinator)
    assert "委机关处室小计" in html and "委直属单位小计" in html and "县区卫健局小计" in html
    counties = [c for c, url in figures(html) if "lead_unit_kind=county" in url]
    by_unit = {row["unit"]: row for row in year_stats(2026)["by_unit"]}
    assert counties[0] == by_unit["jiangan"]["total"] + by_unit["hongshan"]["total"]


def test_previous_year_changes(busy_year, cast):
    s, prev = year_stats(2026), year_stats(2025)
    _, html = dashboard(cast.coordinator)
    block = html.split('data-card="total"', 1)[1].split('class="hy-kpi-figures"', 1)[0]
    assert (
        f'较2025年 <span class="hy-trend hy-trend-up">▲ {s["total"] - prev["total"]}</span>'
        in block
    )


def test_an_empty_year_shows_zeros_without_errors(cast):
    status, html = dashboard(cast.coordinator, "year=2019")
    assert status == 200
    assert "2018年无数据" in html and "—" in html
    assert all(count == 0 for count, _ in figures(html))


# ── who sees what ───────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin", 200),
        ("coordinator", 200),
        ("leader", 200),
        ("viewer", 200),
        ("yizheng_head", 200),
        ("yizheng_handler", 403),
        ("outsider", 403),
    ],
)
def test_who_may_open_the_dashboard(cast, username, expected):
    status, html = dashboard(getattr(cast, username))
    assert status == expected
    if expected == 403:
        assert "统计" in html and "Traceback" not in html


def test_anonymous_is_sent_to_log_in(db):
    response = Client().get("/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_unit_head_sees_only_their_units_cases(busy_year, cast):
    status, html = dashboard(cast.yizheng_head)
    assert status == 200
    mine = year_stats(2026, cast.yizheng)
    assert card_count(html, "total") == mine["total"] < year_stats(2026)["total"]
    assert "医政医管处主办" in html
    table = html.split('id="unit-table"', 1)[1].split("</table>", 1)[0]
    assert "医政医管处" in table and "基层卫生健康处" not in table
    assert 'id="dash-report"' not in html  # the annual summary is the commission's
    # Naming another unit is refused; naming their own is fine.
    assert dashboard(cast.yizheng_head, "year=2026&unit=jiceng")[0] == 403
    assert dashboard(cast.yizheng_head, "year=2026&unit=yizheng")[0] == 200


def test_a_head_of_two_units_may_switch_between_them(busy_year, cast):
    both = make_user("both", (cast.yizheng, Role.HEAD), (cast.jiceng, Role.HEAD))
    _, html = dashboard(both)
    assert 'id="dash-unit"' in html and "全委" not in html.split('id="dash-unit"', 1)[1][:200]
    _, html = dashboard(both, "year=2026&unit=jiceng")
    assert card_count(html, "total") == year_stats(2026, cast.jiceng)["total"]


def test_commission_roles_may_look_at_one_unit(busy_year, cast):
    _, html = dashboard(cast.viewer, "year=2026&unit=jiceng")
    assert card_count(html, "total") == year_stats(2026, cast.jiceng)["total"]


@pytest.mark.parametrize("query", ["year=abc", "year=1999", "year=2026&unit=nosuch"])
def test_a_bad_year_or_unit_shows_a_warning_not_an_error(cast, query):
    status, html = dashboard(cast.coordinator, query)
    assert status == 200 and 'class="alert alert-warning' in html


def test_the_nav_shows_statistics_to_those_who_may_see_them(cast):
    for user, shown in [
        (cast.leader, True),
        (cast.jiceng_head, True),
        (cast.yizheng_handler, False),
    ]:
        client = Client()
        client.force_login(user)
        html = client.get("/cases/").content.decode()
        assert ('href="/dashboard/"' in html) is shown, user


def test_the_page_loads_echarts_from_our_own_server(cast):
    _, html = dashboard(cast.coordinator)
    assert "/static/vendor/echarts/echarts.min.js" in html
    assert "/static/reports/dashboard.js" in html
    assert "cdn" not in html.lower()


# ── the number of queries does not grow with the cases ─────────────────────────────────


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/dashboard/?year=2026").status_code == 200
    return len(captured.captured_queries)


# session, user, roles, units, organisation, years; the summary cells of two years, the
# open cases' live counts, unit names, topics, months; two deadline lists, two calendars.
MAX_DASHBOARD_QUERIES = 18


@pytest.mark.parametrize("username", ["coordinator", "yizheng_head"])
def test_dashboard_queries_do_not_grow_with_cases(cast, username, django_assert_max_num_queries):
    client = Client()
    client.force_login(getattr(cast, username))
    client.get("/dashboard/?year=2026")  # the session's first save is not the page's work
    bulk_cases(cast, 5, 2026)
    bulk_cases(cast, 5, 2025, prefix="P")
    with django_assert_max_num_queries(MAX_DASHBOARD_QUERIES):
        few = _queries(client)
    bulk_cases(cast, 45, 2026, seed=11, prefix="C")
    bulk_cases(cast, 45, 2025, seed=12, prefix="Q")
    with django_assert_max_num_queries(MAX_DASHBOARD_QUERIES):
        many = _queries(client)
    assert few == many


def test_statistics_queries_do_not_grow_with_cases(cast, django_assert_max_num_queries):
    from reports.summary import summary_data

    bulk_cases(cast, 5, 2026)
    # Cells, open cases, unit names, topics, the promises (回头看); the summary adds last
    # year's cells and open cases, the leader-led cases and the outcomes by kind.
    with django_assert_max_num_queries(5):
        year_stats(2026)
    with django_assert_max_num_queries(9):
        summary_data(2026)
    bulk_cases(cast, 45, 2026, seed=11, prefix="C")
    with django_assert_max_num_queries(5):
        year_stats(2026)
    with django_assert_max_num_queries(9):
        summary_data(2026)


def test_a_county_unit_head_sees_their_county(cast):
    county = make_unit("wuchang", "武昌区卫健局", UnitKind.COUNTY)
    head = make_user("wuchang", (county, Role.HEAD))
    status, html = dashboard(head)
    assert status == 200 and "武昌区卫健局主办" in html


def test_the_statistics_filters_show_as_chips_on_the_ledger(cast, rf):
    from django.template import Context, Template

    from orgs.models import UnitKind as Kind

    make_unit("jiangan", "江岸区卫健局", Kind.COUNTY)
    request = rf.get(
        "/cases/?year=2026&counted=1&role=lead&on_time=0&met=1&lead_unit=yizheng,-"
        "&lead_unit_kind=county&replied_from=2026-03-01&replied_to=2026-03-31&page=2"
    )
    html = Template("{% load reports_tags %}{% stat_filters %}").render(
        Context({"request": request})
    )
    for words in (
        "统计口径：议提案，不含已撤回",
        "主办（含承办、分办）",
        "逾期答复",
        "与代表委员当面沟通",
        "主办单位：医政医管处、尚未交办",
        "主办单位类型：县区卫健局",
        "答复日期：2026-03-01 至 2026-03-31",
    ):
        assert words in html
    # The ledger's own form keeps them as hidden inputs; the chips only show them.
    assert '<input type="hidden"' not in html
    # Removing one keeps the others (and starts again at page 1).
    assert 'href="/cases/?year=2026&amp;counted=1&amp;role=lead&amp;met=1' in html
    assert "page=2" not in html
    assert (
        Template("{% load reports_tags %}{% stat_filters %}")
        .render(Context({"request": rf.get("/cases/?year=2026")}))
        .strip()
        == ""
    )
