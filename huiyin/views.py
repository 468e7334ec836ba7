"""Project-level error pages: a URL under /api/ that no route matches (e.g. a misspelt
path) answers JSON like every other API error; any other gets the site's 404 page."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

API_PREFIX = "/api/"
NOT_FOUND = "接口不存在"


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            {"detail": NOT_FOUND}, status=404, json_dumps_params={"ensure_ascii": False}
        )
    return defaults.page_not_found(request, exception)
