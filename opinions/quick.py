"""快速登记: a clerk enters the day's calls, e-mails, WeChat messages and visits one after
another. One short form (channel, time received, caller, phone, text); Enter saves; the
page comes back empty with the focus in its first field, says "已登记 YJ2026-000123", and
lists the similar open opinions of the one just saved (并件 in one click) and what this
user entered today. The write is opinions.actions.register_opinion, as for the API.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.validators import RegexValidator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from audit.models import AuditEvent
from audit.record import today
from cases.dispatch import available_actions
from cases.models import Case, Category
from huiyin.errors import DomainError
from huiyin.text import guard_form_text
from huiyin.types import AuthedRequest
from opinions.actions import may_register, register_opinion
from opinions.models import Campaign, Channel, Opinion
from opinions.privacy import mask_phone
from opinions.similar import similar_open
from web.errors import web_error
from workflow.tables import workflow_for
from workflow.vocabulary import Action, Event

DEFAULT_CHANNEL = Channel.PHONE
TODAY_ROWS = 20
SIMILAR_SHOWN = 5
# A received time this far ahead of the server's clock is a typo, not a clock difference.
FUTURE_TOLERANCE = timedelta(minutes=5)
# What the session remembers between two entries (a clerk takes calls on one channel,
# often for one campaign) and which opinion was saved last.
SESSION_CHANNEL = "opinions_quick_channel"
SESSION_CAMPAIGN = "opinions_quick_campaign"
SESSION_SAVED = "opinions_quick_saved"
DATETIME_FORMAT = "%Y-%m-%d %H:%M"
# The longest text register_opinion takes from staff (a letter read out may be long).
CONTENT_LIMIT = 20_000

phone_characters = RegexValidator(
    r"^[0-9+\-() ]*$", "电话号码只能包含数字、空格和+-()", code="phone_characters"
)


def require_registrar(request: AuthedRequest) -> None:
    """Who may enter opinions is the action's rule (opinions.actions.may_register)."""
    if not may_register(request.user):
        raise PermissionDenied("只有议提案管理员可以登记群众意见")


class IntakeForm(forms.Form):
    """A Django form with the text rule (huiyin.text) on every text field, Chinese messages,
    Bootstrap classes, and `is-invalid` on the widgets of fields with errors."""

    id_prefix = "intake"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        guard_form_text(self.fields)
        for name, field in self.fields.items():
            verb = "请选择" if isinstance(field.widget, forms.Select) else "请填写"
            field.error_messages["required"] = f"{verb}{field.label}"
            field.error_messages["max_length"] = f"{field.label}不能超过%(limit_value)d个字符"
            if isinstance(field.widget, forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(field.widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            field.widget.attrs.setdefault("class", css)
            field.widget.attrs.setdefault("id", f"{self.id_prefix}-{name}")

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            widget = self.fields[name].widget if name in self.fields else None
            if widget is not None and "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class QuickEntryForm(IntakeForm):
    channel = forms.ChoiceField(label="渠道", choices=Channel.choices)
    received_at = forms.DateTimeField(
        label="收到时间",
        input_formats=[
            DATETIME_FORMAT,
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M:%S",
            "%Y/%m/%d %H:%M",
            "%Y-%m-%d",
        ],
        # A plain text box, not datetime-local: that one is five Tab stops (year, month, day,
        # hour, minute), and a clerk tabs past the time on nearly every entry.
        widget=forms.DateTimeInput(
            format=DATETIME_FORMAT,
            attrs={"placeholder": "年-月-日 时:分", "autocomplete": "off", "spellcheck": "false"},
        ),
        error_messages={"invalid": "收到时间格式应为 年-月-日 时:分"},
    )
    requester = forms.CharField(label="反映人", max_length=50, required=False)
    phone = forms.CharField(
        label="联系电话", max_length=20, required=False, validators=[phone_characters]
    )
    content = forms.CharField(
        label="意见内容",
        max_length=CONTENT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    campaign = forms.ModelChoiceField(
        label="征集活动",
        queryset=Campaign.objects.order_by("-starts_on", "-id"),
        required=False,
        empty_label="（不属于征集活动）",
        error_messages={"invalid_choice": "请选择列表中的征集活动"},
    )

    id_prefix = "quick"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].widget.attrs["autofocus"] = True
        self.fields["phone"].widget.attrs.update(inputmode="tel", autocomplete="off")
        self.fields["requester"].widget.attrs["autocomplete"] = "off"
        # Enter saves (Shift+Enter for a new line): intake.js, no inline script.
        self.fields["content"].widget.attrs["data-enter-submits"] = "1"

    def focus_first_error(self) -> None:
        """Shown again with errors, the form puts the cursor where the first one is."""
        wrong = [name for name in self.fields if name in self.errors]
        if wrong:
            self.fields["channel"].widget.attrs.pop("autofocus", None)
            self.fields[wrong[0]].widget.attrs["autofocus"] = True

    def clean_received_at(self) -> datetime:
        value: datetime = self.cleaned_data["received_at"]
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        if value > timezone.now() + FUTURE_TOLERANCE:
            raise forms.ValidationError("收到时间不能晚于现在")
        return value


def _initial(request: AuthedRequest) -> dict[str, Any]:
    """A fresh form: the channel and campaign of the last entry, the time now."""
    channel = request.GET.get("channel") or request.session.get(SESSION_CHANNEL)
    if channel not in Channel.values:
        channel = DEFAULT_CHANNEL
    campaign_id = request.session.get(SESSION_CAMPAIGN)
    now = timezone.localtime().replace(second=0, microsecond=0)
    return {"channel": channel, "campaign": campaign_id, "received_at": now}


@login_required
def quick_entry(request: AuthedRequest) -> HttpResponse:
    require_registrar(request)
    status = 200
    if request.method == "POST":
        form = QuickEntryForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = register_opinion(
                    by=request.user,
                    channel=data["channel"],
                    received_at=data["received_at"],
                    requester=data["requester"],
                    phone=data["phone"],
                    content=data["content"],
                    campaign=data["campaign"],
                )
            except DomainError as exc:
                status = web_error(exc, form=form, fields={"received_on": "received_at"})
            else:
                request.session[SESSION_CHANNEL] = data["channel"]
                request.session[SESSION_CAMPAIGN] = (
                    data["campaign"].pk if data["campaign"] else None
                )
                request.session[SESSION_SAVED] = case.pk
                return redirect("opinions_intake:quick")
        else:
            status = 400
        form.focus_first_error()
    elif request.method == "GET":
        form = QuickEntryForm(initial=_initial(request))
    else:
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    context = {
        "form": form,
        "saved": _saved(request),
        "today_entries": _today_entries(request),
    }
    return render(request, "opinions/intake/quick.html", context, status=status)


def _saved(request: AuthedRequest) -> dict[str, Any] | None:
    """The opinion saved last by this user in this session, with its similar open ones."""
    pk = request.session.get(SESSION_SAVED)
    if not isinstance(pk, int):
        return None
    case = (
        Case.objects.filter(pk=pk, category=Category.PUBLIC_OPINION)
        .select_related("opinion")
        .first()
    )
    if case is None:
        return None
    opinion: Opinion = case.opinion
    may_merge = Action.MERGE in available_actions(request.user, case, today())
    similar_ids = similar_open(
        text=case.content, phone=opinion.phone, exclude_id=case.pk, limit=SIMILAR_SHOWN
    )
    found = Case.objects.filter(pk__in=similar_ids).select_related("opinion").in_bulk()
    labels = workflow_for(Category.PUBLIC_OPINION).states
    similar = [
        {
            "case": found[i],
            "state": labels.get(found[i].state, found[i].state),
            "phone": mask_phone(found[i].opinion.phone),
            "same_phone": bool(opinion.phone_index)
            and found[i].opinion.phone_index == opinion.phone_index,
        }
        for i in similar_ids
        if i in found
    ]
    return {
        "case": case,
        "opinion": opinion,
        "state": labels.get(case.state, case.state),
        "similar": similar,
        "may_merge": may_merge,
    }


def _today_entries(request: AuthedRequest) -> list[dict[str, Any]]:
    """What this user registered today (Asia/Shanghai), newest first: the register events
    (by the (action, at) index), not a scan of the opinions."""
    start = timezone.make_aware(datetime.combine(today(), time.min))
    events = (
        AuditEvent.objects.filter(
            action=Event.REGISTER,
            at__gte=start,
            actor=request.user,
            case__category=Category.PUBLIC_OPINION,
        )
        .select_related("case__opinion")
        .order_by("-id")[:TODAY_ROWS]
    )
    labels = workflow_for(Category.PUBLIC_OPINION).states
    rows = []
    for event in events:
        case = event.case
        assert case is not None  # filtered on its category
        rows.append(
            {
                "case": case,
                "opinion": case.opinion,
                "state": labels.get(case.state, case.state),
                "phone": mask_phone(case.opinion.phone),
            }
        )
    return rows
