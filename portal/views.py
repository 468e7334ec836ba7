"""The office's side of the proposer's links: issue, show once (with its QR code), revoke,
and print the 征询意见表 with the QR code of a new link.

The token is not stored. Right after issuing it is kept in the issuing user's session
(SESSION_KEY) only until the link's page shows it (with its QR code, to print or copy):
that page takes it out, so it is shown once and sits in the session store no longer than
the redirect. Reloading the page, anyone else, or the same user later sees only that it
was issued and must issue anew (which revokes it) to hand it on again. Printing the
征询意见表 with the QR code issues a new link too (the form carries it; nothing is kept),
and the button says that the link already sent stops working. Issuing for a proposer whose
link is live asks first (a page to confirm, a second POST): the link sent stops working.
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

from audit.record import today
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


def _take(request: AuthedRequest, link: ProposerLink) -> str:
    """The just-issued token of this link, taken out of the session (shown once)."""
    kept: dict[str, str] = dict(request.session.get(SESSION_KEY) or {})
    token = kept.pop(str(link.pk), "")
    if token:
        if kept:
            request.session[SESSION_KEY] = kept
        else:
            del request.session[SESSION_KEY]
    return token


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


def _live_link(case: Case, proposer: Proposer | None) -> ProposerLink | None:
    """The live link that issuing for this proposer (default the lead) would void."""
    if proposer is None:
        lead = case.proposer_links.order_by("position").first()
        if lead is None:
            return None
        proposer_id = lead.proposer_id
    else:
        proposer_id = proposer.pk
    found = (
        ProposerLink.objects.select_related("proposer")
        .filter(case=case, proposer_id=proposer_id, revoked_on__isnull=True)
        .first()
    )
    return found if found is not None and found.live_on(today()) else None


@login_required
@require_POST
def issue(request: AuthedRequest, pk: int) -> HttpResponse:
    case = _coordinator_case(request, pk)
    proposer = _proposer_from(str(request.POST.get("proposer", "")))
    live = _live_link(case, proposer)
    if live is not None and request.POST.get("confirm") != "1":
        # Issuing voids the link already sent: said first, issued on the second POST.
        return render(request, "portal/confirm_issue.html", {"case": case, "live": live})
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
    """A just-issued link: its URL and QR code to print or copy, shown once to the user who
    issued it (the token leaves the session as it is shown)."""
    case = _coordinator_case(request, pk)
    found = ProposerLink.objects.select_related("proposer").filter(pk=link, case=case).first()
    if found is None:
        raise Http404("没有这个征询链接")
    token = _take(request, found)
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
    earlier one, which the panel's button says) and prints its QR code and address on the
    form; the token is on the form only, not kept. Printing the form from the case page's
    征询意见表 button issues nothing and prints no code."""
    case = _coordinator_case(request, pk)
    try:
        with transaction.atomic():
            link, token = actions.issue_link(case, by=request.user)
            content = feedback_form(case, link=link_url(token, request))
    except DomainError as exc:
        web_error(exc)
        messages.error(request, f"未生成征询意见表：{exc.message}")
        return redirect(f"{reverse('case-detail', args=[case.pk])}#proposer-links")
    return docx_response(content, feedback_form_filename(case), f"feedback-form-{case.pk}.docx")
