"""The list index, a list's page and the 新建清单 form."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lists.models import RectList
from lists.tests.factories import make_item, make_list
from reminders.tests.conftest import frozen

pytestmark = pytest.mark.django_db
ON = date(2026, 5, 11)


def get(client, user, url, **params):
    client.force_login(user)
    with frozen(ON):
        return client.get(url, params)


def test_index_for_each_role(client, cast):
    rect_list = make_list(cast)
    make_item(cast, rect_list, deadline=date(2026, 5, 4))  # overdue on ON
    make_item(cast, rect_list, title="中医馆", lead_unit=cast.zhongyi, measures=[])
    url = reverse("lists:index")
    page = get(client, cast.coordinator, url)
    html = page.content.decode()
    assert page.status_code == 200 and "履职测评问题清单" in html
    assert 'data-overdue="1"' in html and 'id="hy-list-new"' in html and "/lists/import/" in html
    leader = get(client, cast.leader, url).content.decode()
    assert "履职测评问题清单" in leader and 'id="hy-list-new"' not in leader
    assert "履职测评问题清单" in get(client, cast.zhongyi_head, url).content.decode()
    assert "履职测评问题清单" not in get(client, cast.outsider, url).content.decode()
    assert get(client, cast.coordinator, url, page="x").status_code == 400


def test_detail_for_each_role(client, cast):
    rect_list = make_list(cast)
    make_item(cast, rect_list)
    make_item(cast, rect_list, title="中医馆服务能力不足", lead_unit=cast.zhongyi, measures=[])
    url = reverse("lists:detail", args=[rect_list.pk])
    html = get(client, cast.coordinator, url).content.decode()
    assert "急救电话接听不及时" in html and "中医馆服务能力不足" in html
    assert "增加调度席位和人员" in html and "基层卫生健康处" in html  # measures, 协办处室
    assert 'data-total="items">2<' in html and 'data-total="measures">2<' in html
    assert "滞后" in html and "bi-exclamation-triangle-fill" in html  # label and icon
    for name in ("lists:export", "lists:ledger", "lists:report"):
        assert reverse(name, args=[rect_list.pk]) in html
    assert reverse("lists:board", args=[rect_list.pk]) in html
    assert "急救电话10秒接听率 61% → — → 目标99%" in html
    assert get(client, cast.leader, url).status_code == 200
    unit = get(client, cast.zhongyi_head, url).content.decode()
    assert "中医馆服务能力不足" in unit and "急救电话接听不及时" not in unit
    assert get(client, cast.outsider, url).status_code == 404


def test_detail_queries_do_not_grow(client, cast):
    rect_list = make_list(cast)
    url = reverse("lists:detail", args=[rect_list.pk])
    counts = []
    for n in (5, 50):
        while rect_list.items.count() < n:
            make_item(cast, rect_list, title=f"事项{rect_list.items.count()}")
        get(client, cast.coordinator, url)
        with frozen(ON), CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 14


def form_data(cast, **changes):
    data = {
        "name": "形式主义官僚主义专项整治", "kind": "projects", "origin": "委党组",
        "reports_to": "市委", "starts_on": "2026-03-01", "ends_on": "2026-12-31",
        "owner": cast.coordinator.pk, "delegates": [cast.leader.pk], "description": "挂图作战",
    }  # fmt: skip
    data.update(changes)
    return data


def test_create_list(client, cast):
    url = reverse("lists:new")
    client.force_login(cast.coordinator)
    assert client.get(url).status_code == 200
    with frozen(ON):
        done = client.post(url, form_data(cast))
    made = RectList.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("lists:detail", args=[made.pk])
    assert made.code == "QD2026-01" and made.kind == "projects"
    assert list(made.delegates.all()) == [cast.leader]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", ""),
        ({"ends_on": "2026-01-01"}, "ends_on", "结束日期不能早于开始日期"),
        ({"starts_on": "1900-01-01"}, "starts_on", ""),
        ({"name": "清单\x07"}, "name", ""),
        ({"kind": "other"}, "kind", ""),
    ],
)
def test_create_list_invalid(client, cast, changes, field, message):
    client.force_login(cast.coordinator)
    with frozen(ON):
        page = client.post(reverse("lists:new"), form_data(cast, **changes))
    assert page.status_code == 400
    assert f'id="id_{field}-error"' in page.content.decode()
    assert message in page.content.decode()
    assert not RectList.objects.exists()


def test_create_list_forbidden(client, cast):
    client.force_login(cast.yizheng_head)
    assert client.get(reverse("lists:new")).status_code == 403
    assert client.post(reverse("lists:new"), form_data(cast)).status_code == 403
    assert not RectList.objects.exists()
