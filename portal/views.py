"""The office's side of the proposer's links: issue, show once (with its QR code), revoke,
and print the 征询意见表 with the QR code of a new link.

The token is not stored. Right after issuing it is kept in the issuing user's session
(SESSION_KEY, the last few links) so that the link's page can show it, print it and show
its QR code; anyone else, or the same user after logging out, sees that it was issued and
must issue anew (which revokes it) to hand it on again.
"""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cases.models import Case, Proposer
from cases.permissions import relations
from cases.queries import case_for_user
from huiyin.errors import DomainError
from huiyin.types import AuthedRequest
from letters.build import feedback_form, feedback_form_filename
from letters.views import docx_response
from portal import actions
from portal.links import link_url
from portal.models import ProposerLink
from web.errors import web_error
from workflow.vocabulary import Relation

SESSION_KEY = "portal_new_links"
SESSION_KEEP = 5


def qr_data_uri(url: str) -> str:
    """The URL's QR code as an SVG data: URI (the CSP allows data: images)."""
    return str(segno.make(url, error="m").svg_data_uri(scale=6, border=2))


def _remember(request: AuthedRequest, link: ProposerLink, token: str) -> None:
    kept: dict[str, str] = dict(request.session.get(SESSION_KEY) or {})
    kept[str(link.pk)] = token
    request.session[SESSION_KEY] = dict(list(kept.items())[-SESSION_KEEP:])


def _coordinator_case(request: AuthedRequest, pk: int) -> Case:
    case = case_for_user(request.user, pk)  # 404 for a case the user may not see
    if Relation.COORDINATOR not in relations(request.user, case):
        raise PermissionDenied("只有议提案管理员可以管理征询链接")
    return case


def _proposer_from(raw: str) -> Proposer | None:
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) < 10):
        raise Http404("没有这位代表委员")
    found = Proposer.objects.filter(pk=int(raw)).first()
    if found is None:
        raise Http404("没有这位代表委员")
    return found


@login_required
@require_POST
def issue(request: AuthedRequest, pk: int) -> HttpResponse:
    case = _coordinator_case(request, pk)
    proposer = _proposer_from(str(request.POST.get("proposer", "")))
    try:
        link, token = actions.issue_link(case, by=request.user, proposer=proposer)
    except DomainError as exc:
        web_error(exc)
        messages.error(request, f"未生成征询链接：{exc.message}")
        return redirect(f"{reverse('case-detail', args=[case.pk])}#proposer-links")
    _remember(request, link, token)
    return redirect("portal:link", pk=case.pk, link=link.pk)


@login_required
@require_GET
def link_page(request: AuthedRequest, pk: int, link: int) -> HttpResponse:
    """A just-issued link: its URL and QR code to print or copy (shown to the user who
    issued it, in that session)."""
    case = _coordinator_case(request, pk)
    found = ProposerLink.objects.select_related("proposer").filter(pk=link, case=case).first()
    if found is None:
        raise Http404("没有这个征询链接")
    token = (request.session.get(SESSION_KEY) or {}).get(str(found.pk), "")
    context: dict[str, Any] = {"case": case, "link": found, "url": "", "qr": ""}
    if token and found.revoked_on is None:
        url = link_url(token, request)
        context.update(url=url, qr=qr_data_uri(url))
    return render(request, "portal/link.html", context)


@login_required
@require_POST
def revoke(request: AuthedRequest, pk: int, link: int) -> HttpResponse:
    case = _coordinator_case(request, pk)
    found = ProposerLink.objects.select_related("proposer", "case").filter(pk=link, case=case)
    target = found.first()
    if target is None:
        raise Http404("没有这个征询链接")
    try:
        actions.revoke_link(target, by=request.user)
    except DomainError as exc:
        web_error(exc)
        messages.error(request, f"未作废：{exc.message}")
    else:
        messages.success(request, f"已作废{target.proposer.name}的征询链接")
    return redirect(f"{reverse('case-detail', args=[case.pk])}#proposer-links")


@login_required
@require_POST
def feedback_form_with_link(request: AuthedRequest, pk: int) -> HttpResponse:
    """打印征询意见表（附二维码）: issues a new link for the lead proposer (revoking their
    earlier one) and prints its QR code and address on the form. Printing the form from
    the case page's 征询意见表 button issues nothing and prints no code."""
    case = _coordinator_case(request, pk)
    try:
        with transaction.atomic():
            link, token = actions.issue_link(case, by=request.user)
            content = feedback_form(case, link=link_url(token, request))
    except DomainError as exc:
        web_error(exc)
        messages.error(request, f"未生成征询意见表：{exc.message}")
        return redirect(f"{reverse('case-detail', args=[case.pk])}#proposer-links")
    _remember(request, link, token)
    return docx_response(content, feedback_form_filename(case), f"feedback-form-{case.pk}.docx")
