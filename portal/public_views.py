"""/p/<token>/: the proposer's own page of their case (no login, phone-first).

- GET  /p/<token>/             progress, communications, the signed reply, promises, ratings
- GET  /p/<token>/letter.docx  the signed reply letter
- POST /p/<token>/rate/        the rating (result and attitude apart, with a comment)
- POST /p/<token>/talks/<id>/  their word on a communication record

A token that is not 43 URL-safe characters, or whose hash no link has, is a 404 (the
same page either way); an expired or revoked link is a plain 410 page with nothing of
the case. Every use of a live link is counted and audited (portal.actions).

Like the opinions' private page (opinions.public.views.track) the forms carry no CSRF
token: the page sends no Referer (the URL holds the secret), so a browser posts its own
forms with `Origin: null`, which Django's check refuses; the token in the URL is what a
forged request cannot know. Bodies are bounded before they are read. A token carries 256
random bits: guessing is hopeless, so bad lookups are only counted per address, and past
a generous limit (settings.HUIYIN_PORTAL_RATE_BAD_LINKS, default 100/hour) answered 429.
"""

from __future__ import annotations

import re
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audit.record import today
from cases.models import Reply
from huiyin.errors import DomainError
from letters.build import reply_letter, reply_letter_filename
from letters.setup import contact_defaults
from letters.views import docx_response
from opinions.public import ratelimit
from opinions.public.views import private_headers, public_page
from portal import actions
from portal.forms import CheckForm, LinkRatingForm
from portal.links import link_for_token, link_path
from portal.models import ProposerLink
from portal.progress import progress_of
from web.errors import web_error

SMALL_BODY = 64 * 1024
BAD_LINKS_DEFAULT = "100/hour"


def _bad_rate() -> ratelimit.Rate:
    raw = getattr(settings, "HUIYIN_PORTAL_RATE_BAD_LINKS", None) or BAD_LINKS_DEFAULT
    try:
        return ratelimit.parse_rate(raw)
    except Exception:  # an operator's typo never makes the page fail
        return ratelimit.parse_rate(BAD_LINKS_DEFAULT)


def _bad_key(request: HttpRequest) -> str:
    rate = _bad_rate()
    window = int(time.time()) // rate.seconds
    address = ratelimit.address_key(ratelimit.client_address(request))
    return f"huiyin:portal:bad:{rate.seconds}:{window}:{address}"


def _blocked(request: HttpRequest) -> bool:
    try:
        return int(cache.get(_bad_key(request), 0)) >= _bad_rate().limit
    except (TypeError, ValueError):
        return False


def _count_bad(request: HttpRequest) -> None:
    key = _bad_key(request)
    if not cache.add(key, 1, timeout=_bad_rate().seconds + 1):
        try:
            cache.incr(key)
        except ValueError:
            cache.add(key, 1, timeout=_bad_rate().seconds + 1)


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    return private_headers(render(request, template, context, status=status))


def _resolve(request: HttpRequest, token: str) -> ProposerLink | HttpResponse:
    """The live link of this token, or the page to answer instead (404, 410, 429)."""
    if _blocked(request):
        response = _page(
            request,
            "portal/public/message.html",
            {"heading": "请稍后再试", "message": "尝试次数过多，请一小时后再试。"},
            status=429,
        )
        response["Retry-After"] = str(_bad_rate().seconds)
        return response
    link = link_for_token(token)
    if link is None:
        _count_bad(request)
        return _page(request, "portal/public/not_found.html", {}, status=404)
    if not link.live_on(today()):
        ended = "此链接已作废。" if link.revoked_on is not None else "此链接已过有效期。"
        contact, phone = contact_defaults()
        return _page(
            request,
            "portal/public/ended.html",
            {
                "heading": "链接已失效",
                "ended": ended,
                "contact": contact,
                "phone": phone,
                # A plain number dials from the phone; "转" (an extension) is only read.
                "tel": "" if "转" in phone else re.sub(r"[^0-9+]", "", phone),
            },
            status=410,
        )
    return link


def _render_page(
    request: HttpRequest,
    link: ProposerLink,
    token: str,
    *,
    form: LinkRatingForm | None = None,
    check_form: CheckForm | None = None,
    check_for: int | None = None,
    status: int = 200,
) -> HttpResponse:
    progress = progress_of(link)
    context = {
        "p": progress,
        "token": token,
        "form": (form or LinkRatingForm()).annotate(),
        "talks": [
            (
                talk,
                (
                    check_form
                    if check_form is not None and check_for == talk.id
                    else CheckForm(auto_id=f"id_t{talk.id}_%s")
                ).annotate(),
            )
            for talk in progress.talks
        ],
        "check_for": check_for,
        "rated_now": request.GET.get("rated") == "1",
        "checked_now": request.GET.get("checked") == "1",
        "expires_on": link.expires_on,
    }
    return _page(request, "portal/public/page.html", context, status=status)


@require_http_methods(["GET"])
def page(request: HttpRequest, token: str) -> HttpResponse:
    found = _resolve(request, token)
    if isinstance(found, HttpResponse):
        return found
    actions.open_link(found)
    return _render_page(request, found, token)


def _round(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) < 4):
        return 0  # no such round
    return int(raw)


@require_http_methods(["GET"])
def letter(request: HttpRequest, token: str) -> HttpResponse:
    """A signed reply letter: the latest signed round's, or `?round=N`'s (signed only)."""
    found = _resolve(request, token)
    if isinstance(found, HttpResponse):
        return found
    case = found.case
    signed = actions.signed_replies(case)
    wanted = _round(request.GET.get("round"))
    chosen = next((r for r in signed if wanted is None or r.round == wanted), None)
    if chosen is None:
        return _page(
            request,
            "portal/public/message.html",
            {"heading": "答复函尚未签发", "message": "答复签发后即可在此下载答复函。"},
            status=404,
        )
    reply = Reply.objects.get(pk=chosen.pk)
    try:
        content = reply_letter(case, reply)
    except DomainError:
        return _page(
            request,
            "portal/public/message.html",
            {"heading": "暂时不能下载", "message": "答复函暂时不能生成，请稍后再试。"},
            status=503,
        )
    actions.open_link(found, what="letter", round=reply.round)
    name = reply_letter_filename(case)
    if len(signed) > 1:
        name = name.removesuffix(".docx") + f"（第{reply.round}轮）.docx"
    response = docx_response(content, name, f"reply-{case.pk}-{reply.round}.docx")
    return private_headers(response)


@require_http_methods(["POST"])
@public_page(lambda: SMALL_BODY, csrf=False)
def rate(request: HttpRequest, token: str) -> HttpResponse:
    found = _resolve(request, token)
    if isinstance(found, HttpResponse):
        return found
    form = LinkRatingForm(request.POST)
    if not form.is_valid():
        return _render_page(request, found, token, form=form, status=400)
    try:
        actions.rate_through_link(
            found,
            result=form.cleaned_data["result"],
            attitude=form.cleaned_data["attitude"],
            comment=form.cleaned_data["comment"],
        )
    except DomainError as exc:
        status = web_error(exc, form)
        return _render_page(request, found, token, form=form, status=status)
    return redirect(f"{link_path(token)}?rated=1#ratings")


@require_http_methods(["POST"])
@public_page(lambda: SMALL_BODY, csrf=False)
def check(request: HttpRequest, token: str, talk: int) -> HttpResponse:
    found = _resolve(request, token)
    if isinstance(found, HttpResponse):
        return found
    form = CheckForm(request.POST, auto_id=f"id_t{talk}_%s")
    if not form.is_valid():
        return _render_page(request, found, token, check_form=form, check_for=talk, status=400)
    try:
        actions.check_communication(
            found,
            communication_id=talk,
            check=form.cleaned_data["check"],
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        status = web_error(exc, form)
        return _render_page(request, found, token, check_form=form, check_for=talk, status=status)
    return redirect(f"{link_path(token)}?checked=1#talk-{talk}")
