"""A list drafted as people really draft one (seed 003's 35 projects, 70 measures): a title
row, a 填报单位 row, headings with line breaks and notes, categories merged over several
items, items merged over 2–3 rows with a measure per row, several measures in one cell
("1.…\\n2.…" and "①…②…"), unit names padded with full-width spaces, dates written
2026年6月底, 6月底, 2026.9.30, as Excel dates and serial numbers, and 长期坚持, and the
indicator "急救电话10秒接听率 61%→99%". Built in code with openpyxl, for the tests."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment

ITEMS = 35
MEASURES = 70
HEADINGS = (
    "序号", "类别", "整治重点", "具体问题", "具体举措", "责任\n领导", "牵头处室（牵头）",
    "协办处室", "完成时限", "量化指标",
)  # fmt: skip
CATEGORIES = ("文风会风", "督查检查", "服务群众", "基层减负", "作风建设", "制度建设")
LEADS = ("医政医管处　", "　基层卫生健康处", "中医药 管理处", "yizheng", "医政医管处")
CO_UNITS = ("基层卫生健康处、中医药管理处", "医政医管处 中医药管理处", "", "办公室", "")
DEADLINES: tuple[Any, ...] = (
    "2026年6月底", "2026.9.30", "6月底", datetime(2026, 12, 31), 46203, "2026-11-30",
    "长期坚持",
)  # fmt: skip
INDICATORS = {
    1: "急救电话10秒接听率 61%→99%",
    2: "会议数量比2018年减少30%",
    3: "急救反应时间由16分钟降到13分钟",
}
# The layout of item n cycles through five shapes: (rows, measures per row's cell).
SHAPES = (
    (1, "numbered"),  # one row, "1.…\n2.…"
    (2, "per_row"),  # merged over 2 rows, one measure a row
    (3, "per_row"),  # merged over 3 rows, the third row with its own deadline
    (1, "circled"),  # one row, "①…②…"
    (1, "single"),  # one row, one measure
)


def measure_texts(n: int) -> list[str]:
    """The measures item n (from 1) should have once imported, in order."""
    rows, _ = SHAPES[(n - 1) % len(SHAPES)]
    count = {1: 2, 2: 2, 3: 3}[rows] if SHAPES[(n - 1) % len(SHAPES)][1] != "single" else 1
    return [f"第{n}项第{k}条举措：制定方案并组织落实" for k in range(1, count + 1)]


def item_title(n: int) -> str:
    return f"整治重点{n}：文山会海问题"


SEED_TIME = "急救反应时间16分钟→13分37秒"  # seed 003's own figure
NOTES = (
    "注：完成时限为最迟完成时间，各处室每月25日前报送进展。",
    "填表人：张三",
    "合计",
)


def build(
    *,
    unknown_unit_at: int | None = None,
    bad_date_at: int | None = None,
    two_row_headings: bool = False,
    notes: bool = False,
    indicators: dict[int, str] | None = None,
    other_numbers: bool = False,
) -> bytes:
    """The workbook's bytes; `unknown_unit_at` / `bad_date_at` spoil item n's 牵头处室 /
    完成时限 ("宣传处", "2026年13月"). Variants read into the same 35 items and 70 measures:
    `two_row_headings` puts "责任单位" over "牵头处室 | 协办处室" (items start a row lower);
    `notes` adds NOTES under the table (a "注：" merged across, a signature row with a phone
    number, a 合计 row); `indicators` replaces item n's 量化指标; `other_numbers` writes the
    numbered cells "1）…\\n2）…" and the circled ones "(1)…(2)…" on one line."""
    indicators = {**INDICATORS, **(indicators or {})}
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "项目清单"
    ws.append(["市卫生健康委形式主义官僚主义专项整治项目清单"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADINGS))
    ws.append(
        ["填报单位：办公室（盖章）", None, None, None, None, None, None, "填报时间：2026年3月2日"]
    )
    ws.append(list(HEADINGS))
    row = 4
    if two_row_headings:
        ws.cell(3, 7, "责任单位")
        ws.cell(3, 8, None)
        ws.merge_cells(start_row=3, start_column=7, end_row=3, end_column=8)
        ws.cell(4, 7, "牵头处室")
        ws.cell(4, 8, "协办处室")
        for column in (1, 2, 3, 4, 5, 6, 9, 10):
            ws.merge_cells(start_row=3, start_column=column, end_row=4, end_column=column)
        row = 5
    category_start, category = row, None
    wrap = Alignment(wrap_text=True, vertical="center")
    for n in range(1, ITEMS + 1):
        rows, shape = SHAPES[(n - 1) % len(SHAPES)]
        texts = measure_texts(n)
        this_category = CATEGORIES[(n - 1) * len(CATEGORIES) // ITEMS]
        if this_category != category:
            if category is not None and row - 1 > category_start:
                ws.merge_cells(
                    start_row=category_start, start_column=2, end_row=row - 1, end_column=2
                )
            category_start, category = row, this_category
            ws.cell(row, 2, this_category)
        lead = "宣传处" if n == unknown_unit_at else LEADS[n % len(LEADS)]
        deadline = "2026年13月" if n == bad_date_at else DEADLINES[n % len(DEADLINES)]
        values = {
            1: n, 3: item_title(n), 4: f"问题表现{n}：会议多、文件长", 6: "李主任" if n % 3 == 1 else "张副主任",
            7: lead, 8: CO_UNITS[n % len(CO_UNITS)], 9: deadline, 10: indicators.get(n),
        }  # fmt: skip
        for column, value in values.items():
            ws.cell(row, column, value)
        if shape == "numbered":
            mark = "{}）" if other_numbers else "{}."
            ws.cell(row, 5, "\n".join(mark.format(k) + t for k, t in enumerate(texts, start=1)))
        elif shape == "circled":
            marks = ("(1)", "(2)", "(3)") if other_numbers else "①②③"
            ws.cell(row, 5, "".join(f"{marks[k]}{t}" for k, t in enumerate(texts)))
        elif shape == "single":
            ws.cell(row, 5, texts[0])
        else:
            for k, text in enumerate(texts):
                ws.cell(row + k, 5, text)
            merged = (1, 3, 4, 6, 7, 8, 10) if rows == 3 else (1, 3, 4, 6, 7, 8, 9, 10)
            for column in merged:
                ws.merge_cells(
                    start_row=row, start_column=column, end_row=row + rows - 1, end_column=column
                )
            if rows == 3:
                ws.cell(row + 2, 9, "2026年12月31日")
        for r in range(row, row + rows):
            for column in range(1, len(HEADINGS) + 1):
                ws.cell(r, column).alignment = wrap
        row += rows
    if row - 1 > category_start:
        ws.merge_cells(start_row=category_start, start_column=2, end_row=row - 1, end_column=2)
    if notes:
        ws.cell(row, 1, NOTES[0])
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(HEADINGS))
        ws.cell(row + 1, 1, NOTES[1])
        ws.cell(row + 1, 8, "联系电话：12345678")
        ws.cell(row + 2, 1, NOTES[2])
        ws.cell(row + 2, 3, f"{ITEMS}项")
        ws.cell(row + 2, 5, f"{MEASURES}条")
    ws.append([])
    ws.append([None, None, None, None, None, None, None, None, None, None])
    output = io.BytesIO()
    wb.save(output)
    return output.getvalue()
