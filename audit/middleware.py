"""The security trail's catch-all (issue 16): every file a signed-in user takes away and every
refusal, recorded from the response, so that no view can forget it.

- a download (Content-Disposition: attachment, or a FileResponse) → one DOWNLOAD event for a
  stored attachment (the attachments' views), one EXPORT event for a generated file (.xlsx,
  .docx, .csv …), with the path, the file name, the status and the query's parameter names
  with masked values (audit.trail.masked_query: no phone number kept in clear);
- a 403 (web or API) → one REFUSED event (path, method, url_name, the masked query) for a
  signed-in user; for an anonymous client (a CSRF failure on /login/ …) at most one per
  address per minute (a cache key), so that no one can flood the chained trail; the refused
  action wrote nothing (it is refused before its write);
- nothing for anything else: reading a page stays free of writes.

A failure here is logged and never breaks the response.
"""

import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from django.core.cache import cache
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from audit.models import EventResult
from audit.trail import SecurityAction, masked_query, record_security_event, request_address

log = logging.getLogger(__name__)

PATH_LIMIT = 300
# An anonymous client's refusals: one event per address per this many seconds.
ANONYMOUS_REFUSAL_SECONDS = 60
# The url names whose files are stored attachments (a download, not an export).
ATTACHMENT_URL_NAMES = frozenset({"attachment-download"})
# Views that record their own event for the file they give (the audit trail's export).
SELF_RECORDED_URL_NAMES = frozenset({"audit:export"})
FILENAME_STAR = re.compile(r"filename\*=UTF-8''([^;]+)", re.IGNORECASE)
FILENAME = re.compile(r'filename="([^"]*)"', re.IGNORECASE)


def filename_of(disposition: str) -> str:
    found = FILENAME_STAR.search(disposition)
    if found:
        return unquote(found.group(1))[:200]
    found = FILENAME.search(disposition)
    return found.group(1)[:200] if found else ""


def url_name_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return ""
    return match.view_name or ""


def signed_in_user(request: HttpRequest) -> Any:
    """The web session's user, or the API token's (set by the API's authentication)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    auth = getattr(request, "auth", None)
    if auth is not None and getattr(auth, "is_authenticated", False):
        return auth
    return None


class SecurityTrailMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        try:
            self.record(request, response)
        except Exception:  # noqa: BLE001 (the trail must never break the response)
            log.exception("security trail: could not record %s %s", request.method, request.path)
        return response

    def record(self, request: HttpRequest, response: HttpResponse) -> None:
        status = response.status_code
        disposition = response.get("Content-Disposition", "")
        is_download = isinstance(response, FileResponse) or disposition.lower().startswith(
            "attachment"
        )
        if status == 403:
            user = signed_in_user(request)
            if user is None and not self.first_anonymous_refusal(request):
                return
            # In a savepoint (here and below): a failure to write leaves a surrounding
            # transaction usable; nothing is opened for the responses that record nothing.
            with transaction.atomic():
                record_security_event(
                    request,
                    action=SecurityAction.REFUSED,
                    actor=user,
                    result=EventResult.REFUSED,
                    subject=request.path[:PATH_LIMIT],
                    details={
                        "path": request.path[:PATH_LIMIT],
                        "method": request.method or "",
                        "url_name": url_name_of(request),
                        "query": masked_query(request.META.get("QUERY_STRING", "")),
                    },
                )
            return
        if not is_download or status >= 400:
            return
        user = signed_in_user(request)
        if user is None:
            return
        url_name = url_name_of(request)
        if url_name in SELF_RECORDED_URL_NAMES:
            return
        attachment = url_name.rsplit(":", 1)[-1] in ATTACHMENT_URL_NAMES
        with transaction.atomic():
            record_security_event(
                request,
                action=SecurityAction.DOWNLOAD if attachment else SecurityAction.EXPORT,
                actor=user,
                subject=request.path[:PATH_LIMIT],
                details={
                    "path": request.path[:PATH_LIMIT],
                    "file": filename_of(disposition),
                    "status": status,
                    "url_name": url_name,
                    "query": masked_query(request.META.get("QUERY_STRING", "")),
                },
            )

    @staticmethod
    def first_anonymous_refusal(request: HttpRequest) -> bool:
        """True for an anonymous client's first refusal in ANONYMOUS_REFUSAL_SECONDS from its
        address (cache.add: atomic where the cache is shared)."""
        key = f"audit:refused:{request_address(request) or '-'}"
        return bool(cache.add(key, 1, ANONYMOUS_REFUSAL_SECONDS))
