"""The 台账 at scale (issue 10): its count is exact up to COUNT_LIMIT and "超过 N 件" past
it, exact on request (count=exact); past the limit the pager has no last page but next and
previous, newest first by the id of a row shown (`after` / `before`), so that no row is
lost or shown twice while new cases arrive; the API always counts exactly; and every
kind of page takes the same number of queries whatever the number of cases.

COUNT_LIMIT is lowered to a few cases here: the same code paths as with a thousand."""

import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.tests.helpers import ApiClient, ok
from cases import actions, listing
from cases.listing import CaseFilter, list_cases
from cases.tests.factories import register

pytestmark = pytest.mark.django_db

FROZEN = time_machine.travel(date(2026, 12, 31), tick=False)
LIMIT = 5


@pytest.fixture
def limited(monkeypatch):
    monkeypatch.setattr(listing, "COUNT_LIMIT", LIMIT)


def pile(cast, n: int, *, unit=None) -> list[int]:
    """n registered cases (assigned to `unit` if given), oldest first."""
    found = []
    for i in range(n):
        case = register(cast, on=date(2026, 3, 2), title=f"关于第{i}项工作的建议")
        if unit is not None:
            actions.assign_case(
                case, by=cast.coordinator, lead_unit=unit, assigned_on=date(2026, 3, 5)
            )
        found.append(case.pk)
    return found


def shown(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<a href="/cases/(\d+)/">', html)]


def link(html: str, rel: str) -> str | None:
    """The pager's 上一页 / 下一页 address, None when it is disabled."""
    doc = lxml.html.fromstring(html)
    (a,) = doc.xpath(f'//nav[@aria-label="分页"]//a[@rel="{rel}"]')
    return None if "disabled" in a.getparent().get("class", "") else a.get("href")


def get(client, query: str) -> str:
    response = client.get("/cases/" + query)
    assert response.status_code == 200, response.content.decode()[:500]
    return response.content.decode()


@FROZEN
def test_exact_below_the_limit_and_more_than_it_above(cast, client_for, limited):
    client = client_for(cast.coordinator)
    pile(cast, LIMIT)
    html = get(client, "")
    assert f"共 {LIMIT} 件" in html and "显示确切数目" not in html
    assert "第 1 / 1 页" not in html  # one page: no pager at all
    pile(cast, 1)
    html = get(client, "")
    assert f"超过 {LIMIT} 件" in html and f"共 {LIMIT + 1} 件" not in html
    assert 'href="?count=exact"' in html  # the exact figure on request
    html = get(client, "?count=exact")
    assert f"共 {LIMIT + 1} 件" in html
    page = list_cases(cast.coordinator, CaseFilter(), exact=False)
    assert (page.count, page.count_capped, page.pages) == (LIMIT, True, None)
    page = list_cases(cast.coordinator, CaseFilter(), exact=True)
    assert (page.count, page.count_capped, page.pages) == (LIMIT + 1, False, 1)


@FROZEN
def test_past_the_limit_the_pager_goes_by_id_without_a_last_page(cast, client_for, limited):
    made = pile(cast, 45)
    client = client_for(cast.coordinator)
    html = get(client, "?state=registered")
    assert "超过" in html and "第 1 页" in html and "/ 3 页" not in html
    first = shown(html)
    assert first == sorted(made, reverse=True)[:20]
    assert link(html, "prev") is None
    following = link(html, "next")
    assert parse_qs(urlsplit(following).query) == {
        "state": ["registered"],
        "after": [str(first[-1])],
    }
    # New cases arrive while the user reads: the next pages still follow the first.
    arrived = pile(cast, 3)
    second_html = get(client, following)
    second = shown(second_html)
    assert second == sorted(made, reverse=True)[20:40]
    third_html = get(client, link(second_html, "next"))
    third = shown(third_html)
    assert third == sorted(made, reverse=True)[40:]
    assert link(third_html, "next") is None
    assert sorted(first + second + third) == sorted(made)  # none lost, none twice
    # Back from the third page: the second again, and from it the first as it was read;
    # 回到第一页 shows the newest, the cases that arrived first.
    back = get(client, link(third_html, "prev"))
    assert shown(back) == second
    assert shown(get(client, link(back, "prev"))) == first
    (top,) = lxml.html.fromstring(back).xpath('//a[text()="回到第一页"]/@href')
    assert shown(get(client, top)) == sorted(made + arrived, reverse=True)[:20]


@FROZEN
def test_below_the_limit_numbered_pages_and_every_old_link_still_work(cast, client_for):
    made = pile(cast, 25)
    client = client_for(cast.coordinator)
    html = get(client, "?state=registered")
    assert "共 25 件" in html and "第 1 / 2 页" in html
    assert "?state=registered&amp;page=2" in html
    second = get(client, "?state=registered&page=2")
    assert shown(second) == sorted(made, reverse=True)[20:]
    assert "第 2 / 2 页" in second
    # A page reached by id below the limit: the same rows, and back to the first.
    by_id = get(client, f"?state=registered&after={sorted(made, reverse=True)[19]}")
    assert shown(by_id) == shown(second)
    assert shown(get(client, link(by_id, "prev"))) == sorted(made, reverse=True)[:20]


@FROZEN
def test_a_unit_heads_pages_by_id_are_the_units_own(cast, client_for, limited):
    mine = pile(cast, 25, unit=cast.yizheng)
    pile(cast, 10, unit=cast.jiceng)
    client = client_for(cast.yizheng_head)
    html = get(client, "")
    assert "超过" in html
    rest = get(client, link(html, "next"))
    assert sorted(shown(html) + shown(rest)) == sorted(mine)


@pytest.mark.parametrize("query", ["?after=0", "?before=x", "?count=all", "?page=0"])
def test_bad_paging_parameters_are_named(cast, client_for, query):
    response = client_for(cast.coordinator).get("/cases/" + query)
    assert response.status_code == 400
    assert "无效的筛选条件" in response.content.decode()


@FROZEN
def test_the_api_counts_exactly_past_the_limit(cast, limited):
    pile(cast, LIMIT + 3)
    page = ok(ApiClient("coordinator").get("/cases", {"page_size": 5, "page": 2}))
    assert (page["count"], page["count_capped"], page["pages"]) == (LIMIT + 3, False, 2)
    assert len(page["items"]) == 3


@FROZEN
@pytest.mark.parametrize(
    "query", ["", "?count=exact", "?after={after}", "?before={before}", "?sort=title&page=2"]
)
def test_every_kind_of_page_takes_a_fixed_number_of_queries(cast, client_for, limited, query):
    clients = [client_for(cast.coordinator), client_for(cast.yizheng_head)]

    def queries(client, made) -> int:
        url = query.format(after=made[-3], before=made[2])
        get(client, url)  # the filter choices are cached by the first view
        with CaptureQueriesContext(connection) as ctx:
            get(client, url)
        return len(ctx.captured_queries)

    made = pile(cast, 25, unit=cast.yizheng)
    few = [queries(c, made) for c in clients]
    made += pile(cast, 20, unit=cast.yizheng)
    assert [queries(c, made) for c in clients] == few, query
    assert max(few) <= 14, few
