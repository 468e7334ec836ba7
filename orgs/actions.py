"""Writes to units and people (used by the admin pages, the demo data and tests)."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from audit.record import record_event
from orgs.access import forget_standing
from orgs.models import Membership, Role, Unit, UnitKind


class OrgError(Exception):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field


@transaction.atomic
def create_unit(
    *, by: Any, code: str, name: str, kind: str, parent: Unit | None = None, sort_order: int = 0
) -> Unit:
    code, name = (code or "").strip(), (name or "").strip()
    if not code or not name:
        raise OrgError("请填写单位代码和名称", field="code" if not code else "name")
    if kind not in UnitKind.values:
        raise OrgError("请选择有效的单位类型", field="kind")
    if Unit.objects.filter(code=code).exists():
        raise OrgError(f"单位代码“{code}”已存在", field="code")
    unit = Unit.objects.create(
        code=code, name=name, kind=kind, parent=parent, sort_order=sort_order
    )
    record_event(
        actor=by,
        action="unit_created",
        subject=f"单位 {code}",
        details={"name": name, "kind": kind},
    )
    return unit


@transaction.atomic
def create_user(
    *,
    by: Any,
    username: str,
    password: str,
    full_name: str,
    email: str = "",
    roles: list[tuple[Unit, str]] | None = None,
    check_password: bool = True,
) -> Any:
    User = get_user_model()
    username = (username or "").strip()
    if not username:
        raise OrgError("请填写用户名", field="username")
    if User.objects.filter(username=username).exists():
        raise OrgError(f"用户名“{username}”已存在", field="username")
    user = User(username=username, first_name=full_name, email=email)
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise OrgError("；".join(exc.messages), field="password") from None
    user.set_password(password)
    user.save()
    for unit, role in roles or []:
        grant_role(by=by, user=user, unit=unit, role=role)
    record_event(
        actor=by,
        action="user_created",
        subject=f"用户 {username}",
        details={"roles": [[u.code, r] for u, r in roles or []]},
    )
    return user


def grant_role(*, by: Any, user: Any, unit: Unit, role: str) -> Membership:
    if role not in Role.values:
        raise OrgError("请选择有效的角色", field="role")
    membership, _ = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    if role == Role.ADMIN and not (user.is_staff and user.is_superuser):
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    forget_standing(user)
    return membership
