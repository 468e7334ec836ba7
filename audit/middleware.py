"""The security trail's downloads, exports and refusals (issue 16): filled in by the audit work."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class SecurityTrailMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)
