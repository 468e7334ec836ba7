"""Huiyin's own middleware: a busy database, pages kept out of caches, the password change
a user must make first (set by an administrator, or expired).

A busy database: on SQLite only one connection writes at a time. A long write (a large
ledger import) makes every other writer wait up to `busy_timeout` (5 s, settings); one
that still cannot get the lock fails with OperationalError "database is locked". That
failure happens when its transaction begins (IMMEDIATE transactions take the lock first),
so nothing of the request was written: the user is told "系统正忙，请稍后重试" (503), not
"系统出错". The session's renewal on a plain page view is such a write too; when it cannot
be made the page is shown anyway (the session keeps its previous expiry).

A read writes nothing: a session is saved when it changed (a login, a logout, a message
kept for the next page) or, to move its idle deadline, when more than
HUIYIN_SESSION_TOUCH_SECONDS passed since it was last saved, not on every request.
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse

from huiyin.health import PATH as HEALTH_PATH
from huiyin.sessions import touch_due

logger = logging.getLogger(__name__)

BUSY = "系统正忙，请稍后重试"
RETRY_AFTER_SECONDS = 10
API_PREFIX = "/api/"

# SQLite's messages for a lock it waited for in vain.
_LOCKED = ("database is locked", "database table is locked")


def is_database_busy(exc: BaseException | None) -> bool:
    """Whether `exc`, or an exception it was raised from, is SQLite's "database is locked"."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, OperationalError) and any(m in str(exc) for m in _LOCKED):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def busy_response(request: HttpRequest) -> HttpResponse:
    """503 with the message: JSON for the API, the self-contained page for the web."""
    response: HttpResponse
    if request.path.startswith(API_PREFIX):
        response = JsonResponse(
            {"detail": BUSY}, status=503, json_dumps_params={"ensure_ascii": False}
        )
    else:
        # Rendered without the request's context processors: 503.html needs none, and they
        # may read the database, which is what is busy.
        page = render_to_string("503.html", {"message": BUSY})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseBusyMiddleware:
    """A view that failed to get the database's write lock answers 503 "系统正忙"."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_busy(exception):
            return None
        logger.warning("database busy: %s %s answered 503", request.method, request.path)
        return busy_response(request)


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's session middleware (SESSION_SAVE_EVERY_REQUEST off), except that:

    - a session the request only read is saved when its idle deadline would move by more
      than HUIYIN_SESSION_TOUCH_SECONDS (a "touch", huiyin.sessions), so most page views
      write nothing;
    - when the database is busy, a touch is skipped and the page served (the session keeps
      its previous expiry); a session that changed (a login, a logout) cannot be dropped
      silently: 503.

    The cookie itself lasts until the browser closes (SESSION_EXPIRE_AT_BROWSER_CLOSE):
    the idle timeout is the stored expiry, which a touch moves."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is None or not session.accessed:
            return super().process_response(request, response)
        changed = session.modified
        renewal = not changed and not session.is_empty() and touch_due(session)
        if renewal:
            session.modified = True  # saved with a new expiry and touch time
        try:
            if not renewal:
                return super().process_response(request, response)
            with _short_lock_wait():  # a renewal is not worth making the page wait 5 s
                return super().process_response(request, response)
        except (SessionInterrupted, OperationalError) as exc:
            if not is_database_busy(exc):
                raise
            if changed:
                logger.warning("database busy: session of %s not saved, 503", request.path)
                return busy_response(request)
            logger.warning("database busy: session not renewed on %s", request.path)
            return response


RENEWAL_WAIT_MS = 200


@contextmanager
def _short_lock_wait() -> Iterator[None]:
    """SQLite: wait at most RENEWAL_WAIT_MS for the write lock meanwhile. A connection
    setting, set on the driver's connection as init_command sets it (not a query of the
    request's)."""
    raw = connection.connection if connection.vendor == "sqlite" else None
    if raw is None:
        yield
        return
    previous = int(raw.execute("PRAGMA busy_timeout").fetchone()[0])
    raw.execute(f"PRAGMA busy_timeout = {RENEWAL_WAIT_MS}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA busy_timeout = {previous}")


class NoStoreMiddleware:
    """Every page and download of the application (static files are served before this
    runs) is kept out of browser and proxy caches: case data must not stay on a shared
    computer's disk after logout. A response that set its own Cache-Control keeps it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response


# Where a user who must change the password may still go.
_OPEN_PATHS = ("/logout/", "/static/", API_PREFIX, HEALTH_PATH)


class PasswordChangeRequiredMiddleware:
    """A user whose password an administrator set (a new account, a reset) or whose password
    is older than HUIYIN_PASSWORD_MAX_AGE_DAYS sees only the change-password page until they
    chose a new one. The login marks such a session
    (orgs.accounts.note_login), so other requests cost no query. The open paths are let
    through before the session is looked at: /healthz with a session cookie does not load
    the session (a query)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from orgs.accounts import MUST_CHANGE_SESSION_KEY

        if request.path.startswith(_OPEN_PATHS):
            return self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.get(MUST_CHANGE_SESSION_KEY):
            change_url = reverse("account-password")
            if request.path != change_url:
                return redirect(change_url)
        return self.get_response(request)


class PageGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (with its BREACH padding) for pages and JSON only. Downloads
    (.xlsx, .docx, attachments) are compressed formats already, and streamed through gzip
    they would lose their Content-Length and the browser its progress bar."""

    COMPRESSED_TYPES = frozenset({"text/html", "application/json", "text/plain", "text/csv"})

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type not in self.COMPRESSED_TYPES:
            return response
        return super().process_response(request, response)
