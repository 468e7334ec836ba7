"""Downloads of the 答复函 and the 征询意见表 for a case the user may see."""

from collections.abc import Callable
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cases.models import Case
from cases.queries import case_for_user
from huiyin.errors import DomainError
from huiyin.types import AuthedRequest
from letters.build import (
    DOCX_CONTENT_TYPE,
    feedback_form,
    feedback_form_filename,
    reply_letter,
    reply_letter_filename,
)
from letters.setup import SETUP_PAGE, LetterSetupError
from orgs.access import standing_of
from orgs.models import Role


def docx_response(content: bytes, filename: str, ascii_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX_CONTENT_TYPE)
    # RFC 6266: an ASCII name for old clients, the Chinese one for the rest.
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _download(
    request: AuthedRequest,
    pk: int,
    build: Callable[[Case], bytes],
    name: Callable[[Case], str],
    ascii_prefix: str,
) -> HttpResponse:
    case = case_for_user(request.user, pk)  # 404 for a case the user may not see
    try:
        content = build(case)
    except DomainError as error:
        setup_needed = isinstance(error, LetterSetupError)
        return render(
            request,
            "letters/cannot_build.html",
            {
                "case": case,
                "message": error.message,
                "setup_page": SETUP_PAGE
                if setup_needed and standing_of(request.user).has(Role.ADMIN)
                else "",
                "setup_needed": setup_needed,
            },
            status=error.status,
        )
    return docx_response(content, name(case), f"{ascii_prefix}-{case.pk}.docx")


@require_GET
@login_required
def reply_letter_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _download(request, pk, reply_letter, reply_letter_filename, "reply-letter")


@require_GET
@login_required
def feedback_form_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _download(request, pk, feedback_form, feedback_form_filename, "feedback-form")
