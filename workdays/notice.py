"""Reading the State Council's yearly notice (国务院办公厅关于20XX年部分节假日安排的通知).

The notice lists one item per holiday in a fixed wording, for example

    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。
    2月14日（周六）、2月28日（周六）上班。

`parse_notice` turns it into the days it sets: every day of each holiday range is a day
off (休, False), every listed 上班 day a make-up working day (班, True).

Rules:
- The text is normalised first: full-width digits and punctuation become one form (NFKC,
  then Chinese punctuation), and all whitespace, line breaks included, is removed.
- The year is taken from the heading (“关于2026年部分节假日安排的通知”, “现将2026年…”) or
  the `year` argument; when both are given they must agree. Every date is in that year: a
  date that names another year, or a range whose end month is before its start month, is
  refused (a notice is imported one year at a time).
- Items start with a Chinese ordinal and the holiday's name: “三、清明节：”, numbered
  一、二、三… without gaps; “清明节：” without a number is accepted for the known names.
  Text before the first item (title, 文号, addressees, preamble) is ignored; so is text
  after the last item that sets no dates (the closing paragraph, the signature).
- An item holds one holiday clause, “M月D日至[M月]D日放假[调休]” or “M月D日放假[N天]”, then
  optionally “共N天” (checked against the range), “不调休” (then no 上班 day may follow),
  “与周末连休”, lists of 上班 days separated by 、 or ，, and “鼓励…” sentences (advice,
  not a holiday: skipped). Anything else inside an item is an error.
- A parenthesised note after a date may hold lunar dates (ignored) and a weekday (周X,
  星期X), which must match the date.
- A 上班 day must be a Saturday or Sunday; no day may be set twice.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from workdays.errors import CalendarError

ONE_DAY = datetime.timedelta(days=1)
WEEKDAY_NAMES = "一二三四五六日"
QUOTE_MAX = 40

# After normalisation (see _normalise), dates look like “2026年5月31日（周六）”.
_DATE = r"(?:[0-9]{4}年)?(?:[0-9]{1,2}月)?[0-9]{1,2}日(?:（[^（）]*）)?"
_DATE_LIST = rf"{_DATE}(?:[、，和及]{_DATE})*"
DATE_RE = re.compile(
    r"(?:(?P<y>[0-9]{4})年)?(?:(?P<m>[0-9]{1,2})月)?(?P<d>[0-9]{1,2})日(?:（(?P<note>[^（）]*)）)?"
)
HOLIDAY_RE = re.compile(
    rf"(?P<start>{_DATE})(?:(?:至|到|~|〜|-|—|–)(?P<end>{_DATE}))?"
    r"放假(?:(?P<n>[0-9]+)天)?(?:调休)?"
)
TOTAL_RE = re.compile(r"共(?P<n>[0-9]+)天")
NO_SWAP_RE = re.compile(r"不调休")
WITH_WEEKEND_RE = re.compile(r"与周末连休")
WORK_RE = re.compile(rf"(?P<list>{_DATE_LIST})上班")
ADVICE_RE = re.compile(r"鼓励[^。]*")
SEPARATORS_RE = re.compile(r"[，。；、]*")
WEEKDAY_RE = re.compile(r"^(?:周|週|星期|礼拜)([一二三四五六日天七])$")

_KNOWN = r"(?:元旦|春节|清明节|清明|劳动节|端午节|端午|中秋节|中秋|国庆节|国庆)"
_NAME_PART = r"[\u4e00-\u9fff]{1,12}"
ITEM_RE = re.compile(
    rf"(?:(?P<number>[一二三四五六七八九十]{{1,3}})、(?P<name>{_NAME_PART}(?:、{_NAME_PART})*)"
    rf"|(?P<known>{_KNOWN}(?:[、和]{_KNOWN})*))："
)
YEAR_RES = (
    re.compile(r"([0-9]{4})年(?:部分)?节假日(?:放假)?安排"),
    re.compile(r"现将([0-9]{4})年"),
)
CLOSING_WORDS_RE = re.compile(r"放假|上班|调休|补休")

_PUNCTUATION = str.maketrans({"(": "（", ")": "）", ":": "：", ",": "，", ";": "；", ".": "。"})
_INVISIBLE_RE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")


@dataclass(frozen=True)
class NamedHoliday:
    name: str
    first: datetime.date
    last: datetime.date
    days_off: int


@dataclass(frozen=True)
class NoticeResult:
    year: int
    days: dict[datetime.date, bool]  # False: 休 (day off), True: 班 (make-up working day)
    holidays: list[NamedHoliday]


def parse_notice(text: str, year: int | None = None) -> NoticeResult:
    """Parse the notice's text; raise CalendarError (in Chinese) on anything unclear."""
    if not isinstance(text, str):
        raise TypeError(f"expected str, got {type(text).__name__}")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise TypeError(f"expected int, got {type(year).__name__}")
    clean = _normalise(text)
    items = list(ITEM_RE.finditer(clean))
    if not items:
        raise CalendarError("未找到节假日安排")
    notice_year = _year(clean[: items[0].start()], year)
    _check_numbering(items)

    parser = _Parser(notice_year)
    for index, item in enumerate(items):
        end = items[index + 1].start() if index + 1 < len(items) else len(clean)
        name = item.group("name") or item.group("known")
        parser.item(name, clean[item.end() : end], last=index + 1 == len(items))
    return NoticeResult(
        year=notice_year, days=dict(sorted(parser.days.items())), holidays=parser.holidays
    )


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return _INVISIBLE_RE.sub("", text).translate(_PUNCTUATION)


def _quote(fragment: str) -> str:
    if len(fragment) > QUOTE_MAX:
        fragment = fragment[:QUOTE_MAX] + "…"
    return f"“{fragment}”"


def _year(heading: str, given: int | None) -> int:
    found = sorted({int(m.group(1)) for pattern in YEAR_RES for m in pattern.finditer(heading)})
    if len(found) > 1:
        listed = "、".join(str(y) for y in found)
        raise CalendarError(f"通知标题中的年份不一致：{listed}")
    if given is not None:
        if found and found[0] != given:
            raise CalendarError(f"通知标题中的年份是{found[0]}年，与指定的{given}年不符")
        notice_year = given
    elif found:
        notice_year = found[0]
    else:
        raise CalendarError(
            "无法确定年份：通知中没有“关于20XX年部分节假日安排的通知”这样的标题，请指定年份"
        )
    if not datetime.MINYEAR <= notice_year <= datetime.MAXYEAR:
        raise CalendarError(f"年份无效：{notice_year}")
    return notice_year


def _chinese_number(numeral: str) -> int | None:
    digits = {c: i for i, c in enumerate("一二三四五六七八九", start=1)}
    if all(c in digits for c in numeral) and len(numeral) == 1:
        return digits[numeral]
    tens, sep, ones = numeral.partition("十")
    if not sep or len(tens) > 1 or len(ones) > 1:
        return None
    if (tens and tens not in digits) or (ones and ones not in digits):
        return None
    return (digits[tens] if tens else 1) * 10 + (digits[ones] if ones else 0)


def _check_numbering(items: list[re.Match[str]]) -> None:
    previous: str | None = None
    expected = 1
    for item in items:
        numeral = item.group("number")
        if numeral is None:
            continue
        number = _chinese_number(numeral)
        if number is None:
            raise CalendarError(f"无法识别条目编号{_quote(numeral + '、')}")
        if number != expected:
            after = f"“{previous}、”之后是" if previous else "第一项是"
            raise CalendarError(f"条目编号不连续：{after}“{numeral}、”")
        previous, expected = numeral, expected + 1


class _Parser:
    """Collects the days of the items one by one, refusing any day set twice."""

    def __init__(self, year: int) -> None:
        self.year = year
        self.days: dict[datetime.date, bool] = {}
        self.owner: dict[datetime.date, str] = {}
        self.holidays: list[NamedHoliday] = []

    def item(self, name: str, body: str, *, last: bool) -> None:
        match = HOLIDAY_RE.match(body, _skip(body, 0))
        if match is None:
            if _skip(body, 0) == len(body):
                raise CalendarError(f"{name}：没有放假日期")
            raise CalendarError(f"{name}：无法识别{_quote(_sentence(body, _skip(body, 0)))}")
        holiday = self._holiday(name, match)
        clause = match.group(0)
        no_swap = False
        work_days: list[datetime.date] = []
        pos = _skip(body, match.end())
        while pos < len(body):
            if m := TOTAL_RE.match(body, pos):
                clause = body[match.start() : m.end()]
                if int(m.group("n")) != holiday.days_off:
                    raise CalendarError(
                        f"{_quote(clause)}天数不符：{_span(holiday)}共{holiday.days_off}天"
                    )
            elif m := NO_SWAP_RE.match(body, pos):
                no_swap = True
            elif m := WITH_WEEKEND_RE.match(body, pos):
                pass
            elif m := WORK_RE.match(body, pos):
                work_days.extend(self._work_days(m.group("list")))
            elif m := ADVICE_RE.match(body, pos):
                pass
            elif last and _is_closing(body[pos:], self.year):
                break
            else:
                raise CalendarError(f"{name}：无法识别{_quote(_sentence(body, pos))}")
            pos = _skip(body, m.end())
        if no_swap and work_days:
            raise CalendarError(f"{name}写明“不调休”，却又安排了上班日")

        day = holiday.first
        while day <= holiday.last:
            self._set(day, False, name, clause)
            day += ONE_DAY
        for day in work_days:
            self._set(day, True, name, f"{day.month}月{day.day}日")
        self.holidays.append(holiday)

    def _holiday(self, name: str, match: re.Match[str]) -> NamedHoliday:
        start_text, end_text = match.group("start"), match.group("end")
        first = self._date(start_text, None)
        last = self._date(end_text, first) if end_text else first
        range_text = match.group(0).split("放假", 1)[0]
        if last.month < first.month:
            raise CalendarError(f"{_quote(range_text)}跨年：一份通知只能安排{self.year}年内的日期")
        if last < first:
            raise CalendarError(f"{_quote(range_text)}结束日期早于开始日期")
        holiday = NamedHoliday(name, first, last, (last - first).days + 1)
        if match.group("n") and int(match.group("n")) != holiday.days_off:
            raise CalendarError(
                f"{_quote(match.group(0))}天数不符：{_span(holiday)}共{holiday.days_off}天"
            )
        return holiday

    def _work_days(self, listed: str) -> list[datetime.date]:
        days: list[datetime.date] = []
        previous: datetime.date | None = None
        for m in DATE_RE.finditer(listed):
            day = self._date(m.group(0), previous)
            if day.weekday() < 5:
                raise CalendarError(
                    f"{_quote(m.group(0))}是周{WEEKDAY_NAMES[day.weekday()]}，"
                    "本来就是工作日，不能作为调休上班日"
                )
            days.append(day)
            previous = day
        return days

    def _date(self, fragment: str, previous: datetime.date | None) -> datetime.date:
        """One date as written; a missing month (“至3日”) is the previous date's."""
        m = DATE_RE.fullmatch(fragment)
        assert m is not None  # the clause patterns only let dates through
        written = fragment.split("（", 1)[0]
        if m.group("y") and int(m.group("y")) != self.year:
            raise CalendarError(f"{_quote(written)}不在{self.year}年内：一份通知只能安排一年的日期")
        if m.group("m"):
            month = int(m.group("m"))
        elif previous is not None:
            month = previous.month
        else:
            raise CalendarError(f"{_quote(written)}缺少月份")
        try:
            day = datetime.date(self.year, month, int(m.group("d")))
        except ValueError:
            raise CalendarError(f"{_quote(written)}不是有效日期") from None
        self._check_weekday(fragment, m.group("note"), day)
        return day

    def _check_weekday(self, fragment: str, note: str | None, day: datetime.date) -> None:
        for token in re.split(r"[、，；/]", note or ""):
            weekday = WEEKDAY_RE.match(token)
            if weekday is None:
                continue  # lunar dates and other remarks
            stated = "日" if weekday.group(1) in "天七" else weekday.group(1)
            actual = WEEKDAY_NAMES[day.weekday()]
            if stated != actual:
                raise CalendarError(
                    f"{_quote(fragment)}与实际星期不符：{day.year}年{day.month}月{day.day}日是周{actual}"
                )

    def _set(self, day: datetime.date, is_workday: bool, name: str, fragment: str) -> None:
        if day in self.days:
            kind = "上班" if self.days[day] else "放假"
            raise CalendarError(
                f"{_quote(fragment)}与“{self.owner[day]}”重复："
                f"{day.year}年{day.month}月{day.day}日已安排为{kind}"
            )
        self.days[day] = is_workday
        self.owner[day] = name


def _skip(body: str, pos: int) -> int:
    match = SEPARATORS_RE.match(body, pos)
    return match.end() if match else pos


def _sentence(body: str, pos: int) -> str:
    end = body.find("。", pos)
    return body[pos : end if end != -1 else len(body)]


def _span(holiday: NamedHoliday) -> str:
    first, last = holiday.first, holiday.last
    text = f"{first.year}年{first.month}月{first.day}日"
    if last != first:
        text += f"至{last.month}月{last.day}日" if last.month != first.month else f"至{last.day}日"
    return text


def _is_closing(rest: str, year: int) -> bool:
    """Whether the text after the last item is the closing paragraph and signature: it
    must set nothing, so it names no date of the notice's year and no 放假/上班."""
    if CLOSING_WORDS_RE.search(rest):
        return False
    for m in DATE_RE.finditer(rest):
        if m.group("y") is None or int(m.group("y")) == year:
            return False
    return True
