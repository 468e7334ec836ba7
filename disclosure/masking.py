"""Personal data masked out of a reply before it is published (国办发〔2014〕46号: the
public sees the answer, not the people in it). Pure functions over text, no database.

`mask(text)` returns the text as it will be published and the spans that were masked (in
the published text, for the reviewer's preview). What is masked:

- mobile numbers (1[3-9]…, with spaces, any dash, dots, slashes or underscores between
  the groups, +86/0086), landlines with an area code, and any number written after
  电话/手机/联系方式;
- 18-digit ID numbers (17 digits then a digit or X, whatever the check digit) and the old
  15-digit ones; and any other run of 11 or more digits (bank cards, 住院号), so that no
  11-digit run starting 1[3-9] and no 17-digit+[0-9Xx] shape is ever published;
- e-mail addresses;
- names of private persons, in the contexts where a reply names one (患者张三, 家属：李四,
  孕妇、病人、患儿家长…, 王建国先生 …), and the next names of an enumeration (患者张三丰、
  李四光): the surname stays and the given name becomes 某 (张某, 王某某); names
  already written 张某 / 张某某 stay as they are, and names in other sentences (a deputy,
  an official) are not touched;
- the house, building, unit and room numbers of an address (XX路123号4栋2单元501室 →
  XX路***);
- hospital bed numbers and patients' record numbers (3床, 12号床, 床号：12, 住院号：…,
  病案号…, 门诊号…).

Format characters (zero-width spaces and joiners, U+2060, U+FEFF … every Cf) are dropped
first. Every decimal digit and the full-width letters are read as their ASCII forms (one
character at a time, so that positions do not move and the Chinese punctuation stays as
written); the published text carries the ASCII forms. Last, a safety net: digits with up
to three signs between each two (spaces, dots, brackets, any dash …) that make 11 digits
or more lose every digit, whatever the rules above made of them (DIGIT_RUN).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# --- what a masked span is -----------------------------------------------------------------

KIND_LABELS = {
    "mobile": "手机号码",
    "phone": "电话号码",
    "id_number": "身份证号码",
    "number": "长数字（卡号、病历号等）",
    "email": "电子邮箱",
    "name": "姓名",
    "address": "门牌地址",
    "medical": "床号、病历号",
}


@dataclass(frozen=True)
class Span:
    """A masked part of the published text: [start, end) and what it was."""

    start: int
    end: int
    kind: str

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass(frozen=True)
class Segment:
    """A piece of the published text, masked (kind set) or as written (kind "")."""

    text: str
    kind: str = ""

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, "")


@dataclass(frozen=True)
class Masked:
    text: str
    spans: tuple[Span, ...]

    @property
    def count(self) -> int:
        return len(self.spans)

    def segments(self) -> list[Segment]:
        """The text cut at the masked spans, in order (the preview highlights the masked)."""
        out: list[Segment] = []
        at = 0
        for span in self.spans:
            if span.start > at:
                out.append(Segment(self.text[at : span.start]))
            out.append(Segment(self.text[span.start : span.end], span.kind))
            at = span.end
        if at < len(self.text):
            out.append(Segment(self.text[at:]))
        return out

    def lines(self) -> list[list[Segment]]:
        """The segments line by line (a masked span never holds a line break)."""
        out: list[list[Segment]] = [[]]
        for segment in self.segments():
            pieces = segment.text.split("\n")
            for i, piece in enumerate(pieces):
                if i:
                    out.append([])
                if piece:
                    out[-1].append(Segment(piece, segment.kind))
        return out


# --- reading full-width forms ----------------------------------------------------------------


def _fold_char(ch: str) -> str:
    # Any decimal digit (full-width, Arabic-Indic, mathematical …) as its ASCII digit.
    if ch.isdecimal() and not "0" <= ch <= "9":
        return str(unicodedata.decimal(ch))
    # Full-width ASCII (U+FF01–FF5E) except the punctuation Chinese text writes that way
    # (，：；（）！？ …): only letters and the signs a number or an address uses.
    if "\uff01" <= ch <= "\uff5e":
        folded = unicodedata.normalize("NFKC", ch)
        if len(folded) == 1 and (folded.isalnum() or folded in "+-@._"):
            return folded
    return ch


def fold(text: str) -> str:
    """Digits and full-width letters as ASCII, one character for one (positions stay)."""
    return "".join(_fold_char(ch) for ch in text)


def drop_invisible(text: str) -> str:
    """Without the format characters (zero-width spaces and joiners, U+2060, U+FEFF, the
    soft hyphen … every Cf): they would hide a number from the rules and show nothing."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


# --- the patterns --------------------------------------------------------------------------

# What people write between digit groups: any space but a line break, every dash, . / _ ·
SEP = r"(?:[^\S\r\n]|[\-\u2010-\u2015\u2212\ufe58\ufe63._/·])"
# Not a part of a longer group of digits (6222 0212 3456 7890 is a card, not a landline).
ALONE_BEFORE = rf"(?<![0-9])(?<![0-9]{SEP})"
ALONE_AFTER = rf"(?!{SEP}?[0-9])"
MOBILE = re.compile(
    rf"{ALONE_BEFORE}(?:(?:\+|00)?86{SEP}?)?1[3-9][0-9](?:{SEP}?[0-9]){{8}}{ALONE_AFTER}"
)
LANDLINE = re.compile(
    rf"{ALONE_BEFORE}(?:[(（]0[1-9][0-9]{{1,2}}[)）]|0[1-9][0-9]{{1,2}}){SEP}?"
    rf"[2-9][0-9]{{2,3}}{SEP}?[0-9]{{4}}(?:(?:转|-|ext\.?){SEP}?[0-9]{{1,5}})?{ALONE_AFTER}"
)
# After a label that says a phone number follows: whatever digits (a local 8765-4321 too).
PHONE_LABEL = re.compile(
    r"(?:电话|手机|手机号|手机号码|联系方式|联系电话|热线|Tel|TEL|tel)\s*(?:号码)?\s*[:：]?\s*"
    r"(?P<value>[(（]?[0-9](?:[0-9()（）._/·\-\u2010-\u2015\u2212]|[^\S\r\n]){5,}[0-9])"
)
ID_18 = re.compile(rf"{ALONE_BEFORE}[0-9](?:{SEP}?[0-9]){{16}}{SEP}?[0-9Xx]{ALONE_AFTER}")
ID_15 = re.compile(
    r"(?<![0-9])[0-9]{8}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}(?![0-9])"
)
LONG_NUMBER = re.compile(rf"(?<![0-9])[0-9](?:{SEP}?[0-9]){{10,}}(?![0-9])")
EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
# A record number after its label: the label stays, the number goes.
RECORD_LABEL = re.compile(
    r"(?P<label>床号|床位号|住院号|病案号|病历号|门诊号|就诊号|就诊卡号|医保卡号|社保卡号|"
    r"身份证号码|身份证号|证件号码|证件号|银行卡号|银行账号|卡号|账号)"
    r"\s*(?:为|是)?\s*[:：]?\s*(?P<value>[A-Za-z0-9][A-Za-z0-9\-]*)"
)
# "3床", "12号床", "+3床" — not "300床规模" or "床位".
BED = re.compile(r"(?<![0-9])(?P<value>[0-9]{1,3})号?床(?![位规])")
NUMERAL = r"[0-9一二三四五六七八九十百零〇]+"
HOUSE_PART = (
    rf"(?:{NUMERAL}(?:[\-－]{NUMERAL})*(?:号楼|号院|号|栋|幢|座|楼|单元|层|室|弄|组)|[\-－][0-9]+)"
)
# After the road, street, lane, village or residential area: every number part.
ADDRESS_AFTER_ROAD = re.compile(
    rf"(?<=[路街巷弄道里村屯庄区苑园府城湾])(?P<value>{HOUSE_PART}{{1,6}}(?:[0-9]+(?:[\-－][0-9]+)*)?)"
)
# Building, unit and room without a road in front: two parts at least (3栋2单元501室).
ADDRESS_PARTS = re.compile(
    rf"(?<![0-9])(?P<value>{NUMERAL}(?:栋|幢|号楼|座){NUMERAL}(?:单元|层|楼)(?:{NUMERAL}(?:室|号|户)?)?)"
)

SURNAMES_2 = (
    "欧阳 司马 诸葛 上官 东方 皇甫 慕容 令狐 夏侯 尉迟 公孙 长孙 宇文 司徒 端木 南宫 "
    "西门 独孤 呼延 轩辕 澹台 公冶 太史 申屠 闻人 万俟"
).split()
# Common surnames; characters that are far more often words (和, 于, 向, 时, 全 …) are
# left out so that 患者和家属 stays as written.
SURNAMES_1 = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎"
    "贺顾毛郝龚邵万钱严覃武戴莫孔汤温康施牛樊葛邢乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿兰焦俞"
    "左柳甘祝包尚符舒阮柯纪梅童凌毕季裴霍涂苗谷盛曲翁冉骆蓝游辛靳柴蒙鲍喻祁蒲滕屈饶牟艾尤"
    "穆卓缪褚娄窦戚岑党宫费卜冷晏席卫米柏瞿桂佟臧闵苟邬卞姬仇栾隋刁沙荣巫寇桑郎甄仲虞敖"
    "巩佘池麻苑迟邝"
)
# Words that begin with a surname's character and follow 患者, 群众 … or come before
# 患者, 老人 … (患者高血压, 老人陈述, 高龄老人, 党员同志): not names.
NOT_NAMES = frozenset(
    (
        "高血压 高血糖 高血脂 高龄 高危 高热 高烧 高度 高额 高风险 白血病 白内障 黄疸 毛病 "
        "费用 任何 叶酸 程序 包括 余额 许多 温度 康复 严重 左侧 夏季 何时 周边 周围 万元 "
        "金额 马上 孙子 孙女 石膏 牛奶 杜绝 艾滋病 党员 党组 党委 陈述 钱款 曾经 范围 苏醒 "
        "申请 申报 申诉 卫生 卫健 江苏 龙头 顾虑 章程 尚未 符合 宫颈 宫腔 舒适 霍乱 纪律 "
        "纪检 凌晨 毕业 季度 辛苦 尤其 荣誉 麻醉 黎明 严格 方面 方式 方法 方案 白天 付款 "
        "付费 林地 邱疹 汤药 施工 施行 包干 童年 柳州 岳父 岳母 姜汤 蒙古 樊篱"
    ).split()
)
# A given name's first character is never one of these (患者王说 is no name) …
NOT_GIVEN = frozenset(
    "说在于的等因称反表提到向对和及与是被已曾就也了将把由都还并又需要想请即经从自系为家年"
    "岁入住出患所均此该其，。、；：！？（）“”《》 \n"
)
# … and when its second character is one of these, it is the next word's first (患者张三
# 反映, 患者李明于3月, 患者王磊男，45岁): the name is the surname and one character.
AFTER_NAME = NOT_GIVEN | frozenset(
    "一二三四五六七八九十男女先老夫妻父母儿之病诉多治诊个户今前后来去"
)
# The last character of the word before a name (感谢张三同志, 看望王建国老人).
BEFORE_NAME = frozenset(
    "向对和与及的是请给让为被把将由在了谢问望见访到有位名户其称叫即系从自着，。、；：！？（）“”《》 \n"
)
NAME_PREFIX = re.compile(
    r"(?:患者家属|患儿家长|患儿家属|患者|患儿|病人|病患|伤者|死者|逝者|孕妇|产妇|孕产妇|"
    r"新生儿|婴儿|家长|家属|亲属|监护人|当事人|投诉人|举报人|反映人|来信人|来访人|申请人|"
    r"市民|村民|居民|群众|老人|职工|联系人|姓名)(?:[:：]\s*|\s*)"
)
# Between the names of an enumeration after a context word (患者张三丰、李四光和王五).
NAME_JOINER = re.compile(r"\s*(?:、|和|与|及|以及)\s*")
NAME_SUFFIX = re.compile(r"先生|女士|老人|患者|同志|一家")
# 王主任, 李医生: a surname and a title name a member of staff, not a private person.
TITLE = re.compile(r"主任|医生|医师|护士|院长|科长|处长|局长|书记|所长|站长|老师|代表|委员|村长")


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _surname_at(text: str, i: int) -> int:
    """The length of the surname that starts at i (2 for 欧阳, 1 for 王), 0 if none."""
    if text[i : i + 2] in SURNAMES_2:
        return 2
    return 1 if i < len(text) and text[i] in SURNAMES_1 else 0


def _plausible(text: str, start: int, surname: int, given: int) -> bool:
    end = start + surname + given
    if end > len(text):
        return False
    name = text[start:end]
    if not all(_is_han(ch) for ch in name) or "某" in name[surname:]:
        return False
    return not any(name.startswith(word) for word in NOT_NAMES)


def _name_after(text: str, at: int) -> tuple[int, int] | None:
    """The name written at `at` (after 患者, 家属：…), as (start, end), or None."""
    surname = _surname_at(text, at)
    if not surname or any(p.match(text, at + surname) for p in (NAME_SUFFIX, TITLE)):
        return None  # 患者王女士: the surname alone names nobody
    for given in (2, 1):
        if not _plausible(text, at, surname, given):
            continue
        end = at + surname + given
        if text[at + surname] in NOT_GIVEN:
            return None
        if given == 2 and text[end - 1] in AFTER_NAME:
            continue
        if end < len(text) and text[end] == "某":
            return None
        return at, end
    return None


def _name_before(text: str, end: int) -> tuple[int, int] | None:
    """The name written just before `end` (张三先生, 王建国同志), as (start, end), or None.
    A three-character candidate wins when the character before it ends a word (感谢张三同志
    is 张三, 向王建国同志 is 王建国)."""
    candidates = []
    for length in (3, 2, 4):
        start = end - length
        if start < 0:
            continue
        for surname in (2, 1):
            given = length - surname
            if given < 1 or given > 2 or _surname_at(text, start) != surname:
                continue
            if _plausible(text, start, surname, given):
                candidates.append((start, surname))
    if not candidates:
        return None
    for start, _ in candidates:
        before = text[start - 1] if start > 0 else " "
        if not _is_han(before) or before in BEFORE_NAME:
            return start, end
    shortest = max(candidates, key=lambda c: c[0])
    return shortest[0], end


# --- from matches to the published text ----------------------------------------------------


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    kind: str
    replacement: str


Rule = Callable[[str], Iterator[_Hit]]


def _digits(value: str) -> str:
    return re.sub(r"[^0-9Xx]", "", value)


def _stars_but_last(value: str, keep: int) -> str:
    digits = _digits(value)
    return "*" * (len(digits) - keep) + digits[-keep:]


def mask_phone(phone: str) -> str:
    """A phone number as shown to whoever may not see it (138****1234): the one masking of
    a number, for pages, exports, the API and published replies alike."""
    digits = (phone or "").strip()
    if not digits:
        return ""
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * len(digits)


def mask_address(address: str) -> str:
    """A postal address masked (浙江省杭州市****): the first part (at most six characters, at
    most half of it) names the region; the street, building and room go."""
    text = (address or "").strip()
    if not text:
        return ""
    return f"{text[: min(6, len(text) // 2)]}****"


def mask_email(email: str) -> str:
    """An e-mail address masked (z***@example.com), as mask_phone."""
    name, at, domain = (email or "").partition("@")
    if not at:
        return "*" * len(name)
    return f"{name[:1]}***@{domain}"


def _mobile(text: str) -> Iterator[_Hit]:
    for m in MOBILE.finditer(text):
        yield _Hit(m.start(), m.end(), "mobile", mask_phone(_digits(m.group())[-11:]))


def _landline(text: str) -> Iterator[_Hit]:
    for m in LANDLINE.finditer(text):
        area = re.match(r"[(（]?(0[0-9]+)", m.group())
        yield _Hit(m.start(), m.end(), "phone", f"{area.group(1) if area else ''}-********")


def _record_kind(label: str) -> str:
    if "证" in label:
        return "id_number"
    return "number" if label.endswith(("卡号", "账号")) and "医保" not in label else "medical"


def _records(text: str) -> Iterator[_Hit]:
    for m in RECORD_LABEL.finditer(text):
        yield _Hit(m.start("value"), m.end("value"), _record_kind(m["label"]), "***")


def _phone_labels(text: str) -> Iterator[_Hit]:
    for m in PHONE_LABEL.finditer(text):
        yield _Hit(m.start("value"), m.end("value"), "phone", "***")


def _id_numbers(text: str) -> Iterator[_Hit]:
    for pattern in (ID_18, ID_15):
        for m in pattern.finditer(text):
            yield _Hit(m.start(), m.end(), "id_number", "*" * len(_digits(m.group())))


def _long_numbers(text: str) -> Iterator[_Hit]:
    for m in LONG_NUMBER.finditer(text):
        yield _Hit(m.start(), m.end(), "number", _stars_but_last(m.group(), 4))


def _emails(text: str) -> Iterator[_Hit]:
    for m in EMAIL.finditer(text):
        yield _Hit(m.start(), m.end(), "email", mask_email(m.group()))


def _beds(text: str) -> Iterator[_Hit]:
    for m in BED.finditer(text):
        yield _Hit(m.start("value"), m.end("value"), "medical", "*")


def _addresses(text: str) -> Iterator[_Hit]:
    for pattern in (ADDRESS_AFTER_ROAD, ADDRESS_PARTS):
        for m in pattern.finditer(text):
            yield _Hit(m.start("value"), m.end("value"), "address", "***")


def _names(text: str) -> Iterator[_Hit]:
    def masked(start: int, end: int) -> _Hit:
        surname = _surname_at(text, start)
        return _Hit(
            start, end, "name", text[start : start + surname] + "某" * (end - start - surname)
        )

    for m in NAME_PREFIX.finditer(text):
        found = _name_after(text, m.end())
        while found:
            yield masked(*found)
            # The next names of an enumeration: 患者张三丰、李四光 → both.
            joiner = NAME_JOINER.match(text, found[1])
            found = _name_after(text, joiner.end()) if joiner else None
    for m in NAME_SUFFIX.finditer(text):
        found = _name_before(text, m.start())
        if found:
            yield masked(*found)


# In this order: where two rules find overlapping text, the earlier one masks it.
RULES: tuple[Rule, ...] = (
    _emails,
    _records,
    _id_numbers,
    _mobile,
    _landline,
    _phone_labels,
    _long_numbers,
    _beds,
    _addresses,
    _names,
)
# What must never be published, whatever the rules above missed: digits with at most three
# signs between each two (any character but a letter, a digit, a Han character or the
# Chinese sentence punctuation 、，。…; a run of spaces or line breaks counts as nothing)
# that make 11 digits or more, with an X at the end of an ID number. Every digit goes.
GAP = r"(?:[^\w\s、，。；：！？“”‘’《》〈〉「」『』【】〔〕]|_)"
DIGIT_RUN = re.compile(
    rf"[0-9](?:(?:\s*+{GAP}){{0,3}}\s*+[0-9])*(?:(?:\s*+{GAP}){{0,3}}\s*+[Xx](?![A-Za-z]))?"
)
RUN_MIN_DIGITS = 11


def _choose(text: str) -> list[_Hit]:
    taken: list[_Hit] = []
    for rule in RULES:
        for hit in rule(text):
            if hit.end > hit.start and not any(
                hit.start < t.end and t.start < hit.end for t in taken
            ):
                taken.append(hit)
    return sorted(taken, key=lambda h: h.start)


def _apply(text: str, hits: list[_Hit]) -> Masked:
    parts: list[str] = []
    spans: list[Span] = []
    at = 0
    length = 0
    for hit in hits:
        parts.append(text[at : hit.start])
        length += hit.start - at
        parts.append(hit.replacement)
        spans.append(Span(length, length + len(hit.replacement), hit.kind))
        length += len(hit.replacement)
        at = hit.end
    parts.append(text[at:])
    return Masked("".join(parts), tuple(spans))


def mask(text: str) -> Masked:
    """`text` as it may be published, and the spans masked in it."""
    clean = fold(drop_invisible(text or ""))
    result = _apply(clean, _choose(clean))
    # A number the rules left (written with other signs, between two masked spans or made
    # by joining them) still may not be published: every digit of it goes.
    extra = [
        _Hit(m.start(), m.end(), "number", re.sub(r"[0-9Xx]", "*", m.group()))
        for m in DIGIT_RUN.finditer(result.text)
        if sum(ch.isdigit() for ch in m.group()) >= RUN_MIN_DIGITS
    ]
    if extra:
        again = _apply(result.text, extra)
        result = Masked(again.text, _merge(result.spans, again.spans))
    return result


def _merge(old: tuple[Span, ...], new: tuple[Span, ...]) -> tuple[Span, ...]:
    # The extra masks replace digits one for one: the old spans keep their places.
    kept = [s for s in old if not any(s.start < n.end and n.start < s.end for n in new)]
    return tuple(sorted([*kept, *new], key=lambda s: s.start))


def mask_text(text: str) -> str:
    return mask(text).text
