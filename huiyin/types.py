"""The project's own types: the acting user, and a request that carries one.

`settings.AUTH_USER_MODEL` is Django's own `auth.User`, so `User` is that class. Code that
acts for someone (`by=`, `user=`) takes a `User`; only code that may meet the anonymous
visitor (template tags, `standing_of`) takes `AnyUser`.
"""

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest

__all__ = ["AnyUser", "AuthedRequest", "User"]

AnyUser: TypeAlias = User | AnonymousUser


class AuthedRequest(HttpRequest):
    """A request that has passed login (`login_required`, the API's token): `.user` is a
    `User`. Only an annotation: views still receive Django's own `HttpRequest`."""

    user: User
