"""回头看 as .xlsx (/promises/export.xlsx): the list as filtered, a row per promise, under a
title and the summary figures; text written as text (huiyin.xlsx.put), dates as dates in
the ledger's format (transfer.exporting)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any, Final

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from cases.models import COMMITMENT_OPEN, Commitment
from huiyin.formats import cn_date
from huiyin.xlsx import put
from promises.figures import Filters, percent, title
from transfer.exporting import DATE_FORMAT

XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 20_000  # a year's promises are hundreds; a bound all the same
COLUMNS: Final = (
    ("编号", 14), ("标题", 36), ("领衔人", 10), ("答复类别", 8), ("承诺事项", 40),
    ("承诺完成时间", 12), ("责任处室", 14), ("状态", 10), ("逾期", 6), ("最新进展", 36),
    ("更新日期", 12), ("未兑现原因", 30), ("认定日期", 12),
)  # fmt: skip
SUMMARY: Final = (
    ("承诺总数", "total"), ("已兑现", "fulfilled"), ("部分兑现", "partial"),
    ("未兑现", "unfulfilled"), ("推进中/未开始", "open"), ("逾期未兑现", "overdue"),
)  # fmt: skip
HEAD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def _put(ws: Any, row: int, col: int, value: Any) -> None:
    """A date as a date (the ledger's 2026年3月2日), anything else through put."""
    cell = ws.cell(row, col)
    if isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
        return
    put(cell, value)


def row_values(c: Commitment, lead: str, on: date) -> list[Any]:
    late = c.status in COMMITMENT_OPEN and c.due < on
    return [
        c.case.number, c.case.title, lead, f"{c.reply.reply_class}类", c.what, c.due,
        c.unit.name if c.unit else "", c.get_status_display(), "是" if late else "",
        c.note, c.updated_on, c.reason, c.settled_on,
    ]  # fmt: skip


def workbook(
    f: Filters, rows: list[Commitment], leads: dict[int, str], n: dict[str, Any], on: date
) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "回头看"
    put(ws.cell(1, 1), title(f))
    ws.cell(1, 1).font = Font(bold=True, size=14)
    put(ws.cell(2, 1), f"截至{cn_date(on)}")
    for k, (label, key) in enumerate(SUMMARY):
        put(ws.cell(3, 2 * k + 1), label)
        put(ws.cell(3, 2 * k + 2), n[key])
    put(ws.cell(3, 2 * len(SUMMARY) + 1), "兑现率")
    put(ws.cell(3, 2 * len(SUMMARY) + 2), percent(n["rate"]))
    for col, (label, width) in enumerate(COLUMNS, start=1):
        put(ws.cell(5, col), label)
        ws.cell(5, col).font = HEAD
        ws.column_dimensions[get_column_letter(col)].width = width
    for r, c in enumerate(rows, start=6):
        for col, value in enumerate(row_values(c, leads.get(c.case_id, ""), on), start=1):
            _put(ws, r, col, value)
            ws.cell(r, col).alignment = WRAP
    ws.freeze_panes = "A6"
    output = io.BytesIO()
    wb.save(output)
    return output.getvalue()
