"""Who may open the console's pages, and how an action's refusal reaches a form."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from huiyin.types import AnyUser
from orgs.access import standing_of
from orgs.models import ADMINISTRATOR_ROLES, Role

CALENDAR_READERS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.LEADER})
# 三权分立: who may open which part of the console. The 系统管理员 keeps units, users and
# settings; the 安全管理员 roles, passwords, lockouts and the policy page; the 审计管理员
# the audit trail (audit.urls, /console/audit/). The user list serves the first two.
PEOPLE_KEEPERS = frozenset({Role.ADMIN, Role.SECURITY})


def is_admin(user: AnyUser) -> bool:
    return standing_of(user).has(Role.ADMIN)


def is_security(user: AnyUser) -> bool:
    return standing_of(user).has(Role.SECURITY)


def _requiring(
    allowed: frozenset[str], refusal: str
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not standing_of(request.user).roles & allowed:
                raise PermissionDenied(refusal)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


# Administrators only; others get 403, anonymous users the login page.
admin_required = _requiring(frozenset({Role.ADMIN}), "只有系统管理员可以进入此页面")
security_required = _requiring(frozenset({Role.SECURITY}), "只有安全管理员可以进入此页面")
people_required = _requiring(PEOPLE_KEEPERS, "只有系统管理员和安全管理员可以查看用户")
console_required = _requiring(
    ADMINISTRATOR_ROLES, "只有系统管理员、安全管理员和审计管理员可以进入系统管理"
)


def calendar_reader_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Administrators, coordinators and leaders (who see it read-only)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not standing_of(request.user).roles & CALENDAR_READERS:
            raise PermissionDenied("只有系统管理员、议提案管理员和委领导可以查看工作日历")
        return view(request, *args, **kwargs)

    return wrapped


def add_error(form: forms.Form, exc: Any, fields: dict[str, str] | None = None) -> None:
    """Put an action's error (with its `field`) beside that field, or above the form."""
    name = (fields or {}).get(exc.field, exc.field) if exc.field else None
    form.add_error(name if name in form.fields else None, exc.message)
