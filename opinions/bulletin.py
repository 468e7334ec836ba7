"""The weekly bulletin of 群众意见建议 (群众意见建议办理情况周报) as .docx, in the layout of the
commission's other documents (letters.official: GB/T 9704 page, 方正小标宋 title, 仿宋_GB2312
body, 黑体 headings, page numbers "— N —").

What it says, as a 12345 weekly bulletin does:
一、本周受理情况 — the week's volume and its change on the week before, by channel, how many
    were forwarded (and on time), answered, closed; the answers' classes.
二、反映问题的领域 — the top three areas of the week.
三、各单位办理情况 — per lead unit, 按时办结率 / 回复率 / 满意率 over the year so far (1 January
    to the week's Sunday: a week's own opinions are mostly not due yet), with the units
    below the floor (settings.HUIYIN_OPINION_RATE_FLOOR, 0.9 unless set) named.
四、超期未办结清单 — the opinions past their deadline and not answered, as of the day the
    bulletin is written: number, the title's first 30 characters, unit, deadline and the
    working days since it.
Every figure is opinions.stats.opinion_figures' (the page, the export and the command print
the same); no phone number is ever printed (titles are masked: opinions.stats.without_phones).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.oxml import OxmlElement

from audit.record import today
from cases.models import Case
from cases.models.choices import Category
from huiyin.formats import cn_date
from letters import wording
from letters.build import TITLE_CHARS_PER_LINE
from letters.layout import (
    BODY_PT,
    PAGE_NUMBER_PT,
    TEXT_WIDTH,
    ParagraphLook,
    Sheet,
    Type,
    text_width,
)
from letters.official import add_signature, font_of, paragraph_looks
from letters.setup import commission_name
from opinions.models import Channel
from opinions.stats import (
    RATE_LABELS,
    RESULT_LABELS,
    RUNNING,
    monday_of,
    opinion_figures,
    percent,
    without_phones,
)
from workdays.calendar import WorkdaySpan
from workflow.errors import ActionForbidden

if TYPE_CHECKING:
    from huiyin.types import AnyUser

TITLE = "{commission}群众意见建议办理情况周报"
NOT_ALLOWED = "群众意见建议周报由办公室（议提案管理员）、委领导和查阅人员下载"
DEFAULT_FLOOR = 0.9
UNIT_RATES = ("answer_on_time", "reply", "satisfaction")
TOP_AREAS = 3
OVERDUE_LISTED = 100  # beyond this the bulletin says how many more (the ledger has them all)
TITLE_CHARS = 30
TABLE_PT = 12  # 小四
TABLE_LINE = 320  # 16 pt lines
CHANNEL_LABELS = {code: str(label) for code, label in Channel.choices}


def rate_floor() -> float:
    """settings.HUIYIN_OPINION_RATE_FLOOR (a fraction, 0 < floor ≤ 1; 0.9 unless set)."""
    value = float(getattr(settings, "HUIYIN_OPINION_RATE_FLOOR", DEFAULT_FLOOR))
    if not 0 < value <= 1:
        raise ValueError("HUIYIN_OPINION_RATE_FLOOR 应为 0 到 1 之间的小数（如 0.9）")
    return value


def last_full_week(on: date) -> date:
    """The Monday of the last week that has ended by `on`."""
    return monday_of(on) - timedelta(days=7)


# ── the data ─────────────────────────────────────────────────────────────────────────────


def overdue_list(as_of: date, limit: int = OVERDUE_LISTED) -> tuple[list[dict[str, Any]], int]:
    """The running opinions past their deadline as of `as_of`, oldest deadline first (the
    open-deadline partial index: no closed case is read), and how many there are."""
    qs = Case.objects.filter(
        category=Category.PUBLIC_OPINION, state__in=list(RUNNING), deadline__lt=as_of
    )
    total = qs.count()
    found = qs.order_by("deadline", "id").values_list(
        "number", "title", "deadline", "lead_unit__name"
    )
    rows: list[dict[str, Any]] = []
    span = None
    for number, title, deadline, unit in found[:limit]:
        assert deadline is not None  # deadline__lt filters out the cases without one
        span = span or WorkdaySpan(deadline, as_of)  # the oldest deadline comes first
        rows.append(
            {
                "number": number,
                "title": without_phones(title)[:TITLE_CHARS],
                "unit": unit or "",
                "deadline": deadline,
                "days": max(0, span.workdays_between(deadline, as_of)),
            }
        )
    return rows, total


def below_floor(units: list[dict[str, Any]], floor: float) -> list[tuple[str, list[str]]]:
    """(unit name, ["按时办结率 80.0%（4/5）", …]) for every unit with a rate under the floor."""
    found = []
    for row in units:
        low = [
            f"{RATE_LABELS[key]}{percent(row['rates'][key])}"
            for key in UNIT_RATES
            if row["rates"][key]["rate"] is not None and row["rates"][key]["rate"] < floor
        ]
        if low:
            found.append((row["name"], low))
    return found


def bulletin_data(week: date, *, user: AnyUser | None, as_of: date | None = None) -> dict[str, Any]:
    """Everything the bulletin prints, for the week starting on the Monday `week`."""
    as_of = as_of or today()
    monday = monday_of(week)
    sunday = monday + timedelta(days=6)
    this = opinion_figures(user=user, start=monday, end=sunday, as_of=as_of)
    if this["scope"] is not None:
        raise ActionForbidden(NOT_ALLOWED)
    before = opinion_figures(
        user=user, start=monday - timedelta(days=7), end=monday - timedelta(days=1), as_of=as_of
    )
    year = opinion_figures(user=user, start=sunday.replace(month=1, day=1), end=sunday, as_of=as_of)
    overdue, overdue_total = overdue_list(as_of)
    floor = rate_floor()
    return {
        "monday": monday,
        "sunday": sunday,
        "as_of": as_of,
        "week": this,
        "previous": before,
        "year": year,
        "floor": floor,
        "below_floor": below_floor(year["by_unit"], floor),
        "overdue": overdue,
        "overdue_total": overdue_total,
    }


# ── the sentences ────────────────────────────────────────────────────────────────────────


def _n(value: int) -> str:
    return f"{value}条"


def change_text(now: int, before: int) -> str:
    """较上周（12条）增加3条、增长25.0% / 减少… / 持平."""
    basis = f"较上周（{_n(before)}）"
    if now == before:
        return basis + "持平"
    if before == 0:
        return basis + f"增加{_n(now)}"
    diff = now - before
    word, grow = ("增加", "增长") if diff > 0 else ("减少", "下降")
    return basis + f"{word}{_n(abs(diff))}、{grow}{abs(diff) / before * 100:.1f}%"


def _period_text(monday: date, sunday: date) -> str:
    end = f"{sunday.month}月{sunday.day}日" if sunday.year == monday.year else cn_date(sunday)
    return f"{cn_date(monday)}至{end}"


def volume_paragraph(d: dict[str, Any]) -> str:
    w, p = d["week"], d["previous"]
    if w["received"] == 0:
        return f"本周（{_period_text(d['monday'], d['sunday'])}）未收到群众意见建议，{change_text(0, p['received'])}。"
    channels = "、".join(
        f"{row['label']}{_n(row['received'])}" for row in w["by_channel"] if row["received"]
    )
    text = (
        f"本周（{_period_text(d['monday'], d['sunday'])}）共收到群众意见建议{_n(w['received'])}，"
        f"{change_text(w['received'], p['received'])}。按渠道分，{channels}。"
    )
    forward = w["rates"]["forward_on_time"]
    text += (
        f"截至{cn_date(d['as_of'])}，已签批转办{_n(w['forwarded'])}，其中当日转办"
        f"{_n(w['forwarded_on_time'])}，转办及时率{percent(forward)}；"
        f"已答复{_n(w['answered'])}，已办结{_n(w['closed'])}"
    )
    if w["merged"]:
        text += f"；重复反映并件{_n(w['merged'])}"
    text += "。"
    if w["answered"]:
        classes = "，".join(
            f"{RESULT_LABELS[code]}的{_n(n)}" for code, n in w["by_result"].items() if n
        )
        text += f"已答复的{_n(w['answered'])}中，{classes}。"
    return text


def areas_paragraph(d: dict[str, Any]) -> str:
    w = d["week"]
    ranked = sorted((r for r in w["by_area"] if r["received"]), key=lambda r: -r["received"])
    if not ranked:
        return "本周无反映问题。"
    top = ranked[:TOP_AREAS]
    listed = "、".join(
        f"{r['label']}（{_n(r['received'])}，占{r['received'] / w['received'] * 100:.1f}%）"
        for r in top
    )
    return f"本周群众反映较多的领域依次为：{listed}。"


def floor_paragraph(d: dict[str, Any]) -> str:
    floor = f"{d['floor'] * 100:g}%"
    names = "、".join(RATE_LABELS[k] for k in UNIT_RATES)
    if not d["year"]["by_unit"]:
        return "本年度尚无转办到承办单位的群众意见建议。"
    if not d["below_floor"]:
        return f"各承办单位{names}均不低于{floor}。"
    listed = "；".join(f"{name}（{'，'.join(rates)}）" for name, rates in d["below_floor"])
    return f"{names}低于{floor}的单位：{listed}。请相关单位加快办理、提高答复质量。"


# ── the document ─────────────────────────────────────────────────────────────────────────


def _sheet() -> Sheet:
    table_label = Type(font_of("heading1"), TABLE_PT)
    table_text = Type(font_of("body"), TABLE_PT)
    looks = [
        *paragraph_looks(),
        ParagraphLook("HYPeriod", "期间", Type(font_of("heading2"), BODY_PT), align="center"),
        ParagraphLook("HYSumLabel", "统计表栏目", table_label, align="center", line=TABLE_LINE),
        ParagraphLook("HYSumNumber", "统计表数字", table_text, align="center", line=TABLE_LINE),
        ParagraphLook("HYSumName", "统计表文字", table_text, align="left", line=TABLE_LINE),
    ]
    sheet = Sheet(
        looks,
        body=Type(font_of("body"), BODY_PT),
        page_number=Type(font_of("page_number"), PAGE_NUMBER_PT),
    )
    sheet.set_font_table(font_of(role) for role in wording.FONTS)
    sheet.page_numbers("HYPageNumberOdd", "HYPageNumberEven")
    return sheet


def _table(
    sheet: Sheet, header: list[str], widths: list[int], rows: list[list[tuple[str, str]]]
) -> None:
    """A boxed table; each cell is (text, style). The header repeats on every page and a
    row never splits."""
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
    for col, label in enumerate(header):
        cell = table.cell(0, col)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        sheet.paragraph("HYSumLabel", label, container=cell)
    for r, row in enumerate(rows, start=1):
        for col, (text, style) in enumerate(row):
            cell = table.cell(r, col)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            lines = text.split("\n")
            breaks, offset = [], 0
            for line in lines[:-1]:
                offset += len(line)
                breaks.append(offset)
            p = sheet.paragraph(style, container=cell)
            sheet.run(p, "".join(lines), breaks=breaks)


def _rate_cell(value: dict[str, Any]) -> tuple[str, str]:
    if value["rate"] is None:
        return "—", "HYSumNumber"
    return f"{percent(value)}\n{value['numerator']}/{value['denominator']}", "HYSumNumber"


UNIT_HEADER = ["承办单位", "收到", "已答复", "按时办结率", "回复率", "满意率", "超期未办"]
# Twips; the first column takes what is left of the 156 mm line. A number (YJ2026-000123)
# and a date stay on one line even in a fallback font with wide digits.
UNIT_WIDTHS = [2000, 700, 900, 1300, 1300, 1300, 1250]
OVERDUE_HEADER = ["编号", "标题", "承办单位", "答复期限", "超期天数"]
OVERDUE_WIDTHS = [1900, 2600, 1700, 1500, 1100]


def _unit_rows(units: list[dict[str, Any]]) -> list[list[tuple[str, str]]]:
    rows = []
    for u in units:
        rows.append(
            [
                (u["name"], "HYSumName"),
                (str(u["received"]), "HYSumNumber"),
                (str(u["answered"]), "HYSumNumber"),
                *(_rate_cell(u["rates"][k]) for k in UNIT_RATES),
                (str(u["overdue_open"]), "HYSumNumber"),
            ]
        )
    return rows


def _overdue_rows(items: list[dict[str, Any]]) -> list[list[tuple[str, str]]]:
    return [
        [
            (item["number"], "HYSumNumber"),
            (item["title"], "HYSumName"),
            (item["unit"] or "未转办", "HYSumName"),
            (item["deadline"].strftime("%Y-%m-%d"), "HYSumNumber"),
            (str(item["days"]), "HYSumNumber"),
        ]
        for item in items
    ]


def build_bulletin(d: dict[str, Any]) -> bytes:
    commission = commission_name()
    sheet = _sheet()
    title = TITLE.format(commission=commission)
    breaks = [len(commission)] if text_width(title) > TITLE_CHARS_PER_LINE and commission else []
    sheet.paragraph("HYTitle", title, breaks=breaks)
    sheet.paragraph("HYPeriod", f"（{_period_text(d['monday'], d['sunday'])}）")
    sheet.paragraph("HYBody")

    sheet.paragraph("HYHeading1", "一、本周受理情况")
    sheet.paragraph("HYBody", volume_paragraph(d))

    sheet.paragraph("HYHeading1", "二、反映问题的领域")
    sheet.paragraph("HYBody", areas_paragraph(d))

    year = d["year"]
    start = date.fromisoformat(year["start"])
    sheet.paragraph("HYHeading1", "三、各单位办理情况")
    intro = (
        f"{cn_date(start)}至{cn_date(d['sunday'])}收到的群众意见建议，各承办单位办理情况如下"
        f"（截至{cn_date(d['as_of'])}；按时办结率 = 按时答复 ÷ 已答复，回复率 = 已答复 ÷ 收到，"
        "满意率 = 满意及基本满意 ÷ 已评价）。"
    )
    sheet.paragraph("HYBody", intro, keep_next=True)
    if year["by_unit"]:
        _table(sheet, UNIT_HEADER, UNIT_WIDTHS, _unit_rows(year["by_unit"]))
    sheet.paragraph("HYBody", floor_paragraph(d))

    sheet.paragraph("HYHeading1", "四、超期未办结清单")
    if d["overdue_total"]:
        text = f"截至{cn_date(d['as_of'])}，已过答复期限尚未答复的群众意见建议共{_n(d['overdue_total'])}"
        if d["overdue_total"] > len(d["overdue"]):
            text += f"，下表列出期限最早的{_n(len(d['overdue']))}，其余见办件台账"
        text += "（超期天数为答复期限次日至截止日的工作日数）"
        sheet.paragraph("HYBody", text + "。", keep_next=True)
        _table(sheet, OVERDUE_HEADER, OVERDUE_WIDTHS, _overdue_rows(d["overdue"]))
    else:
        sheet.paragraph("HYBody", f"截至{cn_date(d['as_of'])}，没有超期未办结的群众意见建议。")

    sheet.paragraph("HYBody", keep_next=True)
    sheet.paragraph("HYBody", keep_next=True)
    add_signature(sheet, commission, cn_date(d["as_of"]))
    return sheet.save(title=title, author=commission, when=datetime.combine(d["as_of"], time(9, 0)))


def weekly_bulletin(week: date, *, user: AnyUser | None, as_of: date | None = None) -> bytes:
    """The bulletin of the week starting on the Monday of `week`, as .docx bytes."""
    return build_bulletin(bulletin_data(week, user=user, as_of=as_of))


def bulletin_filename(week: date) -> str:
    return f"群众意见建议办理情况周报_{monday_of(week).isoformat()}.docx"
