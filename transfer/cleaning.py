"""Cell values of real ledgers into model values, by rules rather than known spellings.

Structured values (codes, dates, years, classes, levels, categories, modes, states,
ratings, unit names) are compared after NFKC normalisation, trimming and case folding.
Free text (titles, names, content) keeps its Chinese punctuation: only full-width
letters and digits become half-width, and stray spaces and line breaks go (a break or
space between two Chinese characters is dropped, elsewhere it becomes one space).

Each parser returns the model value or raises CellError with a message quoting the cell.
"""

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

from cases.actions.register import split_names
from cases.models import Category, FeedbackRating, Level, Mode
from huiyin.dates import window_message, year_in_window
from huiyin.text import text_problem, visible
from proposals.spec import PROPOSAL_STATES
from workflow.vocabulary import State

# Enum .values builds a list on each call: too slow for every cell of 20,000 rows.
CATEGORIES = frozenset(Category.values)
LEVELS = frozenset(Level.values)
MODES = frozenset(Mode.values)
RATINGS = frozenset(FeedbackRating.values)


class CellError(ValueError):
    """An unreadable cell; `code` names the kind of problem for callers that act on it."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# Full-width ASCII letters and digits (and the ideographic space) to half-width.
_WIDTH = {
    cp: cp - 0xFEE0
    for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
    for cp in range(r[0], r[1] + 1)
}
_WIDTH[0x3000] = 0x20
_SPACE_RUN = re.compile(r"\s+")
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def shown(value: Any) -> str:
    """The cell as the user sees it, for quoting in a message."""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return visible(str(value).strip())


def _raw(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return shown(value)
    return str(value)


def key(value: Any) -> str:
    """The form two values are compared in: NFKC, case-folded, without whitespace."""
    return _SPACE_RUN.sub("", unicodedata.normalize("NFKC", _raw(value))).casefold()


def _join_spaces(text: str) -> str:
    def repl(match: re.Match[str]) -> str:
        before = text[match.start() - 1] if match.start() else ""
        after = text[match.end()] if match.end() < len(text) else ""
        return "" if _CJK.match(before or "a") and _CJK.match(after or "a") else " "

    return _SPACE_RUN.sub(repl, text).strip()


def _no_controls(text: str) -> str:
    """The one text rule (huiyin.text): no NUL or other control character in a cell."""
    problem = text_problem(text, multiline=True)
    if problem:
        raise CellError(problem, code="control_character")
    return text


def clean_text(value: Any) -> str:
    """One line of free text: a title, a name, a session."""
    return _join_spaces(_no_controls(_raw(value)).translate(_WIDTH).replace("\u00a0", " "))


def clean_block(value: Any) -> str:
    """Multi-line free text (内容): paragraphs kept, each line cleaned."""
    text = _no_controls(_raw(value)).translate(_WIDTH)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.replace("\u00a0", " ").strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def clean_code(value: Any) -> str:
    """A case number: NFKC, no whitespace; `第12号` is 12."""
    text = _SPACE_RUN.sub("", unicodedata.normalize("NFKC", _no_controls(_raw(value))))
    match = re.fullmatch(r"第(.+)号", text)
    return match.group(1) if match else text


_SEPARATORS = re.compile(r"[、，,；;\n\uff64]+")


def split_list(value: Any) -> list[str]:
    """A list in one cell, split by 、，,；; or line breaks; or, with none of those, by
    spaces. A name padded with spaces (`张  三`, every piece one character) stays whole."""
    text = _raw(value)
    if _SEPARATORS.search(text):
        items = [clean_text(part) for part in _SEPARATORS.split(text)]
        return [i for i in items if i]
    items = split_names(text)
    if len(items) > 1 and all(len(i) == 1 for i in items):
        return ["".join(items)]
    return [clean_text(i) for i in items]


def split_lead(value: Any) -> list[str]:
    """领衔人: a collective's name may hold spaces, so only punctuation separates here."""
    return [i for i in (clean_text(p) for p in _SEPARATORS.split(_raw(value))) if i]


def unique(items: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for item in items:
        seen.setdefault(key(item), item)
    return list(seen.values())


_EXCEL_EPOCH = date(1899, 12, 30)
_DATE_RE = re.compile(
    r"(\d{4})[年./-](\d{1,2})[月./-](\d{1,2})日?(?:(?:T|\s|)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
DATE_HINT = "（应为2022年3月5日、2022-3-5、2022/03/05或2022.03.05）"


def parse_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        day = value.date() if isinstance(value, datetime) else value
        return _make_date(day.year, day.month, day.day, original=value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_number(value, value)
    text = unicodedata.normalize("NFKC", str(value))
    text = _SPACE_RUN.sub("", text)
    if not text:
        return None
    if re.fullmatch(r"\d+(\.0+)?", text):
        return _from_number(float(text), value)
    match = _DATE_RE.fullmatch(text)
    if match is None and (m8 := re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)):
        match = m8
    if match is None:
        raise CellError(f"无法识别的日期“{shown(value)}”{DATE_HINT}")
    return _make_date(*(int(g) for g in match.groups()[:3]), original=value)


def _from_number(number: float, original: Any) -> date:
    if float(number).is_integer() and 19000101 <= number <= 21001231:
        n = int(number)
        return _make_date(n // 10000, n // 100 % 100, n % 100, original=original)
    # An Excel serial number (1900 date system): 36526 is 2000-01-01.
    if float(number).is_integer() and 36526 <= number <= 73050:
        return _EXCEL_EPOCH + timedelta(days=int(number))
    raise CellError(f"无法识别的日期“{shown(original)}”{DATE_HINT}")


def _make_date(year: int, month: int, day: int, *, original: Any) -> date:
    try:
        found = date(year, month, day)
    except ValueError:
        raise CellError(f"日期“{shown(original)}”不存在") from None
    if not year_in_window(found.year):
        raise CellError(f"日期“{shown(original)}”{window_message()}", code="date_window")
    return found


def parse_year(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        return value.year
    text = key(value)
    match = re.fullmatch(r"(\d{4})(?:\.0+)?(?:年度?)?", text)
    if match is None:
        raise CellError(f"无法识别的年度“{shown(value)}”（应为2022或2022年）")
    return int(match.group(1))


def parse_category(value: Any) -> str | None:
    """提案 is only ever a CPPCC word; 建议 is an NPC deputy's when it names 人大 or 代表,
    or stands alone. Anything else (群众意见建议, 议案, 督办 …) is not of this ledger."""
    text = key(value)
    if not text:
        return None
    if text in CATEGORIES:
        return text
    word = re.sub(r"[()（）\[\]【】]", "", text)
    if "提案" in word and "建议" not in word:
        return Category.CPPCC_PROPOSAL
    if "建议" in word and "提案" not in word:
        if word == "建议" or (("人大" in word or "代表" in word) and "群众" not in word):
            return Category.NPC_SUGGESTION
    raise CellError(f"“{shown(value)}”不是议提案类别（应为人大代表建议或政协提案）")


def parse_level(value: Any) -> str | None:
    text = re.sub(r"[()（）级]", "", key(value))
    if not text:
        return None
    if text in LEVELS:
        return text
    chars = set(text)
    if chars == {"省"}:
        return Level.PROVINCIAL
    if chars == {"市"}:
        return Level.MUNICIPAL
    if chars and chars <= {"县", "区"}:
        return Level.COUNTY
    raise CellError(f"无法识别的级别“{shown(value)}”（应为省级、市级或县级）")


_MODES = {"主": Mode.LEAD, "承": Mode.UNDERTAKE, "分": Mode.SPLIT, "会": Mode.CO, "协": Mode.CO}


def parse_mode(value: Any) -> str | None:
    text = key(value)
    if not text:
        return None
    if text in MODES:
        return text
    match = re.fullmatch(r"([主承分会协])办(件|单位)?", text)
    if match is None:
        raise CellError(f"无法识别的办理方式“{shown(value)}”（应为主办、承办、分办或会办）")
    return _MODES[match.group(1)]


def parse_reply_class(value: Any) -> str:
    text = key(value)
    if not text:
        return ""
    match = re.fullmatch(r"([abcd])类?(\(.*\))?", text)
    if match is None:
        raise CellError(f"无法识别的答复类别“{shown(value)}”（应为A、B、C或D类）")
    return match.group(1).upper()


_RATINGS = {label: code for code, label in FeedbackRating.choices}


def parse_rating(value: Any) -> str:
    text = key(value)
    if not text:
        return ""
    if text in RATINGS:
        return text
    if text in _RATINGS:
        return _RATINGS[text]
    raise CellError(f"无法识别的满意度“{shown(value)}”（应为满意、基本满意或不满意）")


# The states by code and by label (with or without 已), and words ledgers use besides.
_STATES: dict[str, str] = {
    "销号": State.CLOSED,
    "已销号": State.CLOSED,
    "在办": State.HANDLING,
    "未交办": State.REGISTERED,
}
for _code, _label in PROPOSAL_STATES.items():
    _STATES.update({_code: _code, key(_label): _code, key(_label).removeprefix("已"): _code})


def parse_state(value: Any) -> str:
    text = key(value)
    if not text:
        return ""
    if text in _STATES:
        return _STATES[text]
    labels = "、".join(PROPOSAL_STATES.values())
    raise CellError(f"无法识别的状态“{shown(value)}”（应为{labels}之一）")


_YES = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "重点", "重点件"}
_NO = {"否", "n", "no", "false", "0", "×", "✗", "x", "非重点", "一般"}


def parse_bool(value: Any) -> bool:
    text = key(value)
    if not text or text in _NO:
        return False
    if text in _YES:
        return True
    raise CellError(f"无法识别的“{shown(value)}”（应为是或否）")
