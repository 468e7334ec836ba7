"""The login's second step (RFC 6238 codes, recovery codes): the pending state between a
right password and the code.

A user who needs the factor is not logged in after the password (security.views.LoginView):
the session keeps their id, the time, where to go next and the backend that authenticated
them, for PENDING_SECONDS. Only a right code (or, for a user without a device, a confirmed
enrolment) calls django.contrib.auth.login(). A wrong code counts toward django-axes'
lockout like a wrong password.
"""

import time
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import login
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest

from huiyin.types import User
from security.receivers import FACTOR_USED, SECOND_FACTOR_MARK

PENDING_KEY = "_huiyin_pending_login"
PENDING_SECONDS = 5 * 60


def start_pending(request: HttpRequest, user: User, *, next_url: str) -> None:
    request.session.cycle_key()  # a new key for a session that now holds a password's worth
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "at": int(time.time()),
        "next": next_url,
        "backend": getattr(user, "backend", "django.contrib.auth.backends.ModelBackend"),
    }


def pending_state(request: HttpRequest) -> dict[str, Any] | None:
    """The pending login, if any and not expired (an expired one is dropped)."""
    state = request.session.get(PENDING_KEY)
    if not isinstance(state, dict):
        return None
    if time.time() - int(state.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    return state


def pending_user(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    state = pending_state(request)
    if state is None:
        return None
    user = User.objects.filter(pk=state["user"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return None
    return user, state


def finish_login(request: HttpRequest, user: User, state: dict[str, Any], factor: str) -> str:
    """Both factors given: the real login. Where to go next."""
    request.session.pop(PENDING_KEY, None)
    setattr(request, FACTOR_USED, factor)
    login(request, user, backend=state["backend"])
    return str(state.get("next") or "/")


def abandon(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)


def locked(request: HttpRequest, user: User) -> bool:
    return bool(AxesProxyHandler.is_locked(request, credentials={"username": user.username}))


def count_failure(request: HttpRequest, user: User) -> bool:
    """A wrong second factor, counted by django-axes; whether the user is now locked out
    (then the lockout page replaces the response, axes.middleware)."""
    user_login_failed.send(
        sender=__name__,
        credentials={"username": user.username, SECOND_FACTOR_MARK: True},
        request=request,
    )
    if getattr(request, "axes_locked_out", False):
        abandon(request)
        return True
    return False
