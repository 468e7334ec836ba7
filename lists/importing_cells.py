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

from huiyin.types import User
from lists.models import Direction
from orgs.models import Unit
from transfer.cleaning import CellError, clean_text, key, parse_date, shown
from transfer.columns import header_key

# Invisible characters pasted with a name from Word or a web page: never part of a value.
_ZERO_WIDTH: Final = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def plain_key(value: Any) -> str:
    """transfer.cleaning.key without zero-width spaces (U+200B, U+FEFF …): for units, dates."""
    return key(value.translate(_ZERO_WIDTH) if isinstance(value, str) else value)


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
    # leftmost is the title and the next one the description (importing._find_headings).
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
# "年底前" loses its "前" only: the 底 is part of the date.
_TAIL = re.compile(r"(之前|以前|前|止|为止|完成)$")
_MONTH_DAY = re.compile(r"(\d{1,2})月(\d{1,2})日?")  # 6月30日: in the list's year
_NUMERIC_MONTH = re.compile(r"(\d{4})[./-](\d{1,2})")  # 2026.6, 2026-06: that month's end
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


def _numeric_month(value: float) -> date:
    """2026.6 typed in Excel is a number: June 2026's end. 2026.1 may be January or October
    (2026.10), so it is refused."""
    m = re.fullmatch(r"(\d{4})\.(\d{1,2})", repr(value))
    if m is None:
        raise CellError(f"无法识别的日期“{shown(value)}”{DATE_HINT}")
    if m.group(2) == "1":
        raise CellError(f"日期“{shown(value)}”可能是1月也可能是10月，请写成2026年1月或2026年10月")
    return _month_end(int(m.group(1)), int(m.group(2)), value)


def read_deadline(value: Any, period: Period) -> tuple[date | None, bool]:
    """(the date, whether it was an 长期坚持-like word). None for an empty cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, False
    if isinstance(value, float) and not value.is_integer() and 1900 < value < 2101:
        return _numeric_month(value), False
    if not isinstance(value, str):
        return parse_date(value), False
    text = plain_key(value)
    if any(text == key(word) or text == key(word) + "开展" for word in ONGOING):
        return period.ongoing, True
    text = _TAIL.sub("", text) or text
    try:
        return parse_date(text), False
    except CellError:
        pass

    def year(found: str | None) -> int:
        return int(found) if found else period.year

    if m := _MONTH_DAY.fullmatch(text):
        try:
            day = date(period.year, int(m.group(1)), int(m.group(2)))
        except ValueError:
            raise CellError(f"日期“{shown(value)}”不存在") from None
        return parse_date(day), False
    if m := _NUMERIC_MONTH.fullmatch(text):
        return _month_end(int(m.group(1)), int(m.group(2)), value), False
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
# Item.baseline/target: 14 digits, 4 after the point. A figure that does not fit exactly is
# no figure (rounding would store a wrong number).
FIGURE_MAX: Final = Decimal(10) ** 10
FIGURE_STEP: Final = Decimal("0.0001")
_NUM = r"(\d+(?:\.\d+)?)"
_UNIT = r"([^\d\s.,，。；;→]{0,6}?)"
# One side of an indicator: a number with its unit ("61%", "16分钟"), or a time in minutes and
# seconds ("13分37秒"). The lookbehind keeps "1e400" or "12.5" from being read from inside.
_SIDE = r"(?<![\d.eE])\d+(?:\.\d+)?\s*(?:分钟?\s*\d+(?:\.\d+)?\s*秒钟?|[^\d\s.,，。；;→]{0,6}?)"
_SIDE_PARTS = re.compile(r"(\d+(?:\.\d+)?)\s*(?:分钟?\s*(\d+(?:\.\d+)?)\s*秒钟?|(.*))", re.S)
_ARROW_SIGN = r"→|->|—>|=>|➝|⇒"
_ARROW = rf"(?:{_ARROW_SIGN}|提高到|提升到|提高至|提升至|增加到|增加至|降到|降至|降低到|降低至|减少到|减少至|缩短到|缩短至|到|至)"
_FROM_TO = re.compile(rf"^(.*?)[：:\s]*(?:由|从)?\s*({_SIDE})\s*{_ARROW}\s*({_SIDE})$")
_CHANGE = re.compile(
    rf"^(.*?)[：:\s]*(?:比|较)(\d{{4}})年?(?:度)?(减少|下降|降低|压减|压缩|增加|提高|增长)\s*{_NUM}\s*{_UNIT}(以上)?$"
)
_TARGET = re.compile(
    rf"^(.*?)[：:\s]*(?:目标值?|达到|不低于|不少于|不超过|不高于|控制在)?\s*(≥|>=|≤|<=)?\s*({_SIDE})(以上|以下|以内)?$"
)
_DOWN_WORDS = ("≤", "<=", "不超过", "不高于", "控制在", "以下", "以内")
# Times on the two sides of an arrow are compared in the smaller unit: "16分钟→13分37秒" is
# 960秒→817秒 (seconds, not 13.6167 minutes: exact, and a report of "13分37秒" reads back).
_SECONDS: Final = {"秒": 1, "秒钟": 1, "分": 60, "分钟": 60, "小时": 3600}
_TIME_UNIT: Final = {"秒": "秒", "秒钟": "秒", "分": "分钟", "分钟": "分钟", "小时": "小时"}


@dataclass
class IndicatorText:
    name: str
    unit: str = ""
    baseline: Decimal | None = None
    target: Decimal | None = None
    direction: str = Direction.UP


def _decimal(text: str) -> Decimal | None:
    """A figure Item stores exactly, else None: huge, non-finite or over-precise ones are not
    figures."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite() or abs(number) >= FIGURE_MAX:
        return None
    return number if number == number.quantize(FIGURE_STEP) else None


def _side(text: str) -> tuple[Decimal, str] | None:
    """(the figure, its unit) of one side: "61%", "16分钟", "13分37秒" (817, 秒)."""
    m = _SIDE_PARTS.fullmatch(text.strip())
    if m is None or (number := _decimal(m.group(1))) is None:
        return None
    if m.group(2) is not None:
        seconds = _decimal(m.group(2))
        if seconds is None or seconds >= 60:
            return None
        total = _decimal(str(number * 60 + seconds))
        return (total, "秒") if total is not None else None
    return number, m.group(3).strip()


def _sides(left: str, right: str) -> tuple[Decimal, Decimal, str] | None:
    """Both sides in one unit: the same (or one side's when the other has none), or two
    times in the smaller one; None when the units differ otherwise."""
    a, b = _side(left), _side(right)
    if a is None or b is None:
        return None
    (x, ux), (y, uy) = a, b
    if not ux or not uy or ux == uy:
        return x, y, (uy or ux)
    if ux in _SECONDS and uy in _SECONDS:
        unit = ux if _SECONDS[ux] <= _SECONDS[uy] else uy
        x2, y2 = (_decimal(str(v * _SECONDS[u] / _SECONDS[unit])) for v, u in ((x, ux), (y, uy)))
        if x2 is not None and y2 is not None:
            return x2, y2, _TIME_UNIT[unit]
    return None


def read_indicator(value: Any) -> IndicatorText | None:
    """An indicator written in a cell: "急救电话10秒接听率 61%→99%" (baseline → target; the
    direction from which is larger), "会议数量比2018年减少30%" (a reduction of 30 % to
    reach), "预约诊疗率≥45%" / "不超过15分钟"; "16分钟→13分37秒" in seconds (960→817).
    Each side must be exactly one figure with its unit: what does not read so keeps its
    whole text as the indicator's name, with no figures (never a wrong one)."""
    text = clean_text(value).replace("％", "%")
    if not text:
        return None
    if m := _FROM_TO.match(text):
        name, left, right = (g or "" for g in m.groups())
        read = _sides(left, right)
        if name and read is not None:
            base, target, unit = read
            direction = Direction.DOWN if target < base else Direction.UP
            return IndicatorText(_name(name), unit[:INDICATOR_UNIT_MAX], base, target, direction)
        return IndicatorText(_name(text))
    if m := _CHANGE.match(text):
        name, year, verb, number, unit, _more = (g or "" for g in m.groups())
        if name and (amount := _decimal(number)) is not None:
            word = "减少" if verb in ("减少", "下降", "降低", "压减", "压缩") else "增加"
            return IndicatorText(
                _name(f"{name}较{year}年{word}幅度"), unit[:INDICATOR_UNIT_MAX],
                None, amount, Direction.UP,
            )  # fmt: skip
    if re.search(_ARROW_SIGN, text):
        return IndicatorText(_name(text))  # an arrow whose sides do not read
    if m := _TARGET.match(text):
        name, sign, side, bound = (g or "" for g in m.groups())
        figure = _side(side)
        if name and not name[-1].isdigit() and figure is not None:
            down = any(w in text for w in _DOWN_WORDS) and sign not in ("≥", ">=")
            return IndicatorText(
                _name(name), figure[1][:INDICATOR_UNIT_MAX], None, figure[0],
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

# A measure's number, by style. A number that starts a line (or follows a full stop or a
# semicolon) always splits: "1." "1、" "1）" "（1）" "（一）". The same numbers in mid-line
# ("(1)…(2)…" on one line) and "一是…二是…" split only as a sequence 1, 2, … of at least
# two, so "2026年(含)" or a lone "(3)" in a sentence stays text. "①" and "⑴" split anywhere.
_START = r"(?:^|(?<=\n)|(?<=[。；;]))[ \t\u3000]*"
_CN = "一二三四五六七八九十"
_MARKS: Final = (
    ("digit", re.compile(_START + r"(\d{1,2})[.、．)）](?!\d)"), True),
    ("paren", re.compile(_START + r"[（(](\d{1,2})[)）]"), True),
    ("paren", re.compile(r"[（(](\d{1,2})[)）]"), False),
    ("cn_paren", re.compile(_START + rf"[（(]([{_CN}]{{1,3}})[)）]"), True),
    ("cn_paren", re.compile(rf"[（(]([{_CN}]{{1,3}})[)）]"), False),
    ("cn_is", re.compile(rf"(?:^|(?<=[\n。；;，,：:\s]))([{_CN}]{{1,3}})是"), False),
    ("circled", re.compile(r"([\u2460-\u2473])"), True),
    ("paren_glyph", re.compile(r"([\u2474-\u2487])"), True),
)


def _number(text: str) -> int:
    """1, 12, 一, 十二, 二十三 → the number; ① ⑴ → theirs; 0 for what is none."""
    if text.isascii():
        return int(text)
    if len(text) == 1 and "\u2460" <= text <= "\u2487":
        return (ord(text) - 0x2460) % 20 + 1
    digit = {ch: n for n, ch in enumerate(_CN[:9], start=1)}
    tens, ten, units = text.partition("十")
    if not ten:
        return digit.get(text, 0)
    if len(tens) > 1 or len(units) > 1:
        return 0
    return (digit.get(tens, 0) if tens else 1) * 10 + (digit.get(units, 0) if units else 0)


def _marks(text: str) -> list[re.Match[str]]:
    """The numbers a cell is split at: those of its first number's style."""
    found: dict[int, tuple[re.Match[str], str, bool]] = {}
    for style, pattern, free in _MARKS:
        for m in pattern.finditer(text):
            if m.start(1) not in found or free and not found[m.start(1)][2]:
                found[m.start(1)] = (m, style, free)
    ordered = sorted(found.values(), key=lambda f: f[0].start(1))
    chosen: dict[str, list[tuple[re.Match[str], bool]]] = {}
    last: dict[str, int] = {}
    end = -1
    for m, style, free in ordered:
        if m.start() < end:
            continue  # inside a number already taken ("（1）" read as "1）")
        number = _number(m.group(1))
        if free or number == last.get(style, 0) + 1:
            chosen.setdefault(style, []).append((m, free))
            last[style], end = number, m.end()
    runs = {
        style: [m for m, _ in marks]
        for style, marks in chosen.items()
        if len(marks) > 1 or any(free for _, free in marks)
    }
    if not runs:
        return []
    first = min(runs, key=lambda style: runs[style][0].start())
    return runs[first]


def split_measures(text: str) -> list[str]:
    """The measures in one cell. Numbered ones ("1.…\\n2.…", "1）…", "（1）…", "（一）…",
    "一是…二是…", "①…②…", "⑴…⑵…") are split at their numbers, which are dropped; a cell
    without numbers is one measure (its lines kept: a long measure is often wrapped by
    hand)."""
    text = text.strip()
    if not text:
        return []
    marks = _marks(text)
    if not marks:
        return [text]
    pieces = []
    head = text[: marks[0].start()].strip()
    if head:
        pieces.append(head)  # a lead-in before the first number stays a measure of its own
    for n, mark in enumerate(marks):
        end = marks[n + 1].start() if n + 1 < len(marks) else len(text)
        piece = text[mark.end() : end].strip().strip("；;，,").strip()
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
        unit = known.get(plain_key(text))
        if unit is not None:
            found.append((text, unit))
            continue
        parts = [p for p in re.split(r"\s+", unicodedata.normalize("NFKC", piece)) if p]
        if len(parts) > 1 and all(plain_key(p) in known for p in parts):
            found.extend((p, known[plain_key(p)]) for p in parts)
        else:
            found.append((text, None))
    return found


def known_units() -> dict[str, Unit]:
    """Units by code and by name (see key); an active one wins over an inactive namesake."""
    found: dict[str, Unit] = {}
    for unit in Unit.objects.order_by("-is_active", "sort_order", "code"):
        found.setdefault(key(unit.code), unit)
        found.setdefault(key(unit.name), unit)
    return found


def known_people() -> dict[str, User]:
    """Active users by full name without spaces; a name two people share links to none."""
    found: dict[str, User | None] = {}
    for user in User.objects.filter(is_active=True).only("first_name", "last_name", "username"):
        names = {key(user.get_full_name()), key(f"{user.last_name}{user.first_name}")} - {""}
        for name in names:
            found[name] = None if name in found and found[name] != user else user
    return {name: user for name, user in found.items() if user is not None}
