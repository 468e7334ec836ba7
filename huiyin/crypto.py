"""SM3 (GB/T 32905) and SM4 (GB/T 32907) through OpenSSL, and the keys they use.

Two keys, never derived from HUIYIN_SECRET_KEY:

- the audit key (HMAC-SM3 chain of audit events): HUIYIN_AUDIT_KEY (hex), else the file
  `audit.key` in HUIYIN_KEY_DIR (default var/);
- the data keyring (SM4 of personal data, attachments and backups, and the blind index of
  phone numbers): HUIYIN_DATA_KEY (`id:hex[,id:hex…]`, the last one current, or a bare hex
  key), else the file `data.key` in HUIYIN_KEY_DIR (lines `index <hex>` and `<id> <hex>`,
  the last key line current). The blind-index key never rotates (a rotation would have to
  rewrite every index); it comes from HUIYIN_DATA_INDEX_KEY, the file's `index` line, or
  for a single environment key an HMAC-SM3 of it. With several environment keys
  HUIYIN_DATA_INDEX_KEY is required: the index must not hang on a key a rotation may drop.

A missing key is made (a new file, mode 0600) only where losing it loses nothing real: the
demo (HUIYIN_DEMO), a development setting (HUIYIN_DEBUG) or `huiyin keys init`. A real
installation without its keys refuses to start instead of writing data it cannot read back.

Ciphertext (SM4-GCM, the key id authenticated with it): for bytes
`b"HYS4" ‖ id length ‖ id ‖ nonce ‖ ciphertext ‖ tag`, for text `sm4:` + that in base64url.
"""

import base64
import binascii
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

AUDIT_KEY_FILE = "audit.key"
DATA_KEY_FILE = "data.key"
TEXT_PREFIX = "sm4:"
BLOB_MAGIC = b"HYS4"
NONCE_BYTES = 12
TAG_BYTES = 16
SM4_KEY_BYTES = 16
AUDIT_KEY_BYTES = 32


class DecryptionError(ValueError):
    """A ciphertext that this keyring cannot open: altered, truncated or of an unknown key."""


def sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def sm3_hmac(key: bytes, data: bytes) -> bytes:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


@dataclass(frozen=True)
class Keyring:
    keys: dict[str, bytes]  # id → 16-byte SM4 key, in the order given
    current_id: str
    index_key: bytes

    @property
    def current(self) -> bytes:
        return self.keys[self.current_id]


def key_dir() -> Path:
    return Path(getattr(settings, "HUIYIN_KEY_DIR", settings.VAR_DIR))


def may_create_keys() -> bool:
    return bool(settings.HUIYIN_DEMO or settings.DEBUG)


def _hex(value: str, what: str, size: int | None = None) -> bytes:
    try:
        key = binascii.unhexlify(value.strip())
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{what} is not a hexadecimal key") from exc
    if size is not None and len(key) != size:
        raise ImproperlyConfigured(f"{what} must be {size} bytes ({size * 2} hex digits)")
    if size is None and len(key) < 16:
        raise ImproperlyConfigured(f"{what} must be at least 16 bytes (32 hex digits)")
    return key


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)


def new_data_key_line() -> str:
    return f"k{secrets.token_hex(4)} {secrets.token_hex(SM4_KEY_BYTES)}\n"


def init_key_files() -> list[Path]:
    """Create the key files that are missing (and not given by the environment); the ones made."""
    made = []
    folder = key_dir()
    if not os.environ.get("HUIYIN_AUDIT_KEY") and not (folder / AUDIT_KEY_FILE).exists():
        _write_private(folder / AUDIT_KEY_FILE, secrets.token_hex(AUDIT_KEY_BYTES) + "\n")
        made.append(folder / AUDIT_KEY_FILE)
    if not os.environ.get("HUIYIN_DATA_KEY") and not (folder / DATA_KEY_FILE).exists():
        text = f"index {secrets.token_hex(32)}\n" + new_data_key_line()
        _write_private(folder / DATA_KEY_FILE, text)
        made.append(folder / DATA_KEY_FILE)
    return made


def _read_or_create(name: str) -> str:
    path = key_dir() / name
    if not path.exists():
        if not may_create_keys():
            raise ImproperlyConfigured(
                f"没有找到密钥文件 {path}：请运行 huiyin keys init 生成密钥并妥善备份，"
                "或设置 HUIYIN_AUDIT_KEY / HUIYIN_DATA_KEY"
            )
        init_key_files()
    return path.read_text()


def parse_keyring(text: str, *, index_key: bytes | None = None) -> Keyring:
    """The keyring of a key file's text (see the module's docstring)."""
    keys: dict[str, bytes] = {}
    index = index_key
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2:
            raise ImproperlyConfigured(f"data key file, line {number}: expected '<id> <hex>'")
        name, value = parts
        if name == "index":
            index = _hex(value, "the blind-index key")
        else:
            keys[name] = _hex(value, f"data key {name}", SM4_KEY_BYTES)
    if not keys or index is None:
        raise ImproperlyConfigured("the data key file needs an 'index' line and at least one key")
    return Keyring(keys=keys, current_id=list(keys)[-1], index_key=index)


def _environment_keyring(value: str) -> Keyring:
    keys: dict[str, bytes] = {}
    for number, item in enumerate(value.split(","), 1):
        item = item.strip()
        if not item:
            continue
        name, _, hexkey = item.rpartition(":")
        keys[name or f"env{number}"] = _hex(hexkey, "HUIYIN_DATA_KEY", SM4_KEY_BYTES)
    if not keys:
        raise ImproperlyConfigured("HUIYIN_DATA_KEY is empty")
    given = os.environ.get("HUIYIN_DATA_INDEX_KEY", "")
    if not given and len(keys) > 1:
        # Derived from the first key, the index would be lost with it when a rotation drops
        # it: once there are several keys the index key is given on its own.
        raise ImproperlyConfigured(
            "HUIYIN_DATA_KEY 有多个密钥时须同时设置 HUIYIN_DATA_INDEX_KEY（盲索引密钥，不轮换；"
            "huiyin rotate-key 会打印它的值）"
        )
    first = next(iter(keys.values()))
    index = (
        _hex(given, "HUIYIN_DATA_INDEX_KEY") if given else sm3_hmac(first, b"huiyin blind index")
    )
    return Keyring(keys=keys, current_id=list(keys)[-1], index_key=index)


_lock = threading.Lock()
_cache: dict[str, object] = {}


def audit_key() -> bytes:
    with _lock:
        key = _cache.get("audit")
        if key is None:
            given = os.environ.get("HUIYIN_AUDIT_KEY", "")
            if given:
                key = _hex(given, "HUIYIN_AUDIT_KEY")
            else:
                key = _hex(_read_or_create(AUDIT_KEY_FILE).strip(), AUDIT_KEY_FILE)
            _cache["audit"] = key
    assert isinstance(key, bytes)
    return key


def data_keyring() -> Keyring:
    with _lock:
        ring = _cache.get("data")
        if ring is None:
            given = os.environ.get("HUIYIN_DATA_KEY", "")
            ring = (
                _environment_keyring(given)
                if given
                else parse_keyring(_read_or_create(DATA_KEY_FILE))
            )
            _cache["data"] = ring
    assert isinstance(ring, Keyring)
    return ring


def forget_keys() -> None:
    """Read the keys again on next use (after `huiyin rotate-key`, or in tests)."""
    with _lock:
        _cache.clear()


def encrypt_bytes(plain: bytes, *, ring: Keyring | None = None) -> bytes:
    ring = ring or data_keyring()
    nonce = secrets.token_bytes(NONCE_BYTES)
    kid = ring.current_id.encode()
    encryptor = Cipher(algorithms.SM4(ring.current), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(kid)
    body = encryptor.update(plain) + encryptor.finalize()
    return BLOB_MAGIC + bytes([len(kid)]) + kid + nonce + body + encryptor.tag


def is_encrypted_bytes(blob: bytes) -> bool:
    return blob[: len(BLOB_MAGIC)] == BLOB_MAGIC


def blob_key_id(blob: bytes) -> str:
    if not is_encrypted_bytes(blob) or len(blob) < len(BLOB_MAGIC) + 1:
        raise DecryptionError("not an SM4 blob")
    size = blob[len(BLOB_MAGIC)]
    return blob[len(BLOB_MAGIC) + 1 : len(BLOB_MAGIC) + 1 + size].decode("ascii", "replace")


def decrypt_bytes(blob: bytes, *, ring: Keyring | None = None) -> bytes:
    ring = ring or data_keyring()
    kid = blob_key_id(blob)
    start = len(BLOB_MAGIC) + 1 + len(kid.encode())
    nonce, body = blob[start : start + NONCE_BYTES], blob[start + NONCE_BYTES :]
    key = ring.keys.get(kid)
    if key is None:
        raise DecryptionError(f"unknown data key {kid!r}")
    if len(nonce) != NONCE_BYTES or len(body) < TAG_BYTES:
        raise DecryptionError("truncated ciphertext")
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, body[-TAG_BYTES:])).decryptor()
    decryptor.authenticate_additional_data(kid.encode())
    try:
        return decryptor.update(body[:-TAG_BYTES]) + decryptor.finalize()
    except InvalidTag as exc:
        raise DecryptionError("ciphertext altered or wrong key") from exc


def encrypt_text(plain: str, *, ring: Keyring | None = None) -> str:
    blob = encrypt_bytes(plain.encode(), ring=ring)
    return TEXT_PREFIX + base64.urlsafe_b64encode(blob).decode("ascii")


def is_encrypted_text(value: str) -> bool:
    return value.startswith(TEXT_PREFIX)


def decrypt_text(value: str, *, ring: Keyring | None = None) -> str:
    if not is_encrypted_text(value):
        raise DecryptionError("not an SM4 text")
    try:
        blob = base64.urlsafe_b64decode(value[len(TEXT_PREFIX) :].encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise DecryptionError("not base64") from exc
    return decrypt_bytes(blob, ring=ring).decode()


def text_key_id(value: str) -> str:
    blob = base64.urlsafe_b64decode(value[len(TEXT_PREFIX) :].encode("ascii"))
    return blob_key_id(blob)


def blind_index(value: str, *, ring: Keyring | None = None) -> str:
    """The keyed SM3 index of a value for exact-match search (hex); "" for an empty value.
    Callers normalise first (a phone number: its digits)."""
    if not value:
        return ""
    ring = ring or data_keyring()
    return sm3_hmac(ring.index_key, value.encode()).hex()
