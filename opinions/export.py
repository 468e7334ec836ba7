"""The statistics of 群众意见建议 as .xlsx: the page's figures (opinions.stats), one sheet per
table — 总体, 按单位, 按渠道, 按领域 — each rate as its percentage with the counts beside it,
so the workbook can be checked by hand."""

import io
from datetime import date
from typing import Any, cast

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from huiyin.dates import year_window
from huiyin.formats import cn_date
from huiyin.xlsx import put
from letters.setup import commission_name
from opinions.stats import RATE_LABELS, RATE_NOTES, RATING_LABELS, RESULT_LABELS

PERCENT_FORMAT = "0.0%"
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _rate_value(value: dict[str, Any] | None) -> float | str:
    return "" if not value or value["rate"] is None else value["rate"]


class _Table:
    """One sheet: a title row, a header row, then rows; rates formatted as percentages."""

    def __init__(self, sheet: Worksheet, title: str, columns: list[tuple[str, int]]):
        self.sheet = sheet
        self.row = 1
        cell = sheet.cell(row=1, column=1, value=title)
        cell.font = Font(bold=True, size=13)
        if len(columns) > 1:
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
        self.row = 2
        for index, (label, width) in enumerate(columns, start=1):
            cell = sheet.cell(row=2, column=index, value=label)
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.border = BOX
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A3"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4

    def add(self, values: list[Any], *, rates: tuple[int, ...] = (), bold: bool = False) -> None:
        self.row += 1
        for index, value in enumerate(values, start=1):
            cell = self.sheet.cell(row=self.row, column=index)
            put(cell, value)  # never a formula (a unit's name is data)
            cell.border = BOX
            if index - 1 in rates and isinstance(value, float):
                cell.number_format = PERCENT_FORMAT
            if bold:
                cell.font = Font(bold=True)

    def note(self, text: str) -> None:
        self.row += 2
        self.sheet.cell(row=self.row, column=1, value=text).font = Font(italic=True, color="5B6678")


def _heading(figures: dict[str, Any], what: str) -> str:
    start, end = date.fromisoformat(figures["start"]), date.fromisoformat(figures["end"])
    campaign = figures["campaign"]
    low, high = year_window()
    if (start, end) == (date(low, 1, 1), date(high, 12, 31)):
        period = "（全部）"
    else:
        period = f"（收到日期{cn_date(start)}至{cn_date(end)}）"
    scope = f"“{campaign['name']}”" if campaign else ""
    return f"{commission_name()}群众意见建议{scope}{what}{period}"


def _overall(sheet: Worksheet, f: dict[str, Any]) -> None:
    table = _Table(
        sheet, _heading(f, "统计"), [("项目", 34), ("数值", 14), ("分子/分母", 14), ("说明", 56)]
    )
    as_of = cn_date(date.fromisoformat(f["as_of"]))
    for label, key in (
        ("收到", "received"),
        ("其中并件（不计入以下各项）", "merged"),
        ("已转办", "forwarded"),
        ("按时转办", "forwarded_on_time"),
        ("已答复", "answered"),
        ("按时答复", "answered_on_time"),
        ("已办结", "closed"),
        ("在办", "running"),
        (f"超期未办结（截至{as_of}）", "overdue_open"),
        (f"超时未转办（截至{as_of}）", "forward_overdue_open"),
        ("需要时间解决、尚未完成的", "fix_open"),
        ("尚未转办到承办单位", "unassigned"),
    ):
        table.add([label, f[key], "", ""])
    for code, n in f["by_result"].items():
        table.add([f"答复：{RESULT_LABELS[code]}", n, "", ""])
    for code in RATING_LABELS:
        table.add([f"评价：{RATING_LABELS[code]}", f["feedback"][code], "", ""])
    table.add(["已答复未评价", f["feedback"]["unrated"], "", ""])
    for key, value in f["rates"].items():
        table.add(
            [
                RATE_LABELS[key],
                _rate_value(value),
                f"{value['numerator']}/{value['denominator']}",
                RATE_NOTES[key],
            ],
            rates=(1,),
            bold=True,
        )
    campaign = f["campaign"]
    if campaign:
        table.add([f"征集活动：{campaign['name']}", "", "", ""], bold=True)
        table.add(
            [
                "发放意见簿（本）",
                campaign["books_issued"] if campaign["books_issued"] is not None else "",
                "",
                "",
            ]
        )
        table.add(
            [
                "收回意见簿（本）",
                campaign["books_returned"] if campaign["books_returned"] is not None else "",
                "",
                "",
            ]
        )
        book_return = campaign["book_return"]
        table.add(
            [
                "意见簿收回率",
                _rate_value(book_return),
                f"{book_return['numerator']}/{book_return['denominator']}" if book_return else "",
                "",
            ],
            rates=(1,),
        )
        table.add(
            ["意见簿收集意见建议（条）", campaign["book_suggestions"], "", "以意见簿渠道登记的条数"]
        )
    table.note(
        "统计口径：收到日期在期间内的群众意见建议，按今天的办理状态计数；比率为空表示分母为0。"
    )


UNIT_COLUMNS = [
    ("承办单位", 22),
    ("收到", 8),
    ("已答复", 8),
    ("按时答复", 9),
    ("已办结", 8),
    ("超期未办结", 10),
    ("已评价", 8),
    ("满意及基本满意", 10),
    ("按时办结率", 11),
    ("回复率", 10),
    ("满意率", 10),
]


def _units(sheet: Worksheet, f: dict[str, Any]) -> None:
    table = _Table(sheet, _heading(f, "各承办单位办理情况"), UNIT_COLUMNS)
    for row in f["by_unit"]:
        r = row["rates"]
        table.add(
            [
                row["name"],
                row["received"],
                row["answered"],
                row["answered_on_time"],
                row["closed"],
                row["overdue_open"],
                row["rated"],
                row["satisfied"],
                _rate_value(r["answer_on_time"]),
                _rate_value(r["reply"]),
                _rate_value(r["satisfaction"]),
            ],
            rates=(8, 9, 10),
        )
    if f["unassigned"]:
        table.add(["尚未转办", f["unassigned"], "", "", "", "", "", "", "", "", ""])
    table.note(
        "按承办单位（主办）统计；按时办结率 = 按时答复 ÷ 已答复，回复率 = 已答复 ÷ 收到，满意率 = 满意及基本满意 ÷ 已评价。"
    )


def _breakdown(sheet: Worksheet, f: dict[str, Any], key: str, what: str, heading: str) -> None:
    table = _Table(
        sheet,
        _heading(f, f"按{what}统计"),
        [(heading, 22), ("收到", 10), ("已答复", 10), ("已办结", 10), ("占比", 10)],
    )
    total = sum(row["received"] for row in f[key])
    for row in f[key]:
        share = row["received"] / total if total else ""
        table.add(
            [row["label"], row["received"], row["answered"], row["closed"], share], rates=(4,)
        )
    table.add(
        [
            "合计",
            total,
            sum(r["answered"] for r in f[key]),
            sum(r["closed"] for r in f[key]),
            1.0 if total else "",
        ],
        rates=(4,),
        bold=True,
    )


def figures_workbook(figures: dict[str, Any]) -> bytes:
    """The workbook of opinions.stats.opinion_figures' object."""
    workbook = Workbook()
    first = cast(Worksheet, workbook.active)
    first.title = "总体"
    _overall(first, figures)
    _units(workbook.create_sheet("按单位"), figures)
    _breakdown(workbook.create_sheet("按渠道"), figures, "by_channel", "渠道", "渠道")
    _breakdown(workbook.create_sheet("按领域"), figures, "by_area", "领域", "领域")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def workbook_filename(figures: dict[str, Any]) -> str:
    return f"群众意见建议统计_{figures['start']}_{figures['end']}.xlsx"
