"""Writes of the transfer app: a user's default export columns."""

from collections.abc import Iterable

from django.db import transaction

from audit.record import record_event
from huiyin.errors import DomainError
from huiyin.types import User
from transfer.columns import EXPORT_BY_KEY, EXPORT_COLUMNS
from transfer.models import ExportPreference

# The audit event's action (not a workflow action: no case).
EXPORT_COLUMNS_SAVED = "export_columns_saved"


def clean_columns(keys: Iterable[str]) -> list[str]:
    """The export's column keys in the export's own order, each once; unknown keys or none
    at all are refused."""
    wanted = [k for k in keys if k]
    unknown = [k for k in wanted if k not in EXPORT_BY_KEY]
    if unknown:
        raise DomainError(
            "无法识别的导出列：" + "、".join(k[:40] for k in unknown[:5]), field="columns"
        )
    if not wanted:
        raise DomainError("请至少选择一列", field="columns")
    chosen = set(wanted)
    return [c.key for c in EXPORT_COLUMNS if c.key in chosen]


@transaction.atomic
def save_export_columns(user: User, keys: Iterable[str]) -> ExportPreference:
    """Save the user's default export columns; one audit event with the old and new list."""
    columns = clean_columns(keys)
    preference = ExportPreference.objects.select_for_update().filter(
        user=user
    ).first() or ExportPreference(user=user)
    before = list(preference.columns) if preference.pk else []
    if preference.pk and before == columns:
        return preference  # nothing changed: nothing to record
    preference.columns = columns
    preference.save()
    record_event(
        actor=user,
        action=EXPORT_COLUMNS_SAVED,
        subject=f"导出列：{user.get_username()}",
        details={"before": before, "after": columns},
    )
    return preference
