"""The export people print and report from (issue 9, point 5): the computed columns
(答复期限 after extensions, 承办人, 是否逾期 / 逾期工作日, 当前状态), the columns a user picks
with a saved default, the printed page (landscape A4, fit to width, header row repeated,
filter and date in the page header), and the round trip: computed columns are ignored on
import, with a note in the preview."""

import io
import re
from datetime import date

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from audit.models import AuditEvent
from cases import actions
from cases.models import Assignment, Case
from cases.tests.factories import register
from transfer.actions import EXPORT_COLUMNS_SAVED
from transfer.columns import EXPORT_COLUMNS
from transfer.exporting import export_workbook
from transfer.models import ExportPreference
from transfer.planning import plan_import

pytestmark = pytest.mark.django_db
SEEN_ON = date(2026, 7, 20)  # a Monday
GATES = {"format": True, "policy": True, "content": True, "resolution": True}


def _handled(cast, *, title: str):
    case = register(cast, on=date(2026, 3, 2), title=title)
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 5)
    )
    actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 3, 6))
    return case


def _reply(cast, case, on: date, cls: str = "A") -> None:
    commitments = [{"what": "年内完成", "due": date(2026, 12, 31)}] if cls in ("B", "C") else []
    actions.submit_reply(
        case,
        by=cast.yizheng_head,
        text="答复",
        reply_class=cls,
        contact="张",
        phone="1",
        commitments=commitments,
        on=on,
    )
    actions.review_reply(case, by=cast.coordinator, passed=True, gates=GATES, on=on)
    actions.sign_reply(case, by=cast.leader, approved=True, on=on)


@pytest.fixture
def handled(cast):
    """Four cases assigned 2026-03-05 (due 2026-06-05), as seen on 2026-07-20."""
    with time_machine.travel(SEEN_ON, tick=False):
        extended = _handled(cast, title="延期件")
        actions.request_extension(
            extended,
            by=cast.yizheng_head,
            until=date(2026, 7, 15),
            reason="需会同发改部门调研",
            on=date(2026, 5, 20),
        )
        actions.decide_extension(extended, by=cast.leader, approved=True, on=date(2026, 5, 21))
        Assignment.objects.filter(case=extended, kind="lead").update(handler=cast.yizheng_handler)
        late = _handled(cast, title="逾期答复件")
        _reply(cast, late, date(2026, 6, 9))
        on_time = _handled(cast, title="按期答复件")
        _reply(cast, on_time, date(2026, 6, 1))
        again = _handled(cast, title="重新办理件")
        _reply(cast, again, date(2026, 5, 6), cls="C")
        actions.record_feedback(
            again, by=cast.coordinator, result="unsatisfied", on=date(2026, 7, 1)
        )
    return {c.title: c for c in Case.objects.all()}


def _sheet(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def _rows(sheet) -> dict[str, dict[str, object]]:
    header = [c.value for c in sheet[2]]
    found = {}
    for row in sheet.iter_rows(min_row=3, values_only=True):
        values = dict(zip(header, row, strict=True))
        found[str(values["标题"])] = values
    return found


def test_the_computed_columns(handled, cast):
    with time_machine.travel(SEEN_ON, tick=False):
        rows = _rows(_sheet(export_workbook(Case.objects.all())))
    extended = rows["延期件"]
    # The deadline in force after the approved extension; no upstream 办理期限.
    assert extended["答复期限"].date() == date(2026, 7, 15)
    assert extended["办理期限"] is None
    # 07-16, 07-17 and 07-20 are the working days since 07-15.
    assert (extended["是否逾期"], extended["逾期工作日"]) == ("是", 3)
    assert extended["承办人"] == cast.yizheng_handler.get_full_name()
    assert extended["当前状态"] == "办理中"
    late = rows["逾期答复件"]
    assert late["答复期限"].date() == date(2026, 6, 5)
    # Answered 06-09: 06-08 and 06-09 past the deadline.
    assert (late["是否逾期"], late["逾期工作日"], late["当前状态"]) == ("逾期答复", 2, "已答复")
    assert late["承办人"] is None  # no handler named
    on_time = rows["按期答复件"]
    assert (on_time["是否逾期"], on_time["逾期工作日"]) == ("否", None)
    again = rows["重新办理件"]
    assert again["当前状态"] == "办理中（重新办理·第2轮）"
    assert again["是否逾期"] == "否"  # the new round is due 2026-08-01 → 08-03


def test_the_printed_page(handled, cast):
    client = Client()
    client.force_login(cast.coordinator)
    with time_machine.travel(SEEN_ON, tick=False):
        response = client.get("/transfer/export.xlsx?year=2026&overdue=1&q=延期&page=2")
    assert response.status_code == 200
    sheet = _sheet(response.content)
    assert sheet["A1"].value == "2026年度议提案办理台账"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.print_title_rows == "$2:$2"  # the header row repeats on every page
    assert sheet.oddHeader.left.text == "筛选条件：2026年度；已逾期（超期未复）；关键词“延期”"
    assert sheet.oddHeader.right.text == "导出日期：2026年7月20日"
    assert sheet.oddFooter.center.text == "第 &P 页，共 &N 页"
    # Only the overdue case, with its working days as of the export date.
    assert list(_rows(sheet)) == ["延期件"]


def test_an_ampersand_in_the_filter_is_not_a_header_code(cast):
    register(cast, on=date(2026, 3, 2))
    content = export_workbook(Case.objects.all(), description="筛选条件：关键词“A&B”")
    assert _sheet(content).oddHeader.left.text == "筛选条件：关键词“A&&B”"


def test_the_user_picks_columns_and_saves_a_default(handled, cast):
    client = Client()
    client.force_login(cast.yizheng_head)
    page = client.get("/transfer/export/columns/?query=year%3D2026%26page%3D3")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="query" value="year=2026"' in html
    assert "筛选条件：2026年度" in html
    for column in EXPORT_COLUMNS:
        assert f'value="{column.key}"' in html
    chosen = ["number", "title", "lead_unit", "handler", "deadline", "overdue_workdays"]
    # 导出 with the ticked columns: to the export, the filter kept.
    response = client.post(
        "/transfer/export/columns/",
        {"query": "year=2026", "columns": chosen, "do": "export"},
    )
    assert response.status_code == 302
    assert response["Location"] == (
        "/transfer/export.xlsx?year=2026&columns=number%2Ctitle%2Clead_unit%2Chandler"
        "%2Cdeadline%2Coverdue_workdays"
    )
    assert not ExportPreference.objects.exists()
    sheet = _sheet(client.get(response["Location"]).content)
    assert [c.value for c in sheet[2]] == [
        "编号",
        "标题",
        "承办处室",
        "承办人",
        "答复期限",
        "逾期工作日",
    ]
    # 保存为默认: an audited write; the next plain export uses it.
    response = client.post(
        "/transfer/export/columns/",
        {"query": "year=2026", "columns": ["title", "number", "current_state"], "do": "save"},
    )
    assert response.status_code == 302
    saved = ExportPreference.objects.get(user=cast.yizheng_head)
    assert saved.columns == ["number", "title", "current_state"]  # the export's order
    event = AuditEvent.objects.get(action=EXPORT_COLUMNS_SAVED)
    assert event.actor == cast.yizheng_head
    assert event.details == {"before": [], "after": ["number", "title", "current_state"]}
    sheet = _sheet(client.get("/transfer/export.xlsx?year=2026").content)
    assert [c.value for c in sheet[2]] == ["编号", "标题", "当前状态"]
    # Someone else's default is their own: all columns.
    other = Client()
    other.force_login(cast.coordinator)
    sheet = _sheet(other.get("/transfer/export.xlsx?year=2026").content)
    assert [c.value for c in sheet[2]] == [c.label for c in EXPORT_COLUMNS]
    # Saving the same columns again writes nothing.
    client.post(
        "/transfer/export/columns/",
        {"columns": ["number", "title", "current_state"], "do": "save"},
    )
    assert AuditEvent.objects.filter(action=EXPORT_COLUMNS_SAVED).count() == 1


def test_bad_columns_are_refused_in_chinese(cast):
    client = Client()
    client.force_login(cast.viewer)
    response = client.get("/transfer/export.xlsx?columns=number,password")
    assert response.status_code == 400
    assert "无法识别的导出列：password" in response.content.decode()
    response = client.post("/transfer/export/columns/", {"columns": [], "do": "save"})
    assert response.status_code == 400
    assert "请至少选择一列" in response.content.decode()
    assert not ExportPreference.objects.exists()


def test_the_round_trip_ignores_the_computed_columns_with_a_note(handled, cast):
    with time_machine.travel(SEEN_ON, tick=False):
        content = export_workbook(Case.objects.all())
    book = load_workbook(io.BytesIO(content))
    sheet = book.active
    header = [c.value for c in sheet[2]]
    # Whatever the computed cells say, the import does not read them.
    for row in range(3, sheet.max_row + 1):
        sheet.cell(row=row, column=header.index("答复期限") + 1).value = date(2030, 1, 1)
        sheet.cell(row=row, column=header.index("承办人") + 1).value = "某某"
        sheet.cell(row=row, column=header.index("当前状态") + 1).value = "已办结"
    edited = io.BytesIO()
    book.save(edited)
    plan = plan_import(edited.getvalue(), "导出.xlsx", user=cast.coordinator)
    assert plan.errors == []
    assert [r.status for r in plan.rows] == ["unchanged"] * 4
    assert plan.computed_columns == ["承办人", "答复期限", "是否逾期", "逾期工作日", "当前状态"]
    assert plan.ignored_columns == []
    # The preview says so.
    client = Client()
    client.force_login(cast.coordinator)
    upload = io.BytesIO(edited.getvalue())
    upload.name = "导出.xlsx"
    response = client.post("/transfer/import/", {"file": upload}, follow=True)
    html = response.content.decode()
    assert (
        "以下列由系统根据办理情况计算，导入时忽略：承办人、答复期限、是否逾期、逾期工作日、当前状态"
        in html
    )
    assert "交办机关规定的期限请填在“办理期限”列" in html


def test_a_foreign_ledgers_reply_deadline_is_not_taken_for_the_upstream_one(cast):
    """答复期限 is the system's computed deadline: a ledger that means the upstream's puts it
    under 办理期限 (the preview says so); it never silently changes a case's deadline."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["类别", "级别", "年度", "编号", "标题", "领衔人", "答复期限"])
    sheet.append(
        ["人大代表建议", "市级", 2026, "20269001", "关于托育的建议", "陈代表", "2026-05-01"]
    )
    data = io.BytesIO()
    book.save(data)
    plan = plan_import(data.getvalue(), "外来.xlsx", user=cast.coordinator)
    assert plan.errors == [] and plan.computed_columns == ["答复期限"]
    assert plan.rows[0].item.record.explicit_deadline is None


def test_the_print_preset_ticks_a_printable_set_that_still_imports(handled, cast):
    from transfer.columns import PRINT_COLUMNS

    client = Client()
    client.force_login(cast.coordinator)
    html = client.get("/transfer/export/columns/?query=year%3D2026&preset=print").content.decode()
    ticked = re.findall(r'value="(\w+)" id="col-\w+" checked', html)
    assert ticked == list(PRINT_COLUMNS) or set(ticked) == set(PRINT_COLUMNS)
    assert "content" not in ticked and "handler" in ticked
    content = export_workbook(Case.objects.all(), columns=list(PRINT_COLUMNS))
    plan = plan_import(content, "打印.xlsx", user=cast.coordinator)
    assert plan.errors == [] and {r.status for r in plan.rows} == {"unchanged"}
