"""The working-day calendar read at most once a request (workdays.calendar.read_once): a
page shows deadlines, reminder steps and form previews, each of which asks for it."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from workdays.calendar import read_once


class CalendarOncePerRequestMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with read_once():
            return self.get_response(request)
