"""The absolute session lifetime (等保三级: 会话控制). A logged-in request after
HUIYIN_SESSION_ABSOLUTE_SECONDS since its login is logged out and sent to the login page
with a message; SESSION_ENDED records it. The login time is in the session, which this
request loads anyway (the user, the password-change mark): no query and no write on an
ordinary request. The second factor itself is asked before login() (security.views), so
a logged-in session has passed both; Client.force_login is such a full login (it goes
through user_logged_in, security.receivers, which notes the time).

A logged-in session without a login time was made before the upgrade that added the
second factor and the lifetime: neither would ever apply to it, so it is logged out
(SESSION_ENDED, reason "upgrade") and its user logs in again under today's rules.

A user who becomes subject to the second factor by a role granted has every session
ended (orgs.actions.grant_role). One who becomes subject by a change of HUIYIN_2FA_ROLES
keeps the sessions open at the restart until their absolute lifetime ends (at most
HUIYIN_SESSION_ABSOLUTE_SECONDS); the next login asks for the code. To apply it at once,
empty the django_session table at the restart (everyone logs in again)."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse

from audit.trail import SecurityAction, record_security_event
from security import sessions
from security.receivers import QUIET_LOGOUT

# Paths that never look at the session here (static files come before the middleware).
_SKIPPED = ("/static/", "/healthz", "/livez")
EXPIRED = "登录已超过最长时限，请重新登录。"
UPGRADED = "系统已升级安全措施，请重新登录。"


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is None or request.path.startswith(_SKIPPED):
            return self.get_response(request)
        if SESSION_KEY in session:
            if sessions.LOGIN_AT_KEY not in session:
                return self._end(request, sessions.REASON_UPGRADE)
            if sessions.lifetime_over(session):
                return self._end(request, sessions.REASON_LIFETIME)
            sessions.follow_key_change(session)
        return self.get_response(request)

    def _end(self, request: HttpRequest, reason: str) -> HttpResponse:
        user = request.user
        record_security_event(
            request,
            action=SecurityAction.SESSION_ENDED,
            subject=f"用户 {user.get_username()}",
            details={"reason": reason},
        )
        setattr(request, QUIET_LOGOUT, True)
        logout(request)
        said = EXPIRED if reason == sessions.REASON_LIFETIME else UPGRADED
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": said}, status=401)
        messages.info(request, said)
        return redirect_to_login(request.get_full_path())
