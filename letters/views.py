"""Downloads of the 答复函, the 征询意见表 and the 催办通知单 of a case the user may see."""

from collections.abc import Callable
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cases.models import Case
from cases.queries import case_for_user
from huiyin.errors import DomainError
from huiyin.types import AuthedRequest, User
from letters.build import (
    DOCX_CONTENT_TYPE,
    feedback_form,
    feedback_form_filename,
    reply_letter,
    reply_letter_filename,
)
from letters.models import UrgeNotice
from letters.setup import SETUP_PAGE, LetterSetupError
from letters.urge import urge_notice, urge_notice_filename
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
    case: Case,
    build: Callable[[], bytes],
    filename: str,
    ascii_name: str,
) -> HttpResponse:
    """The document, or a page that says why it cannot be built (with the way to the
    发文设置 for an administrator)."""
    try:
        content = build()
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
    return docx_response(content, filename, ascii_name)


@require_GET
@login_required
def reply_letter_view(request: AuthedRequest, pk: int) -> HttpResponse:
    case = case_for_user(request.user, pk)  # 404 for a case the user may not see
    return _download(
        request,
        case,
        lambda: reply_letter(case),
        reply_letter_filename(case),
        f"reply-letter-{case.pk}.docx",
    )


@require_GET
@login_required
def feedback_form_view(request: AuthedRequest, pk: int) -> HttpResponse:
    case = case_for_user(request.user, pk)
    return _download(
        request,
        case,
        lambda: feedback_form(case),
        feedback_form_filename(case),
        f"feedback-form-{case.pk}.docx",
    )


def notice_for_user(user: User, pk: int, notice: int) -> UrgeNotice:
    """A 催办通知单 of a case the user may see; 404 for any other (or another case's)."""
    case = case_for_user(user, pk)
    found = UrgeNotice.objects.select_related("case", "unit").filter(pk=notice, case=case).first()
    if found is None:
        raise Http404("没有这份催办通知单")
    return found


@require_GET
@login_required
def urge_notice_view(request: AuthedRequest, pk: int, notice: int) -> HttpResponse:
    found = notice_for_user(request.user, pk, notice)
    return _download(
        request,
        found.case,
        lambda: urge_notice(found),
        urge_notice_filename(found),
        f"urge-notice-{found.year}-{found.number}.docx",
    )
