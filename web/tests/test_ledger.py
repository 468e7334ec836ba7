"""The 台账 page: the new filters in the form, sortable headers, colours, and the filter in
the URL (filter form → URL → the same form and the same cases)."""

import os
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.tests.test_listing import FROZEN, Ledger

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(cast):
    with FROZEN:
        yield Ledger(cast)


def get(client, query: str = "") -> str:
    response = client.get("/cases/" + query)
    assert response.status_code == 200
    return response.content.decode()


def form_of(html: str) -> list[tuple[str, str]]:
    """What the browser would send: the filter form's fields with a value."""
    form = lxml.html.fromstring(html).get_element_by_id("case-filter")
    return [(k, v) for k, v in form.form_values() if v != ""]


def listed(html: str) -> list[str]:
    doc = lxml.html.fromstring(html)
    return [td.text_content().strip() for td in doc.xpath("//tbody/tr/td[1]")]


@FROZEN
def test_the_filter_round_trip(ledger, client_for):
    """Open a shared link, submit its form unchanged: the same URL, form and cases."""
    client = client_for(ledger_coordinator(ledger))
    params = {
        "state": "handling",
        "unit": "yizheng",
        "handler": "yizheng_clerk",
        "topic": "人才队伍",
        "key": "1",
        "led": "0",
        "issuer": "市人大常委会代表工委",
        "due_within": "5",
        "mode": "lead",
        "year": "2026",
        "q": "基层",
        "sort": "-deadline",
    }
    first = get(client, "?" + urlencode(params))
    assert listed(first) == ["A-003"]
    sent = form_of(first)
    assert dict(sent) == params
    # Submitting the form again gives the same URL (as the browser builds it) and page.
    again = get(client, "?" + urlencode(sent))
    assert form_of(again) == sent and listed(again) == ["A-003"]
    # The selected options and typed values are in the form, and "更多条件" is open.
    doc = lxml.html.fromstring(first)
    assert doc.get_element_by_id("filter-handler").value == "yizheng_clerk"
    assert doc.get_element_by_id("filter-due-within").value == "5"
    assert "show" in doc.get_element_by_id("filter-more").classes


@FROZEN
def test_filters_from_the_form(ledger, client_for):
    client = client_for(ledger_coordinator(ledger))
    for query, expected in [
        ("?reply_class=B", ["C-002"]),
        ("?feedback=none", ["C-002"]),
        ("?feedback=satisfied", ["D-005"]),
        ("?mode=co", ["B-001"]),
        ("?led=1", ["B-001"]),
        ("?issuer=市政协提案委", ["B-001"]),
        ("?topic=中医药", ["B-001"]),
        ("?due_within=5&sort=deadline", ["A-003", "E-004"]),
        ("?key=0&state=replied", ["C-002"]),
    ]:
        assert listed(get(client, query)) == expected, query
    html = get(client)
    # The choices of the new filters come from the data.
    for option in ("市政协提案委", "人才队伍", "赵科员（医政医管处）", "会办", "B类", "未评价"):
        assert option in html, option
    assert 'id="filter-more"' in html and "collapse show" not in html  # closed when unused


@FROZEN
def test_a_unit_head_picks_among_the_people_of_the_unit(ledger, client_for, cast):
    html = get(client_for(cast.yizheng_head))
    assert "赵科员（医政医管处）" in html and "基层卫生健康处）" not in html


@FROZEN
def test_headers_sort_and_keep_the_filter(ledger, client_for):
    client = client_for(ledger_coordinator(ledger))
    html = get(client, "?state=handling&page=1")
    doc = lxml.html.fromstring(html)
    links = {
        a.text_content().strip(): a.get("href")
        for a in doc.xpath("//th/a[contains(@class, 'hy-sort')]")
    }
    assert set(links) == {"编号", "标题", "类别/级别", "状态", "主办处室", "答复期限", "答复类别"}
    href = links["答复期限"]
    assert dict(parse_qsl(urlsplit(href).query)) == {"state": "handling", "sort": "deadline"}

    html = get(client, "?sort=deadline")
    assert listed(html) == ["D-005", "B-001", "C-002", "A-003", "E-004"]
    doc = lxml.html.fromstring(html)
    th = next(th for th in doc.xpath("//th") if "答复期限" in th.text_content())
    assert th.get("aria-sort") == "ascending"
    assert "sort=-deadline" in th.xpath(".//a")[0].get("href")  # click again: descending
    assert listed(get(client, "?sort=-deadline")) == ["E-004", "A-003", "C-002", "B-001", "D-005"]
    assert listed(get(client, "?sort=reply_class"))[:2] == ["D-005", "C-002"]
    assert listed(get(client, "?sort=-state"))[0] == "D-005"


@FROZEN
def test_overdue_red_and_soon_orange(ledger, client_for):
    html = get(client_for(ledger_coordinator(ledger)), "?sort=number")
    doc = lxml.html.fromstring(html)
    rows = {tr.xpath("./td")[0].text_content().strip(): tr for tr in doc.xpath("//tbody/tr")}
    assert "hy-row-overdue" in rows["B-001"].classes
    assert "hy-row-soon" in rows["A-003"].classes and "即将到期" in rows["A-003"].text_content()
    assert not rows["E-004"].classes  # 5 working days on: neither
    assert "已逾期" in html and "3个工作日内到期" in html  # the legend


@FROZEN
def test_statistics_filters_are_kept_in_hidden_fields(ledger, client_for):
    html = get(client_for(ledger_coordinator(ledger)), "?replied=1&role=lead&state=closed")
    assert listed(html) == ["D-005"]
    assert ("replied", "1") in form_of(html) and ("role", "lead") in form_of(html)
    assert "另含统计页带入的筛选条件" in html


@FROZEN
def test_counts_and_pages(ledger, client_for, cast):
    from cases.tests.factories import register

    for i in range(25):
        register(cast, on=ledger.e.received_on, title=f"补充建议{i}")
    client = client_for(ledger_coordinator(ledger))
    html = get(client, "?state=registered")
    assert "共 26 件" in html and "第 1 / 2 页" in html
    html = get(client, "?state=registered&sort=title&page=2")
    assert "第 2 / 2 页" in html and len(listed(html)) == 6
    assert "state=registered&amp;sort=title&amp;page=1" in html  # paging keeps filter and sort


@FROZEN
@pytest.mark.parametrize(
    "query",
    [
        "",
        "?sort=unit&key=0",
        "?due_within=10&sort=-deadline",
        "?handler=yizheng_clerk&topic=基层卫生&sort=state",
        "?feedback=none&led=0&sort=-reply_class&issuer=市政协提案委",
    ],
)
def test_the_list_takes_a_fixed_number_of_queries(cast, client_for, query):
    from datetime import date

    from cases import actions
    from cases.tests.factories import register

    def pile(n):
        for i in range(n):
            case = register(cast, on=date(2026, 7, 1), is_key=bool(i % 2))
            actions.assign_case(
                case,
                by=cast.coordinator,
                lead_unit=[cast.yizheng, cast.jiceng][i % 2],
                co_units=[cast.zhongyi],
                assigned_on=date(2026, 7, 1),
            )

    def queries(client) -> int:
        with CaptureQueriesContext(connection) as ctx:
            get(client, query)
        return len(ctx.captured_queries)

    clients = [client_for(cast.coordinator), client_for(cast.yizheng_head)]
    # The header's commission name is cached from the first view on (letters.context_processors).
    get(clients[0], query)
    pile(5)
    five = [queries(client) for client in clients]
    pile(20)
    assert [queries(client) for client in clients] == five, query
    # One reads the page's 承办人 column, one the commission's name for the header; the
    # session is not saved any more (3 fewer); the first view of the five also reads the
    # 交办机关 and 主题 choices, which the other then finds in the cache (2 fewer).
    assert max(five) <= 14, five


def ledger_coordinator(ledger):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="coordinator")


# In Chromium: choose filters in the form, submit, and open the URL it made in a new page.
# Playwright's sync API runs an event loop in this thread; the ORM would otherwise refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_filter_form_to_url_and_back_in_the_browser(live_server, page, browser, screenshot):
    from cases.tests.factories import Cast

    with FROZEN:
        cast = Cast()
        Ledger(cast)
    page.goto(live_server.url + "/login/")
    page.get_by_label("用户名").fill("coordinator")
    page.get_by_label("密码").fill("pw-coordinator")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()

    page.goto(live_server.url + "/cases/")
    page.get_by_label("状态").select_option(label="已答复")
    page.get_by_role("button", name="更多条件").click()
    page.locator("#filter-more.show").wait_for()
    page.get_by_label("答复类别").select_option(label="B类")
    page.get_by_label("评价").select_option(label="未评价")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**/cases/?*")
    url = page.url
    # Only the chosen filters, in the form's order.
    assert urlsplit(url).query == "state=replied&reply_class=B&feedback=none"
    assert page.locator("tbody tr").count() == 1
    screenshot(page, "ledger-filtered")

    shared = browser.new_context(locale="zh-CN").new_page()
    shared.goto(live_server.url + "/login/?next=" + quote(url.removeprefix(live_server.url)))
    shared.get_by_label("用户名").fill("coordinator")
    shared.get_by_label("密码").fill("pw-coordinator")
    shared.get_by_role("button", name="登录").click()
    shared.wait_for_url("**/cases/?*")
    assert shared.url == url
    assert shared.get_by_label("状态").input_value() == "replied"
    assert shared.get_by_label("答复类别").input_value() == "B"
    assert shared.get_by_label("评价").input_value() == "none"
    assert shared.locator("#filter-more").is_visible()
    assert shared.locator("tbody tr").count() == 1
    shared.context.close()


@FROZEN
def test_the_ledger_counts_working_days_as_todo_does(cast, client_for):
    """剩/逾期 in working days, the words of 我的待办 (issue 9, one set of figures)."""
    from datetime import date

    from cases import actions
    from cases.tests.factories import register

    for due in (date(2026, 9, 22), date(2026, 9, 30)):
        case = register(cast, on=date(2026, 9, 1), explicit_deadline=due)
        actions.assign_case(
            case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 9, 1)
        )
    html = get(client_for(cast.coordinator))
    # 9-23 … 9-29 (Tuesday, today) without 9-25, 中秋节: four working days past the 22nd;
    # the 30th is the next working day.
    assert "逾期 4 个工作日" in html
    assert "剩 1 个工作日" in html
