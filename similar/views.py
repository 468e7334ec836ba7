"""The similar app on the web: the register page's panel of similar cases (an htmx
fragment, as the coordinator types the title and content) and the routing suggestion's
acceptance rate (/similar/routing/?year=)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from audit.record import today
from huiyin.text import LONG_TEXT_MAX, text_problem
from orgs.access import standing_of
from orgs.models import Role
from similar import index
from similar.queries import similar_for
from similar.routing import acceptance

if TYPE_CHECKING:
    from huiyin.types import AuthedRequest

SHOWN_WHILE_REGISTERING = 5
TITLE_MAX = 300


@login_required
@require_http_methods(["GET", "POST"])
def register_panel(request: AuthedRequest) -> HttpResponse:
    """The cases like the one being registered (this year's and past years'), with their
    state, lead unit and the beginning of their reply; only those the user may see.

    The register page POSTs (a long content in a GET's address would pass the server's
    limit on a request line: 414): the title and the content's first CONTENT_CHARS
    characters, all the index reads (its static script cuts the rest); whatever more is
    sent is cut here too. It writes nothing."""
    data = request.POST if request.method == "POST" else request.GET
    title = data.get("title", "")
    content = data.get("content", "")[: index.CONTENT_CHARS]
    problem = text_problem(title, max_length=TITLE_MAX) or text_problem(
        content, max_length=LONG_TEXT_MAX, multiline=True
    )
    if problem:
        return render(
            request, "similar/_register_panel.html", {"error": problem, "found": []}, status=400
        )
    found = similar_for(
        request.user, title, content, limit=SHOWN_WHILE_REGISTERING, with_replies=True
    )
    asked = bool(title.strip() or content.strip())
    return render(request, "similar/_register_panel.html", {"found": found, "asked": asked})


@login_required
@require_GET
def routing(request: AuthedRequest) -> HttpResponse:
    """主办处室建议的采纳情况: for the office and the commission's leaders."""
    standing = standing_of(request.user)
    if not (standing.has(Role.COORDINATOR) or standing.has(Role.LEADER)):
        raise PermissionDenied("只有办公室和委领导可以查看主办处室建议的采纳情况")
    this_year = today().year
    raw = request.GET.get("year", "") or str(this_year)
    if not raw.isdigit() or not 2000 <= int(raw) <= this_year + 1:
        context = {"error": "年度应为2000年至明年之间的四位数字", "years": _years(this_year)}
        return render(request, "similar/routing.html", context, status=400)
    data = acceptance(int(raw))
    if data["rate"] is not None:
        data["percent"] = round(data["rate"] * 100, 1)
    return render(request, "similar/routing.html", {"data": data, "years": _years(this_year)})


def _years(this_year: int) -> list[int]:
    return list(range(this_year, this_year - 5, -1))
