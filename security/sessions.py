"""The sessions a user holds: an absolute lifetime, a limit per user, all of them ended.

- At login (user_logged_in, security.receivers) the session gets its login time and a row
  in the registry (UserSession); sessions beyond HUIYIN_MAX_SESSIONS, oldest first, are
  deleted and SESSION_ENDED recorded. Logout removes the row.
- A request after HUIYIN_SESSION_ABSOLUTE_SECONDS from the login is logged out
  (security.middleware), whatever the idle timeout says. It reads the time from the
  session, which the request loads anyway: no query and no write on ordinary requests.
- end_user_sessions() ends every session of a user (a role changed, an account disabled,
  the second factor reset).

A session whose key changes (update_session_auth_hash after a password change cycles it)
keeps its registry row: the session remembers the key the row names, and the middleware
moves the row on the first request that sees a different key (a rare write).
"""

import time

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.trail import SecurityAction, record_security_event, request_address
from huiyin.types import User
from security.models import UserSession

# The login's time (seconds since the epoch) and the registry's key, kept in the session.
LOGIN_AT_KEY = "_huiyin_login_at"
REGISTERED_KEY = "_huiyin_registered_key"

REASON_LIMIT = "session_limit"
REASON_LIFETIME = "absolute_lifetime"
REASON_UPGRADE = "upgrade"  # a session from before the login time was kept (middleware)


def end_user_sessions(user: User, *, reason: str, request: HttpRequest | None = None) -> int:
    """End every session of `user` (they must log in again); the number ended. One
    SESSION_ENDED event with the reason when there was any."""
    with transaction.atomic():
        keys = list(
            UserSession.objects.select_for_update()
            .filter(user=user)
            .values_list("session_key", flat=True)
        )
        if not keys:
            return 0
        Session.objects.filter(session_key__in=keys).delete()
        UserSession.objects.filter(session_key__in=keys).delete()
        record_security_event(
            request,
            action=SecurityAction.SESSION_ENDED,
            subject=f"用户 {user.username}",
            details={
                "user": user.pk,
                "username": user.username,
                "reason": reason,
                "sessions": len(keys),
            },
        )
    return len(keys)


def register_login(request: HttpRequest, user: User) -> None:
    """At login: note its time in the session, add the session to the registry and end the
    oldest sessions beyond HUIYIN_MAX_SESSIONS. Called in the login's request."""
    session = request.session
    session[LOGIN_AT_KEY] = int(time.time())
    if session.session_key is None:
        session.save()  # a key to register (login() cycled it; a bare session has none)
    key = session.session_key
    assert key is not None
    session[REGISTERED_KEY] = key
    with transaction.atomic():
        UserSession.objects.update_or_create(
            session_key=key,
            defaults={
                "user": user,
                "created_at": timezone.now(),
                "address": request_address(request) if request.META else None,
            },
        )
        _forget_dead_sessions(user)
        _enforce_limit(request, user, keep=key)


def _forget_dead_sessions(user: User) -> None:
    rows = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    alive = set(
        Session.objects.filter(session_key__in=rows, expire_date__gt=timezone.now()).values_list(
            "session_key", flat=True
        )
    )
    dead = [key for key in rows if key not in alive]
    if dead:
        UserSession.objects.filter(session_key__in=dead).delete()


def _enforce_limit(request: HttpRequest, user: User, *, keep: str) -> None:
    limit = settings.HUIYIN_MAX_SESSIONS
    if limit <= 0:
        return
    keys = list(
        UserSession.objects.filter(user=user)
        .exclude(session_key=keep)
        .order_by("-created_at", "-pk")
        .values_list("session_key", flat=True)
    )
    excess = keys[limit - 1 :]  # this session counts as one of the limit
    if not excess:
        return
    Session.objects.filter(session_key__in=excess).delete()
    UserSession.objects.filter(session_key__in=excess).delete()
    record_security_event(
        request,
        action=SecurityAction.SESSION_ENDED,
        actor=user,
        subject=f"用户 {user.username}",
        details={
            "user": user.pk,
            "username": user.username,
            "reason": REASON_LIMIT,
            "sessions": len(excess),
            "limit": limit,
        },
    )


def forget_session(session: SessionBase) -> None:
    """At logout: the session leaves the registry."""
    key = session.get(REGISTERED_KEY) or session.session_key
    if key:
        UserSession.objects.filter(session_key=key).delete()


def follow_key_change(session: SessionBase) -> None:
    """A session whose key changed since it registered: its row follows (see the module)."""
    registered = session.get(REGISTERED_KEY)
    current = session.session_key
    if not registered or not current or registered == current:
        return
    UserSession.objects.filter(session_key=registered).update(session_key=current)
    session[REGISTERED_KEY] = current


def lifetime_over(session: SessionBase, now: float | None = None) -> bool:
    login_at = session.get(LOGIN_AT_KEY)
    if not isinstance(login_at, int):
        return False  # from before the upgrade: the middleware ends it (REASON_UPGRADE)
    moment = time.time() if now is None else now
    return moment - login_at > settings.HUIYIN_SESSION_ABSOLUTE_SECONDS
