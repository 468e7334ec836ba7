"""Django's ModelBackend with the inactivity limit of 等保三级: the right password of an
account unused for HUIYIN_INACTIVE_DAYS disables the account (audited ACCOUNT_DISABLED)
and the login is refused, on the web and for an API token alike (both authenticate
through here). A wrong password changes nothing: it is an ordinary failure."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from huiyin.types import User
from orgs.policy import disable_inactive_account


class PolicyBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if isinstance(user, User) and disable_inactive_account(user, request=request):
            return None
        return user if isinstance(user, User) else None
