"""The 督查督办 bulletin (督查督办工作通报) of a month, a quarter or a year as .docx, in the
layout of the commission's other documents (letters.official: GB/T 9704 page, 方正小标宋
title, 仿宋_GB2312 body, 黑体 headings, page numbers "— N —").

What it says:
一、基本情况 — a paragraph drafted from the figures (seed 001's 基本情况: "本季度共新登记督办
    事项X项……已办结Y项，按时办结率Z%……"), for the office to edit in the .docx;
二、督办事项分布 — by source, by urgency colour, by state;
三、逾期未办结事项 — the running items past their deadline today, by unit, and the list;
四、各单位评价情况 — each unit's figures and sub-scores with the formula and the weights;
五、评星结果 — 综合之星、优秀之星、数量之星、效率之星, ties named together.
Every figure is supervision.ratings.supervision_figures' (the page, the export and the
command print the same). Only commission roles download it (it names every unit).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.oxml import OxmlElement
from docx.table import _Cell

from audit.record import today
from cases.models import Case
from cases.models.choices import Category
from huiyin.formats import cn_date
from huiyin.periods import Period
from letters import wording
from letters.build import TITLE_CHARS_PER_LINE
from letters.layout import (
    BODY_PT,
    PAGE_NUMBER_PT,
    PPR_ORDER,
    TEXT_WIDTH,
    ParagraphLook,
    Sheet,
    Type,
    child,
    text_width,
)
from letters.official import add_signature, font_of, keep_with_next, paragraph_looks
from letters.setup import commission_name
from supervision.ratings import (
    QUALITIES,
    QUALITY_LABELS,
    RUNNING,
    TIMING_LABELS,
    TIMINGS,
    URGENCY_LABELS,
    percent,
    period_figures,
    rate,
    shown,
)
from workdays.calendar import WorkdaySpan
from workflow.errors import ActionForbidden

if TYPE_CHECKING:
    from huiyin.types import AnyUser

TITLE = "{commission}督查督办工作通报"
NOT_ALLOWED = "督查督办通报由办公室（督办管理员）、委领导和查阅人员下载"
OVERDUE_LISTED = 100  # beyond this the bulletin says how many more (the ledger has them all)
TITLE_CHARS = 30
TABLE_PT = 12  # 小四
TABLE_LINE = 320  # 16 pt lines
KEEP_WHOLE_ROWS = 16  # a table of this many rows or fewer is never split across pages
KEEP_FIRST_ROWS = 3  # a longer one keeps its header with the first rows
URGENCY_SHORT = {"red": "红", "yellow": "黄", "blue": "蓝", "green": "绿"}


# ── the data ─────────────────────────────────────────────────────────────────────────────


def overdue_list(as_of: date, limit: int = OVERDUE_LISTED) -> tuple[list[dict[str, Any]], int]:
    """The running items past their deadline on `as_of`, by unit (in the units' order) and
    oldest deadline first, at most `limit`, and how many there are."""
    qs = Case.objects.filter(
        category=Category.SUPERVISION, state__in=list(RUNNING), deadline__lt=as_of
    )
    total = qs.count()
    found = list(
        qs.order_by("lead_unit__sort_order", "lead_unit__code", "deadline", "id").values_list(
            "number", "title", "deadline", "lead_unit__name", "supervision__urgency"
        )[:limit]
    )
    deadlines = [row[2] for row in found if row[2] is not None]  # deadline__lt: all have one
    if not deadlines:
        return [], total
    span = WorkdaySpan(min(deadlines), as_of)
    rows = []
    for number, title, deadline, unit, urgency in found:
        assert deadline is not None
        rows.append(
            {
                "number": number,
                "title": title[:TITLE_CHARS],
                "unit": unit or "",
                "urgency": urgency or "",
                "deadline": deadline,
                "days": max(0, span.workdays_between(deadline, as_of)),
            }
        )
    return rows, total


def bulletin_data(
    period: Period, *, user: AnyUser | None, as_of: date | None = None
) -> dict[str, Any]:
    """Everything the bulletin prints (the whole commission: ActionForbidden for a unit
    head, whose figures would be their own units' only)."""
    as_of = as_of or today()
    figures = period_figures(period, user=user, as_of=as_of)
    if figures["scope"] is not None:
        raise ActionForbidden(NOT_ALLOWED)
    overdue, overdue_total = overdue_list(as_of)
    return {
        "period": period,
        "as_of": as_of,
        "f": figures,
        "overdue": overdue,
        "overdue_total": overdue_total,
    }


# ── the sentences ────────────────────────────────────────────────────────────────────────


def _n(value: int) -> str:
    return f"{value}项"


def span_text(period: Period) -> str:
    """2026年4月1日至6月30日"""
    return f"{cn_date(period.start)}至{period.end.month}月{period.end.day}日"


def _listed(rows: list[dict[str, Any]], key: str = "received") -> str:
    return "，".join(f"{r['label']}{_n(r[key])}" for r in rows if r[key])


def received_sentence(f: dict[str, Any], period: Period) -> str:
    head = f"{period.word}（{span_text(period)}）"
    if not f["received"]:
        return f"{head}未新登记督办事项。"
    urgency = "、".join(
        f"{URGENCY_LABELS[r['code']]}{_n(r['received'])}" for r in f["by_urgency"] if r["received"]
    )
    return (
        f"{head}共新登记督办事项{_n(f['received'])}，其中{_listed(f['by_source'])}；"
        f"按紧急程度分，{urgency}。"
    )


def completed_sentence(f: dict[str, Any], period: Period) -> str:
    if not f["completed"]:
        return f"{period.word}没有经核查办结的督办事项。"
    timing = "、".join(
        f"{TIMING_LABELS[code]}{_n(f['timing'][code])}" for code in TIMINGS if f["timing"][code]
    )
    text = (
        f"{period.word}经核查办结督办事项{_n(f['completed'])}，已销号{_n(f['closed'])}，"
        f"其中{timing}，按时办结率{percent(f['rates']['on_time'])}"
        f"（提前办结率{percent(f['rates']['early'])}）"
    )
    rated = f["quality"]["rated"]
    if rated:
        quality = "、".join(
            f"{QUALITY_LABELS[code]}{_n(f['quality'][code])}"
            for code in QUALITIES
            if f["quality"][code]
        )
        text += f"；分管领导已评价{_n(rated)}，其中{quality}，平均质量得分{shown(f['average_quality'])}分"
    if f["quality"]["unrated"]:
        text += f"；另有{_n(f['quality']['unrated'])}待质量评价或阶段性办结"
    return text + "。"


def overdue_sentence(f: dict[str, Any], as_of: date) -> str:
    if not f["overdue_open"]:
        return f"截至{cn_date(as_of)}，没有逾期未办结的督办事项。"
    units = "、".join(
        f"{u['name']}{_n(u['overdue_open'])}" for u in f["by_unit"] if u["overdue_open"]
    )
    text = f"截至{cn_date(as_of)}，已过办理期限尚未办结的督办事项{_n(f['overdue_open'])}"
    return text + (f"，其中{units}。" if units else "。")


def stars_sentence(f: dict[str, Any], period: Period) -> str:
    """经综合评估，医政医管处获评本季度综合之星（综合得分88分）……"""
    parts = []
    for star in f["stars"]:
        if not star["winners"]:
            continue
        names = "、".join(w["name"] for w in star["winners"])
        verb = "并列获评" if star["tied"] else "获评"
        parts.append(f"{names}{verb}{star['label']}（{star['winners'][0]['phrase']}）")
    if not parts:
        return f"{period.word}没有单位满足评星条件。"
    return f"经从办件数量、质量、效率三方面综合评估，{period.word}" + "；".join(parts) + "。"


def summary_paragraph(f: dict[str, Any], period: Period, as_of: date) -> str:
    """The drafted 基本情况: one paragraph for the office to edit."""
    return received_sentence(f, period) + completed_sentence(f, period) + overdue_sentence(f, as_of)


# ── the document ─────────────────────────────────────────────────────────────────────────


def _sheet() -> Sheet:
    label = Type(font_of("heading1"), TABLE_PT)
    text = Type(font_of("body"), TABLE_PT)
    looks = [
        *paragraph_looks(),
        ParagraphLook("HYPeriod", "期间", Type(font_of("heading2"), BODY_PT), align="center"),
        ParagraphLook("HYSumLabel", "统计表栏目", label, align="center", line=TABLE_LINE),
        ParagraphLook("HYSumNumber", "统计表数字", text, align="center", line=TABLE_LINE),
        ParagraphLook("HYSumName", "统计表文字", text, align="left", line=TABLE_LINE),
    ]
    sheet = Sheet(
        looks,
        body=Type(font_of("body"), BODY_PT),
        page_number=Type(font_of("page_number"), PAGE_NUMBER_PT),
    )
    sheet.set_font_table(font_of(role) for role in wording.FONTS)
    sheet.page_numbers("HYPageNumberOdd", "HYPageNumberEven")
    return sheet


Cell = tuple[str, str]


def _table(sheet: Sheet, header: list[str], widths: list[int], rows: list[list[Cell]]) -> None:
    """A boxed table; the header repeats on every page and a row never splits. A short
    table stays in one piece (and a long one keeps its header with its first rows), so a
    header never stands alone at the foot of a page. A cell's "\n" is a line break."""
    widths = list(widths)
    widths[0] += TEXT_WIDTH - sum(widths)
    edges = ("top", "left", "bottom", "right", "insideH", "insideV")
    table = sheet.table(
        widths, len(rows) + 1, borders={e: ("single", 6) for e in edges}, cell_margin=40
    )
    for index, table_row in enumerate(table.rows):
        trpr = table_row._tr.get_or_add_trPr()
        trpr.append(OxmlElement("w:cantSplit"))
        if index == 0:
            trpr.append(OxmlElement("w:tblHeader"))
    # The cells of each row straight from its <w:tr> (python-docx's table.cell(r, c) walks
    # the whole table each time: 100 overdue rows took seconds).
    grid = [[_Cell(tc, table) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]
    for col, label in enumerate(header):
        cell = grid[0][col]
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        sheet.paragraph("HYSumLabel", label, container=cell)
    for r, row in enumerate(rows, start=1):
        for col, (text, style) in enumerate(row):
            cell = grid[r][col]
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            lines = text.split("\n")
            breaks, offset = [], 0
            for line in lines[:-1]:
                offset += len(line)
                breaks.append(offset)
            p = sheet.paragraph(style, container=cell)
            sheet.run(p, "".join(lines), breaks=breaks)
    kept = len(grid) - 1 if len(grid) <= KEEP_WHOLE_ROWS else KEEP_FIRST_ROWS
    for cells in grid[:kept]:
        for cell in cells:
            for paragraph in cell.paragraphs:
                child(paragraph._p.get_or_add_pPr(), "keepNext", PPR_ORDER)


def _num(value: Any) -> Cell:
    return str(value), "HYSumNumber"


def _name(value: str) -> Cell:
    return value, "HYSumName"


def _rate(value: dict[str, Any]) -> Cell:
    if value["rate"] is None:
        return "—", "HYSumNumber"
    return f"{percent(value)}\n{value['numerator']}/{value['denominator']}", "HYSumNumber"


KIND_HEADER = ["{what}", "新登记", "办结", "按时办结率", "逾期未办结"]
KIND_WIDTHS = [3500, 1100, 1100, 1500, 1645]
STATE_HEADER = ["办理状态", "件数"]
STATE_WIDTHS = [4000, 1500]
UNIT_HEADER = [
    "承办单位",
    "办结",
    "销号",
    "按时办结率",
    "数量得分",
    "质量得分",
    "效率得分",
    "综合得分",
]
UNIT_WIDTHS = [2100, 700, 700, 1245, 1000, 1000, 1000, 1100]
OVERDUE_HEADER = ["编号", "督办事项", "承办单位", "紧急程度", "办理期限", "逾期工作日"]
OVERDUE_WIDTHS = [1700, 2300, 1700, 700, 1500, 945]


def _kind_rows(rows: list[dict[str, Any]]) -> list[list[Cell]]:
    found = [
        [_name(r["label"]), _num(r["received"]), _num(r["completed"]), _rate(r["on_time"]),
         _num(r["overdue_open"])]
        for r in rows
    ]  # fmt: skip
    total_done = sum(r["completed"] for r in rows)
    on_time = sum(r["on_time"]["numerator"] for r in rows)
    found.append(
        [_name("合计"), _num(sum(r["received"] for r in rows)), _num(total_done),
         _rate(rate(on_time, total_done)), _num(sum(r["overdue_open"] for r in rows))]
    )  # fmt: skip
    return found


def _unit_rows(units: list[dict[str, Any]]) -> list[list[Cell]]:
    rows = []
    for u in units:
        if not u["completed"]:
            continue
        s = u["scores"]
        rows.append(
            [_name(u["name"]), _num(u["completed"]), _num(u["closed"]), _rate(u["rates"]["on_time"]),
             _num(shown(s["quantity"])), _num(shown(s["quality"])), _num(shown(s["efficiency"])),
             _num(shown(s["composite"]))]
        )  # fmt: skip
    return rows


def _overdue_rows(items: list[dict[str, Any]]) -> list[list[Cell]]:
    return [
        [_num(i["number"]), _name(i["title"]), _name(i["unit"] or "未交办"),
         _num(URGENCY_SHORT.get(i["urgency"], "")), _num(i["deadline"].strftime("%Y-%m-%d")),
         _num(i["days"])]
        for i in items
    ]  # fmt: skip


def _distribution(sheet: Sheet, f: dict[str, Any]) -> None:
    sheet.paragraph("HYHeading1", "二、督办事项分布")
    sheet.paragraph(
        "HYBody",
        "新登记为本期登记的督办事项（按目前的办理状态计）；办结为本期经核查办结的督办事项；"
        "按时办结率 = （提前完成 + 按时完成）÷ 办结；逾期未办结为截止日仍在办理且已过办理期限的。",
    )
    for heading, key, what in (
        ("（一）按来源", "by_source", "来源"),
        ("（二）按紧急程度", "by_urgency", "紧急程度"),
    ):
        sheet.paragraph("HYHeading2", heading, keep_next=True)
        header = [KIND_HEADER[0].format(what=what), *KIND_HEADER[1:]]
        _table(sheet, header, KIND_WIDTHS, _kind_rows(f[key]))
    sheet.paragraph("HYHeading2", "（三）按办理状态", keep_next=True)
    states = [[_name(r["label"]), _num(r["received"])] for r in f["by_state"] if r["received"]]
    if states:
        sheet.paragraph("HYBody", "本期新登记的督办事项目前的办理状态：", keep_next=True)
        _table(sheet, STATE_HEADER, STATE_WIDTHS, states)
    else:
        sheet.paragraph("HYBody", "本期未新登记督办事项。")


def _overdue(sheet: Sheet, d: dict[str, Any]) -> None:
    sheet.paragraph("HYHeading1", "三、逾期未办结事项")
    f = d["f"]
    text = overdue_sentence(f, d["as_of"])
    if not d["overdue_total"]:
        sheet.paragraph("HYBody", text)
        return
    if d["overdue_total"] > len(d["overdue"]):
        text = text[:-1] + f"。下表列出{_n(len(d['overdue']))}，其余见督办台账。"
    sheet.paragraph("HYBody", text + "请相关单位加快办理，及时反馈进展。", keep_next=True)
    _table(sheet, OVERDUE_HEADER, OVERDUE_WIDTHS, _overdue_rows(d["overdue"]))


def _ratings(sheet: Sheet, f: dict[str, Any]) -> None:
    sheet.paragraph("HYHeading1", "四、各单位评价情况")
    rules = f["scoring"]["rules"]
    method = "；".join(rules[key] for key in ("quantity", "quality", "efficiency", "composite"))
    sheet.paragraph(
        "HYBody",
        f"从办件数量、质量、效率三方面评估各承办单位。{method}。{rules['rounding']}。",
    )
    rows = _unit_rows(f["by_unit"])
    if rows:
        sheet.paragraph("HYBody", f"{f['label']}各承办单位得分如下：", keep_next=True)
        _table(sheet, UNIT_HEADER, UNIT_WIDTHS, rows)
    else:
        sheet.paragraph("HYBody", "本期没有经核查办结的督办事项，不计分。")


def _stars(sheet: Sheet, d: dict[str, Any]) -> None:
    sheet.paragraph("HYHeading1", "五、评星结果")
    f, period = d["f"], d["period"]
    sheet.paragraph("HYBody", stars_sentence(f, period))
    for star in f["stars"]:
        if star["winners"]:
            names = "、".join(f"{w['name']}（{w['phrase']}）" for w in star["winners"])
            text = f"{star['label']}：{names}。评选条件：{star['rule']}"
            text += f"；{star['note']}。" if star["note"] else "。"
        else:
            text = f"{star['label']}：空缺（{star['note']}）。"
        sheet.paragraph("HYBody", text)
    # The signature never stands alone on a page (GB/T 9704 7.3.5.4).
    keep_with_next(sheet)


def build_bulletin(d: dict[str, Any]) -> bytes:
    commission = commission_name()
    period: Period = d["period"]
    f = d["f"]
    sheet = _sheet()
    title = TITLE.format(commission=commission)
    breaks = [len(commission)] if text_width(title) > TITLE_CHARS_PER_LINE and commission else []
    sheet.paragraph("HYTitle", title, breaks=breaks)
    sheet.paragraph("HYPeriod", f"（{period.label}）")
    sheet.paragraph("HYBody")

    sheet.paragraph("HYHeading1", "一、基本情况")
    sheet.paragraph("HYBody", summary_paragraph(f, period, d["as_of"]))

    _distribution(sheet, f)
    _overdue(sheet, d)
    _ratings(sheet, f)
    _stars(sheet, d)

    sheet.paragraph("HYBody", keep_next=True)
    sheet.paragraph("HYBody", keep_next=True)
    add_signature(sheet, commission, cn_date(d["as_of"]))
    when = datetime.combine(d["as_of"], time(9, 0))
    return sheet.save(title=f"{title}（{period.label}）", author=commission, when=when)


def period_bulletin(period: Period, *, user: AnyUser | None, as_of: date | None = None) -> bytes:
    """The bulletin of `period` as .docx bytes."""
    return build_bulletin(bulletin_data(period, user=user, as_of=as_of))


def bulletin_filename(period: Period) -> str:
    return f"督查督办工作通报_{period.code}.docx"
