"""The security trail of authentication, from Django's and django-axes' signals, so that
the web login, the second step, the API's token login and Client.force_login are all
covered by one place: LOGIN, LOGOUT, LOGIN_FAILED and LOCKOUT; and the session registry
(security.sessions) at each login and logout."""

from typing import Any

from django.http import HttpRequest

from audit.models import EventResult
from audit.trail import SecurityAction, record_security_event
from huiyin.types import User
from security import sessions

# In the credentials of a user_login_failed that the second step sends (security.views,
# api.views.auth): the failure counts toward the lockout; OTP_FAILED was recorded already.
SECOND_FACTOR_MARK = "second_factor"
# On a request whose logout the middleware makes (its SESSION_ENDED is the record).
QUIET_LOGOUT = "_huiyin_quiet_logout"
# On a request whose login completed a second factor: how ("totp", "recovery").
FACTOR_USED = "_huiyin_factor"


def on_logged_in(sender: object, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is None or getattr(request, "session", None) is None:
        return
    sessions.register_login(request, user)
    record_security_event(
        request,
        action=SecurityAction.LOGIN,
        actor=user,
        subject=f"用户 {user.username}",
        details={"factor": getattr(request, FACTOR_USED, "password")},
    )


def on_logged_out(
    sender: object, request: HttpRequest | None, user: User | None, **kwargs: Any
) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        sessions.forget_session(session)
    if user is None or request is None or getattr(request, QUIET_LOGOUT, False):
        return
    record_security_event(
        request, action=SecurityAction.LOGOUT, actor=user, subject=f"用户 {user.username}"
    )


def on_login_failed(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    if credentials.get(SECOND_FACTOR_MARK):
        return
    tried = str(credentials.get("username") or "")[:150]
    record_security_event(
        request,
        action=SecurityAction.LOGIN_FAILED,
        result=EventResult.FAILED,
        subject=f"用户 {tried}" if tried else "",
        details={"username": tried},
    )


def on_locked_out(
    sender: object, request: HttpRequest | None = None, username: str | None = None, **kwargs: Any
) -> None:
    tried = str(username or "")[:150]
    record_security_event(
        request,
        action=SecurityAction.LOCKOUT,
        result=EventResult.REFUSED,
        subject=f"用户 {tried}" if tried else "",
        details={"username": tried, "address": kwargs.get("ip_address")},
    )


def connect() -> None:
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    user_logged_in.connect(on_logged_in, dispatch_uid="security.logged_in")
    user_logged_out.connect(on_logged_out, dispatch_uid="security.logged_out")
    user_login_failed.connect(on_login_failed, dispatch_uid="security.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="security.locked_out")
