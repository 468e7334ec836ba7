"""The export: same columns as the template, real dates, printable, no formulas, fixed
queries; an exported ledger imports back with zero changes."""

import io
import zipfile
from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from cases import actions
from cases.models import Case
from cases.tests.factories import register
from transfer.columns import COLUMNS, EXPORT_COLUMNS
from transfer.exporting import export_workbook, template_workbook
from transfer.planning import apply_import, plan_import
from transfer.tests.test_import_messy import messy_ledger

pytestmark = pytest.mark.django_db
LABELS = [c.label for c in COLUMNS]  # the import template's
EXPORTED = [c.label for c in EXPORT_COLUMNS]  # the export's: the computed columns too


def system_cases(cast) -> list[Case]:
    """Cases handled through the actions, in states an import cannot make."""
    signing = register(cast, on=date(2026, 3, 2), issuer="市人大常委会代表工委", is_key=True)
    actions.assign_case(
        signing,
        by=cast.coordinator,
        lead_unit=cast.yizheng,
        co_units=[cast.jiceng, cast.fagaiwei],
        assigned_on=date(2026, 3, 5),
    )
    actions.accept_case(signing, by=cast.yizheng_head, on=date(2026, 3, 6))
    actions.submit_reply(
        signing,
        by=cast.yizheng_head,
        text="答复",
        reply_class="A",
        contact="张",
        phone="1",
        on=date(2026, 5, 6),
    )
    actions.review_reply(signing, by=cast.coordinator, passed=True, on=date(2026, 5, 7))
    rehandled = register(cast, on=date(2026, 3, 2), led_by="王副市长")
    actions.assign_case(
        rehandled, by=cast.coordinator, lead_unit=cast.jiceng, assigned_on=date(2026, 3, 5)
    )
    actions.accept_case(rehandled, by=cast.jiceng_head, on=date(2026, 3, 6))
    actions.submit_reply(
        rehandled,
        by=cast.jiceng_head,
        text="答复",
        reply_class="D",
        contact="张",
        phone="1",
        on=date(2026, 5, 6),
    )
    actions.review_reply(rehandled, by=cast.coordinator, passed=True, on=date(2026, 5, 7))
    actions.sign_reply(rehandled, by=cast.leader, approved=True, on=date(2026, 5, 8))
    actions.record_feedback(
        rehandled, by=cast.coordinator, result="unsatisfied", on=date(2026, 5, 20)
    )
    withdrawn = register(
        cast, on=date(2026, 3, 2), category="cppcc_proposal", lead_proposer="九三学社市委会"
    )
    actions.withdraw_case(
        withdrawn, by=cast.coordinator, reason="不属于我委职责", on=date(2026, 3, 3)
    )
    return [signing, rehandled, withdrawn]


def test_round_trip_export_then_import_changes_nothing(cast):
    plan = plan_import(messy_ledger(), "台账.xlsx", user=cast.coordinator)
    apply_import(plan, user=cast.coordinator, source_name="台账.xlsx")
    system_cases(cast)
    exported = export_workbook(Case.objects.all())
    again = plan_import(exported, "导出.xlsx", user=cast.coordinator)
    assert again.errors == []
    assert [r.status for r in again.rows] == ["unchanged"] * 10
    assert again.header_row == 2
    summary = apply_import(again, user=cast.coordinator, source_name="导出.xlsx")
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 10)


def test_layout_dates_widths_and_print_setup(cast):
    system_cases(cast)
    sheet = load_workbook(
        io.BytesIO(export_workbook(Case.objects.all(), heading="2026年度台账"))
    ).active
    assert sheet["A1"].value == "2026年度台账"
    assert [c.value for c in sheet[2]] == EXPORTED
    assert sheet.freeze_panes == "A3"
    assert sheet.print_title_rows == "$2:$2"
    assert sheet.page_setup.orientation == "landscape"
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.column_dimensions["G"].width == 42  # 标题
    assigned = EXPORTED.index("交办日期") + 1
    issuer = EXPORTED.index("交办机关") + 1
    row = next(r for r in range(3, 6) if sheet.cell(row=r, column=issuer).value)
    cell = sheet.cell(row=row, column=assigned)
    assert cell.value == datetime(2026, 3, 5)
    assert cell.number_format == 'yyyy"年"m"月"d"日"'
    assert cell.is_date


def test_cell_values_that_look_like_formulas_are_text(cast):
    register(
        cast,
        on=date(2026, 3, 2),
        title='=HYPERLINK("http://evil.example","点我")',
        led_by="+1+1",
        session="-2+3",
        content="@SUM(A1:A9)",
        lead_proposer="=cmd|' /C calc'!A0",
    )
    data = export_workbook(Case.objects.all())
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml
    sheet = load_workbook(io.BytesIO(data)).active
    row = {label: sheet.cell(row=3, column=i + 1) for i, label in enumerate(EXPORTED)}
    for label in ("标题", "领办领导", "届次", "内容", "领衔人"):
        assert row[label].data_type == "s", label
        assert row[label].quotePrefix is True
    assert row["标题"].value == '=HYPERLINK("http://evil.example","点我")'
    again = plan_import(data, "导出.xlsx", user=cast.coordinator)
    assert [r.status for r in again.rows] == ["unchanged"]


def test_a_fixed_number_of_queries(cast):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            export_workbook(Case.objects.all())
        return len(ctx.captured_queries)

    register(cast, on=date(2026, 3, 2))
    few = queries()
    system_cases(cast)
    for _ in range(5):
        case = register(cast, on=date(2026, 3, 2))
        actions.assign_case(
            case,
            by=cast.coordinator,
            lead_unit=cast.zhongyi,
            co_units=[cast.jiceng],
            assigned_on=date(2026, 3, 5),
        )
    assert Case.objects.count() == 9
    # the cases, proposers, topics, co-units, the lead unit's handler, the calendar of the
    # rows' dates, the commission's name for the heading
    assert queries() == few == 7


def test_template_has_the_canonical_headers_and_an_example_that_imports(cast):
    sheet = load_workbook(io.BytesIO(template_workbook())).worksheets[0]
    assert [c.value for c in sheet[1]] == LABELS
    assert sheet.cell(row=2, column=1).value == "人大代表建议"
    assert sheet.cell(row=2, column=LABELS.index("交办日期") + 1).is_date
    plan = plan_import(template_workbook(), "模板.xlsx", user=cast.coordinator)
    assert plan.errors == []
    record = plan.rows[0].item.record
    assert (record.state, record.lead_unit, record.feedback_result) == (
        "closed",
        cast.jiceng,
        "satisfied",
    )
