"""A ledger file (.xlsx or .csv) into rows of cell values under recognised headers.

Everything that makes a file unreadable as a whole raises ImportFileError with a
message for the user; problems of single cells are the planner's business.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from transfer.columns import BY_KEY, column_for, computed_for
from transfer.errors import ImportFileError

HEADER_SEARCH_ROWS = 5  # a title row (or a few) may stand above the header
MIN_HEADER_MATCHES = 3
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")
# A zip of a few MB may unpack to gigabytes; real sheets compress about 10:1.
MAX_UNPACK_RATIO = 40


@dataclass
class Table:
    header_row: int  # as in Excel: the first row is 1
    columns: dict[str, int]  # column key → index in a row
    headers: dict[str, str]  # column key → the header as written in the file
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)  # (row number, cells)
    ignored: list[str] = field(default_factory=list)  # headers we do not know
    computed: list[str] = field(default_factory=list)  # the export's computed columns
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (header, first header)


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def read_table(data: bytes, filename: str) -> Table:
    max_bytes = settings.HUIYIN_IMPORT_MAX_BYTES
    if len(data) > max_bytes:
        raise ImportFileError(f"文件过大（{_mb(len(data))}），一次最多导入{_mb(max_bytes)}")
    if not data:
        raise ImportFileError("文件是空的")
    name = (filename or "").lower()
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_MARK in data:
            raise ImportFileError("文件设置了打开密码（已加密），请在Excel中取消密码后再导入")
        raise ImportFileError("不支持旧版Excel文件（.xls），请在Excel中另存为.xlsx后再导入")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    if name.endswith((".xlsx", ".xlsm")):
        raise ImportFileError("文件已损坏，不是有效的.xlsx文件")
    if name.endswith((".csv", ".txt")):
        return _read_csv(data)
    raise ImportFileError("仅支持导入.xlsx或.csv文件")


def _check_rows(count: int) -> None:
    limit = settings.HUIYIN_IMPORT_MAX_ROWS
    if count > limit:
        raise ImportFileError(f"数据行过多（超过{limit}行），请分批导入")


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
            table = _read_sheet(sheet)
            if table is not None:
                if _has_formulas(archive, sheet.title, workbook):
                    _check_formulas(data, sheet.title, table)
                return table
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError("文件已损坏，读取表格时出错") from None
    finally:
        workbook.close()
    raise _no_header()


def _no_header() -> ImportFileError:
    return ImportFileError(
        f"前{HEADER_SEARCH_ROWS}行中没有找到表头（应有类别、级别、年度、编号、标题、领衔人等列），"
        "请使用导入模板"
    )


def _read_sheet(sheet: Any) -> Table | None:
    rows = sheet.iter_rows(values_only=True)
    head: list[tuple[Any, ...]] = []
    for _ in range(HEADER_SEARCH_ROWS):
        row = next(rows, None)
        if row is None:
            break
        head.append(row)
    table = _find_header(head)
    if table is None:
        return None
    for number, row in enumerate(head[table.header_row :], start=table.header_row + 1):
        _add_row(table, number, list(row))
    for number, row in enumerate(rows, start=len(head) + 1):
        _add_row(table, number, list(row))
    return table


def _add_row(table: Table, number: int, cells: list[Any]) -> None:
    if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
        return
    table.rows.append((number, cells))
    _check_rows(len(table.rows))


def _find_header(head: list[tuple[Any, ...]] | list[list[Any]]) -> Table | None:
    best: Table | None = None
    best_count = 0
    for index, row in enumerate(head):
        columns: dict[str, int] = {}
        headers: dict[str, str] = {}
        ignored, computed, duplicates = [], [], []
        for position, cell in enumerate(row):
            if cell is None or not str(cell).strip():
                continue
            written = str(cell).strip()
            column = column_for(written)
            if column is None and computed_for(written):
                computed.append(written)  # 答复期限, 承办人 …: the system computes them
            elif column is None:
                ignored.append(written)
            elif column in columns:
                duplicates.append((written, headers[column]))
            else:
                columns[column], headers[column] = position, written
        if len(columns) >= MIN_HEADER_MATCHES and len(columns) > best_count:
            best = Table(
                index + 1,
                columns,
                headers,
                ignored=ignored,
                computed=computed,
                duplicates=duplicates,
            )
            best_count = len(columns)
    return best


def _has_formulas(archive: zipfile.ZipFile, title: str, workbook: Any) -> bool:
    path = getattr(workbook[title], "_worksheet_path", "")
    if not path:
        return True
    try:
        xml = archive.read(path.lstrip("/"))
    except KeyError:
        return True
    return re.search(rb"<(?:\w+:)?f[ >/]", xml) is not None


def _check_formulas(data: bytes, title: str, table: Table) -> None:
    """Formulas computed by Excel carry their last value, which we read. A formula never
    computed (a file written by a program) has none: refuse rather than read blanks."""
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        sheet = workbook[title]
        values = dict(table.rows)
        labels = {index: BY_KEY[k].label for k, index in table.columns.items()}
        found = []
        for number, row in enumerate(sheet.iter_rows(), start=1):
            for position, cell in enumerate(row):
                if getattr(cell, "data_type", None) != "f":
                    continue
                cached = values.get(number, [])
                if position < len(cached) and cached[position] not in (None, ""):
                    continue
                where = labels.get(position, f"{get_column_letter(position + 1)}列")
                found.append(f"第{number}行「{where}」“{cell.value}”")
    finally:
        workbook.close()
    if found:
        more = f"等{len(found)}处" if len(found) > 3 else ""
        raise ImportFileError(
            f"表格中有未计算的公式：{'、'.join(found[:3])}{more}。"
            "请在Excel中打开并保存，或将公式复制后“选择性粘贴为数值”，再导入"
        )


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
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    head: list[list[Any]] = []
    try:
        for row in reader:
            head.append(row)
            if len(head) == HEADER_SEARCH_ROWS:
                break
        table = _find_header(head)
        if table is None:
            raise _no_header()
        for number, row in enumerate(head[table.header_row :], start=table.header_row + 1):
            _add_row(table, number, list(row))
        for number, row in enumerate(reader, start=len(head) + 1):
            _add_row(table, number, list(row))
    except csv.Error:
        raise ImportFileError("文件不是有效的.csv文件") from None
    return table
