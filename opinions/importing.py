"""批量导入 of public opinions: a box of suggestion books typed into a spreadsheet, or a batch
forwarded by a campaign office, as .xlsx or .csv (issue 12: 30,000 rows in one file).

`plan_opinions(data, filename, …)` reads and checks the file and writes nothing: the rows to
import, every problem by row and column (in Chinese), and the near-duplicate groups of the
batch (opinions.similar.group_near_duplicates). `import_opinions(plan, by=…)` writes a plan
without errors, all or nothing, in bulk: the same cases `register_opinion` makes (number
YJ2026-000123 from the year's counter, tracking code, suggested area, the answer deadline 5
working days from receipt and the forwarding target), each with one `import` audit event,
and `audit.signals.cases_written` per chunk so that the derived rows follow.

Columns (header in any of the first five rows; headers compared after NFKC, without spaces
or `*`, ignoring a trailing remark in brackets; see COLUMNS for the aliases):
内容 (required), 日期 (required; a date, an Excel date, 2026年4月11日, 2026-4-11 9:30 …), 渠道
(网站/电话/电子邮件/微信/移动应用/意见簿/转来批次/来访 or a word naming one: 热线, 征求意见簿,
“市解放思想大讨论办公室转来” …; the upload's default when the column or cell is empty), 征集活动
(an existing campaign's name or id; the upload's default when empty), 领域 (one of the seven
areas, by name, short name or code: staff's confirmed area), 反映人, 电话, 标题, 电子邮箱.

单位 (承办单位, 责任单位 …) is recognised and not imported: an imported opinion is 待转办 like
any other, and its lead unit is chosen when it is signed off (签批转办) by the coordinator
or a leader, who see the text. The preview says so.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Final

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEvent
from audit.record import today
from audit.signals import cases_written
from cases.models import Case, Category, Level, Mode
from huiyin.text import text_problem
from huiyin.types import User
from opinions import rules
from opinions.actions import (
    CODE_ALPHABET,
    CODE_LENGTH,
    check_registrar,
    next_numbers,
    title_from,
)
from opinions.areas import AREA_CHOICES, suggest_areas
from opinions.models import Campaign, Channel, Opinion
from opinions.similar import group_near_duplicates
from transfer.cleaning import CellError, clean_block, clean_text, key, parse_date, shown
from transfer.columns import header_key
from transfer.errors import ImportFileError
from workdays.calendar import WorkdaySpan, workdays_after
from workflow.errors import CaseError
from workflow.vocabulary import Event, State

HEADER_SEARCH_ROWS: Final = 5
CHUNK: Final = 1000  # rows written per round of bulk inserts; progress after each
CONTENT_MAX: Final = 20_000  # register_opinion's limit for staff entry
REQUESTER_MAX: Final = 50
PHONE_MAX: Final = 20
TITLE_MAX: Final = 300
EMAIL_MAX: Final = 100
# A date-only row was received during office hours (as register_opinion assumes).
DEFAULT_TIME: Final = time(9, 0)
OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARK: Final = "EncryptionInfo".encode("utf-16-le")
MAX_UNPACK_RATIO: Final = 40
_PHONE = re.compile(r"^[0-9+\-() ]*$")
_TIME = re.compile(r"(?:T|\s)(\d{1,2}):(\d{2})(?::(\d{2}))?")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    aliases: tuple[str, ...] = ()


COLUMNS: Final[tuple[Column, ...]] = (
    Column("channel", "渠道", ("来源", "来源渠道", "渠道来源", "反映渠道", "收集渠道")),
    Column("campaign", "征集活动", ("活动", "活动名称", "征集活动名称")),
    Column("unit", "单位", ("承办单位", "责任单位", "涉及单位", "被反映单位", "承办处室")),
    Column(
        "received",
        "日期",
        (
            "收到日期",
            "收到时间",
            "反映日期",
            "反映时间",
            "来电时间",
            "来电日期",
            "登记日期",
            "登记时间",
            "受理日期",
            "受理时间",
            "时间",
        ),
    ),
    Column(
        "content",
        "内容",
        (
            "意见内容",
            "意见建议",
            "意见建议内容",
            "反映内容",
            "诉求内容",
            "建议内容",
            "意见",
            "主要内容",
            "来电内容",
        ),
    ),
    Column("area", "领域", ("所属领域", "分类", "类别", "问题类别", "意见类别", "问题领域")),
    Column("requester", "反映人", ("姓名", "来电人", "联系人", "提出人", "群众姓名", "反映人姓名")),
    Column(
        "phone",
        "电话",
        ("联系电话", "手机", "手机号", "手机号码", "电话号码", "联系方式", "来电号码"),
    ),
    Column("title", "标题", ("主题", "事项")),
    Column("email", "电子邮箱", ("邮箱", "电子邮件", "email", "e-mail")),
)
BY_KEY: Final = {c.key: c for c in COLUMNS}
TEMPLATE_COLUMNS: Final = (
    "channel",
    "campaign",
    "received",
    "content",
    "area",
    "requester",
    "phone",
)
UNIT_NOTE: Final = "「单位」列不导入：导入的意见均为“待转办”，承办单位在签批转办时确定"
_HEADERS: dict[str, str] = {
    header_key(name): c.key for c in COLUMNS for name in (c.label, *c.aliases)
}
_ROW_COUNTERS: Final = frozenset(header_key(n) for n in ("序号", "编号", "行号", "no", "no."))

# Words that name a channel (compared as transfer.cleaning.key compares: NFKC, case-folded,
# no spaces). A cell is a channel when it is one of these or contains one channel's words only.
CHANNEL_WORDS: Final[dict[str, tuple[str, ...]]] = {
    Channel.WEB: (
        "web",
        "网站",
        "网上",
        "门户网站",
        "官方网站",
        "网站留言",
        "网上留言",
        "网络",
        "征集平台",
    ),
    Channel.PHONE: ("phone", "电话", "热线", "来电", "公开电话", "12345", "热线电话"),
    Channel.EMAIL: ("email", "e-mail", "电子邮件", "邮件", "邮箱", "电子邮箱"),
    Channel.WECHAT: ("wechat", "微信", "公众号"),
    Channel.APP: ("app", "移动应用", "客户端"),
    Channel.BOOK: ("book", "意见簿", "征求意见簿", "意见表", "征求意见表", "意见箱", "意见本"),
    Channel.FORWARDED: ("forwarded", "转来批次", "转来", "转办", "批次", "交办"),
    Channel.VISIT: ("visit", "来访", "走访", "现场", "当面", "面谈"),
}
AREA_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "talent": ("人才", "人才队伍", "队伍建设"),
    "primary": ("基层", "基层卫生", "基层服务", "基层卫生服务"),
    "digital": ("信息化", "信息"),
    "service": ("医疗服务", "服务水平"),
    "management": ("机构管理", "医院管理", "医疗机构管理"),
    "enforcement": ("监督执法", "卫生监督", "执法", "监督"),
    "other": ("其他", "其它"),
}
CHANNEL_HINT: Final = "（应为" + "、".join(str(label) for _, label in Channel.choices) + "之一）"
AREA_HINT: Final = "（应为" + "、".join(label for _, label in AREA_CHOICES) + "之一）"


def _lookup(words: dict[str, tuple[str, ...]], labels: Iterable[tuple[str, str]]) -> dict[str, str]:
    found = {key(code): code for code, _ in labels}
    found.update({key(label): code for code, label in labels})
    for code, names in words.items():
        found.update({key(name): code for name in names})
    return found


_CHANNELS: Final = _lookup(CHANNEL_WORDS, [(c, str(label)) for c, label in Channel.choices])
_AREAS: Final = _lookup(AREA_WORDS, list(AREA_CHOICES))


def _match(value: str, exact: dict[str, str]) -> str | None:
    """The code a cell names: exactly, or the one code whose words (two characters or more)
    it contains ("市解放思想大讨论办公室转来" → forwarded; "电话、微信" → None)."""
    text = key(value)
    if text in exact:
        return exact[text]
    codes = {code for word, code in exact.items() if len(word) >= 2 and word in text}
    return codes.pop() if len(codes) == 1 else None


# --- the plan ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int  # as in Excel: the first row is 1; 0 for the file as a whole
    column: str  # the header's canonical label, or "" for the row as a whole
    message: str

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row else "表头"
        return (
            f"{where}「{self.column}」：{self.message}"
            if self.column
            else f"{where}：{self.message}"
        )


@dataclass
class OpinionRow:
    row: int
    channel: str
    received_on: date
    received_time: time | None
    content: str
    campaign_id: int | None = None
    area: str = ""
    requester: str = ""
    phone: str = ""
    title: str = ""
    email: str = ""

    def outline(self) -> list[Any]:
        return [
            self.row, self.channel, self.received_on.isoformat(),
            self.received_time.isoformat() if self.received_time else "", self.content,
            self.campaign_id, self.area, self.requester, self.phone, self.title, self.email,
        ]  # fmt: skip


@dataclass
class ImportPlan:
    rows: list[OpinionRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # header errors first, then by row
    rows_read: int = 0
    header_row: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    groups: list[list[int]] = field(default_factory=list)  # row numbers of near-duplicates

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors if e.row})

    def digest(self) -> str:
        """What the plan would write, in a few bytes: a confirmation imports only the same."""
        outline = [r.outline() for r in self.rows] + [[str(e) for e in self.errors]]
        text = json.dumps(outline, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def summary(self) -> str:
        if self.has_errors:
            return f"共{self.rows_read}行，{self.error_rows}行有错误，未导入任何数据"
        return f"共{self.rows_read}行，可导入{len(self.rows)}条意见"


# --- reading the file --------------------------------------------------------------------


@dataclass
class Table:
    header_row: int
    columns: dict[str, int]  # column key → position in a row
    rows: list[tuple[int, list[Any]]]
    ignored: list[str]


def _column_for(header: Any) -> str | None:
    text = header_key(header)
    if not text:
        return None
    return _HEADERS.get(text) or _HEADERS.get(re.sub(r"[(\[【].*[)\]】]$", "", text))


def _find_header(head: list[list[Any]]) -> tuple[int, dict[str, int], list[str]] | None:
    """The row among the first five that names 内容 and the most other columns."""
    best: tuple[int, dict[str, int], list[str]] | None = None
    for index, row in enumerate(head):
        columns: dict[str, int] = {}
        ignored: list[str] = []
        for position, cell in enumerate(row):
            if cell is None or not str(cell).strip():
                continue
            column = _column_for(cell)
            if column is None or column in columns:
                if header_key(cell) not in _ROW_COUNTERS:
                    ignored.append(str(cell).strip())
                continue
            columns[column] = position
        if "content" in columns and len(columns) >= 2:
            if best is None or len(columns) > len(best[1]):
                best = (index + 1, columns, ignored)
    return best


def _no_header() -> ImportFileError:
    return ImportFileError(
        f"前{HEADER_SEARCH_ROWS}行中没有找到表头（应有“内容”“日期”等列），请使用导入模板"
    )


def _blank(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _table(rows: Iterator[list[Any]]) -> Table | None:
    """The rows under the header; None when the first rows hold no header."""
    head: list[list[Any]] = []
    for row in rows:
        head.append(row)
        if len(head) == HEADER_SEARCH_ROWS:
            break
    found = _find_header(head)
    if found is None:
        return None
    header_row, columns, ignored = found
    limit = settings.HUIYIN_IMPORT_MAX_ROWS
    table = Table(header_row, columns, [], ignored)
    numbered = [*enumerate(head[header_row:], start=header_row + 1)]
    for number, cells in [*numbered, *enumerate(rows, start=len(head) + 1)]:
        if _blank(cells):
            continue
        table.rows.append((number, cells))
        if len(table.rows) > limit:
            raise ImportFileError(f"数据行过多（超过{limit}行），请分批导入")
    return table


def read_table(data: bytes, filename: str) -> Table:
    """The rows of a .xlsx (its first sheet with a header) or .csv (UTF-8 or GBK) file."""
    max_bytes = settings.HUIYIN_IMPORT_MAX_BYTES
    if len(data) > max_bytes:
        raise ImportFileError(f"文件过大，一次最多导入{max_bytes // (1024 * 1024)} MB")
    if not data:
        raise ImportFileError("文件是空的")
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_MARK in data:
            raise ImportFileError("文件设置了打开密码（已加密），请在Excel中取消密码后再导入")
        raise ImportFileError("不支持旧版Excel文件（.xls），请在Excel中另存为.xlsx后再导入")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    name = (filename or "").lower()
    if name.endswith((".xlsx", ".xlsm")):
        raise ImportFileError("文件已损坏，不是有效的.xlsx文件")
    if name.endswith((".csv", ".txt")):
        return _read_csv(data)
    raise ImportFileError("仅支持导入.xlsx或.csv文件")


def _read_xlsx(data: bytes) -> Table:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACK_RATIO * max(len(data), 1024 * 1024):
            raise ImportFileError("文件解压后过大，请检查文件内容")
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError("文件已损坏，不是有效的.xlsx文件") from None
    try:
        for sheet in workbook.worksheets:
            table = _table(list(row) for row in sheet.iter_rows(values_only=True))
            if table is not None:
                return table
        raise _no_header()
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError("文件已损坏，读取表格时出错") from None
    finally:
        workbook.close()


def _read_csv(data: bytes) -> Table:
    if b"\x00" in data[:4096]:
        raise ImportFileError("文件不是文本格式的.csv文件")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise ImportFileError("无法识别文件编码，请将.csv文件保存为UTF-8或GBK编码") from None
    first = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first.count)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        table = _table(list(row) for row in reader)
    except csv.Error:
        raise ImportFileError("文件不是有效的.csv文件") from None
    if table is None:
        raise _no_header()
    return table


# --- the cells ---------------------------------------------------------------------------


def _time_of(value: Any) -> time | None:
    """The time of day a date cell carries, if any (a datetime cell, or "2026-4-11 9:30")."""
    if isinstance(value, datetime):
        moment = value.time().replace(microsecond=0)
        return moment if moment != time(0, 0) else None
    if isinstance(value, str):
        match = _TIME.search(unicodedata.normalize("NFKC", value).strip())
        if match:
            hour, minute, second = (int(g or 0) for g in match.groups())
            if hour > 23 or minute > 59 or second > 59:
                raise CellError(f"无法识别的时间“{shown(value)}”")
            return time(hour, minute, second)
    return None


def _line(value: Any, limit: int, label: str) -> str:
    text = clean_text(value)
    if len(text) > limit:
        raise CellError(f"{label}不能超过{limit}个字符（现有{len(text)}个）")
    return text


class _RowReader:
    """Turns one row's cells into an OpinionRow, or its errors."""

    def __init__(self, table: Table, *, default_channel: str, default_campaign: int | None) -> None:
        self.columns = table.columns
        self.default_channel = default_channel
        self.default_campaign = default_campaign
        self.campaigns = {key(name): pk for pk, name in Campaign.objects.values_list("pk", "name")}
        self.campaign_ids = set(self.campaigns.values())
        self.today = today()

    def cell(self, cells: list[Any], column: str) -> Any:
        position = self.columns.get(column)
        if position is None or position >= len(cells):
            return None
        value = cells[position]
        return None if isinstance(value, str) and not value.strip() else value

    def read(self, number: int, cells: list[Any]) -> tuple[OpinionRow | None, list[RowError]]:
        errors: list[RowError] = []
        values: dict[str, Any] = {}
        parsers = (
            ("content", self.content),
            ("received", self.received),
            ("channel", self.channel),
            ("campaign", self.campaign),
            ("area", self.area),
            ("requester", lambda v: _line(v, REQUESTER_MAX, "反映人") if v is not None else ""),
            ("phone", self.phone),
            ("title", lambda v: _line(v, TITLE_MAX, "标题") if v is not None else ""),
            ("email", lambda v: _line(v, EMAIL_MAX, "电子邮箱") if v is not None else ""),
        )
        # Errors in the file's own column order, as the user reads the row.
        unplaced = len(cells) + len(parsers)
        for column, parse in sorted(parsers, key=lambda p: self.columns.get(p[0], unplaced)):
            try:
                values[column] = parse(self.cell(cells, column))
            except CellError as exc:
                errors.append(RowError(number, BY_KEY[column].label, exc.message))
        if errors:
            return None, errors
        received_on, received_time = values["received"]
        return (
            OpinionRow(
                row=number,
                channel=values["channel"],
                received_on=received_on,
                received_time=received_time,
                content=values["content"],
                campaign_id=values["campaign"],
                area=values["area"],
                requester=values["requester"],
                phone=values["phone"],
                title=values["title"],
                email=values["email"],
            ),
            [],
        )

    def content(self, value: Any) -> str:
        if value is None:
            raise CellError("内容为空")
        text = clean_block(value)
        if not text:
            raise CellError("内容为空")
        if len(text) > CONTENT_MAX:
            raise CellError(f"内容不能超过{CONTENT_MAX}个字符（现有{len(text)}个）")
        return text

    def received(self, value: Any) -> tuple[date, time | None]:
        if isinstance(value, str) and text_problem(value):
            raise CellError(text_problem(value))
        day = parse_date(value)
        if day is None:
            raise CellError("日期为空")
        if day > self.today:
            raise CellError(f"日期“{shown(value)}”晚于今天")
        return day, _time_of(value)

    def channel(self, value: Any) -> str:
        if value is None:
            if not self.default_channel:
                raise CellError("渠道为空（可在上传时选择默认渠道）")
            return self.default_channel
        code = _match(clean_text(value), _CHANNELS)
        if code is None:
            raise CellError(f"无法识别的渠道“{shown(value)}”{CHANNEL_HINT}")
        return code

    def campaign(self, value: Any) -> int | None:
        if value is None:
            return self.default_campaign
        name = clean_text(value)
        found = self.campaigns.get(key(name))
        if found is None and name.isdigit() and int(name) in self.campaign_ids:
            found = int(name)
        if found is None:
            raise CellError(f"没有名为“{shown(value)}”的征集活动（请先在“征集活动”中新建）")
        return found

    def area(self, value: Any) -> str:
        if value is None:
            return ""
        code = _match(clean_text(value), _AREAS)
        if code is None:
            raise CellError(f"无法识别的领域“{shown(value)}”{AREA_HINT}")
        return code

    def phone(self, value: Any) -> str:
        if value is None:
            return ""
        text = unicodedata.normalize("NFKC", clean_text(value))
        if len(text) > PHONE_MAX:
            raise CellError(f"电话不能超过{PHONE_MAX}个字符")
        if not _PHONE.match(text):
            raise CellError(f"电话“{shown(value)}”只能包含数字、空格和+-()")
        return text


def plan_opinions(
    data: bytes,
    filename: str,
    *,
    user: User,
    default_channel: str = "",
    default_campaign: int | None = None,
    near_duplicates: bool = True,
) -> ImportPlan:
    """Read and check a file of opinions; nothing is written. ImportFileError when the file
    as a whole cannot be read; the problems of rows and cells are in `plan.errors`.
    `near_duplicates=False` leaves `plan.groups` empty (the confirmation's second reading
    needs the rows, not the preview's groups)."""
    check_registrar(user)
    if default_channel and default_channel not in Channel.values:
        raise CaseError(f"渠道“{default_channel}”不在可选范围内", field="channel")
    if default_campaign is not None and not Campaign.objects.filter(pk=default_campaign).exists():
        raise CaseError("所选征集活动不存在", field="campaign")
    table = read_table(data, filename)
    plan = ImportPlan(header_row=table.header_row, ignored_columns=list(table.ignored))
    if "received" not in table.columns:
        plan.errors.append(RowError(0, "日期", "缺少「日期」列（收到日期）"))
    if "channel" not in table.columns and not default_channel:
        plan.errors.append(RowError(0, "渠道", "缺少「渠道」列，也没有选择默认渠道"))
    if "unit" in table.columns:
        plan.notes.append(UNIT_NOTE)
    plan.rows_read = len(table.rows)
    if plan.errors:
        return plan
    reader = _RowReader(table, default_channel=default_channel, default_campaign=default_campaign)
    for number, cells in table.rows:
        row, errors = reader.read(number, cells)
        if row is not None:
            plan.rows.append(row)
        plan.errors.extend(errors)
    if not plan.rows_read:
        plan.errors.append(RowError(0, "", "表头下没有数据行"))
    if near_duplicates:
        groups = group_near_duplicates([r.content for r in plan.rows])
        plan.groups = [[plan.rows[i].row for i in group] for group in groups]
    return plan


# --- the write ---------------------------------------------------------------------------


class _Days:
    """The answer deadline and the forwarding target of each receipt day, computed once per
    day on one loaded calendar (rules.due / rules.forward_target, without a query each)."""

    def __init__(self, days: Iterable[date]) -> None:
        wanted = sorted(set(days))
        self.rule = rules.rule("answer")
        self.span = WorkdaySpan(wanted[0], wanted[-1] + timedelta(days=60))
        self.memo: dict[date, tuple[date, bool, date]] = {}

    def __call__(self, day: date) -> tuple[date, bool, date]:
        if day not in self.memo:
            due = self.span.compute(self.rule, day)
            target = (
                day if self.span.is_workday(day) else workdays_after(day, 1, span=self.span).date
            )
            self.memo[day] = (due.date, due.provisional, target)
        return self.memo[day]


def _received_at(row: OpinionRow, now: datetime) -> datetime:
    moment = timezone.make_aware(
        datetime.combine(row.received_on, row.received_time or DEFAULT_TIME)
    )
    return min(moment, now) if row.received_time is None else moment


def _numbers(rows: list[OpinionRow]) -> list[str]:
    """Each row's number, in row order, from its year's counter (one locked update a year)."""
    by_year: dict[int, int] = {}
    for row in rows:
        by_year[row.received_on.year] = by_year.get(row.received_on.year, 0) + 1
    pools = {year: iter(next_numbers(year, count)) for year, count in sorted(by_year.items())}
    return [next(pools[row.received_on.year]) for row in rows]


def _codes(count: int) -> list[str]:
    """`count` distinct tracking codes like new_code's: CODE_LENGTH characters drawn from the
    32 of CODE_ALPHABET (a random byte modulo 32 is uniform), one system call per code."""
    assert len(CODE_ALPHABET) == 32
    codes: dict[str, None] = {}
    while len(codes) < count:
        code = "".join(CODE_ALPHABET[b % 32] for b in secrets.token_bytes(CODE_LENGTH))
        codes[code] = None
    return list(codes)


@transaction.atomic
def import_opinions(
    plan: ImportPlan,
    *,
    by: User,
    source: str,
    progress: Callable[[int, int], None] | None = None,
) -> list[int]:
    """Write the plan's rows as new opinions (待转办), all or nothing; the new case ids."""
    check_registrar(by)
    if plan.has_errors:
        raise CaseError("文件有错误，不能导入；请修改后重新上传")
    rows = plan.rows
    if not rows:
        return []
    wanted = {r.campaign_id for r in rows if r.campaign_id is not None}
    found = set(Campaign.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - found:
        raise CaseError("文件所用的征集活动已被删除，请重新检查后再导入")
    titles = [r.title or title_from(r.content) for r in rows]
    areas = suggest_areas(f"{t}\n{r.content}" for t, r in zip(titles, rows, strict=True))
    numbers = _numbers(rows)
    codes = _codes(len(rows))
    days = _Days(r.received_on for r in rows)
    on, now = today(), timezone.now()
    total, done, ids = len(rows), 0, []
    events: list[AuditEvent] = []
    if progress is not None:
        progress(0, total)  # prepared (areas, numbers, deadlines): the writing starts
    for start in range(0, total, CHUNK):
        part = range(start, min(start + CHUNK, total))
        cases = []
        for i in part:
            row = rows[i]
            deadline, provisional, _ = days(row.received_on)
            cases.append(
                Case(
                    category=Category.PUBLIC_OPINION,
                    level=Level.MUNICIPAL,
                    year=row.received_on.year,
                    number=numbers[i],
                    title=titles[i],
                    content=row.content,
                    mode=Mode.LEAD,
                    state=State.REGISTERED,
                    received_on=row.received_on,
                    deadline=deadline,
                    deadline_provisional=provisional,
                    deadline_rule={"rule": days.rule, "from": row.received_on.isoformat()},
                    last_action_on=row.received_on,
                )
            )
        try:
            with transaction.atomic():
                Case.objects.bulk_create(cases, batch_size=CHUNK)
                Opinion.objects.bulk_create(
                    [
                        Opinion(
                            case=case,
                            channel=rows[i].channel,
                            received_at=_received_at(rows[i], now),
                            requester=rows[i].requester,
                            phone=rows[i].phone,
                            email=rows[i].email,
                            campaign_id=rows[i].campaign_id,
                            suggested_area=areas[i],
                            area=rows[i].area,
                            area_confirmed_by=by if rows[i].area else None,
                            forward_target=days(rows[i].received_on)[2],
                            code=codes[i],
                        )
                        for i, case in zip(part, cases, strict=True)
                    ],
                    batch_size=CHUNK,
                )
        except IntegrityError:
            raise CaseError("导入期间编号或查询码发生冲突，未导入任何数据，请重新导入") from None
        events.extend(
            AuditEvent(
                case=case,
                actor=by,
                action=Event.IMPORT,
                on=on,
                from_state="",
                to_state=State.REGISTERED,
                details={
                    "source": source,
                    "row": rows[i].row,
                    "number": case.number,
                    "channel": rows[i].channel,
                },
            )
            for i, case in zip(part, cases, strict=True)
        )
        new_ids = [case.pk for case in cases]
        # The chunk's cases are in: the derived rows follow (audit.signals; they read the
        # cases, not the events).
        cases_written.send(sender=Case, case_ids=new_ids)
        ids.extend(new_ids)
        done += len(cases)
        if progress is not None:
            progress(done, total)
    # The events last, in one bulk insert: the chain's lock (audit.chain, held to the commit)
    # is taken here, not at the first chunk, so that other writes and logins do not wait
    # for the whole import.
    AuditEvent.objects.bulk_create(events, batch_size=CHUNK)
    return ids
