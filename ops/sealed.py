"""A stream sealed with SM4-GCM in chunks (a backup file), so that neither the whole file
nor its plain text has to be in memory.

Layout: MAGIC, a random 16-byte stream id, the data key's id (one length byte, then the
id); then chunks, each a 4-byte big-endian length of the sealed body, a 12-byte nonce and
the body (ciphertext and tag) of up to CHUNK plain bytes. The associated data of chunk n is
the header, n (8 bytes) and a last-chunk flag: a chunk moved, dropped, taken from another
backup or cut off at the end does not open, and a stream that ends before its last chunk,
or goes on after it, is refused.
"""

import secrets
import struct
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from huiyin.crypto import DecryptionError, Keyring, data_keyring

MAGIC = b"HUIYIN-BACKUP-1\n"
STREAM_ID_BYTES = 16
NONCE_BYTES = 12
TAG_BYTES = 16
CHUNK = 1024 * 1024
_LENGTH = struct.Struct(">I")
_POSITION = struct.Struct(">QB")


class SealedWriter:
    """A write-only file object: `write` the plain bytes, `close` seals the last chunk."""

    def __init__(self, out: BinaryIO, *, ring: Keyring | None = None) -> None:
        ring = ring or data_keyring()
        self._out = out
        self._key = ring.current
        kid = ring.current_id.encode("ascii")
        self._header = MAGIC + secrets.token_bytes(STREAM_ID_BYTES) + bytes([len(kid)]) + kid
        out.write(self._header)
        self._buffer = bytearray()
        self._index = 0
        self.closed = False

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:  # keep one back: the last chunk is sealed at close
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _seal(self, plain: bytes, *, last: bool) -> None:
        nonce = secrets.token_bytes(NONCE_BYTES)
        encryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(self._header + _POSITION.pack(self._index, last))
        body = encryptor.update(plain) + encryptor.finalize() + encryptor.tag
        self._out.write(_LENGTH.pack(len(body)) + nonce + body)
        self._index += 1

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
            self.closed = True

    def __enter__(self) -> "SealedWriter":
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.close()


class SealedReader:
    """A read-only file object of the plain bytes; DecryptionError on any tampering.
    `finish()` reads what is left and checks that the stream ended with its last chunk."""

    def __init__(self, source: BinaryIO, *, ring: Keyring | None = None) -> None:
        ring = ring or data_keyring()
        self._in = source
        head = source.read(len(MAGIC) + STREAM_ID_BYTES + 1)
        if len(head) < len(MAGIC) + STREAM_ID_BYTES + 1 or not head.startswith(MAGIC):
            raise DecryptionError("不是回音的备份文件")
        kid = source.read(head[-1])
        self.key_id = kid.decode("ascii", "replace")
        key = ring.keys.get(self.key_id)
        if key is None:
            raise DecryptionError(f"没有备份所用的数据密钥 {self.key_id}（密钥轮换后须保留旧密钥）")
        self._key = key
        self._header = head + kid
        self._index = 0
        self._ended = False
        self._plain = b""
        self._pos = 0

    def _next_chunk(self) -> bytes:
        prefix = self._in.read(_LENGTH.size + NONCE_BYTES)
        if not prefix:
            raise DecryptionError("备份文件不完整：缺少末尾的数据块")
        if len(prefix) < _LENGTH.size + NONCE_BYTES:
            raise DecryptionError("备份文件被截断")
        (size,) = _LENGTH.unpack(prefix[: _LENGTH.size])
        if size < TAG_BYTES or size > CHUNK + TAG_BYTES:
            raise DecryptionError("备份文件已损坏（数据块长度不对）")
        body = self._in.read(size)
        if len(body) < size:
            raise DecryptionError("备份文件被截断")
        nonce = prefix[_LENGTH.size :]
        for last in (False, True):
            decryptor = Cipher(
                algorithms.SM4(self._key), modes.GCM(nonce, body[-TAG_BYTES:])
            ).decryptor()
            decryptor.authenticate_additional_data(self._header + _POSITION.pack(self._index, last))
            try:
                plain = decryptor.update(body[:-TAG_BYTES]) + decryptor.finalize()
            except InvalidTag:
                continue
            self._index += 1
            self._ended = last
            return plain
        raise DecryptionError(f"备份文件第 {self._index + 1} 个数据块被改动、错位或密钥不对")

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            parts = [self._plain[self._pos :]]
            while not self._ended:
                parts.append(self._next_chunk())
            self._plain, self._pos = b"", 0
            return b"".join(parts)
        while self._pos >= len(self._plain) and not self._ended:
            self._plain, self._pos = self._next_chunk(), 0
        out = self._plain[self._pos : self._pos + size]
        self._pos += len(out)
        return out

    def finish(self) -> None:
        self.read()
        if self._in.read(1):
            raise DecryptionError("备份文件末尾有多余的数据")
