"""Users: the list with search, a user's page (details, roles per unit, password, status).

三权分立: both the 系统管理员 and the 安全管理员 see the list and a user's page; the first
edits details and status and creates accounts, the second grants and revokes roles, resets
passwords and unlocks accounts. Each sees only their own forms."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cases.listing import InvalidFilter, QueryReader
from console.forms import PasswordForm, RoleForm, UserCreateForm, UserForm
from console.views.common import (
    add_error,
    admin_required,
    is_admin,
    is_security,
    people_required,
    security_required,
)
from huiyin.types import AuthedRequest, User
from huiyin.views import invalid_input
from orgs import actions
from orgs.actions import OrgError, OrgForbidden
from orgs.models import Membership, Role

PAGE_SIZE = 30
# An action's field name → the form's.
USER_FIELDS = {"password": "password1"}


def _users() -> QuerySet[User]:
    memberships = Membership.objects.select_related("unit").order_by("unit__sort_order", "role")
    return get_user_model().objects.prefetch_related(Prefetch("memberships", queryset=memberships))


@people_required
def user_list(request: AuthedRequest) -> HttpResponse:
    read = QueryReader(request.GET)
    q = read.text("q")
    role = read.text("role")
    status = read.text("status")
    try:
        read.done()
    except InvalidFilter as exc:
        return invalid_input(request, exc.message, heading="无效的筛选条件", back_url=request.path)
    users = _users().order_by("username")
    if q:
        users = users.filter(
            Q(username__icontains=q)
            | Q(first_name__icontains=q)
            | Q(email__icontains=q)
            | Q(memberships__unit__name__icontains=q)
        ).distinct()
    if role in Role.values:
        users = users.filter(memberships__role=role).distinct()
    if status == "active":
        users = users.filter(is_active=True)
    elif status == "inactive":
        users = users.filter(is_active=False)
    try:
        number = max(1, int(request.GET.get("page") or 1))
    except ValueError:
        number = 1
    page = Paginator(users, PAGE_SIZE).get_page(number)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "console/users.html",
        {
            "page": page,
            "q": q,
            "role": role if role in Role.values else "",
            "status": status,
            "role_choices": Role.choices,
            "query": query.urlencode(),
            "filtered": bool(q or role or status),
        },
    )


@admin_required
def user_create(request: AuthedRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = actions.create_user(
                by=request.user,
                username=data["username"],
                password=data["password1"],
                full_name=data["full_name"],
                email=data["email"],
            )
        except OrgForbidden as exc:
            raise PermissionDenied(exc.message) from None
        except OrgError as exc:
            add_error(form, exc, USER_FIELDS)
        else:
            messages.success(
                request,
                f"已创建用户：{user.first_name}（{user.username}）。角色由安全管理员设置。",
            )
            return redirect("console:user-edit", pk=user.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "console/user_create.html", {"form": form}, status=status)


def _user_page(
    request: AuthedRequest, person: User, status: int = 200, **forms: Any
) -> HttpResponse:
    forms.setdefault(
        "form", UserForm(initial={"full_name": person.first_name, "email": person.email})
    )
    forms.setdefault("password_form", PasswordForm())
    forms.setdefault("role_form", RoleForm())
    return render(
        request,
        "console/user_edit.html",
        {
            "person": person,
            "keeps_users": is_admin(request.user),
            "keeps_roles": is_security(request.user),
            "failed_logins": _failed_logins(person) if is_security(request.user) else 0,
            "lockout_limit": settings.AXES_FAILURE_LIMIT,
            "memberships": person.memberships.select_related("unit").order_by(
                "unit__sort_order", "unit__code", "role"
            ),
            "is_self": person.pk == request.user.pk,
            **forms,
        },
        status=status,
    )


def _person(pk: int) -> User:
    return get_object_or_404(get_user_model(), pk=pk)


def _failed_logins(person: User) -> int:
    """The failed logins django-axes holds for the username (any address): a lockout when
    they reach AXES_FAILURE_LIMIT at one address."""
    from axes.models import AccessAttempt

    counts = AccessAttempt.objects.filter(username=person.username).values_list(
        "failures_since_start", flat=True
    )
    return max(counts, default=0)


@people_required
def user_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    if request.method != "POST":
        return _user_page(request, person)
    if not is_admin(request.user):
        raise PermissionDenied("只有系统管理员可以修改用户信息")
    form = UserForm(request.POST)
    if form.is_valid():
        try:
            actions.update_user(person, by=request.user, **form.cleaned_data)
        except OrgForbidden as exc:
            raise PermissionDenied(exc.message) from None
        except OrgError as exc:
            add_error(form, exc)
        else:
            messages.success(request, "已保存用户信息")
            return redirect("console:user-edit", pk=person.pk)
    person.refresh_from_db()
    return _user_page(request, person, status=400, form=form)


@admin_required
@require_POST
def user_active(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    active = request.POST.get("active") == "1"
    try:
        actions.set_user_active(person, by=request.user, active=active)
    except OrgForbidden as exc:
        raise PermissionDenied(exc.message) from None
    except OrgError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已{'启用' if active else '停用'}该用户")
    return redirect("console:user-edit", pk=person.pk)


@security_required
@require_POST
def user_password(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    form = PasswordForm(request.POST)
    if form.is_valid():
        try:
            actions.reset_password(person, by=request.user, password=form.cleaned_data["password1"])
        except OrgError as exc:  # an administrator's password too: said beside the form
            add_error(form, exc, USER_FIELDS)
        else:
            messages.success(
                request,
                "已重设密码，请将新密码告知本人；本人下次登录时须先修改密码，原有接口令牌已失效",
            )
            return redirect("console:user-edit", pk=person.pk)
    return _user_page(request, person, status=400, password_form=form)


@security_required
@require_POST
def role_add(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        unit, role = form.cleaned_data["unit"], form.cleaned_data["role"]
        if person.memberships.filter(unit=unit, role=role).exists():
            form.add_error(None, f"该用户在{unit.name}已有“{Role(role).label}”角色")
        else:
            try:
                actions.grant_role(by=request.user, user=person, unit=unit, role=role)
            except OrgForbidden as exc:
                raise PermissionDenied(exc.message) from None
            except OrgError as exc:
                add_error(form, exc)
            else:
                messages.success(request, f"已添加角色：{unit.name} · {Role(role).label}")
                return redirect("console:user-edit", pk=person.pk)
    return _user_page(request, person, status=400, role_form=form)


@security_required
@require_POST
def role_remove(request: AuthedRequest, pk: int, membership: int) -> HttpResponse:
    person = _person(pk)
    found = get_object_or_404(Membership.objects.select_related("unit"), pk=membership, user=person)
    try:
        actions.revoke_role(found, by=request.user)
    except OrgForbidden as exc:
        raise PermissionDenied(exc.message) from None
    except OrgError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已移除角色：{found.unit.name} · {found.get_role_display()}")
    return redirect("console:user-edit", pk=person.pk)


@security_required
@require_POST
def user_unlock(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    try:
        cleared = actions.unlock_account(person, by=request.user, request=request)
    except OrgForbidden as exc:
        raise PermissionDenied(exc.message) from None
    if cleared:
        messages.success(request, "已解除锁定，该用户可以重新登录")
    else:
        messages.info(request, "该用户没有登录失败记录，无需解除锁定")
    return redirect("console:user-edit", pk=person.pk)
