"""Writes to units and people (used by the console pages, the demo data and tests).

Each function is one transaction and writes one audit event; a refused call raises
OrgError (OrgForbidden when the caller may not do it at all) and writes nothing.

三权分立 (等保三级): the 系统管理员 (Role.ADMIN) keeps units and users (create, details,
deactivate); the 安全管理员 (Role.SECURITY) grants and revokes roles, never their own,
resets passwords (never an administrator's: `huiyin reset-administrator` on the server)
and unlocks accounts. One person holds at most one of the three administrator roles, and
the 安全管理员 and the 审计管理员 hold no other role at all. create_unit, create_user and grant_role also serve the system itself
(by=None: demo data, ledger import with its new units, test factories).
"""

import re
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.record import record_event
from audit.trail import SecurityAction, record_security_event
from huiyin.errors import DomainError, Forbidden
from huiyin.types import User
from orgs.access import forget_standing, standing_of
from orgs.accounts import (
    is_demo_account,
    note_new_password,
    password_changed,
    require_password_change,
    revoke_tokens,
)
from orgs.models import ADMINISTRATOR_ROLES, Account, Membership, Role, Unit, UnitKind

CODE_RE = re.compile(r"^[-a-zA-Z0-9_]+$")
NAME_MAX = cast(int, Unit._meta.get_field("name").max_length)
CODE_MAX = cast(int, Unit._meta.get_field("code").max_length)
SORT_MAX = 99_999
FULL_NAME_MAX = 150
# Roles that hold no other (an 审计管理员 who also coordinated would see every case).
EXCLUSIVE_ROLES = frozenset({Role.SECURITY, Role.AUDITOR})


class OrgError(DomainError):
    """A refused change of units, users or roles, in Chinese; nothing was written."""


class OrgForbidden(OrgError, Forbidden):
    """The caller may not do this at all (the web answers 403)."""


def require_admin(by: User) -> None:
    if not standing_of(by).has(Role.ADMIN):
        raise OrgForbidden("只有系统管理员可以管理单位和用户")


def require_security(by: User) -> None:
    if not standing_of(by).has(Role.SECURITY):
        raise OrgForbidden("只有安全管理员可以设置角色、重设密码和解除锁定")


# Why a user's sessions end when their roles change (security.sessions).
ROLES_CHANGED = "roles_changed"
ACCOUNT_DISABLED = "account_disabled"


def _end_sessions(user: User, reason: str) -> None:
    """The user logs in again, under their new roles (or not at all)."""
    from security.sessions import end_user_sessions  # security builds on orgs

    end_user_sessions(user, reason=reason)


def _unit_subject(unit: Unit) -> str:
    return f"单位 {unit.code}"


def _user_subject(user: User) -> str:
    return f"用户 {user.username}"


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise OrgError("请填写单位名称", field="name")
    if len(name) > NAME_MAX:
        raise OrgError(f"单位名称不能超过{NAME_MAX}个字", field="name")
    return name


def _check_kind(kind: str) -> str:
    if kind not in UnitKind.values:
        raise OrgError("请选择有效的单位类型", field="kind")
    return kind


def _check_sort_order(sort_order: Any) -> int:
    if isinstance(sort_order, bool) or not isinstance(sort_order, int):
        raise OrgError("排序应为整数", field="sort_order")
    if not 0 <= sort_order <= SORT_MAX:
        raise OrgError(f"排序应在 0 到 {SORT_MAX} 之间", field="sort_order")
    return sort_order


def _check_parent(unit: Unit | None, parent: Unit | None) -> None:
    """A unit's parent exists, is in use, and is not the unit itself or below it."""
    if parent is None:
        return
    if not parent.is_active:
        raise OrgError(f"上级单位“{parent.name}”已停用", field="parent")
    if unit is None or unit.pk is None:
        return
    ancestor: Unit | None = parent
    seen: set[int] = set()
    while ancestor is not None and ancestor.pk not in seen:
        if ancestor.pk == unit.pk:
            raise OrgError("上级单位不能是本单位或其下级单位", field="parent")
        seen.add(ancestor.pk)
        ancestor = ancestor.parent


def _save_changes(
    obj: Unit | User, new: dict[str, Any], *, by: User, action: str, subject: str
) -> None:
    """Write the fields that differ, with one audit event holding old and new values;
    nothing at all when nothing differs."""
    changes = {k: [getattr(obj, k), v] for k, v in new.items() if getattr(obj, k) != v}
    if not changes:
        return
    for k, (_, v) in changes.items():
        setattr(obj, k, v)
    obj.save(update_fields=list(changes))
    record_event(actor=by, action=action, subject=subject, details={"changes": changes})


@transaction.atomic
def create_unit(
    *,
    by: User | None,
    code: str,
    name: str,
    kind: str,
    parent: Unit | None = None,
    sort_order: int = 0,
) -> Unit:
    code = (code or "").strip()
    if not code:
        raise OrgError("请填写单位代码", field="code")
    if len(code) > CODE_MAX or not CODE_RE.match(code):
        raise OrgError(
            f"单位代码只能由字母、数字、“-”和“_”组成，不超过{CODE_MAX}个字符", field="code"
        )
    name = _check_name(name)
    _check_kind(kind)
    _check_sort_order(sort_order)
    _check_parent(None, parent)
    if Unit.objects.filter(code=code).exists():
        raise OrgError(f"单位代码“{code}”已存在", field="code")
    unit = Unit.objects.create(
        code=code, name=name, kind=kind, parent=parent, sort_order=sort_order
    )
    record_event(
        actor=by,
        action="unit_created",
        subject=_unit_subject(unit),
        details={
            "name": name,
            "kind": kind,
            "parent": parent.code if parent else None,
            "sort_order": sort_order,
        },
    )
    return unit


@transaction.atomic
def update_unit(unit: Unit, *, by: User, name: str, kind: str, sort_order: int) -> Unit:
    """Rename a unit, change its kind or its place among its siblings."""
    require_admin(by)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    new: dict[str, Any] = {"name": _check_name(name), "kind": _check_kind(kind)}
    new["sort_order"] = _check_sort_order(sort_order)
    if kind == UnitKind.EXTERNAL and unit.kind != UnitKind.EXTERNAL:
        people = Membership.objects.filter(unit=unit).count()
        if people:
            raise OrgError(
                f"该单位有{people}条人员角色，外部单位不能有用户，请先移除这些角色", field="kind"
            )
    _save_changes(unit, new, by=by, action="unit_updated", subject=_unit_subject(unit))
    return unit


@transaction.atomic
def move_unit(unit: Unit, *, by: User, parent: Unit | None) -> Unit:
    """Put a unit under another one (or at the top of the tree)."""
    require_admin(by)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _check_parent(unit, parent)
    if unit.parent_id == (parent.pk if parent else None):
        raise OrgError("上级单位没有变化", field="parent")
    before = unit.parent.code if unit.parent is not None else None
    unit.parent = parent
    unit.save(update_fields=["parent"])
    record_event(
        actor=by,
        action="unit_moved",
        subject=_unit_subject(unit),
        details={"parent": [before, parent.code if parent else None]},
    )
    return unit


@transaction.atomic
def deactivate_unit(unit: Unit, *, by: User) -> Unit:
    """Stop offering a unit for new assignments; its cases and people stay as they are."""
    require_admin(by)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if not unit.is_active:
        raise OrgError(f"{unit.name}已停用")
    children = list(unit.children.filter(is_active=True).values_list("name", flat=True))
    if children:
        raise OrgError(f"请先停用下级单位：{'、'.join(children)}")
    unit.is_active = False
    unit.save(update_fields=["is_active"])
    record_event(
        actor=by,
        action="unit_deactivated",
        subject=_unit_subject(unit),
        from_state="active",
        to_state="inactive",
    )
    return unit


@transaction.atomic
def activate_unit(unit: Unit, *, by: User) -> Unit:
    require_admin(by)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if unit.is_active:
        raise OrgError(f"{unit.name}已在使用中")
    if unit.parent is not None and not unit.parent.is_active:
        raise OrgError(f"请先启用上级单位“{unit.parent.name}”")
    unit.is_active = True
    unit.save(update_fields=["is_active"])
    record_event(
        actor=by,
        action="unit_activated",
        subject=_unit_subject(unit),
        from_state="inactive",
        to_state="active",
    )
    return unit


def _check_full_name(full_name: str) -> str:
    full_name = (full_name or "").strip()
    if not full_name:
        raise OrgError("请填写姓名", field="full_name")
    if len(full_name) > FULL_NAME_MAX:
        raise OrgError(f"姓名不能超过{FULL_NAME_MAX}个字", field="full_name")
    return full_name


def _check_email(email: str) -> str:
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise OrgError("电子邮箱格式不正确", field="email") from None
    return email


# Django's own wording, where its Chinese translation is missing (the length message in
# Django 5.2) or stilted; any other validator keeps its own message.
PASSWORD_MESSAGES = {
    "password_too_short": "密码太短，至少需要 {min_length} 个字符",
    "password_too_common": "密码过于常见，容易被猜到",
    "password_entirely_numeric": "密码不能全是数字",
    "password_too_similar": "密码与{verbose_name}过于相近",
}


def _password_problems(exc: ValidationError) -> str:
    problems = []
    for error in exc.error_list:
        template = PASSWORD_MESSAGES.get(error.code or "")
        if template is not None:
            problems.append(template.format(**(error.params or {})))
        else:
            problems.extend(m.rstrip("。") for m in error.messages)
    return "；".join(problems)


def _check_password(password: str, user: User, field: str = "password") -> None:
    if not password:
        raise OrgError("请填写密码", field=field)
    if settings.HUIYIN_DEMO and is_demo_account(user):
        return  # the demo's own accounts keep (or get back) the demo's password
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise OrgError(_password_problems(exc), field=field) from None


@transaction.atomic
def create_user(
    *,
    by: User | None,
    username: str,
    password: str,
    full_name: str,
    email: str = "",
    roles: list[tuple[Unit, str]] | None = None,
    check_password: bool = True,
) -> User:
    username = (username or "").strip()
    if not username:
        raise OrgError("请填写用户名", field="username")
    try:
        User.username_validator(username)
    except ValidationError:
        raise OrgError("用户名只能包含字母、数字和 @ . + - _ 这些字符", field="username") from None
    if len(username) > cast(int, User._meta.get_field("username").max_length):
        raise OrgError("用户名太长", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise OrgError(f"用户名“{username}”已存在", field="username")
    if by is not None:
        require_admin(by)
        if roles:
            require_security(by)  # the 系统管理员 creates accounts, the 安全管理员 grants
    full_name = _check_full_name(full_name)
    user = User(username=username, first_name=full_name, email=_check_email(email))
    if check_password:
        _check_password(password, user)
    granted: list[str] = []
    for unit, role in roles or []:
        _check_grant(unit, role, held=granted)
        granted.append(role)
    user.set_password(password)
    user.save()
    for unit, role in roles or []:
        _grant(user, unit, role)
    if by is not None:
        require_password_change(user)  # the administrator knows it: the user changes it
    record_event(
        actor=by,
        action="user_created",
        subject=_user_subject(user),
        details={"full_name": full_name, "roles": [[u.code, r] for u, r in roles or []]},
    )
    return user


@transaction.atomic
def update_user(user: User, *, by: User, full_name: str, email: str) -> User:
    """Change a user's name and e-mail; the username is the login and stays."""
    require_admin(by)
    new = {"first_name": _check_full_name(full_name), "email": _check_email(email)}
    _save_changes(user, new, by=by, action="user_updated", subject=_user_subject(user))
    return user


@transaction.atomic
def set_user_active(user: User, *, by: User, active: bool) -> User:
    """Deactivate a user (they can no longer log in; their history stays) or reactivate."""
    require_admin(by)
    active = bool(active)
    if user.is_active == active:
        raise OrgError(f"该用户已{'启用' if active else '停用'}")
    # The caller is an active administrator; refusing to switch off oneself keeps at
    # least one, so nobody can lock the commission out of its own console.
    if not active and user.pk == getattr(by, "pk", None):
        raise OrgError("不能停用自己的账号")
    user.is_active = active
    user.save(update_fields=["is_active"])
    forget_standing(user)
    if active:  # the inactivity limit counts from now (orgs.policy)
        Account.objects.update_or_create(user=user, defaults={"reactivated_at": timezone.now()})
    else:
        _end_sessions(user, ACCOUNT_DISABLED)
    revoked = 0 if active else revoke_tokens(user)
    record_event(
        actor=by,
        action="user_activated" if active else "user_deactivated",
        subject=_user_subject(user),
        from_state="inactive" if active else "active",
        to_state="active" if active else "inactive",
        details={"tokens_revoked": revoked} if revoked else {},
    )
    return user


ADMINISTRATOR_PASSWORD = (
    "“{username}”是管理员（系统管理员、安全管理员或审计管理员），其密码不能在网页上重设："
    "请由运维人员在服务器上执行 huiyin reset-administrator {username}"
)


def holds_administrator_role(user: User) -> bool:
    return Membership.objects.filter(user=user, role__in=ADMINISTRATOR_ROLES).exists()


@transaction.atomic
def reset_password(user: User, *, by: User | None, password: str) -> User:
    """Set a new password chosen by the 安全管理员 (the password policy applies). The
    user's API tokens die with the old password, and the user must choose their own at
    the next login. Never an administrator's password (one 安全管理员 could otherwise take
    over another administrator or the 审计管理员): that is by=None, from the server's
    `huiyin reset-administrator`, which also ends the account's sessions."""
    if by is not None:
        require_security(by)
        if holds_administrator_role(user):
            raise OrgForbidden(ADMINISTRATOR_PASSWORD.format(username=user.username))
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    note_new_password(user, password)
    revoked = revoke_tokens(user)
    require_password_change(user)
    # A user who asks for a new password is often one locked out by failed logins.
    from axes.utils import reset as reset_lockouts

    reset_lockouts(username=user.username)
    details: dict[str, Any] = {"tokens_revoked": revoked} if revoked else {}
    if by is None:
        details["by"] = "server"
    record_event(actor=by, action="password_reset", subject=_user_subject(user), details=details)
    if by is None:
        _end_sessions(user, "password_reset")
    return user


@transaction.atomic
def change_own_password(user: User, *, old_password: str, new_password: str) -> User:
    """The user replaces their password (the policy applies; not the same as before).
    Their API tokens die with the old one."""
    if not old_password or not user.check_password(old_password):
        raise OrgError("当前密码不正确", field="old_password")
    if new_password == old_password:
        raise OrgError("新密码不能与当前密码相同", field="new_password")
    _check_password(new_password, user, field="new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    note_new_password(user, new_password)
    revoked = revoke_tokens(user)
    password_changed(user)
    record_event(
        actor=user,
        action="password_changed",
        subject=_user_subject(user),
        details={"tokens_revoked": revoked} if revoked else {},
    )
    return user


def _check_grant(unit: Unit, role: str, *, held: list[str] | None = None) -> None:
    if role not in Role.values:
        raise OrgError("请选择有效的角色", field="role")
    if unit is None:
        raise OrgError("请选择单位", field="unit")
    if unit.kind == UnitKind.EXTERNAL:
        raise OrgError(f"{unit.name}是外部单位，不能设置本系统的用户", field="unit")
    if not unit.is_active:
        raise OrgError(f"{unit.name}已停用", field="unit")
    others = sorted({r for r in held or [] if r != role})
    if role in ADMINISTRATOR_ROLES:
        other = [r for r in others if r in ADMINISTRATOR_ROLES]
        if other:
            raise OrgError(
                f"三权分立：该用户已是{Role(other[0]).label}，不能再担任{Role(role).label}",
                field="role",
            )
    if role in EXCLUSIVE_ROLES and others:
        raise OrgError(
            f"{Role(role).label}不能兼任其他角色：该用户已是{Role(others[0]).label}",
            field="role",
        )
    exclusive = [r for r in others if r in EXCLUSIVE_ROLES]
    if exclusive:
        raise OrgError(
            f"该用户是{Role(exclusive[0]).label}，不能兼任其他角色（{Role(role).label}）",
            field="role",
        )


def _grant(user: User, unit: Unit, role: str) -> tuple[Membership, bool]:
    membership, created = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    forget_standing(user)
    return membership, created


def _refuse_own(user: User, by: User | None, doing: str) -> None:
    if by is not None and user.pk == by.pk:
        raise OrgForbidden(f"不能{doing}自己的角色：请由另一位安全管理员办理")


@transaction.atomic
def grant_role(*, by: User | None, user: User, unit: Unit, role: str) -> Membership:
    """Give a user a role in a unit; granting one they already hold changes nothing. The
    user's sessions end: they log in again under their new roles."""
    if by is not None:
        require_security(by)
        _refuse_own(user, by, "设置")
    held = list(Membership.objects.filter(user=user).values_list("role", flat=True))
    _check_grant(unit, role, held=held)
    membership, created = _grant(user, unit, role)
    if created:
        record_event(
            actor=by,
            action="role_granted",
            subject=_user_subject(user),
            details={"unit": unit.code, "role": role},
        )
        if by is not None:
            _end_sessions(user, ROLES_CHANGED)
    return membership


@transaction.atomic
def revoke_role(membership: Membership, *, by: User) -> None:
    """Take a role in a unit away from a user (never one's own); their sessions end."""
    require_security(by)
    membership = (
        Membership.objects.select_for_update().select_related("user", "unit").get(pk=membership.pk)
    )
    user = membership.user
    _refuse_own(user, by, "撤销")
    membership.delete()
    forget_standing(user)
    record_event(
        actor=by,
        action="role_revoked",
        subject=_user_subject(user),
        details={"unit": membership.unit.code, "role": membership.role},
    )
    _end_sessions(user, ROLES_CHANGED)


@transaction.atomic
def unlock_account(user: User, *, by: User, request: HttpRequest | None = None) -> int:
    """Clear the failed logins that locked the user's username (django-axes), at every
    address; the number of failure records cleared. Always audited (UNLOCK), even when
    nothing was locked: the 安全管理员 looked. A second factor locked by wrong codes
    (security.actions) is unlocked too."""
    require_security(by)
    from axes.utils import reset as reset_lockouts

    from security.actions import unlock_factor  # security builds on orgs

    cleared = int(reset_lockouts(username=user.username) or 0)
    factor = unlock_factor(user)
    record_security_event(
        request,
        action=SecurityAction.UNLOCK,
        actor=by,
        subject=_user_subject(user),
        details={
            "user": user.pk,
            "username": user.username,
            "attempts_cleared": cleared,
            "factor_unlocked": factor,
        },
    )
    return cleared
