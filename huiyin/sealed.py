"""Personal data sealed at rest (issue 16): model fields whose column holds SM4 ciphertext
(huiyin.crypto.encrypt_text) and whose Python value is the plain text, and the keyed blind
index (HMAC-SM3) that keeps exact-match search on a phone number working.

- `SealedCharField(plain_max_length=…)` stores `sm4:…` for a non-empty value, "" for an empty
  one (no ciphertext for nothing), and reads the plain text back, for instances and for
  `.values()` / `.values_list()` alike (from_db_value). A value written before the field was
  sealed reads as it is, until the data migration or `huiyin rotate-key` seals it; so does any
  stored value that does not open with the keyring (never a 500). On the way in a value is
  taken as already sealed only if it opens with the keyring (our ciphertext): anything else,
  "sm4:…" typed by a person included, is encrypted. The column is wide enough for the ciphertext of `plain_max_length` characters
  (sealed_length); forms and validation use the plain length.
- Lookups on ciphertext cannot match (each encryption is different): only `isnull` and
  `exact` with "" are allowed; any other raises SealedLookupError at once rather than
  silently finding nothing. Search through the blind index instead.
- `BlindIndexField(source="phone")` is the index column: on every save and bulk_create its
  value is computed from the source (pre_save), so it cannot drift from the phone. Filter
  with `phone_index=phone_index(typed)`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

from django.core import validators
from django.core.exceptions import FieldError
from django.db import models
from django.db.models import lookups

from huiyin.crypto import (
    DecryptionError,
    blind_index,
    decrypt_text,
    encrypt_text,
    is_encrypted_text,
    text_key_id,
)

# Room kept in a column for the key id inside the ciphertext (`k` + 8 hex digits by
# `huiyin keys init` and `rotate-key`; an operator's id from HUIYIN_DATA_KEY may be longer).
KEY_ID_ROOM = 32
# Magic, id length byte, nonce, tag (huiyin.crypto's blob layout).
BLOB_OVERHEAD = 4 + 1 + 12 + 16
INDEX_LENGTH = 64  # HMAC-SM3 in hex


def sealed_length(plain_max_length: int) -> int:
    """The column width that holds the ciphertext of `plain_max_length` characters (3 bytes
    each in UTF-8 at most): "sm4:" + base64 of the blob."""
    blob = plain_max_length * 3 + BLOB_OVERHEAD + KEY_ID_ROOM
    return 4 + 4 * math.ceil(blob / 3)


def normalise_phone(phone: str) -> str:
    """The digits (and a leading +) of a phone number as typed: "138 1234-1234",
    "１３８１２３４１２３４" and "13812341234" are one number."""
    phone = unicodedata.normalize("NFKC", phone or "").strip()
    return re.sub(r"[^\d+]", "", phone)


def phone_index(raw: str) -> str:
    """The blind index of a phone number as typed ("" for none): the one way to find it."""
    return blind_index(normalise_phone(raw))


class SealedLookupError(FieldError):
    """A filter on a sealed column, which holds ciphertext and cannot match a plain value."""


class SealedMixin:
    """SM4 at rest for a text field; see the module's docstring."""

    name: str

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if isinstance(value, str):
            return reveal(value)
        return value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)  # type: ignore[misc]
        if not value or not isinstance(value, str) or opened(value) is not None:
            return value
        return encrypt_text(value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return SealedExact
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)  # type: ignore[misc]
        raise SealedLookupError(
            f"字段 {self.name} 加密存储，不能按 {lookup_name} 查询（请用盲索引，如 phone_index）"
        )

    def get_transform(self, lookup_name: str) -> Any:
        raise SealedLookupError(f"字段 {self.name} 加密存储，不能按 {lookup_name} 查询")


class SealedExact(lookups.Exact):
    """`exact` only with "" (the column's empty value, which is never encrypted)."""

    def get_prep_lookup(self) -> Any:
        if self.rhs != "":
            raise SealedLookupError(
                f"字段 {self.lhs.target.name} 加密存储，只能与空值比较（请用盲索引查找）"
            )
        return super().get_prep_lookup()


class SealedCharField(SealedMixin, models.CharField):
    """A CharField of at most `plain_max_length` characters, SM4-encrypted in its column."""

    description = "Text encrypted with SM4 (plain text up to %(plain_max_length)s)"

    def __init__(self, *args: Any, plain_max_length: int, **kwargs: Any) -> None:
        self.plain_max_length = plain_max_length
        kwargs["max_length"] = sealed_length(plain_max_length)
        super().__init__(*args, **kwargs)
        # Validation counts the characters a person typed, not the ciphertext's.
        self.validators[:] = [
            validators.MaxLengthValidator(plain_max_length)
            if isinstance(v, validators.MaxLengthValidator)
            else v
            for v in self.validators
        ]

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        kwargs["plain_max_length"] = self.plain_max_length
        return name, path, args, kwargs

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        return super().formfield(**{"max_length": self.plain_max_length, **kwargs})


class BlindIndexField(models.CharField):
    """The blind index of another field (a phone), filled from it on every save and
    bulk_create; never set by hand."""

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", INDEX_LENGTH)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, value in (("max_length", INDEX_LENGTH), ("blank", True), ("editable", False)):
            if kwargs.get(key) == value:
                kwargs.pop(key)
        if kwargs.get("default") == "":
            kwargs.pop("default")
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = phone_index(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value


def opened(value: str) -> str | None:
    """The plain text of our ciphertext (`sm4:…` that opens with the keyring), else None:
    a plain value, or text that only looks sealed (typed by a person, altered, or of a key
    no longer in the keyring)."""
    if not value or not is_encrypted_text(value):
        return None
    try:
        return decrypt_text(value)
    except (DecryptionError, UnicodeDecodeError):
        return None


def reveal(value: str) -> str:
    """The plain text of a stored value: our ciphertext opened, anything else (written before
    sealing, or not opening with the keyring) as it is stored. Never raises."""
    plain = opened(value)
    return value if plain is None else plain


def stored_key_id(value: str | None) -> str | None:
    """The key id of a stored value that is our ciphertext (opens with the keyring), else
    None (a plain value, to be sealed): `huiyin rotate-key` asks this, never raises."""
    if not value or opened(value) is None:
        return None
    return text_key_id(value)


__all__ = [
    "BlindIndexField",
    "DecryptionError",
    "SealedCharField",
    "SealedLookupError",
    "normalise_phone",
    "opened",
    "phone_index",
    "reveal",
    "sealed_length",
    "stored_key_id",
]
