"""The pages of notify: the user's notifications (/notifications/), their own settings
(/account/notifications/) and the administrators' failed messages (/console/outbox/)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from cases.listing import InvalidFilter, QueryReader
from console.views.common import admin_required
from huiyin.errors import DomainError
from huiyin.types import AuthedRequest
from huiyin.views import invalid_input
from notify import actions, queries
from notify.channels import channels
from notify.models import KIND_LABELS
from notify.outbox import max_attempts
from notify.preferences import preference_for
from web.errors import web_error

LIST_URL = "notify:list"


def _bad_filter(request: AuthedRequest, exc: InvalidFilter, back: str) -> HttpResponse:
    return invalid_input(
        request, exc.message, heading="无效的筛选条件", back_url=reverse(back), back_label="返回"
    )


def _local(url: str, request: AuthedRequest) -> str:
    """`url` if it is a path of this site, else the list (never a redirect elsewhere)."""
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse(LIST_URL)


@login_required
def notification_list(request: AuthedRequest) -> HttpResponse:
    try:
        choice = queries.InboxFilter.from_params(request.GET)
    except InvalidFilter as exc:
        return _bad_filter(request, exc, LIST_URL)
    page = queries.inbox(request.user, choice)
    here = request.get_full_path()
    return render(
        request,
        "notify/list.html",
        {
            "page": page,
            "choice": choice,
            "here": here,
            "tabs": [
                ("未读", urlencode(choice.params(show="unread", before="")), choice.unread),
                ("全部", urlencode(choice.params(show="all", before="")), not choice.unread),
            ],
            "kind_links": [
                (label, urlencode(choice.params(kind=kind, before="")), choice.kind == kind)
                for kind, label in [("", "全部类别"), *KIND_LABELS.items()]
            ],
            "next_query": urlencode(choice.params(before=page.next_before))
            if page.next_before
            else "",
        },
    )


@login_required
@require_POST
def notification_read(request: AuthedRequest, pk: int) -> HttpResponse:
    """Mark one read; with `open` go to what it is about, else back to `next`."""
    try:
        found = actions.mark_read(request.user, pk)
    except DomainError as exc:
        web_error(exc)
        raise  # web_error raises for NotFound, the only error mark_read has
    if request.POST.get("open") and found.link:
        return redirect(_local(found.link, request))
    return redirect(_local(request.POST.get("next", ""), request))


@login_required
@require_POST
def notification_read_all(request: AuthedRequest) -> HttpResponse:
    count = actions.mark_all_read(request.user)
    messages.success(request, f"已将 {count} 条通知标为已读" if count else "没有未读的通知")
    return redirect(_local(request.POST.get("next", ""), request))


class PreferenceForm(forms.Form):
    email = forms.BooleanField(label="邮件通知", required=False)
    digest = forms.BooleanField(label="免打扰汇总", required=False)


@login_required
def preference_page(request: AuthedRequest) -> HttpResponse:
    user = request.user
    current = preference_for(user)
    form = PreferenceForm(
        request.POST or None, initial={"email": current.email, "digest": current.digest}
    )
    if request.method == "POST" and form.is_valid():
        # Without an address the switch is disabled (not posted): keep the stored choice.
        email = form.cleaned_data["email"] if user.email else current.email
        actions.set_preference(user, email=email, digest=form.cleaned_data["digest"])
        messages.success(request, "通知设置已保存")
        return redirect("notify:preferences")
    return render(
        request,
        "notify/preferences.html",
        {
            "form": form,
            "has_address": bool(user.email),
            "channels": [c.label for c in channels().values()],
        },
    )


@admin_required
def outbox_page(request: AuthedRequest) -> HttpResponse:
    reader = QueryReader(request.GET)
    before = reader.number("before", 1, queries.ID_MAX, "应为正整数")
    try:
        reader.done()
    except InvalidFilter as exc:
        return _bad_filter(request, exc, "notify:outbox")
    page = queries.failed_messages(before)
    return render(
        request,
        "notify/outbox.html",
        {
            "page": page,
            "figures": queries.outbox_figures(),
            "cap": queries.OUTBOX_COUNT_CAP,
            "max_attempts": max_attempts(),
        },
    )


@admin_required
@require_POST
def outbox_retry(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    """Retry one failed message (`pk`) or all of them."""
    try:
        count = actions.retry_failed(by=request.user, message_ids=None if pk is None else [pk])
    except DomainError as exc:
        web_error(exc)
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"已重新发送 {count} 条消息，稍后刷新查看结果" if count else "没有发送失败的消息",
        )
    return redirect("notify:outbox")
