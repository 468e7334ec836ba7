"""The ledger as .xlsx: the export and the import template share one set of columns."""

import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, cast

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cases.models import Case
from huiyin.formats import cn_date
from huiyin.xlsx import put
from letters.setup import commission_name
from transfer.columns import BY_KEY, COLUMNS, EXAMPLE_ROW, EXPORT_BY_KEY, EXPORT_COLUMNS, Column
from transfer.ledger import cell_value, computed_values, ledger_queryset, record_of
from workdays.calendar import WorkdaySpan

DATE_FORMAT = 'yyyy"年"m"月"d"日"'
DATE_COLUMNS = {"assigned_on", "explicit_deadline", "replied_on", "deadline"}
# Excel allows 255 characters in a page header (all sections, codes included).
HEADER_TEXT_LIMIT = 180
THIN = Side(style="thin", color="999999")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _put(sheet: Worksheet, row: int, column: int, value: Any) -> None:
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
        return
    put(cell, value)  # never a formula


def _sheet(
    title: str, heading: str | None, columns: Sequence[Column] = COLUMNS
) -> tuple[Workbook, Worksheet, int]:
    workbook = Workbook()
    sheet = cast(Worksheet, workbook.active)  # a new workbook's one sheet
    sheet.title = title
    header_row = 1
    if heading:
        sheet.cell(row=1, column=1, value=heading).font = Font(bold=True, size=14)
        if len(columns) > 1:
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
        sheet.row_dimensions[1].height = 24
        header_row = 2
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=header_row, column=index, value=column.label)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
        sheet.column_dimensions[get_column_letter(index)].width = column.width + 2
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1).coordinate
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    setup = sheet.sheet_properties.pageSetUpPr
    if setup is not None:  # always, on a new sheet
        setup.fitToPage = True
    sheet.print_options.gridLines = True
    return workbook, sheet, header_row


def _save(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write_rows(
    sheet: Worksheet,
    first_row: int,
    rows: Iterable[dict[str, Any]],
    columns: Sequence[Column] = COLUMNS,
) -> int:
    wrap = Alignment(vertical="top", wrap_text=True)
    last = first_row - 1
    for last, values in enumerate(rows, start=first_row):
        for index, column in enumerate(columns, start=1):
            _put(sheet, last, index, values.get(column.key))
            if column.key in ("title", "content"):
                sheet.cell(row=last, column=index).alignment = wrap
    return last


def _header_text(text: str) -> str:
    """Text for a page header: `&` starts a code there, so it is doubled."""
    if len(text) > HEADER_TEXT_LIMIT:
        text = text[: HEADER_TEXT_LIMIT - 1] + "…"
    return text.replace("&", "&&")


def _page_header(sheet: Worksheet, description: str, on: date) -> None:
    """Each printed page: the filter on the left, the export date on the right, the page
    number in the footer."""
    header, footer = sheet.oddHeader, sheet.oddFooter
    assert header is not None and footer is not None  # a new sheet has both
    header.left.text, header.left.size = _header_text(description), 9
    header.right.text, header.right.size = f"导出日期：{cn_date(on)}", 9
    footer.center.text, footer.center.size = "第 &P 页，共 &N 页", 9


def export_workbook(
    cases: QuerySet[Case],
    *,
    heading: str | None = None,
    columns: Sequence[str] | None = None,
    description: str = "筛选条件：全部办件",
    on: date | None = None,
) -> bytes:
    """The cases as a ledger that imports back unchanged; a fixed number of queries.

    A heading (e.g. 2026年度议提案办理台账) stands in a merged first row; the importer
    finds the header below it. `columns` are keys of EXPORT_COLUMNS (default: all, the
    computed ones included, which the import ignores); `on` is the day the computed
    columns are counted on (today)."""
    from audit.record import today

    on = on or today()
    chosen = [EXPORT_BY_KEY[k] for k in columns] if columns else list(EXPORT_COLUMNS)
    heading = heading or f"{commission_name()}议提案办理台账"
    workbook, sheet, header_row = _sheet("议提案台账", heading, chosen)
    _page_header(sheet, description, on)
    ordered = list(
        ledger_queryset(cases.order_by("year", "category", "level", "issuer", "number", "pk"))
    )
    # One calendar for every row's working days (one query), as the pages load theirs.
    days = [d for case in ordered for d in (case.deadline, case.replied_on) if d]
    span = WorkdaySpan(min([on, *days]), max([on, *days]))
    stored = [c.key for c in chosen if c.key in BY_KEY]
    computed = len(stored) < len(chosen)

    def row(case: Any) -> dict[str, Any]:
        record = record_of(case)
        values = {key: cell_value(record, key) for key in stored}
        if computed:
            values.update(computed_values(case, on, span))
        return values

    last = write_rows(sheet, header_row + 1, (row(case) for case in ordered), chosen)
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(chosen))}{max(last, header_row)}"
    return _save(workbook)


def template_workbook() -> bytes:
    """The import template: the canonical headers and one example row."""
    workbook, sheet, header_row = _sheet("导入模板", None)
    example = dict(EXAMPLE_ROW)
    for name in DATE_COLUMNS:
        if example.get(name):
            example[name] = date.fromisoformat(str(example[name]))
    write_rows(sheet, header_row + 1, [example])
    notes = workbook.create_sheet("填写说明")
    for line in TEMPLATE_NOTES:
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    return _save(workbook)


TEMPLATE_NOTES = (
    "议提案台账导入说明",
    "1. 第一行为表头，列的顺序可以调整；带“*”或括号说明的列名也能识别（如“答复类别（A/B/C/D）”）。",
    "2. 必填列：类别、级别、年度、编号、标题、领衔人。类别只能是人大代表建议或政协提案。",
    "3. 日期可写作2022年3月5日、2022-3-5、2022/03/05、2022.03.05，或使用Excel日期格式。",
    "4. 联名人、主题、协办处室等多项内容用顿号、逗号、分号或空格分隔。",
    "5. 办理方式：主办、承办、分办或会办（会办件须填写主办单位）。",
    "6. 已办结的办件请填写承办处室、交办日期、答复日期、答复类别（A、B、C、D）和满意度。",
    "7. 同一类别、级别、交办机关、年度和编号的办件再次导入时更新原件，不会重复登记。",
    "8. 请勿使用公式；如有公式，请先“选择性粘贴为数值”。",
)
