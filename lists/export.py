"""A list as .xlsx: `/lists/<id>/export.xlsx` gives it back in the shape it is imported from
(title row, a 填报 row, the heading row, an item per merged block, a measure per row), so
that exporting and importing again gives the same items and measures; `/lists/<id>/
ledger.xlsx` is the official 整改台账 (one row per item, printable on A3 landscape).

Only a user who may see the list (404 otherwise) gets it, with the items the user may see.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponse
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from attachments.downloads import as_download
from audit.record import today
from cases.permissions import visible_cases
from huiyin.xlsx import put
from lists.access import list_for_user
from lists.importing_cells import LABELS, indicator_text
from lists.models import Item, Measure, Progress, RectList
from workflow.vocabulary import State

if TYPE_CHECKING:
    from huiyin.types import AuthedRequest, User

XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The export's columns, as lists.importing reads them back (key, width in characters).
SHAPE: Final = (
    ("seq", 6), ("category", 12), ("title", 28), ("description", 28), ("measures", 40),
    ("measure_unit", 14), ("measure_deadline", 12), ("leader", 10), ("lead_unit", 14),
    ("co_units", 18), ("deadline", 12), ("indicator", 24),
)  # fmt: skip
ITEM_COLUMNS: Final = frozenset(
    k for k, _ in SHAPE if k not in ("measures", "measure_unit", "measure_deadline")
)
LEDGER: Final = (
    ("序号", 6), ("问题（项目）", 30), ("整改措施", 46), ("责任领导", 10), ("牵头处室", 14),
    ("协办处室", 16), ("完成时限", 12), ("整改进展", 36), ("完成情况", 14), ("销号日期", 12),
)  # fmt: skip
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
BODY = Font(name="仿宋", size=11)
HEAD = Font(name="宋体", size=11, bold=True)
TITLE = Font(name="宋体", size=16, bold=True)


def _items(rect_list: RectList, user: User) -> QuerySet[Item]:
    return (
        Item.objects.filter(rect_list=rect_list, case__in=visible_cases(user))
        .select_related("case", "case__lead_unit")
        .order_by("seq")
    )


def _measures(items: Sequence[Item]) -> dict[int, list[Measure]]:
    found: dict[int, list[Measure]] = defaultdict(list)
    rows = Measure.objects.filter(item__in=[i.pk for i in items]).select_related("unit")
    for m in rows.order_by("item_id", "seq"):
        found[m.item_id].append(m)
    return found


def _co_units(items: Sequence[Item]) -> dict[int, list[str]]:
    """The 协办处室 named for each item (not the measures' owners: their units are in
    the measures' own column)."""
    found: dict[int, list[str]] = defaultdict(list)
    through = Item.co_units.through
    rows = (
        through.objects.filter(item_id__in=[i.pk for i in items])
        .order_by("item_id", "unit__sort_order", "unit__code")
        .values_list("item_id", "unit__name")
    )
    for item_id, name in rows:
        found[item_id].append(name)
    return found


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _cell(ws: Worksheet, row: int, column: int, value: Any, *, font: Font = BODY) -> None:
    cell = ws.cell(row, column)
    put(cell, value)  # never a formula: a title may start with "="
    cell.font, cell.alignment, cell.border = font, WRAP, BORDER


def _title(ws: Worksheet, text: str, subtitle: str, width: int) -> None:
    put(ws.cell(1, 1), text)
    ws.cell(1, 1).font = TITLE
    ws.cell(1, 1).alignment = CENTER
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.row_dimensions[1].height = 32
    put(ws.cell(2, 1), subtitle)
    ws.cell(2, 1).font = BODY
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)


def _print_setup(ws: Worksheet, widths: Sequence[int], paper: str) -> None:
    for n, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(n)].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = paper
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = "3:3"
    ws.freeze_panes = "A4"
    ws.page_margins.left = ws.page_margins.right = 0.4


def list_workbook(rect_list: RectList, user: User) -> bytes:
    """The list in its import shape."""
    items = list(_items(rect_list, user))
    measures, co_units = _measures(items), _co_units(items)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "清单"
    _title(
        ws,
        rect_list.name,
        f"清单编号：{rect_list.code}　　填报时间：{today().isoformat()}",
        len(SHAPE),
    )
    for n, (name, _) in enumerate(SHAPE, start=1):
        _cell(ws, 3, n, LABELS[name], font=HEAD)
        ws.cell(3, n).alignment = CENTER
    row = 4
    for item in items:
        case, mine = item.case, measures.get(item.pk, [])
        values = {
            "seq": item.seq, "category": item.category, "title": case.title,
            "description": case.content, "leader": item.leader_name,
            "lead_unit": case.lead_unit.name if case.lead_unit else "",
            "co_units": "、".join(n for n in co_units.get(item.pk, [])),
            "deadline": _day(case.deadline),
            "indicator": indicator_text(item.indicator, item.indicator_unit, item.baseline,
                                        item.target, item.direction),
        }  # fmt: skip
        span = max(1, len(mine))
        for k in range(span):
            measure = mine[k] if mine else None
            values["measures"] = measure.text if measure else ""
            values["measure_unit"] = measure.unit.name if measure else ""
            values["measure_deadline"] = _day(measure.deadline) if measure else ""
            for n, (name, _) in enumerate(SHAPE, start=1):
                if k == 0 or name not in ITEM_COLUMNS:
                    _cell(ws, row + k, n, values[name])
                else:
                    ws.cell(row + k, n).border = BORDER
        if span > 1:
            for n, (name, _) in enumerate(SHAPE, start=1):
                if name in ITEM_COLUMNS:
                    ws.merge_cells(
                        start_row=row, start_column=n, end_row=row + span - 1, end_column=n
                    )
        row += span
    _print_setup(ws, [w for _, w in SHAPE], ws.PAPERSIZE_A3)
    return _save(wb)


def _latest_reports(items: Sequence[Item]) -> dict[int, Progress]:
    found: dict[int, Progress] = {}
    rows = Progress.objects.filter(item__in=[i.pk for i in items]).order_by("item_id", "on", "id")
    for report in rows.only("item_id", "on", "text", "percent"):
        found[report.item_id] = report  # the last one wins
    return found


def completion(item: Item) -> str:
    """完成情况 as the 台账 writes it."""
    if item.case.state == State.CLOSED:
        return "已销号"
    if item.case.state == State.REVIEWING:
        return "待销号"
    return f"整改中，进度{item.progress}%"


def ledger_workbook(rect_list: RectList, user: User) -> bytes:
    """整改台账: 序号, 问题（项目）, 整改措施, 责任领导, 牵头处室, 协办处室, 完成时限, 整改进展,
    完成情况, 销号日期; A3 landscape, the heading row on every page, borders, wrapped text."""
    items = list(_items(rect_list, user))
    measures, co_units = _measures(items), _co_units(items)
    reports = _latest_reports(items)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "整改台账"
    subtitle = f"{rect_list.code}　　截至{today().isoformat()}"
    _title(ws, f"{rect_list.name}整改台账", subtitle, len(LEDGER))
    for n, (label, _) in enumerate(LEDGER, start=1):
        _cell(ws, 3, n, label, font=HEAD)
        ws.cell(3, n).alignment = CENTER
    for row, item in enumerate(items, start=4):
        case = item.case
        lead = case.lead_unit.name if case.lead_unit else ""
        steps = "\n".join(
            f"{k}.{m.text}（{m.unit.name}，{m.deadline.isoformat()}，{m.get_status_display()}）"
            for k, m in enumerate(measures.get(item.pk, []), start=1)
        )
        report = reports.get(item.pk)
        progress = f"{report.on.isoformat()} {report.text}" if report else ""
        title = case.title + (f"\n{case.content}" if case.content else "")
        # 协办处室 in the ledger: the named ones, then the other units with a measure.
        helping = [*co_units.get(item.pk, []), *(m.unit.name for m in measures.get(item.pk, []))]
        values = (
            item.seq, title, steps, item.leader_name, lead,
            "、".join(dict.fromkeys(n for n in helping if n != lead)), _day(case.deadline),
            progress, completion(item), _day(item.struck_off_on),
        )  # fmt: skip
        for n, value in enumerate(values, start=1):
            _cell(ws, row, n, value)
    _print_setup(ws, [w for _, w in LEDGER], ws.PAPERSIZE_A3)
    return _save(wb)


def _save(wb: Workbook) -> bytes:
    output = io.BytesIO()
    wb.save(output)
    return output.getvalue()


@login_required
@require_GET
def export_list(request: AuthedRequest, pk: int) -> HttpResponse:
    rect_list = list_for_user(request.user, pk)
    content = list_workbook(rect_list, request.user)
    return as_download(
        HttpResponse(content, content_type=XLSX), f"{rect_list.name}.xlsx", f"{rect_list.code}.xlsx"
    )


@login_required
@require_GET
def export_ledger(request: AuthedRequest, pk: int) -> HttpResponse:
    rect_list = list_for_user(request.user, pk)
    content = ledger_workbook(rect_list, request.user)
    return as_download(
        HttpResponse(content, content_type=XLSX),
        f"{rect_list.name}整改台账.xlsx",
        f"{rect_list.code}-ledger.xlsx",
    )
