"""Login, the case list and the case page: who sees what, filters, query counts."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases import actions
from cases.tests.factories import register

pytestmark = pytest.mark.django_db

FROZEN = time_machine.travel(
    datetime(2026, 5, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
)


def assigned(cast, lead, co=(), on=date(2026, 3, 5), **overrides):
    case = register(cast, on=min(on, date(2026, 3, 2)), **overrides)
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=lead, co_units=list(co), assigned_on=on
    )
    return case


def test_login_page_is_in_chinese(client):
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("回音", "用户名", "密码", "登录", 'lang="zh-CN"'):
        assert text in html


@pytest.mark.parametrize("path", ["/", "/cases/", "/cases/1/", "/cases/new/"])
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_login_and_logout(cast):
    client = Client()
    response = client.post("/login/", {"username": "coordinator", "password": "pw-coordinator"})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert "我的待办" in client.get("/").content.decode()  # the home page is the 待办
    page = client.get("/cases/").content.decode()
    assert "王协调" in page and "议提案管理员" in page and "退出" in page
    assert client.get("/logout/").status_code == 405  # logging out is a POST
    assert client.post("/logout/")["Location"] == "/login/"
    assert client.get("/cases/").status_code == 302


def test_wrong_password_and_lockout_in_chinese(cast):
    client = Client()
    response = client.post("/login/", {"username": "yizheng", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    for _ in range(5):
        response = client.post("/login/", {"username": "yizheng", "password": "wrong"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "登录已暂时锁定" in html and "30 分钟后再试" in html
    # The right password does not get through a lockout either.
    response = client.post("/login/", {"username": "yizheng", "password": "pw-yizheng"})
    assert response.status_code == 429


@FROZEN
def test_unit_head_sees_only_the_cases_of_the_unit(cast, client_for):
    mine = assigned(cast, cast.jiceng, title="关于基层的建议")
    co = assigned(cast, cast.yizheng, co=[cast.jiceng], title="关于医政协办的建议")
    other = assigned(cast, cast.yizheng, title="关于医政的建议")
    unassigned = register(cast, on=date(2026, 3, 2), title="尚未交办的建议")

    html = client_for(cast.jiceng_head).get("/cases/").content.decode()
    assert "共 2 件" in html
    assert mine.title in html and co.title in html
    assert other.title not in html and unassigned.title not in html

    html = client_for(cast.coordinator).get("/cases/").content.decode()
    assert "共 4 件" in html
    for case in (mine, co, other, unassigned):
        assert case.title in html and f"/cases/{case.pk}/" in html
    assert "登记办件" in html  # the coordinator may register


@FROZEN
def test_filters_come_from_the_query_string(cast, client_for):
    a = assigned(cast, cast.yizheng, title="医政处的建议")
    b = assigned(cast, cast.jiceng, title="基层处的提案", category="cppcc_proposal")
    c = register(cast, on=date(2026, 3, 2), title="已登记的建议")
    client = client_for(cast.coordinator)

    def titles(query: str) -> set[str]:
        html = client.get("/cases/" + query).content.decode()
        return {case.title for case in (a, b, c) if case.title in html}

    assert titles("?state=assigned") == {a.title, b.title}
    assert titles("?unit=jiceng") == {b.title}
    assert titles("?category=cppcc_proposal") == {b.title}
    assert titles(f"?q={c.number}") == {c.title}
    assert titles("?q=陈代表") == {a.title, b.title, c.title}  # by proposer
    assert titles("?year=2025") == set()
    assert titles("?overdue=1") == set()
    assert titles("?state=assigned&level=municipal&unit=yizheng") == {a.title}

    html = client.get("/cases/?state=assigned&unit=yizheng").content.decode()
    assert '<option value="assigned" selected>' in html  # the form keeps the filter
    assert '<option value="yizheng" selected>' in html
    assert "共 1 件" in html

    html = client.get("/cases/?q=没有这样的办件").content.decode()
    assert "没有符合条件的办件" in html and "清除筛选" in html


@FROZEN
def test_overdue_deadline_is_red_and_provisional_is_marked(cast, client_for):
    late = assigned(cast, cast.yizheng, on=date(2026, 1, 5))  # due 2026-04-07: overdue on 5-4
    html = client_for(cast.coordinator).get("/cases/?overdue=1").content.decode()
    assert late.title in html and "text-danger" in html and "逾期" in html
    assert "2026年4月7日" in html


@FROZEN
def test_pagination_keeps_the_filter(cast, client_for):
    for i in range(23):
        register(cast, on=date(2026, 3, 2), title=f"建议第{i}件")
    client = client_for(cast.coordinator)
    html = client.get("/cases/?state=registered").content.decode()
    assert "共 23 件" in html and "第 1 / 2 页" in html
    assert "?state=registered&amp;page=2" in html
    html = client.get("/cases/?state=registered&page=2").content.decode()
    assert "第 2 / 2 页" in html and html.count("/cases/") >= 3
    bad = client.get("/cases/?page=abc")  # issue 9 #16: not silently page 1
    assert bad.status_code == 400 and "无效的筛选条件" in bad.content.decode()


@FROZEN
def test_the_list_takes_a_fixed_number_of_queries(cast, client_for):
    client = client_for(cast.coordinator)
    units = [cast.yizheng, cast.jiceng, cast.zhongyi]

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/cases/")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    queries()  # the header's commission name is cached from now on (letters.context_processors)
    for i in range(5):
        assigned(cast, units[i % 3])
    five = queries()
    for i in range(20):
        assigned(cast, units[i % 3])
    twenty_five = queries()
    assert five == twenty_five, (five, twenty_five)


@FROZEN
def test_case_page(cast, client_for):
    case = assigned(cast, cast.yizheng, co=[cast.jiceng, cast.fagaiwei], is_key=True)
    html = client_for(cast.coordinator).get(f"/cases/{case.pk}/").content.decode()
    for text in (
        case.title,
        "陈代表",
        "刘代表、周代表",
        "已交办",
        "医政医管处",
        "基层卫生健康处",
        "市发改委",
        "2026年6月5日",  # 答复期限
        "2026年5月22日",  # 处室初稿期限
        "市十五届人大五次会议",
        "基层卫生",
        "重点件",
        "办理轨迹",
        "登记",
        "交办",
        "王协调",
        '已登记 → <span class="fw-semibold">已交办</span>',
        "办理操作",
        "撤回",  # the coordinator may still withdraw it
    ):
        assert text in html, text


@FROZEN
def test_invisible_case_is_404(cast, client_for):
    case = assigned(cast, cast.yizheng)
    response = client_for(cast.jiceng_head).get(f"/cases/{case.pk}/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
    assert client_for(cast.outsider).get(f"/cases/{case.pk}/").status_code == 404
    assert client_for(cast.coordinator).get("/cases/999999/").status_code == 404


def test_error_pages_are_chinese(client, settings):
    html = client.get("/no-such-page/").content.decode()
    assert "页面不存在" in html
    from django.template.loader import render_to_string

    assert "系统出错了" in render_to_string("500.html")


def test_every_demo_case_page_renders_for_every_role(db):
    """Every state with every role's action forms: no form fails to build or render."""
    from django.contrib.auth import get_user_model

    from cases.demo import load_demo
    from cases.models import Case

    load_demo()
    users = get_user_model().objects.filter(
        username__in=["coordinator", "leader", "viewer", "yizheng", "yizheng_staff", "jiceng"]
    )
    pks = list(Case.objects.values_list("pk", flat=True))
    for user in users:
        client = Client()
        client.force_login(user)
        for pk in pks:
            response = client.get(f"/cases/{pk}/")
            assert response.status_code in (200, 404), (user.username, pk)
        assert client.get("/cases/").status_code == 200
