"""The import and export services that the CLI (and later the upload page and the API) call."""

from transfer.errors import ImportFileError
from transfer.exporting import export_workbook, template_workbook
from transfer.planning import (
    ImportPlan,
    ImportSummary,
    RowError,
    RowPlan,
    apply_import,
    plan_import,
)

__all__ = [
    "ImportFileError",
    "ImportPlan",
    "ImportSummary",
    "RowError",
    "RowPlan",
    "apply_import",
    "export_workbook",
    "plan_import",
    "template_workbook",
]
