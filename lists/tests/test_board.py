"""挂图作战 and 主体责任清单: pages per role, filters (bad values are 400), lights with
labels, bounded queries, the print stylesheet."""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from lists.actions import MeasureIn
from lists.tests.factories import make_item, make_list
from reminders.tests.conftest import frozen

pytestmark = pytest.mark.django_db
ON = date(2026, 5, 11)  # a Monday, after the first measures' deadline (2026-04-30)


@pytest.fixture
def board(cast):
    rect_list = make_list(cast)
    first = make_item(cast, rect_list)
    second = make_item(
        cast, rect_list, title="中医馆服务能力不足", lead_unit=cast.zhongyi, category="公共卫生服务",
        leader_name="赵副主任", leader=None,
        measures=[MeasureIn("建设中医馆", cast.zhongyi, date(2026, 9, 30))],
    )  # fmt: skip
    return rect_list, first, second


def get(client, user, url, **params):
    client.force_login(user)
    with frozen(ON):
        return client.get(url, params)


def test_board_for_each_role(client, cast, board):
    rect_list, first, second = board
    url = reverse("lists:board", args=[rect_list.pk])
    for user in (cast.coordinator, cast.leader, cast.viewer):
        page = get(client, user, url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "急救电话接听不及时" in html and "中医馆服务能力不足" in html
        assert "增加调度席位和人员" in html  # measures under their item
    unit = get(client, cast.zhongyi_head, url).content.decode()
    assert "中医馆服务能力不足" in unit and "急救电话接听不及时" not in unit
    assert get(client, cast.outsider, url).status_code == 404
    assert get(client, cast.outsider, reverse("lists:board_all")).status_code == 403


def test_lights_have_labels_and_deadlines_in_workdays(client, cast, board):
    rect_list, first, _ = board
    html = get(
        client, cast.coordinator, reverse("lists:board", args=[rect_list.pk])
    ).content.decode()
    # The first measure's deadline (2026-04-30) has passed: 逾期, said in words and an icon.
    assert "bi-exclamation-octagon-fill" in html and "逾期" in html
    assert "逾期 " in html and "个工作日" in html
    assert "剩 " in html
    assert "hy-gantt-today" in html and "今天" in html
    assert "急救电话10秒接听率 61% → — → 目标99%" in html
    assert 'id="hy-indicators"' in html


def test_filters(client, cast, board):
    rect_list, first, second = board
    url = reverse("lists:board_all")

    def titles(**params):
        page = get(client, cast.coordinator, url, **params)
        assert page.status_code == 200, page.content.decode()[:500]
        html = page.content.decode()
        return {t for t in ("急救电话接听不及时", "中医馆服务能力不足") if t in html}

    assert titles() == {"急救电话接听不及时", "中医馆服务能力不足"}
    assert titles(list=rect_list.pk) == {"急救电话接听不及时", "中医馆服务能力不足"}
    assert titles(unit="zhongyi") == {"中医馆服务能力不足"}
    assert titles(unit="jiceng") == {"急救电话接听不及时"}  # owner of a measure
    assert titles(leader="赵副主任") == {"中医馆服务能力不足"}
    assert titles(category="医疗服务质量") == {"急救电话接听不及时"}
    assert titles(light="behind") == {"急救电话接听不及时", "中医馆服务能力不足"}
    assert titles(light="not_started") == set()
    make_item(
        cast, rect_list, title="基层药品短缺", deadline=date(2026, 5, 4),
        measures=[MeasureIn("摸清短缺品种", cast.jiceng, date(2026, 5, 4))],
    )  # fmt: skip
    assert titles(light="overdue") == set()  # the titles looked for are not overdue
    overdue = get(client, cast.coordinator, url, light="overdue").content.decode()
    assert "基层药品短缺" in overdue and "中医馆服务能力不足" not in overdue
    collapsed = get(client, cast.coordinator, url, measures="0").content.decode()
    assert "增加调度席位和人员" not in collapsed and "举措 2 条" in collapsed
    for bad in ({"list": "x"}, {"list": "999999"}, {"unit": "nope"}, {"leader": "无此人"},
                {"category": "\x00"}, {"light": "purple"}, {"page": "0"}, {"measures": "maybe"}):  # fmt: skip
        page = get(client, cast.coordinator, url, **bad)
        assert page.status_code == 400, bad
        assert "hy-board-error" in page.content.decode()


def test_board_queries_do_not_grow(client, cast, django_assert_max_num_queries):
    rect_list = make_list(cast)
    url = reverse("lists:board", args=[rect_list.pk])

    def count(n):
        while rect_list.items.count() < n:
            make_item(cast, rect_list, title=f"事项{rect_list.items.count()}")
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.force_login(cast.coordinator)
        with frozen(ON):
            client.get(url)  # the session's first request writes it
        with frozen(ON), CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    five, fifty = count(5), count(50)
    assert five == fifty
    with django_assert_max_num_queries(14), frozen(ON):
        client.get(url)


def test_print_stylesheet_and_button(client, cast, board):
    rect_list = board[0]
    html = get(
        client, cast.coordinator, reverse("lists:board", args=[rect_list.pk])
    ).content.decode()
    assert "lists/board.css" in html and "lists/board.js" in html and "data-hy-print" in html
    assert "<script>" not in html and "onclick" not in html
    css = (Path(settings.BASE_DIR) / "lists/static/lists/board.css").read_text()
    assert "size: A3 landscape" in css and "@media print" in css
    assert ".hy-board-filters" in css.split("@media print")[1]


def test_duty_pages(client, cast, board):
    rect_list, first, second = board
    own = reverse("lists:duty_unit", args=["jiceng"])
    page = get(client, cast.jiceng_head, own)
    assert page.status_code == 200
    html = page.content.decode()
    assert "增加调度席位和人员" in html and "制定急救调度改造方案" not in html
    assert (
        get(client, cast.jiceng_head, reverse("lists:duty_unit", args=["yizheng"])).status_code
        == 403
    )
    assert get(client, cast.jiceng_head, reverse("lists:duty")).status_code == 302
    assert get(client, cast.outsider, own).status_code == 403
    assert get(client, cast.leader, reverse("lists:duty_unit", args=["nowhere"])).status_code == 404
    yizheng = get(
        client, cast.leader, reverse("lists:duty_unit", args=["yizheng"])
    ).content.decode()
    # Nearest deadline first: the overdue measure (04-30) before the lead item (06-30).
    assert yizheng.index("制定急救调度改造方案") < yizheng.index("事项（牵头）")
    assert "逾期" in yizheng
    index = get(client, cast.coordinator, reverse("lists:duty"))
    assert index.status_code == 200 and "中医药管理处" in index.content.decode()
