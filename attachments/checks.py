"""What an uploaded file really is, read from its bytes: the name alone proves nothing.

A file is accepted only when its extension is one we take and its content is of that
same kind; a renamed .exe or .html fails here whatever it is called.
"""

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

from workflow.errors import CaseError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Stream names in an OLE directory are UTF-16; a Word 97–2003 file has a WordDocument
# stream, an encrypted .docx/.xlsx an EncryptionInfo one.
WORD_STREAM = "WordDocument".encode("utf-16-le")
ENCRYPTED_STREAM = "EncryptionInfo".encode("utf-16-le")
SCAN_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    key: str
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileKind("pdf", "PDF文档", "application/pdf", (".pdf",))
DOCX = FileKind(
    "docx",
    "Word文档（.docx）",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)
DOC = FileKind("doc", "Word文档（.doc）", "application/msword", (".doc",))
XLSX = FileKind(
    "xlsx",
    "Excel表格（.xlsx）",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    (".xlsx",),
)
JPEG = FileKind("jpg", "JPG图片", "image/jpeg", (".jpg", ".jpeg"))
PNG = FileKind("png", "PNG图片", "image/png", (".png",))
KINDS = (PDF, DOCX, DOC, XLSX, JPEG, PNG)
BY_EXTENSION = {ext: kind for kind in KINDS for ext in kind.extensions}
ALLOWED_TEXT = "PDF、Word（.docx、.doc）、Excel（.xlsx）、JPG、PNG"


def extension_of(filename: str) -> str:
    return PurePosixPath(filename.lower()).suffix


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    stream.seek(0)
    while chunk := stream.read(SCAN_CHUNK):
        yield chunk


def _contains(stream: IO[bytes], needle: bytes) -> bool:
    """Whether the stream holds the bytes, also across a chunk boundary."""
    tail = b""
    for chunk in _chunks(stream):
        window = tail + chunk
        if needle in window:
            return True
        tail = window[-(len(needle) - 1) :]
    return False


def _zip_kind(stream: IO[bytes]) -> FileKind | None:
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("word/") for n in names):
        return DOCX
    if any(n.startswith("xl/") for n in names):
        return XLSX
    return None


def sniff(stream: IO[bytes]) -> FileKind | None:
    """The kind the content shows, or None when it is none of ours."""
    stream.seek(0)
    head = stream.read(16)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(OLE_MAGIC):
        return DOC if _contains(stream, WORD_STREAM) else None
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(stream)
    return None


def human_size(size: int) -> str:
    """2 KB, 1.5 MB, 20 MB: as a limit is said."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0") + " MB"


def check_upload(filename: str, size: int, stream: IO[bytes], *, max_bytes: int) -> FileKind:
    """The file's kind if we accept it; CaseError with the reason in Chinese otherwise."""
    if not filename:
        raise CaseError("请选择要上传的文件", field="file")
    if size == 0:
        raise CaseError("文件是空的", field="file")
    if size > max_bytes:
        raise CaseError(
            f"文件过大（{human_size(size)}），附件最大{human_size(max_bytes)}", field="file"
        )
    extension = extension_of(filename)
    expected = BY_EXTENSION.get(extension)
    if expected is None:
        shown = f"“{extension}”" if extension else "（无扩展名）"
        raise CaseError(f"不支持的文件类型{shown}，仅支持{ALLOWED_TEXT}", field="file")
    found = sniff(stream)
    stream.seek(0)
    if found == expected:
        return found
    head = stream.read(8)
    stream.seek(0)
    if expected in (DOCX, XLSX) and head.startswith(OLE_MAGIC):
        if _contains(stream, ENCRYPTED_STREAM):
            raise CaseError("文件设置了打开密码（已加密），请取消密码后再上传", field="file")
    if found is None:
        raise CaseError(
            f"文件内容不是{expected.label}（扩展名为{extension}），"
            "可能是改了扩展名的其他文件或已损坏",
            field="file",
        )
    raise CaseError(
        f"文件内容与扩展名不符：扩展名为{extension}，内容却是{found.label}；"
        f"请改用正确的扩展名（{found.extensions[0]}）后再上传",
        field="file",
    )


def clean_filename(raw: str) -> str:
    """The original name as the user knows it: no folder part, no control characters,
    at most 200 characters with the extension kept."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().strip(".") or "附件"
    if len(name) > 200:
        extension = extension_of(name)[:20]
        name = name[: 200 - len(extension)] + extension
    return name
