"""导入清单: a messy workbook like seed 003's read into 35 items and 70 measures, problems
by row and column (nothing imported), and the command's contract."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from audit.models import AuditEvent
from cases.models import Case, Category
from lists.importing import import_list, plan_list
from lists.models import Direction, Item, Measure, RectList
from lists.tests import messy
from reminders.tests.conftest import frozen
from workflow.errors import ActionForbidden, CaseError
from workflow.vocabulary import Event

pytestmark = pytest.mark.django_db
START = date(2026, 3, 2)


@pytest.fixture
def plan(cast):
    return plan_list(messy.build(), "清单.xlsx", starts_on=START)


def test_the_messy_list_is_read_whole(plan):
    assert plan.problems == []
    assert (len(plan.items), plan.measures) == (messy.ITEMS, messy.MEASURES)
    assert plan.title == "市卫生健康委形式主义官僚主义专项整治项目清单"
    assert (plan.filler, plan.filled_on, plan.heading_row) == ("办公室（盖章）", "2026年3月2日", 3)
    assert (
        plan.headings["lead_unit"] == "牵头处室（牵头）" and plan.headings["leader"] == "责任领导"
    )
    for n, planned in enumerate(plan.items, start=1):
        assert planned.spec.title == messy.item_title(n)
        assert [m.text for m in planned.spec.measures] == messy.measure_texts(n)


def test_item_values(cast, plan):
    first, second, third = (p.spec for p in plan.items[:3])
    # Row 4: "　基层卫生健康处" (a full-width space), co-units split at 、, 2026.9.30.
    assert plan.items[0].row == 4 and first.lead_unit == cast.jiceng
    assert first.co_units == [cast.yizheng, cast.zhongyi]
    assert first.deadline == date(2026, 9, 30) and first.category == "文风会风"
    assert first.description == "问题表现1：会议多、文件长"
    assert first.leader == cast.leader and first.leader_name == "李主任"
    ind = first.indicator
    assert (ind.name, ind.unit, ind.baseline, ind.target, ind.direction) == (
        "急救电话10秒接听率", "%", Decimal(61), Decimal(99), Direction.UP,
    )  # fmt: skip
    # Merged over two rows, "中医药 管理处", "6月底" in the list's year.
    assert (plan.items[1].row, plan.items[1].rows) == (5, 2)
    assert second.lead_unit == cast.zhongyi and second.deadline == date(2026, 6, 30)
    assert second.leader is None and second.leader_name == "张副主任"
    assert second.indicator.target == 30 and second.indicator.baseline is None
    # Three rows: the third measure has its own deadline, the item takes the latest.
    assert [m.deadline for m in third.measures][-1] == date(2026, 12, 31)
    assert third.indicator.direction == Direction.DOWN
    assert third.co_units == [cast.office]
    # "2026年6月底", and 长期坚持 → Dec 31 (said in the notes).
    by_title = {p.spec.title: p for p in plan.items}
    assert by_title[messy.item_title(7)].spec.deadline == date(2026, 6, 30)
    assert by_title[messy.item_title(6)].spec.deadline == date(2026, 12, 31)
    assert any("长期坚持" in n and "2026-12-31" in n for n in plan.notes)


def test_unknown_unit_and_bad_date_by_row_and_column(cast):
    data = messy.build(unknown_unit_at=1, bad_date_at=4)
    plan = plan_list(data, "x.xlsx", starts_on=START)
    shown = [str(p) for p in plan.problems]
    assert [(p.row, p.column, p.value) for p in plan.problems] == [
        (4, "牵头处室（牵头）", "宣传处"),
        (10, "完成时限", "2026年13月"),
    ], shown
    assert "日期“2026年13月”不存在" in shown[1]
    with pytest.raises(CaseError):
        import_list(plan, by=cast.coordinator, name="x", starts_on=START)
    assert not RectList.objects.exists() and not Case.objects.exists()


def _sheet(*rows):
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_other_problems_and_shapes(cast):
    data = _sheet(
        ("问题清单", "整改措施", "责任单位", "配合单位", "整改时限"),
        ("一、医疗服务质量",),
        ("急救电话接听慢", "（1）增加席位；（2）培训", "医政医管处", "市发改委", "2026年6月"),
        ("门诊排队长", "自助机", "医政医管处", "不存在处", "2026-02-01"),
        (None, "孤立举措", None, None, None),
        ("专项", "措施", "yizheng", None, "明年"),
    )
    plan = plan_list(data, "x.xlsx", starts_on=START)
    found = {(p.row, p.column) for p in plan.problems}
    # Row 3: an outside unit; 4: an unknown one, a date before the list starts (row 5's
    # measure joins row 4's item); 6: "明年" is no date.
    assert found == {(3, "配合单位"), (4, "配合单位"), (4, "整改时限"), (6, "整改时限")}
    assert [p.spec.title for p in plan.items] == []
    ok = plan_list(
        _sheet(
            ("问题清单", "整改措施", "责任单位", "整改时限"),
            ("一、医疗服务质量",),
            ("急救电话接听慢", "（1）增加席位；（2）培训", "医政医管处", "2026年6月"),
        ),
        "y.xlsx",
        starts_on=START,
    )
    assert ok.problems == []
    spec = ok.items[0].spec
    assert spec.category == "医疗服务质量"
    assert [m.text for m in spec.measures] == ["增加席位", "培训"]


def test_unreadable_files(cast):
    from transfer.errors import ImportFileError

    for data in (b"", b"not a workbook", b"PK\x03\x04broken", _sheet(("甲", "乙"))):
        with pytest.raises(ImportFileError):
            plan_list(data, "x.xlsx", starts_on=START)


def test_import_writes_everything_with_one_event(cast, plan):
    with frozen(START):
        rect_list = import_list(
            plan, by=cast.coordinator, name="形式主义官僚主义专项整治", starts_on=START,
            owner=cast.leader,
        )  # fmt: skip
    assert rect_list.owner == cast.leader and rect_list.origin == plan.title
    assert Item.objects.filter(rect_list=rect_list).count() == messy.ITEMS
    assert Measure.objects.filter(item__rect_list=rect_list).count() == messy.MEASURES
    assert Case.objects.filter(category=Category.LIST_ITEM).count() == messy.ITEMS
    event = AuditEvent.objects.get(action=Event.IMPORT_LIST)
    assert event.subject == f"list:{rect_list.pk}"
    assert event.details == {"list": rect_list.pk, "file": "清单.xlsx", "items": 35, "measures": 70}


def test_only_the_office_imports(cast, plan):
    with pytest.raises(ActionForbidden):
        import_list(plan, by=cast.yizheng_head, name="x", starts_on=START)


def test_a_refused_item_leaves_nothing(cast, plan, monkeypatch):
    plan.items[-1].spec.title = "x" * 400  # refused by add_item
    with frozen(START), pytest.raises(CaseError, match=f"第{plan.items[-1].row}行"):
        import_list(plan, by=cast.coordinator, name="x", starts_on=START)
    assert not RectList.objects.exists() and not Item.objects.exists()


# --- the command ----------------------------------------------------------------------------


def _file(tmp_path, data, name="清单.xlsx"):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_command_prints_the_id_last(cast, tmp_path, capsys):
    path = _file(tmp_path, messy.build())
    with frozen(START):
        call_command("import-list", path, "--name", "专项整治清单", "--starts-on", "2026-03-02",
                     "--owner", "leader", "--reports-to", "市委")  # fmt: skip
    lines = capsys.readouterr().out.strip().splitlines()
    rect_list = RectList.objects.get()
    assert lines[-1] == str(rect_list.pk)
    assert (rect_list.name, rect_list.owner, rect_list.reports_to) == (
        "专项整治清单",
        cast.leader,
        "市委",
    )
    assert rect_list.items.count() == 35


def test_command_dry_run_writes_nothing(cast, tmp_path, capsys):
    path = _file(tmp_path, messy.build())
    call_command("import-list", path, "--name", "x", "--dry-run", "--starts-on", "2026-03-02")
    out = capsys.readouterr().out
    assert "共35个事项、70条具体举措" in out and "--dry-run" in out
    assert not RectList.objects.exists() and not Case.objects.exists()


def test_command_errors_exit_non_zero(cast, tmp_path, capsys):
    path = _file(tmp_path, messy.build(unknown_unit_at=1, bad_date_at=4))
    with pytest.raises(CommandError) as raised:
        call_command("import-list", path, "--name", "x", "--starts-on", "2026-03-02")
    assert raised.value.returncode != 0 or "2处错误" in str(raised.value)
    err = capsys.readouterr().err
    assert "第4行「牵头处室（牵头）」“宣传处”" in err and "第10行「完成时限」“2026年13月”" in err
    assert not RectList.objects.exists()
    with pytest.raises(CommandError):
        call_command("import-list", str(tmp_path / "missing.xlsx"), "--name", "x")


def test_a_huge_merged_range_is_refused_before_loading(cast, monkeypatch):
    from transfer.errors import ImportFileError

    monkeypatch.setattr("lists.importing.MAX_MERGED", 100)
    wb = Workbook()
    ws = wb.active
    ws.append(["整治重点", "具体举措", "牵头处室", "完成时限"])
    ws.merge_cells("A5:Z10")
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(ImportFileError, match="合并的单元格过多"):
        plan_list(out.getvalue(), "x.xlsx", starts_on=START)


def test_a_measure_takes_its_rows_unit_and_deadline(cast):
    from cases.tests.factories import make_user

    make_user("wang", full_name="")
    user = type(cast.leader).objects.get(username="wang")
    user.last_name, user.first_name = "王", "副主任"
    user.save()
    wb = Workbook()
    ws = wb.active
    ws.append(["项目", "工作措施", "分管领导", "责任单位", "协办单位", "时限"])
    ws.append(
        [
            "预约诊疗",
            "①推广分时段预约②号源下沉",
            "王 副主任",
            "yizheng",
            "基层卫生健康处 中医药管理处",
            "2026.6.30",
        ]
    )
    ws.append([None, "中医馆预约", None, "中医药管理处", None, "2026年9月底"])
    ws.append([None, "基层预约", None, None, None, None])
    ws.merge_cells("A2:A4")
    ws.merge_cells("C2:C4")
    out = io.BytesIO()
    wb.save(out)
    plan = plan_list(out.getvalue(), "x.xlsx", starts_on=START)
    assert plan.problems == []
    spec = plan.items[0].spec
    assert [(m.text, m.unit.code, m.deadline) for m in spec.measures] == [
        ("推广分时段预约", "yizheng", date(2026, 6, 30)),
        ("号源下沉", "yizheng", date(2026, 6, 30)),
        ("中医馆预约", "zhongyi", date(2026, 9, 30)),
        ("基层预约", "yizheng", date(2026, 6, 30)),
    ]
    assert spec.deadline == date(2026, 9, 30) and spec.lead_unit == cast.yizheng
    assert spec.co_units == [cast.jiceng, cast.zhongyi]
    assert spec.leader == user and spec.leader_name == "王副主任"  # spaces between Chinese go
