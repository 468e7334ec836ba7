"""待办 (the home page): what needs the logged-in user now, by role, most urgent first."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from audit.record import today
from cases.todo import SECTION_LIMIT, todo_for
from huiyin.types import AuthedRequest


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    todo = todo_for(request.user, today())
    ledger = reverse("case-list")
    # One reverse() for the hundreds of rows: each costs as much as rendering a row.
    case_prefix = reverse("case-detail", args=[1]).removesuffix("1/")
    for section in todo.sections:
        section.ledger_url = f"{ledger}?{urlencode(section.ledger)}" if section.ledger else ledger
        for row in section.rows:
            row.url = f"{case_prefix}{row.case.pk}/"
    return render(
        request, "web/home.html", {"todo": todo, "today": todo.today, "limit": SECTION_LIMIT}
    )
