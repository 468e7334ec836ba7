"""The 回头看 report to the NPC/CPPCC (.docx): "<year>年B类件承诺事项兑现情况" (C类, or both),
in the layout of the commission's other reports (lists.report: GB/T 9704 page, 方正小标宋
title, 仿宋 body, 黑体 headings, boxed tables of the supervision bulletin).

一、总体情况 — the paragraph of the figures (promises.figures: 承诺总数, 已兑现, 部分兑现,
    未兑现, 推进中, 逾期, 兑现率) and of the "needs time" public opinions;
二、按责任处室统计 — a table per owner unit with the totals;
三、未兑现和部分兑现的承诺事项 — each with its case and reason, and those overdue;
then the signature. Plain paragraphs and tables, for the office to edit.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from cases.models import COMMITMENT_OPEN, Commitment, CommitmentStatus
from huiyin.formats import cn_date
from letters.official import add_signature, keep_with_next
from letters.setup import commission_name
from promises.figures import (
    Filters,
    by_unit,
    figures_of,
    needs_time,
    needs_time_figures,
    percent,
    promises_in,
    title,
)

# The tables of the supervision bulletin (private there; lists.report uses them too).
from supervision.bulletin import _sheet as bulletin_sheet
from supervision.bulletin import _table as boxed_table

UNIT_HEADER = [
    "责任处室",
    "承诺事项",
    "已兑现",
    "部分兑现",
    "未兑现",
    "推进中/未开始",
    "逾期",
    "兑现率",
]
UNIT_WIDTHS = [2045, 900, 900, 900, 900, 900, 800, 1000]
LISTED = 500  # promises named one by one in 三 at most (the rest: "等N项")

Cell = tuple[str, str]


def summary(f: Filters, n: dict[str, Any], on: date) -> str:
    if not n["total"]:
        return f"截至{cn_date(on)}，{f.year}年{f.class_words}答复中没有登记承诺事项。"
    return (
        f"截至{cn_date(on)}，{f.year}年{f.class_words}答复中共有承诺事项{n['total']}项，"
        f"已兑现{n['fulfilled']}项，部分兑现{n['partial']}项，未兑现{n['unfulfilled']}项，"
        f"正在推进或尚未开始{n['open']}项（其中已过承诺完成时间{n['overdue']}项）；"
        f"兑现率{percent(n['rate'])}（已兑现 ÷ 已认定兑现情况和已到期的承诺事项）。"
    )


def opinions_sentence(o: dict[str, int], year: int, on: date) -> str:
    if not o["total"]:
        return ""
    return (
        f"另，{year}年群众意见建议中答复“需要时间解决”的{o['total']}件，"
        f"截至{cn_date(on)}已解决{o['done']}件，正在解决{o['open']}件"
        f"（其中超过计划完成日期{o['overdue']}件）。"
    )


def _num(value: Any) -> Cell:
    return str(value), "HYSumNumber"


def unit_rows(units: list[dict[str, Any]], n: dict[str, Any]) -> list[list[Cell]]:
    rows = [
        [(u["name"], "HYSumName"), _num(u["total"]), _num(u["fulfilled"]), _num(u["partial"]),
         _num(u["unfulfilled"]), _num(u["open"]), _num(u["overdue"]), _num(percent(u["rate"]))]
        for u in units
    ]  # fmt: skip
    rows.append(
        [("合计", "HYSumName"), _num(n["total"]), _num(n["fulfilled"]), _num(n["partial"]),
         _num(n["unfulfilled"]), _num(n["open"]), _num(n["overdue"]), _num(percent(n["rate"]))]
    )  # fmt: skip
    return rows


def promise_line(k: int, c: Commitment, on: date) -> str:
    case = c.case
    unit = c.unit.name if c.unit else "未确定"
    head = f"{k}. {case.number}《{case.title}》：{c.what}（承诺{cn_date(c.due)}前完成；{unit}）"
    if c.status in COMMITMENT_OPEN:
        return f"{head}。{c.get_status_display()}，已过承诺完成时间。" + (
            f"最新进展：{c.note}" if c.note else ""
        )
    settled = f"{cn_date(c.settled_on)}认定" if c.settled_on else ""
    return f"{head}。{settled}{c.get_status_display()}，原因：{c.reason or '未说明'}。"


def build(f: Filters, on: date) -> bytes:
    """The report of the year's promises (class and unit as filtered), as .docx bytes:
    five queries, whatever the number of promises."""
    scope = promises_in(None, Filters(f.year, f.reply_class, f.unit))
    n = figures_of(scope, on)
    units = by_unit(scope, on)
    opinions = needs_time_figures(needs_time(None, f.year), on)
    shortfalls = list(
        scope.filter(status__in=[CommitmentStatus.PARTIAL, CommitmentStatus.UNFULFILLED])
        .select_related("case", "unit")
        .order_by("unit__sort_order", "case__number", "id")[:LISTED]
    )
    late = list(
        scope.filter(status__in=list(COMMITMENT_OPEN), due__lt=on)
        .select_related("case", "unit")
        .order_by("due", "case__number", "id")[:LISTED]
    )
    commission = commission_name()
    sheet = bulletin_sheet()
    heading = title(f)
    sheet.paragraph("HYTitle", heading)
    sheet.paragraph("HYBody")
    sheet.paragraph(
        "HYBody",
        f"按照“对已纳入解决计划的问题，检查是否兑现到位”的要求，我委对{f.year}年"
        f"{f.class_words}答复中作出的承诺事项逐项开展“回头看”，现将兑现情况报告如下。",
    )
    sheet.paragraph("HYHeading1", "一、总体情况")
    sheet.paragraph("HYBody", summary(f, n, on))
    extra = opinions_sentence(opinions, f.year, on)
    if extra:
        sheet.paragraph("HYBody", extra)
    sheet.paragraph("HYHeading1", "二、按责任处室统计", keep_next=True)
    boxed_table(sheet, UNIT_HEADER, UNIT_WIDTHS, unit_rows(units, n))
    sheet.paragraph(
        "HYBody",
        "说明：兑现率 = 已兑现 ÷（已兑现 + 部分兑现 + 未兑现 + 逾期）；逾期指已过承诺完成时间、"
        "尚未认定兑现情况的承诺事项。",
    )
    sheet.paragraph("HYHeading1", "三、未兑现和部分兑现的承诺事项", keep_next=True)
    if not shortfalls:
        sheet.paragraph("HYBody", "无。")
    for k, c in enumerate(shortfalls, start=1):
        sheet.paragraph("HYBody", promise_line(k, c, on))
    if n["partial"] + n["unfulfilled"] > len(shortfalls):
        sheet.paragraph("HYBody", f"等{n['partial'] + n['unfulfilled']}项。")
    sheet.paragraph("HYHeading1", "四、已过承诺完成时间尚未兑现的承诺事项", keep_next=True)
    if not late:
        sheet.paragraph("HYBody", "无。")
    for k, c in enumerate(late, start=1):
        sheet.paragraph("HYBody", promise_line(k, c, on))
    if n["overdue"] > len(late):
        sheet.paragraph("HYBody", f"等{n['overdue']}项。")
    sheet.paragraph(
        "HYBody",
        "下一步，我委将督促各责任处室抓紧推进逾期承诺事项，"
        "对未兑现、部分兑现的，向代表委员当面说明原因。特此报告。",
    )
    keep_with_next(sheet)
    sheet.paragraph("HYBody", keep_next=True)
    sheet.paragraph("HYBody", keep_next=True)
    add_signature(sheet, commission, cn_date(on))
    return sheet.save(title=heading, author=commission, when=datetime.combine(on, time(9, 0)))
