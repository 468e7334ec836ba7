"""Reads of the transfer app."""

from huiyin.types import User
from transfer.actions import clean_columns
from transfer.columns import EXPORT_BY_KEY, EXPORT_COLUMNS
from transfer.models import ExportPreference


def default_columns(user: User) -> list[str]:
    """The user's saved export columns (still known ones, in order), or every column."""
    preference = ExportPreference.objects.filter(user=user).first()
    saved = [k for k in (preference.columns if preference else []) if k in EXPORT_BY_KEY]
    return clean_columns(saved) if saved else [c.key for c in EXPORT_COLUMNS]
