"""The second factor's pages: the login's second step, enrolment, the recovery codes, the
user's own 账号安全 page, and the 安全管理员's list of users with the reset of a device."""

from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from huiyin.text import text_problem
from huiyin.types import AuthedRequest, User
from orgs.access import standing_of
from orgs.models import Membership, Role
from security import actions, login
from security.actions import SecondFactorError
from security.models import RecoveryCode, TotpDevice
from security.policy import asks_second_factor, requires_second_factor, second_factor_roles
from web.forms import LoginForm

EXPIRED = "登录等待时间已超过5分钟，请重新输入用户名和密码。"
CODE_MAX = 32


class LoginView(auth_views.LoginView):
    """Django's login; a user who needs a second factor goes on to the code (or to
    enrolment) instead of being logged in."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if not asks_second_factor(user):
            return super().form_valid(form)
        login.start_pending(self.request, user, next_url=self.get_success_url())
        if actions.device_of(user) is None:
            return redirect("security:enrol")
        return redirect("security:otp")


def _posted_code(request: HttpRequest) -> str | None:
    code = request.POST.get("code", "")
    if len(code) > CODE_MAX or text_problem(code):
        return None
    return code


def _restart(request: HttpRequest) -> HttpResponse:
    messages.warning(request, EXPIRED)
    return redirect("login")


def _nothing_waiting(request: HttpRequest) -> HttpResponse:
    """A visit with no password given first (a bookmark, the back button after logging in)."""
    if request.user.is_authenticated:
        return redirect("security:account")
    return render(request, "security/no_pending.html", status=400)


@require_http_methods(["GET", "POST"])
def otp(request: HttpRequest) -> HttpResponse:
    """The login's second step: a 6-digit code or a recovery code."""
    if login.PENDING_KEY not in request.session:
        return _nothing_waiting(request)
    found = login.pending_user(request)
    if found is None:
        return _restart(request)
    user, state = found
    if actions.device_of(user) is None:
        return redirect("security:enrol")
    error = ""
    if request.method == "POST":
        if login.locked(request, user):
            login.abandon(request)
            return redirect("login")
        code = _posted_code(request) or ""  # an unreadable code is a wrong one
        try:
            factor = actions.check_code(user, code, request=request)
        except actions.FactorLocked as exc:
            login.count_failure(request, user)
            login.abandon(request)
            return render(
                request,
                "security/otp.html",
                {"username": user.username, "error": exc.message, "locked": True},
                status=429,
            )
        except SecondFactorError as exc:
            if login.count_failure(request, user):
                return render(request, "security/otp.html", {"username": user.username}, status=429)
            error = exc.message
        else:
            return redirect(login.finish_login(request, user, state, factor))
    return render(
        request,
        "security/otp.html",
        {"username": user.username, "error": error},
        status=400 if error else 200,
    )


def _qr_svg(uri: str) -> str:
    # segno writes only the path of the modules (the URI is not in the markup).
    return mark_safe(
        segno.make(uri, error="m").svg_inline(scale=5, border=2, title="动态口令二维码")
    )  # noqa: S308


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Binding an authenticator app: at the first login of a user who needs one (pending),
    or from 账号安全 for anyone logged in without one."""
    state: dict[str, Any] | None = None
    if request.user.is_authenticated:
        user: User = request.user
    else:
        found = login.pending_user(request)
        if found is None:
            return _restart(request)
        user, state = found
    if actions.device_of(user) is not None:
        messages.info(request, "您已绑定动态口令。")
        return redirect("security:account" if state is None else "security:otp")
    error = ""
    if request.method == "POST":
        if state is not None and login.locked(request, user):
            login.abandon(request)
            return redirect("login")
        code = _posted_code(request) or ""  # an unreadable code is a wrong one
        try:
            codes = actions.confirm_enrolment(user, code, request=request)
        except SecondFactorError as exc:
            if state is not None and login.count_failure(request, user):
                return render(request, "security/otp.html", {"username": user.username}, status=429)
            error = exc.message
        else:
            if state is not None:
                next_url = login.finish_login(request, user, state, "totp")
            else:
                next_url = reverse("security:account")
            return _show_codes(request, codes, next_url=next_url, first=True)
    device = actions.start_enrolment(user)
    secret = actions.secret_of(device)
    return render(
        request,
        "security/enrol.html",
        {
            "qr": _qr_svg(actions.provisioning_uri(user, secret)),
            "secret": _grouped(secret),
            "username": user.username,
            "pending": state is not None,
            "required": requires_second_factor(user),
            "error": error,
        },
        status=400 if error else 200,
    )


def _show_codes(
    request: HttpRequest, codes: list[str], *, next_url: str, first: bool
) -> HttpResponse:
    return render(
        request,
        "security/recovery_codes.html",
        {"codes": codes, "next_url": next_url, "first": first},
    )


@login_required
@require_http_methods(["GET", "POST"])
def account(request: AuthedRequest) -> HttpResponse:
    """账号安全: the user's second factor, new recovery codes for a current code."""
    user = request.user
    error = ""
    if request.method == "POST":
        code = _posted_code(request) or ""  # an unreadable code is a wrong one
        try:
            codes = actions.regenerate_recovery_codes(user, code, request=request)
        except SecondFactorError as exc:
            error = exc.message
        else:
            return _show_codes(request, codes, next_url=reverse("security:account"), first=False)
    device = actions.device_of(user)
    left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count() if device else 0
    return render(
        request,
        "security/account.html",
        {
            "device": device,
            "codes_left": left,
            "required": requires_second_factor(user),
            "error": error,
        },
        status=400 if error else 200,
    )


def _security_admin(request: AuthedRequest) -> None:
    if Role.SECURITY not in standing_of(request.user).roles:
        raise PermissionDenied("只有安全管理员可以管理动态口令")


@login_required
def user_list(request: AuthedRequest) -> HttpResponse:
    """The 安全管理员's list: every user, whether they need a second factor, bound or not."""
    _security_admin(request)
    query = request.GET.get("q", "")[:50]
    users = User.objects.order_by("username")
    if query and not text_problem(query):
        users = users.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
        )
    rows: list[dict[str, Any]] = [
        dict(row) for row in users.values("pk", "username", "first_name", "last_name", "is_active")
    ]
    roles: dict[int, set[str]] = {}
    for user_id, role in Membership.objects.values_list("user_id", "role"):
        roles.setdefault(user_id, set()).add(role)
    confirmed = dict(
        TotpDevice.objects.filter(confirmed_at__isnull=False).values_list("user_id", "confirmed_at")
    )
    needed = second_factor_roles()
    for row in rows:
        held = roles.get(row["pk"], set())
        row["needs"] = bool(held & needed)
        row["confirmed_at"] = confirmed.get(row["pk"])
        row["roles"] = "、".join(str(Role(r).label) for r in sorted(held))
    return render(
        request,
        "security/users.html",
        {"rows": rows, "query": query, "extra_roles": settings.HUIYIN_2FA_ROLES},
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _security_admin(request)
    target = User.objects.filter(pk=pk).first()
    if target is None:
        raise Http404("用户不存在")
    if request.method == "POST":
        try:
            actions.reset_device(target.pk, by=request.user, request=request)
        except SecondFactorError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                f"已重置“{target.username}”的动态口令；其登录已全部结束，下次登录时须重新绑定。",
            )
        return redirect("security:user", pk=target.pk)
    device = TotpDevice.objects.filter(user=target).first()
    return render(
        request,
        "security/user.html",
        {
            "target": target,
            "device": device,
            "needs": requires_second_factor(target),
            "codes_left": RecoveryCode.objects.filter(user=target, used_at__isnull=True).count(),
            "is_self": target.pk == request.user.pk,
        },
    )
