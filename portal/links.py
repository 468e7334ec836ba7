"""The proposer's link: a random token, of which only its SHA-256 is stored.

A token is `secrets.token_urlsafe(32)`: 43 characters of [A-Za-z0-9_-]. Anything else is
refused before it is hashed or looked up; a token whose hash is unknown is no link (404).
"""

from __future__ import annotations

import hashlib
import re
import secrets

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from portal.models import ProposerLink

TOKEN_BYTES = 32
TOKEN_LENGTH = 43
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def well_formed(token: str) -> bool:
    return bool(TOKEN_PATTERN.match(token or ""))


def link_for_token(token: str) -> ProposerLink | None:
    """The link this token opens (live or not), or None."""
    if not well_formed(token):
        return None
    return (
        ProposerLink.objects.select_related("case", "proposer")
        .filter(token_hash=hash_token(token))
        .first()
    )


def link_path(token: str) -> str:
    return reverse("portal_public:page", args=[token])


def link_url(token: str, request: HttpRequest | None = None) -> str:
    """The URL handed to the proposer: on settings.HUIYIN_PUBLIC_URL when set (the address
    the public reaches the site by), else on the request's own host, else site-relative."""
    path = link_path(token)
    base = getattr(settings, "HUIYIN_PUBLIC_URL", "") or ""
    if base:
        return base.rstrip("/") + path
    if request is not None:
        return request.build_absolute_uri(path)
    return path
