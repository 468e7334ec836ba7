"""增加事项 on the web: the office adds an item with measures one per line, a 协办处室 and a
target; the 责任领导 is linked to the user of that name; errors come back beside the field;
a list with no items points to the page."""

from datetime import date

import pytest
from django.urls import reverse

from cases.models import CaseUnit
from lists.models import Item
from lists.tests.factories import make_list
from reminders.tests.conftest import frozen

pytestmark = pytest.mark.django_db
DAY = date(2026, 4, 1)


def test_the_office_adds_an_item(client, cast):
    rect_list = make_list(cast)
    client.force_login(cast.coordinator)
    with frozen(DAY):
        empty = client.get(reverse("lists:detail", args=[rect_list.pk])).content.decode()
        assert reverse("lists:item-new", args=[rect_list.pk]) in empty
        answer = client.post(
            reverse("lists:item-new", args=[rect_list.pk]),
            {
                "title": "家庭医生签约服务质量不高", "content": "签而不约", "category": "公共卫生服务",
                "leader_name": "李主任", "lead_unit": cast.jiceng.pk, "co_units": [cast.yizheng.pk],
                "deadline": "2026-09-30", "measures": "修订考核办法\n\n开展满意度调查\n",
                "indicator": "签约居民满意度", "indicator_unit": "%", "baseline": "72",
                "target": "90", "direction": "up",
            },
        )  # fmt: skip
    item = Item.objects.get(rect_list=rect_list)
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "case-detail", args=[item.pk]
    )
    assert [m.text for m in item.measures.order_by("seq")] == ["修订考核办法", "开展满意度调查"]
    assert {m.unit_id for m in item.measures.all()} == {cast.jiceng.pk}
    assert item.leader == cast.leader and item.case.leader_in_charge == cast.leader
    assert list(item.co_units.all()) == [cast.yizheng]
    assert set(CaseUnit.objects.filter(case=item.case).values_list("unit_id", flat=True)) == {
        cast.jiceng.pk, cast.yizheng.pk,
    }  # fmt: skip
    assert (item.indicator, item.baseline, item.target) == ("签约居民满意度", 72, 90)


def test_errors_come_back_beside_the_fields(client, cast):
    rect_list = make_list(cast)
    client.force_login(cast.coordinator)
    with frozen(DAY):
        answer = client.post(
            reverse("lists:item-new", args=[rect_list.pk]),
            {"title": "", "lead_unit": cast.jiceng.pk, "deadline": "2026-01-05", "direction": "up"},
        )
    assert answer.status_code == 400
    assert "这个字段是必填项" in answer.content.decode() or "必填" in answer.content.decode()
    with frozen(DAY):
        early = client.post(
            reverse("lists:item-new", args=[rect_list.pk]),
            {"title": "问题", "lead_unit": cast.jiceng.pk, "deadline": "2026-01-05", "direction": "up"},
        )  # fmt: skip
    assert early.status_code == 400 and "完成时限不能早于清单开始日期" in early.content.decode()
    assert not Item.objects.exists()


def test_a_unit_head_may_not_add_items(client, cast):
    rect_list = make_list(cast)
    client.force_login(cast.yizheng_head)
    with frozen(DAY):
        assert client.get(reverse("lists:item-new", args=[rect_list.pk])).status_code == 404
