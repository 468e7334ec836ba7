"""督办一览 (/supervision/): open items grouped by lead unit with their live lights, the
light counts as filters, the source filter, each user's scope, a bounded page and a number
of queries that does not grow with the items."""

from datetime import date

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reminders.tests.conftest import frozen
from supervision import actions, board
from supervision.tests.board.conftest import TODAY, item

pytestmark = pytest.mark.django_db

URL = "/supervision/"
GROUPS = "//section[contains(@class, 'hy-sv-group')]"
# light_of counts the working days to a deadline on the board's one calendar only once it
# takes one (supervision.light: `span`); until then it loads a calendar per item.


@pytest.fixture
def items(cast):
    """On Monday 2026-11-09: one item of each light, one not yet assigned, one whose report
    awaits its check, and one closed."""
    made = {
        # Red, due Thursday 11-05: overdue.
        "red": item(cast, title="红灯：急救站点布局", urgency="red", unit=cast.yizheng, percent=30),
        # Blue (due 11-17) with a milestone of 11-06 not reached: yellow.
        "yellow": item(
            cast,
            title="黄灯：预约诊疗",
            unit=cast.yizheng,
            percent=40,
            milestones=[("制定方案", date(2026, 11, 6))],
        ),  # fmt: skip
        # Yellow (five working days) from 11-04: due 11-11, two working days away: blue.
        "blue": item(
            cast,
            title="蓝灯：检验检查集中预约",
            urgency="yellow",
            unit=cast.jiceng,
            on=date(2026, 11, 4),
            percent=80,
        ),  # fmt: skip
        # Green from 11-02 (due 12-02), half done: no light.
        "none": item(
            cast,
            title="无灯：日间手术",
            urgency="green",
            unit=cast.jiceng,
            percent=50,
            source="meeting",
        ),  # fmt: skip
        "registered": item(cast, title="待交办：院前告知系统", urgency="green"),
        "reviewing": item(
            cast, title="待核查：分时段预约", urgency="green", unit=cast.zhongyi, percent=100
        ),  # fmt: skip
        "closed": item(cast, title="已销号：急救调度", urgency="green", unit=cast.yizheng),
    }
    with frozen(date(2026, 11, 5)):
        actions.submit_completion(made["reviewing"], by=cast.zhongyi_head, report="已完成")
        closed = made["closed"]
        actions.submit_completion(closed, by=cast.yizheng_head, report="已完成")
        actions.check_completion(closed, by=cast.coordinator, approved=True)
        actions.rate(closed, by=cast.leader, quality="good")
    return made


def get(client, user, query=""):
    client.force_login(user)
    with frozen(TODAY):
        return client.get(URL + query)


def parse(response):
    return lxml.html.fromstring(response.content.decode())


def rows(response) -> dict[str, dict[str, str]]:
    """Each listed item's title → its group and cells, in the page's order."""
    found = {}
    for section in parse(response).xpath(GROUPS):
        group = section.get("data-unit")
        for tr in section.xpath(".//tbody/tr"):
            cells = [" ".join(td.text_content().split()) for td in tr.xpath("./td")]
            found[cells[1]] = {
                "group": group, "number": cells[0], "urgency": cells[2], "light": cells[3],
                "deadline": cells[4], "progress": cells[5], "state": cells[6],
                "data-light": tr.get("data-light"), "notice": cells[7],
            }  # fmt: skip
    return found


def chips(response) -> dict[str, str]:
    return {
        a.get("data-light"): " ".join(a.text_content().split())
        for a in parse(response).xpath("//*[@id='sv-chips']//a")
    }


def test_open_items_grouped_by_unit_with_their_lights(client, cast, items):
    response = get(client, cast.coordinator)
    assert response.status_code == 200
    found = rows(response)
    assert list(found) == [
        "待交办：院前告知系统",  # not yet assigned: first
        "蓝灯：检验检查集中预约", "无灯：日间手术",  # 基层卫生健康处 (jiceng)
        "红灯：急救站点布局", "黄灯：预约诊疗",  # 医政医管处 (yizheng): the most pressing first
        "待核查：分时段预约",  # 中医药管理处
    ]  # fmt: skip
    groups = [s.get("data-unit") for s in parse(response).xpath(GROUPS)]
    assert groups == ["尚未交办", "基层卫生健康处", "医政医管处", "中医药管理处"]
    red = found["红灯：急救站点布局"]
    # The light says its colour and meaning in words, not by colour alone.
    assert red["light"] == "红灯 · 已逾期" and red["data-light"] == "red"
    assert red["urgency"] == "红色（特急）"
    assert red["deadline"] == "2026年11月5日逾期 2 个工作日"
    assert red["progress"] == "30%" and red["state"] == "办理中"
    assert red["number"].startswith("DB2026-") and red["notice"] == "督办单"
    assert found["黄灯：预约诊疗"]["light"] == "黄灯 · 进度滞后"
    assert found["蓝灯：检验检查集中预约"]["light"] == "蓝灯 · 临近期限"
    assert found["蓝灯：检验检查集中预约"]["deadline"] == "2026年11月11日剩 2 个工作日"
    assert found["无灯：日间手术"]["light"] == "无灯 · 正常"
    # Reported complete: listed until 销号, without a light or a countdown.
    reviewing = found["待核查：分时段预约"]
    assert (reviewing["light"], reviewing["state"]) == ("—", "办结待核查")
    assert reviewing["deadline"] == "2026年12月2日"  # no countdown
    registered = found["待交办：院前告知系统"]
    assert (registered["deadline"], registered["notice"], registered["state"]) == (
        "—",
        "",
        "待交办",
    )
    assert "已销号：急救调度" not in found
    assert chips(response) == {
        "": "全部在办 6", "red": "红灯 已逾期 1", "yellow": "黄灯 进度滞后 1",
        "blue": "蓝灯 临近期限 1",
    }  # fmt: skip
    link = parse(response).xpath(GROUPS + "//tbody/tr/td/a")[0]
    assert link.get("href") == f"/cases/{items['registered'].pk}/"


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("?light=red", ["红灯：急救站点布局"]),
        ("?light=yellow", ["黄灯：预约诊疗"]),
        ("?light=blue", ["蓝灯：检验检查集中预约"]),
        ("?source=meeting", ["无灯：日间手术"]),
        ("?light=red&source=meeting", []),
    ],
)
def test_filters(client, cast, items, query, titles):
    response = get(client, cast.coordinator, query)
    assert response.status_code == 200
    assert list(rows(response)) == titles
    if "source=meeting" in query:  # the counts follow the source filter
        assert chips(response)["red"] == "红灯 已逾期 0"
        assert chips(response)[""] == "全部在办 1"
    else:
        assert chips(response)["red"] == "红灯 已逾期 1"
    if not titles:
        assert "没有符合条件的在办督办事项" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [("?light=purple", "状态灯应为红灯、黄灯或蓝灯"), ("?source=x%00", "督办来源不在可选范围内")],
)
def test_a_bad_filter_is_a_400_in_chinese(client, cast, query, message):
    response = get(client, cast.coordinator, query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_unit_sees_its_own_items_only(client, cast, items):
    # A co-unit's part counts too: 基层 co-handles one of 医政's items.
    with frozen(date(2026, 11, 2)):
        shared = actions.register_supervision(
            by=cast.coordinator, source="meeting", urgency="green", title="协办：急救培训",
            received_on=date(2026, 11, 2),
        )  # fmt: skip
        actions.assign(shared, by=cast.coordinator, lead_unit=cast.yizheng, co_units=[cast.jiceng])
    response = get(client, cast.jiceng_head)
    assert response.status_code == 200
    assert list(rows(response)) == ["蓝灯：检验检查集中预约", "无灯：日间手术", "协办：急救培训"]
    assert rows(response)["协办：急救培训"]["group"] == "医政医管处"
    assert chips(response)[""] == "全部在办 3" and chips(response)["red"] == "红灯 已逾期 0"
    assert "登记督办事项" not in response.content.decode()  # the coordinator's button only
    assert len(rows(get(client, cast.yizheng_handler))) == 3  # a handler sees the unit's too
    for commission in ("leader", "viewer", "admin"):
        assert len(rows(get(client, getattr(cast, commission)))) == 7


def test_who_may_open_the_board(client, cast):
    assert client.get(URL).status_code == 302  # to the login page
    assert get(client, cast.outsider).status_code == 403
    response = get(client, cast.coordinator)
    assert response.status_code == 200 and "没有在办的督办事项" in response.content.decode()
    assert parse(response).xpath("//*[@id='sv-new']")[0].get("href") == "/supervision/new/"


def _make(cast, n: int, start: int = 0) -> None:
    units = [cast.yizheng, cast.jiceng, cast.zhongyi]
    for i in range(start, start + n):
        item(
            cast, title=f"事项{i}", urgency=("red", "yellow", "blue", "green")[i % 4],
            unit=units[i % 3] if i % 5 else None, percent=(i * 7) % 100 if i % 5 else None,
            milestones=[("阶段目标", date(2026, 11, 3))] if i % 5 == 1 else None,
            on=date(2026, 11, 2),
        )  # fmt: skip


def _queries(client, user) -> int:
    client.force_login(user)
    with frozen(TODAY), CaptureQueriesContext(connection) as seen:
        assert client.get(URL).status_code == 200
    return len(seen.captured_queries)


@pytest.mark.parametrize("who", ["coordinator", "jiceng_head"])
def test_the_number_of_queries_does_not_grow_with_the_items(
    client, cast, who, django_assert_max_num_queries
):
    user = getattr(cast, who)
    _make(cast, 4)
    _queries(client, user)  # the first page of a process caches the commission's name
    few = _queries(client, user)
    _make(cast, 26, start=4)
    assert _queries(client, user) == few
    with django_assert_max_num_queries(10):
        client.get(URL)


def test_at_most_the_limit_is_shown_most_pressing_first(client, cast, items, monkeypatch):
    assert board.SHOWN_LIMIT == 500
    monkeypatch.setattr(board, "SHOWN_LIMIT", 2)
    response = get(client, cast.coordinator)
    assert list(rows(response)) == ["红灯：急救站点布局", "黄灯：预约诊疗"]
    notice = parse(response).xpath("//*[@id='sv-truncated']")[0].text_content()
    assert "仅显示前2项" in notice and "共 6 项" in notice
    assert chips(response)[""] == "全部在办 6"  # the counts are of every open item
    assert not parse(get(client, cast.coordinator, "?light=red")).xpath("//*[@id='sv-truncated']")


def test_the_closed_item_leaves_the_board_when_rated(client, cast, items):
    case = items["reviewing"]
    with frozen(TODAY):
        actions.check_completion(case, by=cast.coordinator, approved=True)
        assert "待核查：分时段预约" in rows(get(client, cast.coordinator))  # 待质量评价
        actions.rate(case, by=cast.leader, quality="excellent")
    assert "待核查：分时段预约" not in rows(get(client, cast.coordinator))
    # A suspended item stays listed, without a light.
    with frozen(TODAY):
        actions.suspend(items["red"], by=cast.coordinator, reason="等待上级政策")
    red = rows(get(client, cast.coordinator))["红灯：急救站点布局"]
    assert (red["light"], red["state"]) == ("—", "已中止")


@pytest.mark.parametrize("day", [date(2026, 11, 4), TODAY, date(2026, 11, 16), date(2026, 12, 3)])
def test_the_board_lights_are_the_case_pages(cast, items, day):
    """The board lights every item by light_of from plain rows; the case page and the API
    by supervision.light.lights: the same light for each item on any day."""
    from cases.models import Case
    from supervision.light import lights

    cases = list(Case.objects.filter(category="supervision"))
    found = board.board(cast.coordinator, day, board.BoardQuery())
    shown = {row.case.pk: row.light for g in found.groups for row in g.rows}
    expected = lights(cases, day)
    assert shown == {pk: light for pk, light in expected.items() if pk in shown}
    assert len(shown) == 6 and len(set(shown.values())) > 1


def test_titles_are_escaped(client, cast):
    item(cast, title='<script>alert("督办")</script>', unit=cast.yizheng)
    page = get(client, cast.coordinator).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;督办&quot;)&lt;/script&gt;" in page
