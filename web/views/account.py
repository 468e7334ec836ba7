"""The user's own account: changing the password (required after an administrator set it,
or when it is older than HUIYIN_PASSWORD_MAX_AGE_DAYS)."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from huiyin.types import AuthedRequest
from orgs.accounts import EXPIRY_SESSION_KEY, MUST_CHANGE_SESSION_KEY, password_change_reason
from orgs.actions import OrgError, change_own_password
from orgs.passwords import CharacterClassValidator

FIELDS = ("old_password", "new_password", "new_password2")
MAX_LENGTH = 128


@login_required
def password_change(request: AuthedRequest) -> HttpResponse:
    forced = password_change_reason(request.user)
    errors: dict[str, str] = {}
    if request.method == "POST":
        posted = {name: request.POST.get(name, "") for name in FIELDS}
        for name, value in posted.items():
            if len(value) > MAX_LENGTH:
                errors[name] = f"不能超过{MAX_LENGTH}个字符"
        if not errors and posted["new_password"] != posted["new_password2"]:
            errors["new_password2"] = "两次输入的新密码不一致"
        if not errors:
            try:
                change_own_password(
                    request.user,
                    old_password=posted["old_password"],
                    new_password=posted["new_password"],
                )
            except OrgError as exc:
                errors[exc.field or "new_password"] = exc.message
            else:
                # The password changed: keep this session (others end), let it go anywhere.
                update_session_auth_hash(request, request.user)
                request.session.pop(MUST_CHANGE_SESSION_KEY, None)
                request.session.pop(EXPIRY_SESSION_KEY, None)
                messages.success(
                    request, "密码已修改。您的接口令牌已全部失效，如需使用请重新获取。"
                )
                return redirect("home")
    return render(
        request,
        "web/account_password.html",
        {"forced": forced, "errors": errors, "policy": CharacterClassValidator().get_help_text()},
        status=400 if errors else 200,
    )
