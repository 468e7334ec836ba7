"""POST /auth/token: a bearer token for a username and password."""

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router

from api.models import ApiToken
from api.schemas import ErrorOut, InvalidOut, TokenIn, TokenOut

router = Router(tags=["登录"])

WRONG = "用户名或密码错误"
LOCKED = "登录失败次数过多，请30分钟后再试"


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 422: InvalidOut, 429: ErrorOut},
    summary="获取访问令牌",
)
def issue_token(request: HttpRequest, data: TokenIn):
    """With the token, send `Authorization: Bearer <token>` on every other request.

    Five failures for one username from one address lock it for 30 minutes."""
    # Through django.contrib.auth so that django-axes counts the failures.
    user = authenticate(request, username=data.username, password=data.password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            # We answer in JSON ourselves; left set, the flag makes AxesMiddleware replace
            # this response with its HTML lockout page.
            request.axes_locked_out = False  # type: ignore[attr-defined]  # django-axes' flag
            return 429, {"detail": LOCKED}
        return 401, {"detail": WRONG}
    if getattr(settings, "AXES_RESET_ON_SUCCESS", False):
        _reset_failures(request, user.get_username())
    token, key = ApiToken.objects.issue(user)
    return 200, {"token": key, "expires_at": token.expires_at}


def _reset_failures(request: HttpRequest, username: str) -> None:
    # A web login resets the count through the user_logged_in signal; sending that signal
    # here would make axes create a session, which a token login must not have.
    from axes.handlers.proxy import AxesProxyHandler

    ip_address = getattr(request, "axes_ip_address", None)
    if ip_address:
        AxesProxyHandler.reset_attempts(ip_address=ip_address, username=username)
