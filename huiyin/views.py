"""Project-level error pages: a URL under /api/ that no route matches (e.g. a misspelt
path) answers JSON like every other API error; any other gets the site's 404 page."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults

API_PREFIX = "/api/"
NOT_FOUND = "接口不存在"


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            {"detail": NOT_FOUND}, status=404, json_dumps_params={"ensure_ascii": False}
        )
    return defaults.page_not_found(request, exception)


BAD_REQUEST = "请求无效"


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A request Django itself refused (SuspiciousOperation, BadRequest): the Chinese 400
    page, or JSON under /api/."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            {"detail": BAD_REQUEST}, status=400, json_dumps_params={"ensure_ascii": False}
        )
    return invalid_input(request)


def invalid_input(
    request: HttpRequest,
    message: str = "",
    *,
    heading: str = "",
    back_url: str = "",
    back_label: str = "",
) -> HttpResponse:
    """The 400 page naming what was wrong (e.g. "无效的筛选条件：年度（year）应为整数"),
    with a way back: a page that could not read its input shows no answer at all."""
    context = {
        "message": message,
        "heading": heading,
        "back_url": back_url,
        "back_label": back_label,
    }
    return render(request, "400.html", context, status=400)
