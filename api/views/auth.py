"""POST /auth/token: a bearer token for a username and password; DELETE /auth/token: the
caller's token revoked (logout)."""

import json
from typing import Any

import pydantic
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict
from ninja import Router

from api import actions as token_actions
from api.errors import JSON_INVALID, describe
from api.openapi import body_schema
from api.schemas import ErrorOut, InvalidOut, OtpRequiredOut, TokenIn, TokenOut
from huiyin.text import text_problem
from huiyin.types import User
from orgs.accounts import must_change_password
from security import actions as factor_actions
from security.receivers import SECOND_FACTOR_MARK

router = Router(tags=["登录"])

WRONG = "用户名或密码错误"
LOCKED = "登录失败次数过多，请30分钟后再试"
MUST_CHANGE = "管理员设置的密码须先修改：请登录网页，在“修改密码”页设置自己的密码后再获取令牌"
OTP_MISSING = "该账号须使用动态口令：请在 otp 中提供验证器上的6位数字（或一个恢复码）"
OTP_WRONG = "动态口令不正确或已使用"
OTP_NOT_ENROLLED = "该账号须使用动态口令，但尚未绑定：请先登录网页完成绑定，再获取令牌"
MALFORMED = '请求格式错误：请求体应为 JSON 对象 {"username": …, "password": …}'


@router.post(
    "/token",
    auth=None,
    response={
        200: TokenOut,
        400: InvalidOut,
        401: ErrorOut | OtpRequiredOut,
        403: ErrorOut,
        429: ErrorOut,
    },
    summary="获取访问令牌",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": body_schema(TokenIn)}},
        }
    },
)
def issue_token(request: HttpRequest):
    """With the token, send `Authorization: Bearer <token>` on every other request.

    The body is read as JSON whatever the Content-Type says. Five failures for one
    username from one address (a malformed request counts as one) lock it for 30
    minutes; meanwhile even the right password is refused (429).

    A user who must give a second factor (the administrators; the roles in
    HUIYIN_2FA_ROLES) sends `otp` too: missing or wrong, the answer is 401 with
    `"otp_required": true` and no token; a wrong one counts as a failure."""
    _never_parse_as_form(request)
    data, problems = _credentials(request)
    if data is None:
        _count_failure(request, problems["username"])
        if _locked(request):
            return 429, {"detail": LOCKED}
        return 400, {"detail": problems["detail"], "errors": problems["errors"]}
    # Through django.contrib.auth so that django-axes counts the failures.
    user = authenticate(request, username=data.username, password=data.password)
    if user is None:
        if _locked(request):
            return 429, {"detail": LOCKED}
        return 401, {"detail": WRONG}
    refused = _second_factor(request, user, data.otp)
    if refused is not None:
        return refused
    if getattr(settings, "AXES_RESET_ON_SUCCESS", False):
        _reset_failures(request, user.get_username())
    if must_change_password(user):
        return 403, {"detail": MUST_CHANGE}
    token, key = token_actions.issue_token(user, request=request)
    return 200, {"token": key, "expires_at": token.expires_at}


@router.delete("/token", response={204: None, 401: ErrorOut}, summary="注销访问令牌")
def revoke_token(request: HttpRequest):
    """Revoke the token this request was sent with; it is refused (401) from then on."""
    token = getattr(request, "api_token", None)
    if token is not None:
        token_actions.revoke_token(token, request=request)
    return 204, None


def _second_factor(request: HttpRequest, user: User, otp: str | None) -> tuple[int, dict] | None:
    """None when the user needs no second factor or gave a right one; else the refusal."""
    from security.policy import asks_second_factor

    if not asks_second_factor(user):
        return None
    if factor_actions.device_of(user) is None:
        return 401, {"detail": OTP_NOT_ENROLLED, "otp_required": True}
    if not otp:
        return 401, {"detail": OTP_MISSING, "otp_required": True}
    try:
        factor_actions.check_code(user, otp, request=request)
    except factor_actions.FactorLocked as exc:
        _count_second_factor(request, user)
        _locked(request)  # answered here in JSON either way
        return 429, {"detail": exc.message}
    except factor_actions.SecondFactorError:
        _count_second_factor(request, user)
        if _locked(request):
            return 429, {"detail": LOCKED}
        return 401, {"detail": OTP_WRONG, "otp_required": True}
    return None


def _count_second_factor(request: HttpRequest, user: User) -> None:
    user_login_failed.send(
        sender=__name__,
        credentials={"username": user.get_username(), SECOND_FACTOR_MARK: True},
        request=request,
    )


def _never_parse_as_form(request: HttpRequest) -> None:
    """Whatever the Content-Type claims, this endpoint's body is JSON: nothing may parse it
    as a form. django-axes reads request.POST when it records a failure; with
    `multipart/form-data` and no boundary that raised before the failure was counted."""
    request.POST = QueryDict()
    request._files = MultiValueDict()  # type: ignore[attr-defined]  # read by request.FILES


def _credentials(request: HttpRequest) -> tuple[TokenIn | None, dict[str, Any]]:
    """The username and password of the body, or None and what is wrong with it (with
    the username, when one can be read, for the failure count)."""
    try:
        raw = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        return None, {"detail": JSON_INVALID, "errors": [], "username": None}
    if not isinstance(raw, dict):
        return None, {"detail": MALFORMED, "errors": [], "username": None}
    username = raw.get("username")
    readable = (
        username
        if isinstance(username, str) and 0 < len(username) <= 150 and not text_problem(username)
        else None
    )
    try:
        return TokenIn.model_validate(raw), {}
    except pydantic.ValidationError as exc:
        found = describe(exc.errors(include_url=False), TokenIn)
        detail = "；".join(dict.fromkeys(p["sentence"] for p in found)) or MALFORMED
        errors = [{"field": p["field"], "message": p["message"]} for p in found]
        return None, {"detail": detail, "errors": errors, "username": readable}


def _count_failure(request: HttpRequest, username: str | None) -> None:
    """A malformed request is a failed login like a wrong password: django-axes counts it
    (for its username when it has one) and may lock the username at this address."""
    user_login_failed.send(
        sender=__name__, credentials={"username": username or ""}, request=request
    )


def _locked(request: HttpRequest) -> bool:
    if not getattr(request, "axes_locked_out", False):
        return False
    # We answer in JSON ourselves; left set, the flag makes AxesMiddleware replace this
    # response with its HTML lockout page.
    request.axes_locked_out = False  # type: ignore[attr-defined]  # django-axes' flag
    return True


def _reset_failures(request: HttpRequest, username: str) -> None:
    # A web login resets the count through the user_logged_in signal; sending that signal
    # here would make axes create a session, which a token login must not have.
    from axes.handlers.proxy import AxesProxyHandler

    ip_address = getattr(request, "axes_ip_address", None)
    if ip_address:
        AxesProxyHandler.reset_attempts(ip_address=ip_address, username=username)
