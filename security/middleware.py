"""The absolute session lifetime (等保三级: 会话控制). A logged-in request after
HUIYIN_SESSION_ABSOLUTE_SECONDS since its login is logged out and sent to the login page
with a message; SESSION_ENDED records it. The login time is in the session, which this
request loads anyway (the user, the password-change mark): no query and no write on an
ordinary request. The second factor itself is asked before login() (security.views), so
a logged-in session has passed both; Client.force_login is such a full login."""

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


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is None or request.path.startswith(_SKIPPED):
            return self.get_response(request)
        if SESSION_KEY in session:
            if sessions.lifetime_over(session):
                return self._end(request)
            sessions.follow_key_change(session)
        return self.get_response(request)

    def _end(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        record_security_event(
            request,
            action=SecurityAction.SESSION_ENDED,
            subject=f"用户 {user.get_username()}",
            details={"reason": sessions.REASON_LIFETIME},
        )
        setattr(request, QUIET_LOGOUT, True)
        logout(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": EXPIRED}, status=401)
        messages.info(request, EXPIRED)
        return redirect_to_login(request.get_full_path())
