"""Bearer-token authentication of the JSON API."""

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja.security import HttpBearer

from api.models import ApiToken, hash_key
from huiyin.types import User

# Recording every use would turn each read into a write; a minute's precision is enough
# to see which tokens are alive.
TOUCH_INTERVAL = timedelta(seconds=60)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = (token or "").strip()
        if not token or len(token) > 200:
            return None
        found = ApiToken.objects.select_related("user").filter(key_hash=hash_key(token)).first()
        now = timezone.now()
        if found is None or found.is_expired(now) or not found.user.is_active:
            return None
        if found.last_used_at is None or now - found.last_used_at >= TOUCH_INTERVAL:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]  # for DELETE /auth/token
        return found.user


token_auth = TokenAuth()


def docs_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The API's description (/docs, /openapi.json) is for the commission's own people: a
    logged-in user of the web or a bearer token; anyone else is sent to the login page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated or token_auth(request) is not None:
            return view(request, *args, **kwargs)
        return redirect_to_login(request.get_full_path())

    return wrapped
