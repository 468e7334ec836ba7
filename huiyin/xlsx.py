"""Cells of the workbooks the project writes (exports, ledgers, statistics): text a person
typed is written as text, never as a formula a spreadsheet would run (a title such as
=HYPERLINK(…) or a DDE call), and reads back as typed (an apostrophe prefix)."""

from typing import Any

from openpyxl.cell.cell import Cell, MergedCell

# Text a spreadsheet would take for a formula (or a DDE call) when typed in.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def put(cell: Cell | MergedCell, value: Any) -> None:
    """Write `value` into `cell`; text that starts like a formula stays text."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True
