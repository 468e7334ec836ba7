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
from orgs.models import Role

CALENDAR_READERS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.LEADER})


def is_admin(user: AnyUser) -> bool:
    return standing_of(user).has(Role.ADMIN)


def admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Administrators only; others get 403, anonymous users the login page."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_admin(request.user):
            raise PermissionDenied("只有系统管理员可以进入系统管理")
        return view(request, *args, **kwargs)

    return wrapped


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
