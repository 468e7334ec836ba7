"""Ledger files built in the tests themselves."""

import csv
import io
from typing import Any

from openpyxl import Workbook

from transfer.columns import COLUMNS

CANONICAL = [c.label for c in COLUMNS]


def xlsx(rows: list[list[Any]], *, above: list[list[Any]] | None = None) -> bytes:
    """A workbook whose first sheet holds `above` (title rows), then `rows` (header first)."""
    workbook = Workbook()
    sheet = workbook.active
    for row in (above or []) + rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def table(header: list[str], *records: dict[str, Any]) -> list[list[Any]]:
    """A header and rows given as {header: value}."""
    return [header] + [[r.get(h) for h in header] for r in records]


def csv_bytes(rows: list[list[Any]], encoding: str) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


BASIC = ["类别", "级别", "年度", "编号", "标题", "领衔人"]


def basic_row(number: str = "1", **extra: Any) -> dict[str, Any]:
    row = {
        "类别": "人大代表建议",
        "级别": "市级",
        "年度": 2026,
        "编号": number,
        "标题": f"关于第{number}项工作的建议",
        "领衔人": "陈代表",
    }
    row.update(extra)
    return row


def basic_file(*rows: dict[str, Any], header: list[str] | None = None) -> bytes:
    header = header or BASIC + [k for r in rows for k in r if k not in BASIC]
    header = list(dict.fromkeys(header))
    return xlsx(table(header, *rows))
