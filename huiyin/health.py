"""`/healthz`: the process answers. For a load balancer or a monitor, and the floor a page
of ours cannot go below: no query, no template, no session (it is not read, so neither
loaded nor renewed), no login (it says nothing about any case)."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

PATH = "/healthz"


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
