"""Bearer-token authentication of the JSON API."""

from datetime import timedelta

from django.http import HttpRequest
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
        return found.user


token_auth = TokenAuth()
