"""The 整改情况报告 of a list (.docx), to the body the list reports to, in the layout of the
commission's other documents (letters.official: GB/T 9704 page, 方正小标宋 title,
仿宋_GB2312 body, 黑体 headings, page numbers "— N —"; the tables of supervision's
bulletin).

What it says, as of a day (the 截至 date):
一、总体情况 — the paragraph drafted from lists.stats' figures;
二、各项问题整改情况 — per item: the problem, responsible leader and unit, deadline,
    status and progress, its measures (unit, deadline, status), the latest progress
    report, and the evidence (how many files, their names);
三、整改情况统计 — the figures by lead unit (items) and by owner unit (measures), with totals.
Plain paragraphs and tables only (no fields), for the office to edit. Only the office,
the leaders (and viewers) and the list's owner and delegates download it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from audit.record import today
from huiyin.formats import cn_date
from huiyin.types import AnyUser
from letters.layout import Sheet
from letters.official import add_signature, keep_with_next
from letters.setup import commission_name
from lists.access import is_reviewer
from lists.board import indicator_of
from lists.models import Evidence, Item, Measure, Progress, RectList
from lists.report_text import overdue_units_sentence, summary_paragraph
from lists.stats import (
    item_status,
    list_figures,
    measure_status,
    noun,
    percent,
    scoped_items,
)
from opinions.public.challenge import chinese_number
from orgs.access import standing_of

# The tables of the supervision bulletin (private there; see the helper's report).
from supervision.bulletin import _sheet as bulletin_sheet
from supervision.bulletin import _table as boxed_table

NOT_ALLOWED = "整改情况报告和进展通报由办公室、委领导和清单负责人下载"
EVIDENCE_NAMES = 10  # the names listed per item; beyond, "等N份"

Cell = tuple[str, str]


def may_report(user: AnyUser, rect_list: RectList) -> bool:
    """The office, leaders and viewers (the whole commission's roles), and the list's owner
    and delegates, may download its report and bulletins (they name every unit)."""
    if standing_of(user).sees_all:
        return True
    return bool(user.is_authenticated and is_reviewer(user, rect_list))


def figures_user(user: AnyUser, rect_list: RectList) -> AnyUser | None:
    """Whose view the figures take: None (the whole list) for those who may download the
    report, the user's own items for a unit."""
    return None if may_report(user, rect_list) else user


@dataclass
class ItemEntry:
    item: Item
    status: str
    measures: list[tuple[Measure, str]] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    latest: Progress | None = None


def item_entries(rect_list: RectList, on: date) -> list[ItemEntry]:
    """Every item with its measures, evidence names and latest report on `on`: four
    queries, whatever the list's size."""
    items = scoped_items(rect_list, on)
    entries = {
        item.pk: ItemEntry(item, item_status(item, on))
        for item in items.select_related("case", "case__lead_unit").order_by("seq")
    }
    measures = (
        Measure.objects.filter(item__in=items.values("pk"))
        .select_related("unit")
        .order_by("item_id", "seq")
    )
    for m in measures:
        entries[m.item_id].measures.append((m, measure_status(m, on)))
    names = (
        Evidence.objects.filter(item__in=items.values("pk"), attachment__uploaded_at__date__lte=on)
        .order_by("item_id", "attachment_id")
        .values_list("item_id", "attachment__filename")
    )
    for item_id, filename in names:
        entries[item_id].evidence.append(filename)
    reports = (
        Progress.objects.filter(item__in=items.values("pk"), on__lte=on)
        .only("item_id", "on", "text")
        .order_by("item_id", "-on", "-id")
    )
    for report in reports:
        entry = entries[report.item_id]
        if entry.latest is None:
            entry.latest = report
    return list(entries.values())


def report_data(rect_list: RectList, on: date | None = None) -> dict[str, Any]:
    on = on or today()
    return {
        "list": rect_list,
        "on": on,
        "f": list_figures(rect_list, on),
        "entries": item_entries(rect_list, on),
    }


# ── the sentences ────────────────────────────────────────────────────────────────────────


def intro(rect_list: RectList) -> str:
    origin = f"按照{rect_list.origin}的要求，" if rect_list.origin else ""
    return (
        f"{origin}我委建立{rect_list.name}，逐项明确责任领导、牵头处室、具体举措和完成时限，"
        f"实行清单化管理、对账销号。现将整改情况报告如下。"
    )


def heading_number(n: int) -> str:
    return f"（{chinese_number(n)}）" if n < 100 else f"{n}."


def evidence_text(names: list[str]) -> str:
    if not names:
        return "佐证材料：暂无。"
    shown = "、".join(names[:EVIDENCE_NAMES])
    more = f"等{len(names)}份" if len(names) > EVIDENCE_NAMES else ""
    return f"佐证材料：{len(names)}份（{shown}{more}）。"


def measure_line(n: int, m: Measure, status: str) -> str:
    extra = f"，进度{m.percent}%" if status in ("推进中", "逾期") and m.percent else ""
    return (
        f"{n}. {m.text}（责任处室：{m.unit.name}；完成时限：{cn_date(m.deadline)}；"
        f"{status}{extra}）"
    )


def facts_line(entry: ItemEntry) -> str:
    item, case = entry.item, entry.item.case
    parts = []
    if item.leader_name:
        parts.append(f"责任领导：{item.leader_name}")
    parts.append(f"牵头处室：{case.lead_unit.name if case.lead_unit else '未确定'}")
    parts.append(f"完成时限：{cn_date(case.deadline)}")
    status = f"整改状态：{entry.status}"
    if entry.status == "已销号" and item.struck_off_on:
        status += f"（{cn_date(item.struck_off_on)}销号）"
    elif entry.status == "待销号" and item.completed_on:
        status += f"（{cn_date(item.completed_on)}申请销号）"
    else:
        status += f"（完成进度{item.progress}%）"
    parts.append(status)
    return "；".join(parts) + "。"


INDICATOR_FIELDS = ("indicator", "indicator_unit", "baseline", "target", "current")

# ── the document ─────────────────────────────────────────────────────────────────────────


def _num(value: Any) -> Cell:
    return str(value), "HYSumNumber"


def _name(value: str) -> Cell:
    return value, "HYSumName"


UNIT_HEADER = ["牵头处室", "事项", "已完成", "已销号", "逾期", "整改完成率", "按期整改率", "销号率"]
UNIT_WIDTHS = [2045, 800, 900, 900, 800, 1150, 1150, 1100]
MEASURE_HEADER = ["责任处室", "具体举措", "已销号", "待销号", "逾期"]
MEASURE_WIDTHS = [3245, 1400, 1400, 1400, 1400]


def unit_rows(f: dict[str, Any]) -> list[list[Cell]]:
    """The items by lead unit, and the list's totals (the same figures as the summary)."""
    rows = [
        [_name(u["name"]), _num(u["items"]), _num(u["items_finished"]), _num(u["struck_off"]),
         _num(u["overdue"]), _num(percent(u["completion_rate"])),
         _num(percent(u["on_time_rate"])), _num(percent(u["strike_off_rate"]))]
        for u in f["by_unit"].values() if u["items"]
    ]  # fmt: skip
    rows.append(
        [_name("合计"), _num(f["items"]), _num(f["items_finished"]), _num(f["items_struck_off"]),
         _num(f["items_overdue"]), _num(percent(f["completion_rate"])),
         _num(percent(f["on_time_rate"])), _num(percent(f["strike_off_rate"]))]
    )  # fmt: skip
    return rows


def measure_rows(f: dict[str, Any]) -> list[list[Cell]]:
    rows = [
        [_name(u["name"]), _num(u["measures"]), _num(u["measures_struck_off"]),
         _num(u["measures_submitted"]), _num(u["measures_overdue"])]
        for u in f["by_unit"].values() if u["measures"]
    ]  # fmt: skip
    rows.append(
        [_name("合计"), _num(f["measures"]), _num(f["measures_struck_off"]),
         _num(f["measures_submitted"]), _num(f["measures_overdue"])]
    )  # fmt: skip
    return rows


def add_statistics(sheet: Sheet, f: dict[str, Any], what: str) -> None:
    sheet.paragraph("HYHeading2", "（一）按牵头处室", keep_next=True)
    boxed_table(sheet, UNIT_HEADER, UNIT_WIDTHS, unit_rows(f))
    if f["measures"]:
        sheet.paragraph("HYHeading2", "（二）具体举措按责任处室", keep_next=True)
        boxed_table(sheet, MEASURE_HEADER, MEASURE_WIDTHS, measure_rows(f))
    sheet.paragraph(
        "HYBody",
        f"说明：已完成指{what}已整改完毕、申请销号（含已销号）；整改完成率 = 已完成 ÷ 事项；"
        "按期整改率 = 在完成时限内申请销号的 ÷ 已完成；销号率 = 已销号 ÷ 事项；"
        "逾期指尚未完成且已过完成时限。",
    )


def _item_section(sheet: Sheet, n: int, entry: ItemEntry, what: str) -> None:
    case = entry.item.case
    sheet.paragraph("HYHeading2", f"{heading_number(n)}{case.title}", keep_next=True)
    if case.content.strip():
        sheet.paragraph("HYBody", f"{what}：{case.content.strip()}")
    sheet.paragraph("HYBody", facts_line(entry))
    target = indicator_of(
        {name: getattr(entry.item, name) for name in INDICATOR_FIELDS} | {"case_id": case.pk}
    )
    if target is not None:
        sheet.paragraph("HYBody", f"量化目标：{target['text']}。")
    if entry.measures:
        sheet.paragraph("HYBody", "整改措施：", keep_next=True)
        for m, status in entry.measures:
            sheet.paragraph("HYBody", measure_line(m.seq, m, status))
    if entry.latest is not None:
        sheet.paragraph(
            "HYBody", f"整改进展：{entry.latest.text.strip()}（{cn_date(entry.latest.on)}反馈）"
        )
    sheet.paragraph("HYBody", evidence_text(entry.evidence))


def build_report(d: dict[str, Any]) -> bytes:
    rect_list: RectList = d["list"]
    f, on, what = d["f"], d["on"], noun(rect_list)
    commission = commission_name()
    sheet = bulletin_sheet()
    title = f"关于{rect_list.name}整改情况的报告"
    sheet.paragraph("HYTitle", title)
    sheet.paragraph("HYBody")
    if rect_list.reports_to:
        sheet.paragraph("HYAddressee", f"{rect_list.reports_to}：")
    sheet.paragraph("HYBody", intro(rect_list))

    sheet.paragraph("HYHeading1", "一、总体情况")
    sheet.paragraph("HYBody", summary_paragraph(f, what, on))
    overdue = overdue_units_sentence(f, what)
    if overdue:
        sheet.paragraph("HYBody", overdue)

    sheet.paragraph("HYHeading1", f"二、各项{what}整改情况")
    if not d["entries"]:
        sheet.paragraph("HYBody", f"清单尚未列入{what}。")
    for n, entry in enumerate(d["entries"], start=1):
        _item_section(sheet, n, entry, what)

    sheet.paragraph("HYHeading1", "三、整改情况统计")
    add_statistics(sheet, f, what)
    sheet.paragraph("HYBody", "特此报告。")
    keep_with_next(sheet)

    sheet.paragraph("HYBody", keep_next=True)
    sheet.paragraph("HYBody", keep_next=True)
    add_signature(sheet, commission, cn_date(on))
    when = datetime.combine(on, time(9, 0))
    return sheet.save(title=title, author=commission, when=when)


def list_report(rect_list: RectList, on: date | None = None) -> bytes:
    """The 整改情况报告 of the whole list on `on` (today by default) as .docx bytes."""
    return build_report(report_data(rect_list, on))


def report_filename(rect_list: RectList, on: date) -> tuple[str, str]:
    """(the Chinese file name, the ASCII one)."""
    return (
        f"{rect_list.code}整改情况报告_{on.isoformat()}.docx",
        f"{rect_list.code}-report-{on.isoformat()}.docx",
    )
