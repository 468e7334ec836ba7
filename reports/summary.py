"""The annual summary (年度议提案办理工作总结) as .docx, in the reply letter's layout.

Sections 一、基本情况 and 二、办理情况 are written from the data, in the words of seed 001;
三、主要做法及成效, 四、存在的问题 and 五、下一步打算 need the office's judgement and are left
as headed placeholders. Every figure comes from year_stats (the same object as
`huiyin stats --json`); the page, the fonts and the page numbers are the reply letter's
(letters.layout, letters.build), so both documents look alike.
"""

from datetime import date, datetime, time
from typing import Any

from django.db.models import Sum
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.oxml import OxmlElement

from cases.models.choices import Category, FeedbackRating, Mode, OutcomeKind, ReplyClass
from huiyin.formats import cn_date
from letters import wording
from letters.build import TITLE_CHARS_PER_LINE, add_signature, font_of, paragraph_looks
from letters.layout import (
    BODY_PT,
    PAGE_NUMBER_PT,
    TEXT_WIDTH,
    ParagraphLook,
    Sheet,
    Type,
    text_width,
)
from letters.setup import commission_name
from proposals.spec import PROPOSAL_STATES
from reports.dashboard import class_ab_rate, percent, unit_table
from reports.models import TallyOutcome
from reports.stats import REPLIED_KEY, counted_cases, counted_rows, year_figures, year_stats

# ── wording: what the summary says (a commission adapts these) ──────────────────────────
TITLE = "{commission}{year}年度议提案办理工作总结"
OPENING = (
    "{year}年，我委坚持把议提案办理工作作为汇聚众智、接受监督、推进工作和回应民生关切的"
    "重要举措，力争“件件有着落、事事有回音”。现将我委{year}年度议提案办理工作情况报告如下："
)
PLACEHOLDER = "【请填写】"
KIND_SHORT = {"npc_suggestion": "建议", "cppcc_proposal": "提案"}
KIND_FULL = dict(Category.choices)
MODE_LABELS = dict(Mode.choices)
CLASS_LABELS = dict(ReplyClass.choices)  # A类（已解决或基本解决）…
OUTCOME_LABELS = dict(OutcomeKind.choices)
RATING_LABELS = dict(FeedbackRating.choices)
LED_LISTED = 20  # the leader-led cases named one by one; beyond this "等"
TOPICS_LISTED = 10
TABLE_PT = 12  # 小四: ten columns fit the 156 mm line
TABLE_LINE = 320  # 16 pt lines


def _level_kind(category: str, level: str) -> str:
    return wording.LEVEL_PREFIX.get(level, "") + KIND_SHORT.get(category, "")


def _n(value: int) -> str:
    return f"{value}件"


def _pct(value: float | None) -> str:
    return percent(value)


# ── the paragraphs ──────────────────────────────────────────────────────────────────────


def _receipt(s: dict[str, Any], when: str) -> str:
    """今年，我委共收到…N件。其中，省建议a件、市建议b件，省提案c件；主办x件，会办y件。"""
    if s["total"] == 0:
        return f"{when}，我委未收到人大代表建议和政协委员提案。"
    parts = []
    for category, levels in s["by_category_level"].items():
        items = [f"{_level_kind(category, lv)}{_n(n)}" for lv, n in levels.items() if n]
        if items:
            parts.append("、".join(items))
    return (
        f"{when}，我委共收到人大代表建议和政协委员提案（以下简称议提案）{_n(s['total'])}。"
        f"其中，{'，'.join(parts)}；"
        f"议提案主办（含承办、分办）{_n(s['by_role']['lead'])}，会办{_n(s['by_role']['co'])}。"
    )


def _led_item(case: dict[str, Any]) -> str:
    kind = wording.LEVEL_PREFIX.get(case["level"], "") + KIND_FULL.get(case["category"], "")
    mode = MODE_LABELS.get(case["mode"], "主办")
    return f"{kind}第{case['number']}号《{case['title']}》，由{case['led_by']}领办，由我委{mode}"


def _led_sentence(s: dict[str, Any], led: list[dict[str, Any]]) -> str:
    if not s["leader_led"]:
        return ""
    items = "；".join(_led_item(c) for c in led[:LED_LISTED])
    more = "等" if s["leader_led"] > len(led[:LED_LISTED]) else ""
    return f"其中，领办件{_n(s['leader_led'])}：{items}{more}。"


def _topics_sentence(s: dict[str, Any], year: int) -> str:
    topics = list(s["by_topic"].items())[:TOPICS_LISTED]
    if not topics:
        return ""
    listed = "、".join(f"{name}（{_n(n)}）" for name, n in topics)
    return f"从内容上看，{year}年议提案关注{listed}等。"


def _change(now: int, before: int) -> str:
    if now > before:
        return f"增加{_n(now - before)}"
    if now < before:
        return f"减少{_n(before - now)}"
    return "持平"


def _comparison(s: dict[str, Any], prev: dict[str, Any]) -> str:
    """从数量上看，…与上年相比… — left out when the system has no cases of the year before."""
    if prev["total"] == 0:
        return ""
    year, before = s["year"], prev["year"]
    total, lead = s["total"], s["by_role"]["lead"]
    p_total, p_lead = prev["total"], prev["by_role"]["lead"]
    basis = f"（{before}年共{_n(p_total)}、主办{_n(p_lead)}）"
    if total > p_total and lead > p_lead:
        trend = f"均进一步增长{basis}，分别增加{_n(total - p_total)}、{_n(lead - p_lead)}"
    elif total < p_total and lead < p_lead:
        trend = f"均有所减少{basis}，分别减少{_n(p_total - total)}、{_n(p_lead - lead)}"
    else:
        return (
            f"从数量上看，与{before}年相比{basis}，{year}年议提案总办件数"
            f"{_change(total, p_total)}，主办件数{_change(lead, p_lead)}。"
        )
    return f"从数量上看，{year}年议提案总办件数、主办件数与{before}年相比{trend}。"


def _handling(s: dict[str, Any], as_of: date) -> str:
    """The replies as cases.figures defines them: 已答复 has a signed reply; 按期答复率 is
    answered on time ÷ answered (DESIGN.md §5); 超期未复, open past the deadline, is said
    beside it because the rate does not count it."""
    total, replied, on_time = s["total"], s[REPLIED_KEY], s["replied_on_time"]
    if total and replied == total and on_time == replied:
        head = f"我委{_n(total)}议提案均已全部按时、按要求办复。"
    else:
        head = (
            f"截至{cn_date(as_of)}，{_n(total)}议提案已答复{_n(replied)}，"
            f"正在办理{_n(total - replied)}；按期答复{_n(on_time)}，"
            f"按期答复率{_pct(s['on_time_rate'])}（按期答复件数÷已答复件数）"
        )
        overdue = s["overdue_unreplied"]
        if overdue:
            head += f"；超期未复{_n(overdue)}（已过答复期限尚未答复，未计入按期答复率）"
        head += "。"
    classes = s["reply_class"]
    classified = sum(classes.values())
    if classified:
        listed = "、".join(f"{CLASS_LABELS[c]}{_n(n)}" for c, n in classes.items())
        head += (
            f"主办件答复中，{listed}，解决或列入计划逐步解决（A、B类）的占"
            f"{_pct(class_ab_rate(s))}。"
        )
    return head


def _feedback(s: dict[str, Any]) -> str:
    f = s["feedback"]
    rated = f["satisfied"] + f["basically_satisfied"] + f["unsatisfied"]
    if not rated and not f["none"]:
        return ""
    text = (
        f"征询代表委员意见，已评价{_n(rated)}，其中满意{_n(f['satisfied'])}、"
        f"基本满意{_n(f['basically_satisfied'])}、不满意{_n(f['unsatisfied'])}，"
        f"满意率（含基本满意）{_pct(s['satisfaction_rate'])}"
    )
    if f["none"]:
        text += f"；尚未反馈评价{_n(f['none'])}"
    return text + "。"


def _face_to_face(s: dict[str, Any]) -> str:
    if not s["by_role"]["lead"]:
        return ""
    return (
        f"办理中坚持与代表委员当面沟通，主办件中面商、座谈、实地调研或上门走访的"
        f"{_n(s['face_to_face'])}，面商率{_pct(s['face_to_face_rate'])}。"
    )


def _outcomes(s: dict[str, Any], by_kind: dict[str, int]) -> str:
    if not s["outcomes"]:
        return ""
    kinds = "、".join(f"{OUTCOME_LABELS.get(k, k)}{n}项" for k, n in by_kind.items() if n)
    return f"推动议提案成果转化{s['outcomes']}项（{kinds}）。"


def _led_progress(case: dict[str, Any]) -> str:
    name = (
        f"{case['led_by']}领办的"
        + wording.LEVEL_PREFIX.get(case["level"], "")
        + KIND_FULL.get(case["category"], "")
        + f"第{case['number']}号《{case['title']}》"
    )
    if case["replied_on"]:
        status = f"已于{cn_date(case['replied_on'])}答复"
        if case["reply_class"]:
            status += f"（{case['reply_class']}类）"
        if case["feedback_result"]:
            status += f"，代表委员评价为{RATING_LABELS.get(case['feedback_result'], '')}"
    else:
        status = f"正在办理（{PROPOSAL_STATES.get(case['state'], case['state'])}）"
    return f"{name}，{status}。"


def _groups_sentence(table: dict[str, Any]) -> str:
    """Seed 000's comparison of our own units (委机关处室, 委直属单位) with the 县区, when
    more than one kind took cases."""
    groups = [g for g in table["groups"] if g["key"] != "other"]
    if len(groups) < 2:
        return ""
    parts = []
    for group in groups:
        row = group["subtotal"]
        parts.append(
            f"{group['label']}主办{_n(row['figures']['total'].count)}，"
            f"按期答复率{row['rates']['on_time_rate'][1]}、"
            f"满意率{row['rates']['satisfaction_rate'][1]}"
        )
    return "；".join(parts) + "。"


# ── the data ─────────────────────────────────────────────────────────────────────────────


def summary_data(year: int) -> dict[str, Any]:
    """Everything the summary prints: a fixed number of queries."""
    s = year_stats(year)
    prev = year_figures(year - 1)
    cases = counted_cases(year)
    led = list(
        cases.exclude(led_by="")
        .order_by("category", "level", "number")
        .values(
            "category",
            "level",
            "number",
            "title",
            "led_by",
            "mode",
            "state",
            "replied_on",
            "reply_class",
            "feedback_result",
        )[: LED_LISTED + 1]
    )
    outcome_rows = (
        counted_rows(TallyOutcome, [year], None).values("kind").annotate(n=Sum("n")).order_by()
    )
    found = {row["kind"]: row["n"] for row in outcome_rows}
    by_kind = {kind: found[kind] for kind in OutcomeKind.values if found.get(kind)}
    return {"stats": s, "previous": prev, "led": led, "outcomes_by_kind": by_kind}


# ── the document ─────────────────────────────────────────────────────────────────────────


def _sheet() -> Sheet:
    table_label = Type(font_of("heading1"), TABLE_PT)
    table_text = Type(font_of("body"), TABLE_PT)
    looks = [
        *paragraph_looks(),
        ParagraphLook("HYSumLabel", "统计表栏目", table_label, align="center", line=TABLE_LINE),
        ParagraphLook("HYSumNumber", "统计表数字", table_text, align="center", line=TABLE_LINE),
        ParagraphLook("HYSumName", "统计表单位", table_text, align="left", line=TABLE_LINE),
    ]
    sheet = Sheet(
        looks,
        body=Type(font_of("body"), BODY_PT),
        page_number=Type(font_of("page_number"), PAGE_NUMBER_PT),
    )
    sheet.set_font_table(font_of(role) for role in wording.FONTS)
    sheet.page_numbers("HYPageNumberOdd", "HYPageNumberEven")
    return sheet


TABLE_COLUMNS = [
    ("单位", None),
    ("办件数", "total"),
    ("主办", "lead"),
    ("已答复", REPLIED_KEY),
    ("按期答复率", "on_time_rate"),
    ("超期未复", "overdue_unreplied"),
    ("A、B类占比", "class_ab_rate"),
    ("满意率", "satisfaction_rate"),
    ("面商率", "face_to_face_rate"),
]
NAME_WIDTH = 1765  # 7 characters of 小四: 基层卫生健康处
# A table of at most this many rows is kept on one page with its 合计 row (every row keeps
# with the next); a longer one may break, but its last KEEP_TAIL_ROWS rows (合计 with the
# two before it) stay together, and the header row repeats on the next page.
KEEP_WHOLE_ROWS = 18
KEEP_TAIL_ROWS = 3
COUNT_WIDTH = 760  # a count (at most 5 digits); its two-line header
# The rates take the rest: "100.0%" stays on one line.
RATE_KEYS = {key for _, key in TABLE_COLUMNS if key and key.endswith("_rate")}
RATE_WIDTH = (
    TEXT_WIDTH - NAME_WIDTH - COUNT_WIDTH * (len(TABLE_COLUMNS) - 1 - len(RATE_KEYS))
) // (len(RATE_KEYS))


def _cell_text(row: dict[str, Any], key: str) -> str:
    if key in row["figures"]:
        return str(row["figures"][key].count)
    return row["rates"][key][1]


def _unit_table(sheet: Sheet, table: dict[str, Any]) -> None:
    rows: list[tuple[dict[str, Any], str]] = []
    for group in table["groups"]:
        rows += [(r, "") for r in group["rows"]]
        rows.append((group["subtotal"], "subtotal"))
    rows.append((table["total"], "total"))
    widths = [NAME_WIDTH] + [
        RATE_WIDTH if key in RATE_KEYS else COUNT_WIDTH for _, key in TABLE_COLUMNS[1:]
    ]
    widths[0] += TEXT_WIDTH - sum(widths)
    edges = ("top", "left", "bottom", "right", "insideH", "insideV")
    docx_table = sheet.table(
        widths, len(rows) + 1, borders={e: ("single", 6) for e in edges}, cell_margin=40
    )
    for index, table_row in enumerate(docx_table.rows):
        trpr = table_row._tr.get_or_add_trPr()
        trpr.append(OxmlElement("w:cantSplit"))  # a row stays on one page
        if index == 0:
            trpr.append(OxmlElement("w:tblHeader"))  # the header repeats on every page
    # Keep-with-next on the rows before 合计 ties the total to its table: no page break
    # between them; the header row keeps with the first row.
    for col, (label, _) in enumerate(TABLE_COLUMNS):
        cell = docx_table.cell(0, col)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        sheet.paragraph("HYSumLabel", label, container=cell, keep_next=True)
    keep_from = 0 if len(rows) <= KEEP_WHOLE_ROWS else len(rows) - KEEP_TAIL_ROWS
    for index, (row, kind) in enumerate(rows, start=1):
        keep = keep_from < index < len(rows)  # the last row is 合计
        for col, (_, key) in enumerate(TABLE_COLUMNS):
            cell = docx_table.cell(index, col)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            if key is None:
                style = "HYSumLabel" if kind else "HYSumName"
                sheet.paragraph(style, row["label"], container=cell, keep_next=keep)
            else:
                look = sheet.looks["HYSumLabel"].type if kind else None
                p = sheet.paragraph("HYSumNumber", container=cell, keep_next=keep)
                sheet.run(p, _cell_text(row, key), look)


def _placeholder(sheet: Sheet, text: str = PLACEHOLDER) -> None:
    sheet.paragraph("HYBody", text, highlight="yellow")


def build_summary(year: int, *, on: date | None = None) -> bytes:
    from audit.record import today

    on = on or today()
    data = summary_data(year)
    s, prev = data["stats"], data["previous"]
    commission = commission_name()
    when = "今年" if year == on.year else f"{year}年"

    sheet = _sheet()
    title = TITLE.format(commission=commission, year=year)
    breaks = [len(commission)] if text_width(title) > TITLE_CHARS_PER_LINE and commission else []
    sheet.paragraph("HYTitle", title, breaks=breaks)
    sheet.paragraph("HYBody")
    sheet.paragraph("HYBody", OPENING.format(year=year))

    # 一、基本情况
    sheet.paragraph("HYHeading1", "一、基本情况")
    sheet.paragraph("HYBody", _receipt(s, when) + _led_sentence(s, data["led"]))
    second = _topics_sentence(s, year) + _comparison(s, prev)
    if second:
        sheet.paragraph("HYBody", second)

    # 二、办理情况
    sheet.paragraph("HYHeading1", "二、办理情况")
    numbers = iter("一二三四五六七八九十")
    p = sheet.paragraph("HYBody")
    sheet.run(p, f"（{next(numbers)}）关于议提案办理情况。", sheet.looks["HYHeading2"].type)
    sheet.run(
        p,
        _handling(s, on) + _feedback(s) + _face_to_face(s) + _outcomes(s, data["outcomes_by_kind"]),
    )

    if data["led"]:
        sheet.paragraph("HYHeading2", f"（{next(numbers)}）领办件办理情况。")
        for case in data["led"][:LED_LISTED]:
            sheet.paragraph("HYBody", _led_progress(case))
        _placeholder(sheet, "【请填写：领办件的办理过程、推进措施和成效】")

    table = unit_table(s, None)
    sheet.paragraph("HYHeading2", f"（{next(numbers)}）各单位办理情况。")
    intro = "各主办单位办理情况见下表。" + _groups_sentence(table)
    if table["unassigned"]:
        intro += f"另有{_n(table['unassigned'].count)}尚未交办到主办单位，计入合计。"
    intro += "表中超期未复指已过答复期限尚未答复的办件，未计入按期答复率。"
    sheet.paragraph("HYBody", intro, keep_next=True)
    _unit_table(sheet, table)

    for heading in ("三、主要做法及成效", "四、存在的问题", "五、下一步打算"):
        sheet.paragraph("HYHeading1", heading)
        _placeholder(sheet)

    sheet.paragraph("HYBody", keep_next=True)
    sheet.paragraph("HYBody", keep_next=True)
    add_signature(sheet, commission, cn_date(on))
    return sheet.save(title=title, author=commission, when=datetime.combine(on, time(9, 0)))


def annual_summary(year: int, *, on: date | None = None) -> bytes:
    """The summary of a year as .docx bytes; `on` is the date it is written (today)."""
    return build_summary(year, on=on)


def summary_filename(year: int) -> str:
    return f"{year}年度议提案办理工作总结.docx"
