"""The cells of a list as people draft it in Excel: its headings (with their aliases), its
dates (2026年6月底, 6月底, 长期坚持 …), its indicators (急救电话10秒接听率 61%→99%) and its
cells holding several measures ("1.……\\n2.……", "（1）……", "①……②……").

Each reader returns the value or raises transfer.cleaning.CellError with a message in
Chinese; the plain cells (text, exact dates, Excel serial numbers) are transfer.cleaning's.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from lists.models import Direction
from transfer.cleaning import CellError, clean_text, key, parse_date, shown
from transfer.columns import header_key

# --- headings -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    key: str
    label: str  # the heading the export writes
    aliases: tuple[str, ...] = ()


HEADINGS: Final[tuple[Heading, ...]] = (
    Heading("seq", "序号", ("编号", "序", "项目编号")),
    Heading("category", "类别", ("类型", "分类", "大类", "类别名称", "所属类别")),
    # The item's title. When a sheet has two of these columns (整治重点 and 具体问题), the
    # leftmost is the title and the next one the description (importing._columns).
    Heading(
        "title",
        "整治重点",
        (
            "项目",
            "问题",
            "问题清单",
            "重点项目",
            "具体问题",
            "事项",
            "项目名称",
            "问题（项目）",
            "存在问题",
            "整改事项",
            "整改问题",
            "重点任务",
            "任务",
        ),
    ),  # fmt: skip
    Heading("description", "问题描述", ("问题表现", "具体表现", "主要问题", "问题说明")),
    Heading("measures", "具体举措", ("整改措施", "工作措施", "举措", "措施", "主要措施")),
    Heading("leader", "责任领导", ("分管领导", "牵头领导", "分管委领导")),
    Heading("lead_unit", "牵头处室", ("责任处室", "牵头单位", "责任单位", "牵头部门", "责任部门")),
    Heading("co_units", "协办处室", ("配合处室", "协办单位", "配合单位", "协办部门", "配合部门")),
    Heading("deadline", "完成时限", ("整改时限", "时限", "完成时间", "整改期限", "完成期限")),
    Heading("indicator", "目标", ("指标", "量化指标", "目标任务", "工作目标", "量化目标")),
    # A measure's own owner and deadline (the export writes these; a sheet may also give a
    # measure's unit and date on its row in the item's columns, unmerged).
    Heading("measure_unit", "举措责任处室", ("举措责任单位", "措施责任处室")),
    Heading("measure_deadline", "举措完成时限", ("举措时限", "措施完成时限")),
    Heading("source", "问题来源", ("来源",)),
)
LABELS: Final = {h.key: h.label for h in HEADINGS}
_BRACKETS = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
_BY_HEADING: Final = {
    header_key(_BRACKETS.sub("", name)): h.key for h in HEADINGS for name in (h.label, *h.aliases)
}


def heading_for(value: Any) -> str | None:
    """The column a heading names, after removing spaces (full- and half-width), line
    breaks and notes in brackets ("牵头处室（牵头）", "完成\\n时限")."""
    if value is None:
        return None
    text = header_key(_BRACKETS.sub("", unicodedata.normalize("NFKC", str(value))))
    return _BY_HEADING.get(text) if text else None


# --- dates --------------------------------------------------------------------------------

ONGOING: Final = ("长期坚持", "持续推进", "长期", "常态化", "持续", "长期推进", "常态长效")
DATE_HINT: Final = "（应为2026-06-30、2026.6.30、2026年6月30日、2026年6月底或6月底）"
_TAIL = re.compile(r"(之前|以前|前|止|为止|完成|底前)$")
_YEAR_MONTH = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(?:底|末|份|中旬|下旬|上旬)?")
_YEAR_END = re.compile(r"(\d{4})年(?:底|末|年底|年末|内|全年)?|年底|年末|年内")
_HALF = re.compile(r"(?:(\d{4})年)?(上|下)半年(?:底|末)?")
_QUARTER = re.compile(r"(?:(\d{4})年)?(?:第)?([一二三四1-4])季度(?:末|底)?")
_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@dataclass(frozen=True)
class Period:
    """What the deadlines of a list are read against: 6月底 is in the list's year; 长期坚持
    is its end date, or Dec 31 of its year."""

    year: int
    ends_on: date | None = None

    @property
    def ongoing(self) -> date:
        return self.ends_on or date(self.year, 12, 31)


def _month_end(year: int, month: int, original: Any) -> date:
    if not 1 <= month <= 12:
        raise CellError(f"日期“{shown(original)}”不存在")
    found = parse_date(date(year, month, calendar.monthrange(year, month)[1]))  # window check
    assert found is not None
    return found


def read_deadline(value: Any, period: Period) -> tuple[date | None, bool]:
    """(the date, whether it was an 长期坚持-like word). None for an empty cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, False
    if not isinstance(value, str):
        return parse_date(value), False
    text = key(value)
    if any(text == key(word) or text == key(word) + "开展" for word in ONGOING):
        return period.ongoing, True
    text = _TAIL.sub("", text) or text
    try:
        return parse_date(text), False
    except CellError:
        pass

    def year(found: str | None) -> int:
        return int(found) if found else period.year

    if m := _YEAR_MONTH.fullmatch(text):
        return _month_end(year(m.group(1)), int(m.group(2)), value), False
    if m := _HALF.fullmatch(text):
        return _month_end(year(m.group(1)), 6 if m.group(2) == "上" else 12, value), False
    if m := _QUARTER.fullmatch(text):
        return _month_end(year(m.group(1)), 3 * _QUARTERS[m.group(2)], value), False
    if m := _YEAR_END.fullmatch(text):
        return _month_end(year(m.group(1)), 12, value), False
    raise CellError(f"无法识别的日期“{shown(value)}”{DATE_HINT}")


# --- indicators ---------------------------------------------------------------------------

INDICATOR_NAME_MAX: Final = 100
INDICATOR_UNIT_MAX: Final = 20
_NUM = r"(\d+(?:\.\d+)?)"
_UNIT = r"([^\d\s.,，。；;→]{0,6}?)"
_ARROW = r"(?:→|->|—>|=>|➝|⇒|提高到|提升到|提高至|提升至|增加到|增加至|降到|降至|降低到|降低至|减少到|减少至|缩短到|缩短至|到|至)"
_FROM_TO = re.compile(
    rf"^(.*?)[：:\s]*(?:由|从)?\s*{_NUM}\s*{_UNIT}\s*{_ARROW}\s*{_NUM}\s*{_UNIT}$"
)
_CHANGE = re.compile(
    rf"^(.*?)[：:\s]*(?:比|较)(\d{{4}})年?(?:度)?(减少|下降|降低|压减|压缩|增加|提高|增长)\s*{_NUM}\s*{_UNIT}(以上)?$"
)
_TARGET = re.compile(
    rf"^(.*?)[：:\s]*(?:目标值?|达到|不低于|不少于|不超过|不高于|控制在)?\s*(≥|>=|≤|<=)?\s*{_NUM}\s*{_UNIT}(以上|以下|以内)?$"
)
_DOWN_WORDS = ("≤", "<=", "不超过", "不高于", "控制在", "以下", "以内")


@dataclass
class IndicatorText:
    name: str
    unit: str = ""
    baseline: Decimal | None = None
    target: Decimal | None = None
    direction: str = Direction.UP


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def read_indicator(value: Any) -> IndicatorText | None:
    """An indicator written in a cell: "急救电话10秒接听率 61%→99%" (baseline → target; the
    direction from which is larger), "会议数量比2018年减少30%" (a reduction of 30 % to
    reach), "预约诊疗率≥45%" / "不超过15分钟". What matches none keeps its text as the
    indicator's name, with no figures."""
    text = clean_text(value).replace("％", "%")
    if not text:
        return None
    if m := _FROM_TO.match(text):
        name, a, ua, b, ub = (g or "" for g in m.groups())
        base, target = _decimal(a), _decimal(b)
        if name and base is not None and target is not None:
            direction = Direction.DOWN if target < base else Direction.UP
            return IndicatorText(
                _name(name), (ub or ua)[:INDICATOR_UNIT_MAX], base, target, direction
            )
    if m := _CHANGE.match(text):
        name, year, verb, number, unit, _more = (g or "" for g in m.groups())
        if name:
            word = "减少" if verb in ("减少", "下降", "降低", "压减", "压缩") else "增加"
            return IndicatorText(
                _name(f"{name}较{year}年{word}幅度"), unit[:INDICATOR_UNIT_MAX],
                None, _decimal(number), Direction.UP,
            )  # fmt: skip
    if m := _TARGET.match(text):
        name, sign, number, unit, bound = (g or "" for g in m.groups())
        if name and not name[-1].isdigit():
            down = any(w in text for w in _DOWN_WORDS) and sign not in ("≥", ">=")
            return IndicatorText(
                _name(name), unit[:INDICATOR_UNIT_MAX], None, _decimal(number),
                Direction.DOWN if down else Direction.UP,
            )  # fmt: skip
    return IndicatorText(_name(text))


def _name(text: str) -> str:
    return text.strip(" ：:，,")[:INDICATOR_NAME_MAX]


def _figure(value: Decimal) -> str:
    return format(value.normalize(), "f")


def indicator_text(name: str, unit: str, baseline: Any, target: Any, direction: str) -> str:
    """The cell the export writes, which read_indicator reads back to the same values."""
    if not name:
        return ""
    if baseline is not None and target is not None:
        return f"{name} {_figure(baseline)}{unit}→{_figure(target)}{unit}"
    if target is not None:
        sign = "≤" if direction == Direction.DOWN else "≥"
        return f"{name}：目标{sign}{_figure(target)}{unit}"
    return name


# --- measures -----------------------------------------------------------------------------

# A measure's number: "1." "1、" "1．" "（1）" "(1)" at the start of a line or after a full
# stop or semicolon; "①" … "⑳" anywhere.
_MARK = re.compile(
    r"(?:^|(?<=\n)|(?<=[。；;]))[ \t\u3000]*(?:\d{1,2}[.、．)](?!\d)|[（(]\d{1,2}[)）])"
    r"|[\u2460-\u2473]"
)


def split_measures(text: str) -> list[str]:
    """The measures in one cell. Numbered ones ("1.…\\n2.…", "（1）…", "①…②…") are split at
    their numbers, which are dropped; a cell without numbers is one measure (its lines kept:
    a long measure is often wrapped by hand)."""
    text = text.strip()
    if not text:
        return []
    marks = list(_MARK.finditer(text))
    if not marks:
        return [text]
    pieces = []
    head = text[: marks[0].start()].strip()
    if head:
        pieces.append(head)  # a lead-in before the first number stays a measure of its own
    for n, mark in enumerate(marks):
        end = marks[n + 1].start() if n + 1 < len(marks) else len(text)
        piece = text[mark.end() : end].strip().strip("；;").strip()
        if piece:
            pieces.append(piece)
    return pieces


# --- units and people ---------------------------------------------------------------------

_UNIT_SEPARATORS = re.compile(r"[、，,；;/\n]+")


def split_units(value: Any, known: dict[str, Any]) -> list[tuple[str, Any]]:
    """Co-units in one cell, split by 、，,；; (and line breaks); a piece that names no unit
    is split again by spaces, so "医政　医管处" (a padded name) and "医政医管处 基层处" both
    work. Returns (the text, the unit or None) pairs."""
    found: list[tuple[str, Any]] = []
    for piece in _UNIT_SEPARATORS.split(str(value or "")):
        text = clean_text(piece)
        if not text:
            continue
        unit = known.get(key(text))
        if unit is not None:
            found.append((text, unit))
            continue
        parts = [p for p in re.split(r"\s+", unicodedata.normalize("NFKC", piece)) if p]
        if len(parts) > 1 and all(key(p) in known for p in parts):
            found.extend((p, known[key(p)]) for p in parts)
        else:
            found.append((text, None))
    return found
