"""A list as .xlsx: its import shape (export → import gives the same items and measures)
and the 整改台账 (its cells, its print setup); 404 for a list the user may not see, items
limited to those the user sees, a bounded number of queries."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cases.models import Assignment
from lists import actions, measures
from lists.importing import import_list, plan_list
from lists.models import Item
from lists.tests import messy
from lists.tests.factories import START, make_item, make_list, pdf
from reminders.tests.conftest import frozen

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the evidence files of the ledger's test


@pytest.fixture
def imported(cast):
    plan = plan_list(messy.build(), "清单.xlsx", starts_on=START)
    with frozen(START):
        return import_list(
            plan, by=cast.coordinator, name="形式主义官僚主义专项整治清单", starts_on=START
        )


def _shape(rect_list):
    items = Item.objects.filter(rect_list=rect_list).select_related("case", "case__lead_unit")
    found = []
    for item in items.order_by("seq"):
        case = item.case
        units = sorted(Assignment.objects.filter(case=case).values_list("unit__code", "kind"))
        found.append((
            case.title, case.content, item.category, item.leader_name, item.leader_id,
            case.lead_unit.code, case.deadline, units, item.indicator, item.indicator_unit,
            item.baseline, item.target, item.direction,
            [(m.text, m.unit.code, m.deadline) for m in item.measures.order_by("seq")],
        ))  # fmt: skip
    return found


def test_round_trip(cast, client, imported, django_assert_max_num_queries):
    client.force_login(cast.coordinator)
    url = reverse("lists:export", args=[imported.pk])
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == imported.name and sheet["C3"].value == "整治重点"
    assert "C4:C5" in {str(r) for r in sheet.merged_cells.ranges}  # item 1: two measures
    plan = plan_list(response.content, "export.xlsx", starts_on=START)
    assert plan.problems == [] and (len(plan.items), plan.measures) == (35, 70)
    with frozen(START):
        again = import_list(plan, by=cast.coordinator, name="再导入", starts_on=START)
    assert _shape(again) == _shape(imported)


def test_ledger_cells_and_print_setup(cast, client):
    rect_list = make_list(cast)
    done = make_item(cast, rect_list, title="急救电话接听不及时")
    make_item(cast, rect_list, title="门诊排队时间长", lead_unit=cast.jiceng)
    first, second = Item.objects.get(pk=done.pk).measures.order_by("seq")
    day = date(2026, 4, 1)
    with frozen(day):
        measures.report_progress(
            done, by=cast.yizheng_head, measure_id=first.pk, text="方案已印发", percent=100
        )
        for m, head in ((first, cast.yizheng_head), (second, cast.jiceng_head)):
            measures.attach_evidence(done, by=head, upload=pdf(), measure_id=m.pk)
            measures.submit_measure(done, by=head, measure_id=m.pk)
            measures.review_measure(done, by=cast.coordinator, measure_id=m.pk, approved=True)
        actions.request_strike_off(done, by=cast.yizheng_head, note="整改完成")
        actions.strike_off(done, by=cast.coordinator, approved=True)
    client.force_login(cast.coordinator)
    response = client.get(reverse("lists:ledger", args=[rect_list.pk]))
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in ws[3]] == [
        "序号", "问题（项目）", "整改措施", "责任领导", "牵头处室", "协办处室", "完成时限",
        "整改进展", "完成情况", "销号日期",
    ]  # fmt: skip
    row = [c.value for c in ws[4]]
    assert row[0] == 1 and row[1] == "急救电话接听不及时"
    assert row[2].startswith("1.制定急救调度改造方案（医政医管处，2026-04-30，已销号）")
    assert (row[3], row[4], row[5], row[6]) == (
        "李主任",
        "医政医管处",
        "基层卫生健康处",
        "2026-06-30",
    )
    assert row[7] == "2026-04-01 方案已印发"
    assert (row[8], row[9]) == ("已销号", "2026-04-01")
    assert ws.cell(5, 9).value == "整改中，进度0%"
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$3:$3"
    assert ws.cell(4, 2).font.name == "仿宋" and ws.cell(3, 2).font.name == "宋体"
    assert ws.cell(4, 3).alignment.wrap_text and ws.cell(4, 3).border.left.style == "thin"


def test_only_who_sees_the_list_and_only_their_items(cast, client):
    rect_list = make_list(cast)
    make_item(cast, rect_list, title="医政的事项", measures=[])
    make_item(cast, rect_list, title="中医的事项", lead_unit=cast.zhongyi, measures=[])
    client.force_login(cast.outsider)
    for name in ("lists:export", "lists:ledger"):
        assert client.get(reverse(name, args=[rect_list.pk])).status_code == 404
    client.force_login(cast.zhongyi_head)
    ws = load_workbook(
        io.BytesIO(client.get(reverse("lists:ledger", args=[rect_list.pk])).content)
    ).active
    assert [ws.cell(r, 2).value for r in range(4, ws.max_row + 1)] == ["中医的事项"]
    assert client.get(reverse("lists:export", args=[999999])).status_code == 404


def test_ledger_queries_do_not_grow(cast, client, django_assert_max_num_queries, imported):
    client.force_login(cast.coordinator)
    # 12, and the download's export event in the security trail (issue 16: on PostgreSQL the
    # chain's lock, its head, the insert and a savepoint around them).
    with django_assert_max_num_queries(16):
        assert client.get(reverse("lists:ledger", args=[imported.pk])).status_code == 200


def test_text_that_looks_like_a_formula_stays_text(cast, client):
    """A title typed as =HYPERLINK(…) is exported as text (huiyin.xlsx.put), never run."""
    import io

    from openpyxl import load_workbook

    from lists.tests.factories import make_item, make_list

    rect_list = make_list(cast, name="=清单")
    make_item(cast, rect_list, title='=HYPERLINK("http://evil.example/","点此查看")')
    client.force_login(cast.coordinator)
    for name in ("lists:export", "lists:ledger"):
        blob = client.get(reverse(name, args=[rect_list.pk])).content
        sheet = load_workbook(io.BytesIO(blob)).active
        cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
        risky = [c for c in cells if c.value.startswith("=")]
        assert risky and all(c.data_type == "s" and c.quotePrefix for c in risky), name
