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


# --- issue 14: the reviewer's variants -----------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "measures"),
    [
        ("1）制定方案\n2）组织实施", ["制定方案", "组织实施"]),
        ("(1)制定方案(2)组织实施(3)总结评估", ["制定方案", "组织实施", "总结评估"]),
        ("（一）制定方案（二）组织实施", ["制定方案", "组织实施"]),
        ("一是统一标准；二是组织实施", ["统一标准", "组织实施"]),
        ("⑴制定方案⑵组织实施", ["制定方案", "组织实施"]),
        ("按要求：(1)制定方案(2)组织实施", ["按要求：", "制定方案", "组织实施"]),
        # Ordinary text: no sequence 1, 2 in mid-line, or "是" inside a word.
        ("2026年(含)以前完成(2)类整改", ["2026年(含)以前完成(2)类整改"]),
        ("标准统一是关键，二是其次", ["标准统一是关键，二是其次"]),
        # Numbers under a measure's own number stay in its text.
        (
            "1.制定方案：（1）细则（2）培训\n2.组织实施",
            ["制定方案：（1）细则（2）培训", "组织实施"],
        ),
    ],
)
def test_measure_numbers_of_every_style(cell, measures):
    from lists.importing_cells import split_measures

    assert split_measures(cell) == measures


def test_full_width_and_one_line_numbers_in_the_sheet(cast):
    plan = plan_list(messy.build(other_numbers=True), "x.xlsx", starts_on=START)
    assert plan.problems == []
    assert (len(plan.items), plan.measures) == (messy.ITEMS, messy.MEASURES)
    for n, planned in enumerate(plan.items, start=1):
        assert [m.text for m in planned.spec.measures] == messy.measure_texts(n)


@pytest.mark.parametrize(
    ("cell", "read"),
    [
        # Seed 003's figure, in seconds: 16 min = 960 s, 13 min 37 s = 817 s.
        (messy.SEED_TIME, ("急救反应时间", "秒", Decimal(960), Decimal(817), Direction.DOWN)),
        ("平均等候时间1小时→45分钟", ("平均等候时间", "分钟", Decimal(60), Decimal(45), "down")),
        ("急救反应时间不超过13分37秒", ("急救反应时间", "秒", None, Decimal(817), "down")),
        ("接听率由61%提高到99.19%", ("接听率", "%", Decimal(61), Decimal("99.19"), "up")),
        # No wrong figure, ever: the whole text is the name.
        ("1e400→2", ("1e400→2", "", None, None, "up")),
        ("门诊量20000人次→30000人", ("门诊量20000人次→30000人", "", None, None, "up")),
        ("床位数12345678901→2", ("床位数12345678901→2", "", None, None, "up")),
        ("比例0.00001→1", ("比例0.00001→1", "", None, None, "up")),
        ("时间13分70秒→10分", ("时间13分70秒→10分", "", None, None, "up")),
        ("a→b→c", ("a→b→c", "", None, None, "up")),
    ],
)
def test_indicator_sides_are_one_figure_with_its_unit(cell, read):
    from lists.importing_cells import read_indicator

    found = read_indicator(cell)
    assert found is not None
    assert (found.name, found.unit, found.baseline, found.target, found.direction) == read


def test_the_seed_time_indicator_in_the_sheet(cast):
    plan = plan_list(messy.build(indicators={3: messy.SEED_TIME}), "x.xlsx", starts_on=START)
    ind = plan.items[2].spec.indicator
    assert (ind.name, ind.unit, ind.baseline, ind.target, ind.direction) == (
        "急救反应时间", "秒", Decimal(960), Decimal(817), Direction.DOWN,
    )  # fmt: skip


def test_notes_under_the_table_are_skipped_and_said(cast):
    plan = plan_list(messy.build(notes=True), "x.xlsx", starts_on=START)
    assert plan.problems == []
    assert (len(plan.items), plan.measures) == (messy.ITEMS, messy.MEASURES)
    skipped = [n for n in plan.notes if "已跳过" in n]
    assert len(skipped) == 3
    assert all(text in note for text, note in zip(messy.NOTES, skipped, strict=True))


def test_a_note_with_items_under_it_is_no_note(cast):
    data = _sheet(
        ("问题", "整改措施", "责任处室", "整改时限"),
        ("合计", "方案", "医政医管处", "2026年6月底"),
        ("问题二", "方案", "医政医管处", "2026年6月底"),
        ("填表人：张三",),
    )
    plan = plan_list(data, "x.xlsx", starts_on=START)
    assert [p.spec.title for p in plan.items] == ["合计", "问题二"]
    assert plan.notes == ["第4行“填表人：张三”不是事项（表格下的注释、签名或合计），已跳过"]


def test_two_row_headings_read_the_sub_headings(cast):
    plan = plan_list(messy.build(two_row_headings=True), "x.xlsx", starts_on=START)
    assert plan.problems == []
    assert (len(plan.items), plan.measures) == (messy.ITEMS, messy.MEASURES)
    assert plan.heading_row == 4 and plan.title == "市卫生健康委形式主义官僚主义专项整治项目清单"
    assert (plan.headings["lead_unit"], plan.headings["co_units"]) == ("牵头处室", "协办处室")
    first = plan.items[0]
    assert first.row == 5 and first.spec.lead_unit == cast.jiceng
    assert first.spec.co_units == [cast.yizheng, cast.zhongyi]


def test_a_long_title_is_one_problem(cast):
    data = _sheet(("问题", "整改措施", "牵头处室", "整改时限"),
                  ("问题" * 200, "方案", "医政医管处", "2026年6月底"))  # fmt: skip
    plan = plan_list(data, "x.xlsx", starts_on=START)
    assert [(p.row, p.message) for p in plan.problems] == [(2, "不能超过300个字")]


def test_zero_width_spaces_in_unit_names(cast):
    data = _sheet(
        ("问题", "整改措施", "牵头处室", "协办处室", "整改时限"),
        ("问题一", "方案", "\u00a0医政医管处\u200b", "\ufeff中医药管理处", "2026年6月底"),
    )
    plan = plan_list(data, "x.xlsx", starts_on=START)
    assert plan.problems == []
    spec = plan.items[0].spec
    assert (spec.lead_unit, spec.co_units) == (cast.yizheng, [cast.zhongyi])


@pytest.mark.parametrize(
    ("cell", "found"),
    [
        ("6月30日", date(2026, 6, 30)),  # the list's year
        ("6月30日前", date(2026, 6, 30)),
        ("2026.6", date(2026, 6, 30)),  # that month's end
        (2026.6, date(2026, 6, 30)),  # typed in Excel: a number
        (2026.12, date(2026, 12, 31)),
        ("2026-09", date(2026, 9, 30)),
        ("年底前", date(2026, 12, 31)),  # the list's year
        ("2026年底前", date(2026, 12, 31)),
        ("6月底前", date(2026, 6, 30)),
    ],
)
def test_more_ways_to_write_a_deadline(cell, found):
    from lists.importing_cells import Period, read_deadline

    assert read_deadline(cell, Period(2026)) == (found, False)


@pytest.mark.parametrize(
    ("cell", "message"),
    [("2月30日", "不存在"), ("2026.13", "不存在"), (2026.1, "可能是1月也可能是10月")],
)
def test_deadlines_still_refused(cell, message):
    from lists.importing_cells import Period, read_deadline
    from transfer.cleaning import CellError

    with pytest.raises(CellError, match=message):
        read_deadline(cell, Period(2026))
