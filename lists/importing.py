"""导入清单: a list as people draft it in Excel, read into items with their measures
(`plan_list`, which writes nothing), then written all or nothing (`import_list`).

The sheet: a title row ("市卫生健康委形式主义官僚主义专项整治项目清单") and a "填报单位：…
填报时间：…" row may come first; the heading row is the one among the first ten that names
the most known headings (lists.importing_cells.HEADINGS and their aliases), at least the
item's title and its lead unit or measures; a group heading merged across columns
("责任单位" over "牵头处室 | 协办处室") is read from the row under it. Under it:

- an item starts on a row whose title cell has text of its own (not the continuation of a
  merged cell); the rows under it whose title cell is merged with it, or empty while the
  row has a measure, are the same item's. A row with one cell of text like "一、医疗服务质量"
  names the category of the items under it (when the sheet has no 类别 column, or it is
  empty).
- the item's columns (序号, 类别, title, description, 责任领导, 牵头处室, 协办处室, 完成时限, 目标)
  are read from its first row; merged cells count as their top-left value on every row.
- two title-like columns (整治重点 and 具体问题): the leftmost is the title, the next one the
  description (具体问题 describes the 整治重点 it sits beside); 问题描述 is a description.
- measures: every row's 具体举措 cell (a merged one once), split into several measures at
  their numbers ("1.", "1）", "（1）", "（一）", "一是", "①", "⑴"); a measure's unit and
  deadline are its row's (举措责任处室 / 举措完成时限, or the item's columns when the row
  gives its own value), else the item's. The item's deadline is the latest of its own and
  its measures'.
- units match by name or code (NFKC, without spaces or zero-width spaces); an unknown,
  inactive or outside unit is an error: the import never creates units. 责任领导 is kept
  as written and linked to the one active user whose full name (without spaces) is the
  same.
- rows under the table's last that are notes ("注：……" merged across, "填表人：…", "合计")
  are skipped, and the preview says so.
- dates: see lists.importing_cells.read_deadline; 长期坚持/持续推进 become the list's end
  date (or Dec 31 of its year), and the preview says so.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from django.conf import settings
from django.db import transaction
from openpyxl import load_workbook

from audit.record import record_event, today
from huiyin.errors import DomainError
from huiyin.types import User
from lists import actions
from lists.actions import Indicator, ItemIn, MeasureIn
from lists.importing_cells import (
    LABELS,
    Period,
    heading_for,
    known_people,
    known_units,
    plain_key,
    read_deadline,
    read_indicator,
    split_measures,
    split_units,
)
from lists.models import ListKind, RectList
from opinions.importing import ENCRYPTED_MARK, MAX_UNPACK_RATIO, OLE_MAGIC
from orgs.models import Unit, UnitKind
from transfer.cleaning import CellError, clean_block, clean_text, shown
from transfer.errors import ImportFileError
from workflow.errors import CaseError
from workflow.vocabulary import Event

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

HEADING_SEARCH_ROWS: Final = 10
MAX_ROWS: Final = 5000  # a list of 2,000 items fits
MAX_MERGED: Final = 200_000  # cells covered by merged ranges, all sheets together
TITLE_MAX: Final = 300
LINE_MAX: Final = 100
_SECTION = re.compile(r"^[一二三四五六七八九十百]+[、.．]\s*(.+)$")
# A row under the table that is no item: "注：……", "填表人：张三 联系电话：……", "合计".
_NOTE = re.compile(
    r"^(?:注\s*\d*\s*[:：.、]|(?:备注|附注|说明|填表人|填报人|制表人|审核人|联系人|联系电话"
    r"|负责人|签字|合计|小计|总计)(?:\s*[:：]|$))"
)
_FILLER = re.compile(r"填报单位[:：]\s*(.*?)\s*(?:填报(?:时间|日期)[:：]\s*(.*))?$")


@dataclass(frozen=True)
class Problem:
    row: int  # as in Excel: the first row is 1; 0 for the file as a whole
    column: str  # the sheet's heading, or "" for the row as a whole
    value: str  # the offending value, as the user wrote it
    message: str

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row else "表头"
        column = f"「{self.column}」" if self.column else ""
        value = f"“{self.value}”" if self.value else ""
        return f"{where}{column}{value}：{self.message}"


@dataclass
class PlannedItem:
    row: int
    rows: int  # how many rows of the sheet it spans
    spec: ItemIn
    leader_linked: bool = False


@dataclass
class ListPlan:
    filename: str = ""
    title: str = ""  # the sheet's title row, the list's name when none is given
    filler: str = ""  # 填报单位 as written
    filled_on: str = ""  # 填报时间 as written
    heading_row: int = 0
    headings: dict[str, str] = field(default_factory=dict)  # column key → the sheet's heading
    ignored: list[str] = field(default_factory=list)
    items: list[PlannedItem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return bool(self.problems)

    @property
    def measures(self) -> int:
        return sum(len(p.spec.measures) for p in self.items)

    def summary(self) -> str:
        found = f"共{len(self.items)}个事项、{self.measures}条具体举措"
        if self.has_errors:
            return f"{found}；{len(self.problems)}处错误，未导入任何数据"
        return found

    def digest(self) -> str:
        """What the plan would write: a confirmation imports only what was previewed."""
        outline = [_outline(p) for p in self.items] + [[str(p) for p in self.problems]]
        text = json.dumps(outline, ensure_ascii=False, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def _outline(planned: PlannedItem) -> list[Any]:
    s = planned.spec
    return [
        planned.row, s.title, s.description, s.category, s.source, s.leader_name,
        s.leader.pk if s.leader else None, s.lead_unit.pk, [u.pk for u in s.co_units],
        s.deadline, vars(s.indicator),
        [[m.text, m.unit.pk, m.deadline] for m in s.measures],
    ]  # fmt: skip


# --- the sheet ----------------------------------------------------------------------------


class Sheet:
    """A worksheet's values with its merged cells: `raw` is a cell's own value (None for the
    covered part of a merged cell), `value` the merged cell's value wherever it is."""

    def __init__(self, ws: Worksheet) -> None:
        self.rows: list[list[Any]] = [list(r) for r in ws.iter_rows(values_only=True)]
        if len(self.rows) > MAX_ROWS:
            raise ImportFileError(f"行数过多（超过{MAX_ROWS}行），请分成几个清单导入")
        self.covered: dict[tuple[int, int], tuple[int, int]] = {}
        self.last_column: dict[tuple[int, int], int] = {}  # a merged cell's top-left → its last
        for merged in ws.merged_cells.ranges:
            top = (merged.min_row - 1, merged.min_col - 1)
            self.last_column[top] = merged.max_col - 1
            for r in range(merged.min_row - 1, min(merged.max_row, len(self.rows))):
                for c in range(merged.min_col - 1, merged.max_col):
                    if (r, c) != top:
                        self.covered[(r, c)] = top

    def raw(self, r: int, c: int | None) -> Any:
        if c is None or (r, c) in self.covered:
            return None
        row = self.rows[r]
        return row[c] if c < len(row) else None

    def value(self, r: int, c: int | None) -> Any:
        if c is None:
            return None
        r, c = self.covered.get((r, c), (r, c))
        row = self.rows[r]
        return row[c] if c < len(row) else None

    def continues(self, r: int, c: int | None) -> bool:
        """Whether the cell is the lower part of a cell merged over rows above."""
        return c is not None and (r, c) in self.covered and self.covered[(r, c)][0] < r


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_sheet(data: bytes) -> Sheet:
    if not data:
        raise ImportFileError("文件是空的")
    if len(data) > settings.HUIYIN_IMPORT_MAX_BYTES:
        raise ImportFileError("文件过大")
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_MARK in data:
            raise ImportFileError("文件设置了打开密码（已加密），请在Excel中取消密码后再导入")
        raise ImportFileError("不支持旧版Excel文件（.xls），请在Excel中另存为.xlsx后再导入")
    if not data.startswith(b"PK\x03\x04"):
        raise ImportFileError("仅支持导入.xlsx文件")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if sum(i.file_size for i in archive.infolist()) > MAX_UNPACK_RATIO * max(
            len(data), 1024 * 1024
        ):
            raise ImportFileError("文件解压后过大，请检查文件内容")
        _check_merges(archive)
        workbook = load_workbook(io.BytesIO(data), data_only=True)
        sheets = [Sheet(ws) for ws in workbook.worksheets]
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError("文件已损坏，不是有效的.xlsx文件") from None
    for sheet in sheets:
        if _find_headings(sheet) is not None:
            return sheet
    raise ImportFileError(
        f"前{HEADING_SEARCH_ROWS}行中没有找到表头（应有“整治重点”“具体举措”“牵头处室”等列）"
    )


_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell ref="([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})"')


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _check_merges(archive: zipfile.ZipFile) -> None:
    """Merged ranges are tiny in the file and huge in memory (openpyxl makes a cell for each
    covered position): a sheet merging more than MAX_MERGED cells is refused before loading."""
    total = 0
    for info in archive.infolist():
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            for m in _MERGE_REF.finditer(archive.read(info)):
                rows = int(m.group(4)) - int(m.group(2)) + 1
                columns = _column_number(m.group(3)) - _column_number(m.group(1)) + 1
                total += max(rows, 1) * max(columns, 1)
                if total > MAX_MERGED:
                    raise ImportFileError("表格中合并的单元格过多，请检查文件内容")


@dataclass
class _Headings:
    row: int  # the (first) heading row, from 0
    last: int  # the last heading row: two when a group heading spans sub-headings
    columns: dict[str, int]
    texts: dict[str, str]  # column key → the sheet's heading
    ignored: list[str]


def _find_headings(sheet: Sheet) -> _Headings | None:
    """The heading row among the first rows naming the most known headings. A cell merged
    across columns ("责任单位" over "牵头处室 | 协办处室") is a group heading: the row under it
    gives the columns' headings."""
    best: _Headings | None = None
    for r, row in enumerate(sheet.rows[:HEADING_SEARCH_ROWS]):
        cells: list[tuple[int, Any]] = []
        last = r
        named = sum(1 for c, cell in enumerate(row) if heading_for(cell) and sheet.raw(r, c))
        for c, cell in enumerate(row):
            if _empty(cell) or sheet.raw(r, c) is None:
                continue
            # A group heading is a heading, or sits among headings (not the sheet's title).
            grouped = heading_for(cell) is not None or named > 0
            under = _sub_headings(sheet, r, c) if grouped else []
            if under:
                cells.extend(under)
                last = r + 1
            else:
                cells.append((c, cell))
        columns: dict[str, int] = {}
        texts: dict[str, str] = {}
        ignored: list[str] = []
        for c, cell in cells:
            found = heading_for(cell)
            if found == "title" and "title" in columns and "description" not in columns:
                found = "description"  # 整治重点 | 具体问题: the second describes the first
            if found is None or found in columns:
                ignored.append(clean_text(cell))
                continue
            columns[found], texts[found] = c, clean_text(cell)
        if "title" in columns and ({"lead_unit", "measures"} & columns.keys()):
            if best is None or len(columns) > len(best.columns):
                best = _Headings(r, last, columns, texts, ignored)
    return best


def _sub_headings(sheet: Sheet, r: int, c: int) -> list[tuple[int, Any]]:
    """The known headings under a group heading merged across columns c… on row r."""
    end = sheet.last_column.get((r, c), c)
    if end == c or r + 1 >= len(sheet.rows):
        return []
    under = [(k, sheet.raw(r + 1, k)) for k in range(c, end + 1)]
    under = [(k, cell) for k, cell in under if not _empty(cell)]
    return under if any(heading_for(cell) for _, cell in under) else []


# --- the plan -----------------------------------------------------------------------------


class _Reader:
    def __init__(self, sheet: Sheet, columns: dict[str, int], plan: ListPlan, period: Period,
                 starts_on: date) -> None:  # fmt: skip
        self.sheet, self.columns, self.plan = sheet, columns, plan
        self.period, self.starts_on = period, starts_on
        self.units = known_units()
        self.people = known_people()

    def col(self, name: str) -> int | None:
        return self.columns.get(name)

    def problem(self, r: int, column: str, value: Any, message: str) -> None:
        heading = self.plan.headings.get(column, LABELS.get(column, column))
        self.plan.problems.append(
            Problem(r + 1, heading, shown(value) if not _empty(value) else "", message)
        )

    def text(self, r: int, name: str, max_length: int, *, own: bool = False) -> str:
        value = self.sheet.raw(r, self.col(name)) if own else self.sheet.value(r, self.col(name))
        try:
            text = clean_text(value) if max_length <= TITLE_MAX else clean_block(value)
        except CellError as exc:
            self.problem(r, name, value, exc.message)
            return ""
        if len(text) > max_length:
            self.problem(r, name, value, f"不能超过{max_length}个字")
            return ""
        return text

    def unit(self, r: int, name: str, value: Any) -> Unit | None:
        text = clean_text(value)
        found = self.units.get(plain_key(text))
        if found is None:
            self.problem(
                r, name, value, "系统中没有这个处室或单位（按名称或代码匹配；导入不会新建单位）"
            )
            return None
        if not found.is_active or found.kind == UnitKind.EXTERNAL:
            self.problem(r, name, value, "须为委内在用的处室或单位")
            return None
        return found

    def deadline(self, r: int, name: str, value: Any) -> date | None:
        try:
            found, ongoing = read_deadline(value, self.period)
        except CellError as exc:
            self.problem(r, name, value, exc.message)
            return None
        if found is None:
            return None
        if ongoing:
            self.plan.notes.append(
                f"第{r + 1}行「{self.plan.headings.get(name, LABELS[name])}」"
                f"“{shown(value)}”按{found.isoformat()}计（清单结束日期，无则为当年12月31日）"
            )
        if found < self.starts_on:
            self.problem(r, name, value, f"早于清单开始日期{self.starts_on.isoformat()}")
            return None
        return found

    def item(self, rows: list[int], section: str) -> PlannedItem | None:
        first, sheet, before = rows[0], self.sheet, len(self.plan.problems)
        title = self.text(first, "title", TITLE_MAX)
        title_refused = len(self.plan.problems) > before  # too long: said once, not twice
        description = self.text(first, "description", 20_000) if self.col("description") else ""
        category = self.text(first, "category", LINE_MAX) or section
        leader_name = self.text(first, "leader", LINE_MAX)
        source = self.text(first, "source", 20_000) if self.col("source") else ""
        raw_unit = sheet.value(first, self.col("lead_unit"))
        lead = None
        if _empty(raw_unit):
            self.problem(first, "lead_unit", None, "牵头处室为空")
        else:
            lead = self.unit(first, "lead_unit", raw_unit)
        own_deadline = None
        raw_deadline = sheet.value(first, self.col("deadline"))
        if not _empty(raw_deadline):
            own_deadline = self.deadline(first, "deadline", raw_deadline)
        co_units: list[Unit] = []
        for r in rows:
            raw = sheet.value(r, self.col("co_units"))
            if r != first and sheet.continues(r, self.col("co_units")):
                continue
            for text, found in split_units(raw, self.units):
                if found is None:
                    self.unit(r, "co_units", text)
                elif found not in co_units and self.unit(r, "co_units", text) is not None:
                    co_units.append(found)
        measures = self.measures(rows, lead, own_deadline)
        deadlines = [d for d in (own_deadline, *(m.deadline for m in measures)) if d]
        if not deadlines and len(self.plan.problems) == before:
            self.problem(first, "deadline", None, "完成时限为空")
        indicator = Indicator()
        if self.col("indicator") is not None:
            try:
                read = read_indicator(sheet.value(first, self.col("indicator")))
            except CellError as exc:
                self.problem(
                    first, "indicator", sheet.value(first, self.col("indicator")), exc.message
                )
                read = None
            if read is not None:
                indicator = Indicator(read.name, read.unit, read.baseline, read.target,
                                      direction=read.direction)  # fmt: skip
        if not title and not title_refused:
            self.problem(first, "title", None, "事项（问题或项目）为空")
        if len(self.plan.problems) > before or lead is None or not deadlines:
            return None
        leader = self.people.get(plain_key(leader_name)) if leader_name else None
        spec = ItemIn(
            title=title, lead_unit=lead, deadline=max(deadlines), description=description,
            category=category, source=source, leader_name=leader_name, leader=leader,
            co_units=co_units, indicator=indicator, measures=measures,
        )  # fmt: skip
        return PlannedItem(first + 1, len(rows), spec, leader_linked=leader is not None)

    def measures(
        self, rows: list[int], lead: Unit | None, deadline: date | None
    ) -> list[MeasureIn]:
        sheet, found = self.sheet, []
        first = rows[0]
        for r in rows:
            raw = sheet.raw(r, self.col("measures"))
            if _empty(raw):
                continue
            try:
                pieces = split_measures(clean_block(raw))
            except CellError as exc:
                self.problem(r, "measures", raw, exc.message)
                continue
            unit, when = lead, deadline
            raw_unit = sheet.value(r, self.col("measure_unit"))
            if _empty(raw_unit) and r != first and not sheet.continues(r, self.col("lead_unit")):
                raw_unit = sheet.raw(r, self.col("lead_unit"))
                unit_column = "lead_unit"
            else:
                unit_column = "measure_unit"
            if not _empty(raw_unit):
                unit = self.unit(r, unit_column, raw_unit)
            raw_when = sheet.value(r, self.col("measure_deadline"))
            when_column = "measure_deadline"
            if _empty(raw_when) and r != first and not sheet.continues(r, self.col("deadline")):
                raw_when, when_column = sheet.raw(r, self.col("deadline")), "deadline"
            if not _empty(raw_when):
                when = self.deadline(r, when_column, raw_when)
            given = not _empty(sheet.value(first, self.col("deadline")))
            if when is None and _empty(raw_when) and deadline is None and not given:
                self.problem(r, "deadline", None, "具体举措没有完成时限（事项也没有）")
            for text in pieces:
                if len(text) > 20_000:
                    self.problem(r, "measures", raw, "不能超过20000个字")
                elif unit is not None and when is not None:
                    found.append(MeasureIn(text, unit, when))
        return found


def _note(sheet: Sheet, r: int, title_col: int) -> str:
    """The row's text if it is a note under the table ("注：……" or "合计", or one cell merged
    across the item's title and two more columns), else ""."""
    own = [c for c in range(len(sheet.rows[r])) if not _empty(sheet.raw(r, c))]
    if not own:
        return ""
    try:
        text = clean_text(sheet.raw(r, own[0]))
    except CellError:
        return ""
    last = sheet.last_column.get((r, own[0]), own[0])
    across = len(own) == 1 and own[0] <= title_col <= last and last - own[0] >= 2
    return text if _NOTE.match(text) or across else ""


def _table_end(sheet: Sheet, start: int, title_col: int, plan: ListPlan) -> int:
    """The row after the table's last: notes and signatures under it are skipped (and the
    preview says so); a note with items under it is read as a row like any other."""
    end, skipped = len(sheet.rows), []
    for r in range(len(sheet.rows) - 1, start - 1, -1):
        if all(_empty(c) for c in sheet.rows[r]):
            continue
        text = _note(sheet, r, title_col)
        if not text:
            break
        end = r
        skipped.append(f"第{r + 1}行“{text[:40]}”不是事项（表格下的注释、签名或合计），已跳过")
    plan.notes.extend(reversed(skipped))
    return end


def plan_list(
    data: bytes, filename: str = "", *, starts_on: date, ends_on: date | None = None
) -> ListPlan:
    """Read and check a list's .xlsx; nothing is written. Raises ImportFileError for a file
    that cannot be read at all; every other problem is in the plan, by row and column."""
    sheet = read_sheet(data)
    found = _find_headings(sheet)
    assert found is not None  # read_sheet returned a sheet with headings
    heading_row, columns = found.last, found.columns
    plan = ListPlan(filename=filename, heading_row=heading_row + 1, ignored=found.ignored)
    plan.headings = found.texts
    for row in sheet.rows[: found.row]:
        texts = [clean_text(c) for c in row if not _empty(c)]
        line = " ".join(texts)
        if m := _FILLER.search(line):
            plan.filler, plan.filled_on = m.group(1).strip(), (m.group(2) or "").strip()
        elif texts and not plan.title:
            plan.title = texts[0][:200]
    reader = _Reader(sheet, columns, plan, Period(starts_on.year, ends_on), starts_on)
    blocks: list[tuple[list[int], str]] = []
    section = ""
    title_col, measure_col = columns["title"], columns.get("measures")
    end = _table_end(sheet, heading_row + 1, title_col, plan)
    for r in range(heading_row + 1, end):
        cells = [sheet.value(r, c) for c in range(len(sheet.rows[r]))]
        if all(_empty(c) for c in cells):
            continue
        own = [c for c in range(len(cells)) if not _empty(sheet.raw(r, c))]
        text = clean_text(sheet.raw(r, own[0])) if len(own) == 1 else ""
        if (m := _SECTION.match(text)) and not sheet.continues(r, title_col):
            section = m.group(1)[:LINE_MAX]
            continue
        if not _empty(sheet.raw(r, title_col)):
            blocks.append(([r], section))
        elif blocks and (sheet.continues(r, title_col) or not _empty(sheet.raw(r, measure_col))):
            blocks[-1][0].append(r)
        else:
            reader.problem(r, "title", None, "事项（问题或项目）为空")
    for rows, category in blocks:
        planned = reader.item(rows, category)
        if planned is not None:
            plan.items.append(planned)
    if not blocks and not plan.problems:
        plan.problems.append(Problem(plan.heading_row, "", "", "表头下没有事项"))
    return plan


# --- writing ------------------------------------------------------------------------------


@transaction.atomic
def import_list(
    plan: ListPlan,
    *,
    by: User,
    name: str,
    starts_on: date,
    owner: User | None = None,
    reports_to: str = "",
    ends_on: date | None = None,
    kind: str = ListKind.PROBLEMS,
) -> RectList:
    """Write a plan without errors: the list and every item with its measures, in one
    transaction (a refusal of any item leaves nothing written), and one 导入清单 event."""
    actions.check_list_maker(by)
    if plan.has_errors:
        raise CaseError(f"文件有{len(plan.problems)}处错误，未导入任何数据")
    if not plan.items:
        raise CaseError("文件中没有事项，未导入任何数据")
    rect_list = actions.create_list(
        by=by, name=name or plan.title, starts_on=starts_on, owner=owner, kind=kind,
        reports_to=reports_to, ends_on=ends_on, origin=plan.title[:200],
    )  # fmt: skip
    on = today()
    for planned in plan.items:
        try:
            actions.add_item(rect_list, planned.spec, by=by, on=on)
        except DomainError as exc:
            raise CaseError(f"第{planned.row}行：{exc.message}", field=exc.field) from None
    record_event(
        actor=by,
        action=Event.IMPORT_LIST,
        on=on,
        subject=actions.list_subject(rect_list),
        details={
            "list": rect_list.pk,
            "file": plan.filename,
            "items": len(plan.items),
            "measures": plan.measures,
        },
    )
    return rect_list
