"""The headers of a file download, shared by the attachment and ledger downloads."""

import re
from typing import TypeVar
from urllib.parse import quote

from django.http import HttpResponseBase

SAFE_ASCII = re.compile(r"^[A-Za-z0-9._ ()\-]+$")
Response = TypeVar("Response", bound=HttpResponseBase)


def attachment_disposition(filename: str, fallback: str) -> str:
    """RFC 6266: a plain ASCII name for old clients, the real (Chinese) one as filename*."""
    ascii_name = filename if SAFE_ASCII.match(filename) else fallback
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def as_download(response: Response, filename: str, fallback: str) -> Response:
    response["Content-Disposition"] = attachment_disposition(filename, fallback)
    # Never rendered in the browser, never guessed into HTML, never kept by a shared cache.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
