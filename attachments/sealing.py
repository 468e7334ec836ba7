"""Attachments' content sealed at rest (issue 16): each file is stored as one SM4-GCM blob
(huiyin.crypto.encrypt_bytes) and opened again on download. A file is at most
HUIYIN_UPLOAD_MAX_BYTES (20 MB), so it is sealed and opened in memory, in one piece: GCM
authenticates the whole file, and a download never streams bytes that fail the check.

A file stored before sealing (no `HYS4` magic) opens as it is; `huiyin rotate-key` seals it
(`reseal`) along with the files of retired keys.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction

from attachments.models import Attachment
from huiyin.crypto import (
    Keyring,
    blob_key_id,
    data_keyring,
    decrypt_bytes,
    encrypt_bytes,
    is_encrypted_bytes,
)


def seal(plain: bytes, name: str) -> ContentFile[bytes]:
    """The content to hand to the storage: the plain file's SM4 blob."""
    return ContentFile(encrypt_bytes(plain), name=name)


def read_stored(storage: Storage, name: str) -> bytes:
    with storage.open(name, "rb") as stored:
        return stored.read()


def open_plain(attachment: Attachment) -> bytes:
    """The file as it was uploaded (DecryptionError if altered or of an unknown key;
    FileNotFoundError/OSError if gone)."""
    blob = read_stored(attachment.file.storage, attachment.file.name)
    return decrypt_bytes(blob) if is_encrypted_bytes(blob) else blob


def needs_reseal(blob: bytes, ring: Keyring) -> bool:
    return not is_encrypted_bytes(blob) or blob_key_id(blob) != ring.current_id


def reseal(attachment: Attachment, *, ring: Keyring | None = None) -> bool:
    """Store the file again under the current key (a new name; the old file goes once the
    row is committed). False if it already was; raises if the file is gone or unreadable."""
    ring = ring or data_keyring()
    storage, old = attachment.file.storage, attachment.file.name
    blob = read_stored(storage, old)
    if not needs_reseal(blob, ring):
        return False
    plain = decrypt_bytes(blob, ring=ring) if is_encrypted_bytes(blob) else blob
    new = storage.save(old, ContentFile(encrypt_bytes(plain, ring=ring)))
    try:
        Attachment.objects.filter(pk=attachment.pk, file=old).update(file=new)
    except BaseException:
        storage.delete(new)
        raise
    attachment.file.name = new
    transaction.on_commit(lambda: storage.delete(old))
    return True
