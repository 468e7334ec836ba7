"""Content-Security-Policy on every response.

Huiyin has no inline script and no inline event handler: every script is a static file
served from our own origin, data for a page travels as JSON (`json_script`), so a planted
`<script>` or `onerror=` in a unit name or a title cannot run even if a template or a chart
forgot to escape it. Styles may be inline (Bootstrap and ECharts set `style` attributes);
the policy is about scripts.

The API docs (django-ninja's Swagger UI) load their script and settings from static files
and a `<script type="application/json">` block, which is data, not script, so they live
under the same policy.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"

DIRECTIVES: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    # data: for the SVG icons Bootstrap and Swagger UI draw from their stylesheets.
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}

POLICY = "; ".join(f"{name} {value}" for name, value in DIRECTIVES.items())


class ContentSecurityPolicyMiddleware:
    """Adds the policy to every response that does not already carry one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = POLICY
        return response
