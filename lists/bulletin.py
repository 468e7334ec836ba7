"""The progress bulletin of a list for a month, a quarter or a year (整改工作进展通报, .docx):
what changed in the period, and where the list stands at its end.

一、本期进展 — a paragraph drafted from the counts below;
二、销号情况 — the items and measures struck off in the period;
三、进展报送情况 — progress reports in the period per unit (a measure's report counts for
    its owner unit, an item's own report for the lead unit) and the measures asked for 销号;
    the units that had open work and sent neither are named, as a 通报 does;
四、逾期情况 — the items and measures that fell overdue in the period (the day after their
    deadline falls in it, and they were not finished by the deadline);
五、期末总体情况 — lists.stats' figures on the period's last day (today for the current one).

The period is supervision's (`2026-11`, `2026-Q4`, `2026`: huiyin.periods.period_of,
read by huiyin.periods.read_period). The whole list: only those who may download
the report (lists.report.may_report) get it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce

from huiyin.formats import cn_date
from huiyin.periods import Period
from letters.official import add_signature, keep_with_next
from letters.setup import commission_name
from lists.models import Item, Measure, MeasureStatus, Progress, RectList
from lists.report import Cell, add_statistics, boxed_table, bulletin_sheet
from lists.report_text import overdue_units_sentence, summary_paragraph
from lists.stats import DONE_MEASURE, list_figures, noun
from orgs.models import Unit
from workflow.vocabulary import State

LISTED = 100  # rows per table; beyond, the bulletin says how many more
TITLE_CHARS = 40


def _span(start: date, end: date) -> str:
    """2026年11月1日至11月30日"""
    return f"{cn_date(start)}至{end.month}月{end.day}日"


def _unit_names(ids: set[int]) -> dict[int, str]:
    units = Unit.objects.filter(pk__in=sorted(ids)).order_by("sort_order", "code")
    return dict(units.values_list("pk", "name"))


def _per_unit(rows: Any, key: str) -> dict[int, int]:
    return {r[key]: r["n"] for r in rows if r[key] is not None}


def bulletin_data(rect_list: RectList, period: Period, today: date) -> dict[str, Any]:
    """Everything the bulletin prints: a fixed number of queries, whatever the list's size."""
    start = period.start
    end = min(period.end, today)
    items = Item.objects.filter(rect_list=rect_list, case__received_on__lte=end)
    measures = Measure.objects.filter(item__in=items.values("pk"))

    struck_items = list(
        items.filter(case__state=State.CLOSED, struck_off_on__range=(start, end))
        .select_related("case", "case__lead_unit")
        .order_by("struck_off_on", "seq")
    )
    struck_measures = list(
        measures.filter(status=MeasureStatus.STRUCK_OFF, struck_off_on__range=(start, end))
        .select_related("unit", "item")
        .order_by("struck_off_on", "item__seq", "seq")
    )
    reports = _per_unit(
        Progress.objects.filter(item__in=items.values("pk"), on__range=(start, end))
        .annotate(unit=Coalesce("measure__unit_id", "item__case__lead_unit_id"))
        .values("unit")
        .annotate(n=Count("pk"))
        .order_by(),
        "unit",
    )
    submitted = _per_unit(
        measures.filter(status__in=DONE_MEASURE, submitted_on__range=(start, end))
        .values("unit_id")
        .annotate(n=Count("pk"))
        .order_by(),
        "unit_id",
    )
    # Who had work open in the period: a measure not finished before it began, or the lead
    # unit of an item without measures not finished before it began.
    expected = set(measures.exclude(submitted_on__lt=start).values_list("unit_id", flat=True))
    expected |= set(
        items.filter(measures__isnull=True)
        .exclude(completed_on__lt=start)
        .values_list("case__lead_unit_id", flat=True)
    )
    expected.discard(None)  # type: ignore[arg-type]
    # Overdue from the day after the deadline: deadlines from the day before the period.
    fell = (start - timedelta(days=1), end - timedelta(days=1))
    fell_items = list(
        items.filter(case__deadline__range=fell)
        .filter(Q(completed_on__isnull=True) | Q(completed_on__gt=F("case__deadline")))
        .select_related("case", "case__lead_unit")
        .order_by("case__deadline", "seq")
    )
    fell_measures = list(
        measures.filter(deadline__range=fell)
        .filter(Q(submitted_on__isnull=True) | Q(submitted_on__gt=F("deadline")))
        .select_related("unit", "item")
        .order_by("deadline", "item__seq", "seq")
    )
    names = _unit_names(expected | set(reports) | set(submitted))
    activity = [
        {"name": name, "reports": reports.get(pk, 0), "submitted": submitted.get(pk, 0)}
        for pk, name in names.items()
    ]
    silent = [
        name for pk, name in names.items() if pk in expected and pk not in reports
        and pk not in submitted
    ]  # fmt: skip
    return {
        "list": rect_list,
        "period": period,
        "start": start,
        "end": end,
        "struck_items": struck_items,
        "struck_measures": struck_measures,
        "reports": sum(reports.values()),
        "submitted": sum(submitted.values()),
        "activity": activity,
        "silent": silent,
        "fell_items": fell_items,
        "fell_measures": fell_measures,
        "f": list_figures(rect_list, end),
    }


# ── the sentences ────────────────────────────────────────────────────────────────────────


def period_sentence(d: dict[str, Any]) -> str:
    """本月（2026年11月1日至11月30日），清单新销号问题2项、具体举措5条；……"""
    what = noun(d["list"])
    head = f"{d['period'].word}（{_span(d['start'], d['end'])}），"
    done = f"清单新销号{what}{len(d['struck_items'])}项、具体举措{len(d['struck_measures'])}条"
    reports = f"各处室共报送进展反馈{d['reports']}次，申请举措销号{d['submitted']}条"
    fell = (
        f"新增逾期{what}{len(d['fell_items'])}项、具体举措{len(d['fell_measures'])}条"
        if d["fell_items"] or d["fell_measures"]
        else f"没有新增逾期的{what}和具体举措"
    )
    return f"{head}{done}；{reports}；{fell}。"


def silent_sentence(d: dict[str, Any]) -> str:
    if not d["silent"]:
        return "有整改任务的处室本期均报送了进展或申请了销号。"
    names = "、".join(d["silent"])
    return (
        f"{names}有尚未完成的整改任务，{d['period'].word}既未报送进展也未申请销号，"
        "请抓紧推进，及时报送整改进展。"
    )


# ── the document ─────────────────────────────────────────────────────────────────────────


def _num(value: Any) -> Cell:
    return str(value), "HYSumNumber"


def _name(value: str) -> Cell:
    return value, "HYSumName"


def _short(text: str) -> str:
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1] + "…"


def _table_or_none(
    sheet: Any, header: list[str], widths: list[int], rows: list[list[Cell]], none: str
) -> None:
    if not rows:
        sheet.paragraph("HYBody", none)
        return
    if len(rows) > LISTED:
        sheet.paragraph("HYBody", f"共{len(rows)}项，下表列出前{LISTED}项。", keep_next=True)
    boxed_table(sheet, header, widths, rows[:LISTED])


def _struck(sheet: Any, d: dict[str, Any], what: str) -> None:
    sheet.paragraph("HYHeading1", "二、销号情况")
    sheet.paragraph("HYHeading2", f"（一）销号的{what}", keep_next=True)
    rows = [
        [_num(i.seq), _name(_short(i.case.title)), _name(i.case.lead_unit.name),
         _num(i.case.deadline.isoformat() if i.case.deadline else ""),
         _num(i.struck_off_on.isoformat() if i.struck_off_on else "")]
        for i in d["struck_items"]
    ]  # fmt: skip
    header = ["序号", what, "牵头处室", "完成时限", "销号日期"]
    _table_or_none(sheet, header, [800, 3645, 1800, 1300, 1300], rows, f"本期没有销号的{what}。")
    sheet.paragraph("HYHeading2", "（二）销号的具体举措", keep_next=True)
    rows = [
        [_num(f"{m.item.seq}.{m.seq}"), _name(_short(m.text)), _name(m.unit.name),
         _num(m.deadline.isoformat()),
         _num(m.struck_off_on.isoformat() if m.struck_off_on else "")]
        for m in d["struck_measures"]
    ]  # fmt: skip
    header = ["编号", "具体举措", "责任处室", "完成时限", "销号日期"]
    _table_or_none(sheet, header, [800, 3645, 1800, 1300, 1300], rows, "本期没有销号的具体举措。")


def _activity(sheet: Any, d: dict[str, Any]) -> None:
    sheet.paragraph("HYHeading1", "三、进展报送情况")
    rows = [[_name(a["name"]), _num(a["reports"]), _num(a["submitted"])] for a in d["activity"]]
    if rows:
        rows.append([_name("合计"), _num(d["reports"]), _num(d["submitted"])])
        sheet.paragraph("HYBody", f"{d['period'].word}各处室报送情况如下：", keep_next=True)
        boxed_table(
            sheet, ["处室", "进展反馈（次）", "申请举措销号（条）"], [3845, 2500, 2500], rows
        )
    sheet.paragraph("HYBody", silent_sentence(d))


def _overdue(sheet: Any, d: dict[str, Any], what: str) -> None:
    sheet.paragraph("HYHeading1", "四、逾期情况")
    rows = [
        [_num(i.seq), _name(_short(i.case.title)), _name(i.case.lead_unit.name),
         _num(i.case.deadline.isoformat() if i.case.deadline else "")]
        for i in d["fell_items"]
    ]  # fmt: skip
    header = ["序号", what, "牵头处室", "完成时限"]
    none = f"{d['period'].word}没有新增逾期的{what}。"
    if rows:
        sheet.paragraph("HYBody", f"{d['period'].word}新增逾期的{what}：", keep_next=True)
    _table_or_none(sheet, header, [800, 4445, 2000, 1600], rows, none)
    rows = [
        [_num(f"{m.item.seq}.{m.seq}"), _name(_short(m.text)), _name(m.unit.name),
         _num(m.deadline.isoformat())]
        for m in d["fell_measures"]
    ]  # fmt: skip
    if rows:
        sheet.paragraph("HYBody", f"{d['period'].word}新增逾期的具体举措：", keep_next=True)
        _table_or_none(sheet, ["编号", "具体举措", "责任处室", "完成时限"],
                       [800, 4445, 2000, 1600], rows, "")  # fmt: skip
    f = d["f"]
    text = f"截至{cn_date(d['end'])}，逾期未完成的{what}共{f['items_overdue']}项。"
    sheet.paragraph("HYBody", text + overdue_units_sentence(f, what))


def build_bulletin(d: dict[str, Any]) -> bytes:
    rect_list: RectList = d["list"]
    period: Period = d["period"]
    what = noun(rect_list)
    commission = commission_name()
    sheet = bulletin_sheet()
    title = f"{rect_list.name}整改工作进展通报"
    sheet.paragraph("HYTitle", title)
    sheet.paragraph("HYPeriod", f"（{period.label}）")
    sheet.paragraph("HYBody")

    sheet.paragraph("HYHeading1", "一、本期进展")
    sheet.paragraph("HYBody", period_sentence(d))
    _struck(sheet, d, what)
    _activity(sheet, d)
    _overdue(sheet, d, what)

    sheet.paragraph("HYHeading1", "五、期末总体情况")
    sheet.paragraph("HYBody", summary_paragraph(d["f"], what, d["end"]))
    add_statistics(sheet, d["f"], what)
    keep_with_next(sheet)

    sheet.paragraph("HYBody", keep_next=True)
    sheet.paragraph("HYBody", keep_next=True)
    add_signature(sheet, commission, cn_date(d["end"]))
    when = datetime.combine(d["end"], time(9, 0))
    return sheet.save(title=f"{title}（{period.label}）", author=commission, when=when)


def list_bulletin(rect_list: RectList, period: Period, today: date) -> bytes:
    return build_bulletin(bulletin_data(rect_list, period, today))


def bulletin_filename(rect_list: RectList, period: Period) -> tuple[str, str]:
    return (
        f"{rect_list.code}整改工作进展通报_{period.code}.docx",
        f"{rect_list.code}-bulletin-{period.code}.docx",
    )
