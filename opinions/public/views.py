"""The anonymous public side of 群众意见建议: no login, phone-first, Simplified Chinese.

- /yijian/            the form (POST → the receipt: tracking code and private link)
- /yijian/ok/?r=…     the receipt (a signed, one-day note of the code and the link)
- /yijian/query/      look an opinion up by its code and the phone's last four digits
- /yijian/t/<code>/<token>/   the private page: progress, answer, rating

Abuse: the request body is bounded before anything reads it (CSRF included), a filled
honeypot gets a receipt like any other and nothing is saved, and past the rate limits
(ratelimit.py) the form asks a question (challenge.py). Repeated wrong answers: 429.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from huiyin.errors import DomainError
from opinions import actions
from opinions.links import opinion_by_link, private_path, token_for
from opinions.models import Channel, Opinion
from opinions.public import challenge, photos, ratelimit
from opinions.public.forms import OpinionForm, QueryForm, RatingForm, photo_max_bytes
from opinions.public.progress import progress_of
from web.errors import web_error

logger = logging.getLogger(__name__)

RECEIPT_SALT = "huiyin.opinions.public.receipt"
RECEIPT_SECONDS = 24 * 3600
SMALL_BODY = 64 * 1024  # a lookup or a rating
FORM_OVERHEAD = 256 * 1024  # the text fields and the multipart framing

TOO_FREQUENT = "您提交得比较频繁。为防止恶意提交，请先回答下面的验证问题。"
WRONG_ANSWER = "验证问题回答不正确或已过期，请回答新的问题"
BLOCKED = "尝试次数过多，请一小时后再试。如有急事，请拨打委办公室电话。"
LOOKUP_FAILED = "查询码或电话号码后四位不正确，请核对后重试"
CODE_LOCKED = "该查询码的查询失败次数过多，今天不能再凭电话号码查询；请使用提交时保存的私密链接"

View = Callable[..., HttpResponse]


# --- request guards ---------------------------------------------------------------------------


def max_form_body() -> int:
    default = 3 * photo_max_bytes() + FORM_OVERHEAD
    return int(getattr(settings, "HUIYIN_PUBLIC_MAX_BODY_BYTES", None) or default)


def public_page(max_body: Callable[[], int], *, csrf: bool = True) -> Callable[[View], View]:
    """Bound the request body, then check CSRF, in that order.

    Django's CSRF middleware reads request.POST, which parses (and spools to disk) the
    whole body: checking the length first means a 1 GB upload is refused before a byte of
    it is read. The view is exempt from the middleware and protected by the same check
    inside the length guard instead.

    `csrf=False` is for the private page only. It sends no Referer (Referrer-Policy:
    no-referrer, so that the link's secret never travels on), and under that policy a
    browser sends `Origin: null` with the page's own form, which Django's CSRF check must
    refuse. Its URL carries a secret token (opinions.links), which is what stops a forged
    request: another site cannot post to a link it does not know, and whoever knows the
    link may rate through it anyway."""

    def decorate(view: View) -> View:
        protected = csrf_protect(view) if csrf else view

        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST":
                try:
                    length = int(request.META.get("CONTENT_LENGTH") or 0)
                except ValueError:
                    return error_page(request, "请求无效", "请求的长度无法识别。", status=400)
                if length > max_body():
                    return error_page(
                        request,
                        "提交的内容过大",
                        "提交的内容超过了允许的大小：照片最多3张，每张不超过"
                        f"{photo_max_bytes() // (1024 * 1024)} MB；文字不超过2000字。",
                        status=413,
                    )
            return protected(request, *args, **kwargs)

        return csrf_exempt(guarded)

    return decorate


def private_headers(response: HttpResponse, *, referrer: bool = False) -> HttpResponse:
    """Pages that carry a private link or an opinion: not indexed, and no Referer sent on
    (unless `referrer`: a page with a CSRF-protected form, whose Origin header must not
    become "null"; the query page, which carries no secret)."""
    if not referrer:
        response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    return response


def error_page(request: HttpRequest, heading: str, message: str, *, status: int) -> HttpResponse:
    response = render(
        request,
        "opinions/public/error.html",
        {"heading": heading, "message": message},
        status=status,
    )
    if status == 429:
        response["Retry-After"] = str(ratelimit.rate_for("challenge_failures").seconds)
    return private_headers(response)


def not_found(request: HttpRequest) -> HttpResponse:
    return private_headers(render(request, "opinions/public/not_found.html", {}, status=404))


def _blocked(address_key: str) -> bool:
    return ratelimit.exceeded("challenge_failures", address_key)


def _challenge_passed(form: OpinionForm | QueryForm, address_key: str) -> bool:
    token = str(form.data.get("challenge_token", "") or "")
    answer = str(form.data.get("challenge_answer", "") or "")
    if not token and not answer:
        return False  # not tried yet: the question is asked, nothing is counted
    if challenge.check(token, answer):
        return True
    ratelimit.hit("challenge_failures", address_key)
    return False


# --- the form ---------------------------------------------------------------------------------


def _address_limited(address: str | None) -> bool:
    key = ratelimit.address_key(address)
    if not ratelimit.exceeded("address", key):
        # The cache's count is below the limit: the database may know of more (another
        # process's submissions); read it only then.
        stored = ratelimit.stored_by_address(address)
        return ratelimit.exceeded("address", key, stored=stored)
    return True


def _phone_limited(phone: str) -> bool:
    if not phone:
        return False
    key = ratelimit.phone_key(phone)
    if ratelimit.exceeded("phone", key):
        return True
    return ratelimit.exceeded("phone", key, stored=ratelimit.stored_by_phone(phone))


def _form_page(
    request: HttpRequest,
    form: OpinionForm,
    *,
    challenged: bool,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form.annotate(),
        "challenge": challenge.new_challenge() if challenged else None,
        "notice": notice,
        "photos_supported": "photos" in form.fields,
        "photo_max_mb": photo_max_bytes() // (1024 * 1024),
    }
    return render(request, "opinions/public/form.html", context, status=status)


def _receipt_url(code: str, path: str) -> str:
    """The receipt's address carries the code only (signed, for a day): the private link
    is rebuilt on the server, so it never lands in an access log or the history."""
    token = signing.TimestampSigner(salt=RECEIPT_SALT).sign_object({"c": code})
    return f"{reverse('opinions_public:receipt')}?r={token}"


def _pretend_success() -> HttpResponse:
    """What a filled honeypot gets: a receipt like a real one, for nothing saved."""
    code = actions.new_code()
    path = reverse("opinions_public:track", args=[code, token_for(code)])
    return HttpResponseRedirect(_receipt_url(code, path))


@require_http_methods(["GET", "POST"])
@public_page(max_form_body)
def submit(request: HttpRequest) -> HttpResponse:
    """群众意见建议: the form, and saving it."""
    address = ratelimit.client_address(request)
    address_key = ratelimit.address_key(address)
    if _blocked(address_key):
        return error_page(request, "请稍后再试", BLOCKED, status=429)
    with_photos = photos.supported()
    if request.method != "POST":
        limited = _address_limited(address)
        form = OpinionForm(photos=with_photos)
        return _form_page(request, form, challenged=limited, notice=TOO_FREQUENT if limited else "")

    form = OpinionForm(request.POST, request.FILES, photos=with_photos)
    if form.honeypot_filled():
        ratelimit.hit("address", address_key)
        logger.info("public opinion: honeypot filled from %s", address)
        return _pretend_success()
    valid = form.is_valid()
    limited = _address_limited(address) or _phone_limited(form.cleaned_data.get("phone", ""))
    photo_note = "如有照片，请重新选择。" if with_photos else ""
    if not valid:
        # The question (if any) is asked again with the errors, and not counted as failed:
        # it is checked once there is something to save.
        notice = TOO_FREQUENT + photo_note if limited else ""
        return _form_page(request, form, challenged=limited, notice=notice, status=400)
    if limited and not _challenge_passed(form, address_key):
        if _blocked(address_key):
            return error_page(request, "请稍后再试", BLOCKED, status=429)
        answered = bool(form.data.get("challenge_answer") or form.data.get("challenge_token"))
        if answered:
            form.add_error("challenge_answer", WRONG_ANSWER)
        return _form_page(
            request,
            form,
            challenged=True,
            notice=TOO_FREQUENT + photo_note,
            status=400 if answered else 200,
        )
    data = form.cleaned_data
    try:
        with transaction.atomic():
            case = actions.register_opinion(
                by=None,
                channel=Channel.WEB,
                content=data["content"],
                requester=data["requester"],
                phone=data["phone"],
                email=data["email"],
                area=data["area"],
                client_address=address,
            )
            photos.store(case, data.get("photos") or [])
    except DomainError as exc:
        status = web_error(exc, form, fields={"file": "photos"})
        return _form_page(request, form, challenged=limited, status=status)
    ratelimit.hit("address", address_key)
    if data["phone"]:
        ratelimit.hit("phone", ratelimit.phone_key(data["phone"]))
    opinion = case.opinion
    return HttpResponseRedirect(_receipt_url(opinion.code, private_path(opinion)))


@require_http_methods(["GET"])
def receipt(request: HttpRequest) -> HttpResponse:
    """The code and the link, once, with "请保存"."""
    token = str(request.GET.get("r", ""))[:500]
    try:
        data = signing.TimestampSigner(salt=RECEIPT_SALT).unsign_object(
            token, max_age=RECEIPT_SECONDS
        )
        code = str(data["c"])
        path = reverse("opinions_public:track", args=[code, token_for(code)])
    except (signing.BadSignature, KeyError, TypeError, ValueError, NoReverseMatch):
        return private_headers(
            render(request, "opinions/public/receipt_expired.html", {}, status=404)
        )
    context = {"code": code, "path": path, "link": request.build_absolute_uri(path)}
    return private_headers(render(request, "opinions/public/receipt.html", context))


# --- the lookup -------------------------------------------------------------------------------


def _matches(opinion: Opinion | None, digits: str) -> bool:
    if opinion is None:
        return False
    phone_digits = "".join(ch for ch in opinion.phone if ch.isdigit())
    return len(phone_digits) >= 4 and phone_digits[-4:] == digits


@require_http_methods(["GET", "POST"])
@public_page(lambda: SMALL_BODY)
def query(request: HttpRequest) -> HttpResponse:
    """查询办理进度: the code and the phone's last four digits lead to the private page."""
    address_key = ratelimit.address_key(ratelimit.client_address(request))
    if _blocked(address_key):
        return error_page(request, "请稍后再试", BLOCKED, status=429)
    limited = ratelimit.exceeded("query", address_key)
    if request.method != "POST":
        return _query_page(request, QueryForm(), challenged=limited)
    form = QueryForm(request.POST)
    if limited and not _challenge_passed(form, address_key):
        if _blocked(address_key):
            return error_page(request, "请稍后再试", BLOCKED, status=429)
        answered = bool(form.data.get("challenge_answer") or form.data.get("challenge_token"))
        if answered:
            form.is_valid()
            form.add_error("challenge_answer", WRONG_ANSWER)
        return _query_page(request, form, challenged=True, status=400 if answered else 200)
    if not form.is_valid():
        return _query_page(request, form, challenged=limited, status=400)
    ratelimit.hit("query", address_key)
    code, digits = form.cleaned_data["code"], form.cleaned_data["digits"]
    if ratelimit.exceeded("code_failures", code):
        form.add_error(None, CODE_LOCKED)
        return _query_page(request, form, challenged=limited, status=400)
    opinion = Opinion.objects.filter(code=code).only("code", "phone").first()
    if not _matches(opinion, digits):
        ratelimit.hit("code_failures", code)
        form.add_error(None, LOOKUP_FAILED)
        limited = ratelimit.exceeded("query", address_key)
        return _query_page(request, form, challenged=limited, status=400)
    assert opinion is not None
    return redirect(private_path(opinion))


def _query_page(
    request: HttpRequest, form: QueryForm, *, challenged: bool, status: int = 200
) -> HttpResponse:
    context = {
        "form": form.annotate(),
        "challenge": challenge.new_challenge() if challenged else None,
        "notice": TOO_FREQUENT if challenged else "",
    }
    page = render(request, "opinions/public/query.html", context, status=status)
    return private_headers(page, referrer=True)


# --- the private page -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@public_page(lambda: SMALL_BODY, csrf=False)
def track(request: HttpRequest, code: str, token: str) -> HttpResponse:
    """The person's own page: progress, answer, and the rating once answered."""
    opinion = opinion_by_link(code, token)
    if opinion is None:
        return not_found(request)
    form = RatingForm()
    status = 200
    if request.method == "POST":
        form = RatingForm(request.POST)
        if form.is_valid():
            try:
                actions.rate_by_requester(
                    opinion.case,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                )
            except DomainError as exc:
                status = web_error(exc, form)
            else:
                return redirect(f"{private_path(opinion)}?rated=1")
        else:
            status = 400
        opinion = opinion_by_link(code, token) or opinion
    context = {
        "progress": progress_of(opinion),
        "form": form.annotate(),
        "rated_now": request.GET.get("rated") == "1",
        "path": private_path(opinion),
    }
    return private_headers(render(request, "opinions/public/track.html", context, status=status))
