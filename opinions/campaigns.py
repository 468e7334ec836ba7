"""征集活动 (campaigns, e.g. 解放思想大讨论): a period, the channels it collects through, and
for suggestion books how many were issued and returned (seed 002: 400 issued, 353
returned). The list shows each campaign's figures; the coordinator creates and edits.

`create_campaign` / `update_campaign` are the only writes (validated here, one audit event
each, with the changed fields), called by the views below and by anything else that needs
them (an import of campaigns, the API).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from audit.record import record_event
from huiyin.errors import DomainError, Forbidden
from huiyin.text import text_problem
from huiyin.types import AuthedRequest, User
from opinions.models import Campaign, Channel
from opinions.quick import IntakeForm
from orgs.access import standing_of
from orgs.models import Role
from web.errors import web_error
from workflow.vocabulary import State

NAME_MAX = 100  # Campaign.name
NOTE_MAX = 2000
BOOKS_MAX = 10_000_000  # far above any real count; a typo of extra digits is refused
EARLIEST = date(2000, 1, 1)
PAGE_SIZE = 50
FIELDS = ("name", "starts_on", "ends_on", "channels", "books_issued", "books_returned", "note")


class CampaignError(DomainError):
    code = "campaign_invalid"


class CampaignForbidden(CampaignError, Forbidden):
    pass


def may_edit_campaigns(user: Any) -> bool:
    return standing_of(user).has(Role.COORDINATOR)


def may_see_campaigns(user: Any) -> bool:
    """Whoever sees every opinion (coordinator, leader, viewer, admin) sees the campaigns."""
    return standing_of(user).sees_all


# --- the writes --------------------------------------------------------------------------


def _text(value: Any, label: str, field: str, limit: int, *, multiline: bool = False) -> str:
    """The one text rule (huiyin.text), as this module's error."""
    text = str(value or "")
    problem = text_problem(text, max_length=limit, multiline=multiline)
    if problem:
        raise CampaignError(f"{label}{problem}", field=field)
    return text.strip()


def _clean(values: dict[str, Any], *, current: Campaign | None = None) -> dict[str, Any]:
    """The campaign's fields, checked; a CampaignError names the first field that is wrong."""
    name = _text(values.get("name"), "活动名称", "name", NAME_MAX)
    if not name:
        raise CampaignError("请填写活动名称", field="name")
    others = Campaign.objects.filter(name__iexact=name)
    if current is not None:
        others = others.exclude(pk=current.pk)
    if others.exists():
        raise CampaignError(f"已有名为“{name}”的征集活动", field="name")
    starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
    if not isinstance(starts_on, date):
        raise CampaignError("请填写开始日期", field="starts_on")
    if starts_on < EARLIEST:
        raise CampaignError("开始日期不能早于2000年", field="starts_on")
    if ends_on is not None and not isinstance(ends_on, date):
        raise CampaignError("结束日期格式应为 年-月-日", field="ends_on")
    if ends_on is not None and ends_on < starts_on:
        raise CampaignError("结束日期不能早于开始日期", field="ends_on")
    channels = list(dict.fromkeys(values.get("channels") or []))
    unknown = [c for c in channels if c not in Channel.values]
    if unknown:
        raise CampaignError(f"渠道“{unknown[0]}”不在可选范围内", field="channels")
    channels = [c for c in Channel.values if c in channels]  # the list's own order
    issued, returned = values.get("books_issued"), values.get("books_returned")
    for field, label, number in (
        ("books_issued", "发放意见簿", issued),
        ("books_returned", "收回意见簿", returned),
    ):
        if number is None:
            continue
        if isinstance(number, bool) or not isinstance(number, int):
            raise CampaignError(f"{label}应为整数", field=field)
        if not 0 <= number <= BOOKS_MAX:
            raise CampaignError(f"{label}应在0到{BOOKS_MAX}之间", field=field)
    if returned is not None and issued is None:
        raise CampaignError("填写收回数量时请同时填写发放数量", field="books_issued")
    if returned is not None and issued is not None and returned > issued:
        raise CampaignError(
            f"收回意见簿（{returned}本）不能多于发放的（{issued}本）", field="books_returned"
        )
    note = _text(values.get("note"), "说明", "note", NOTE_MAX, multiline=True)
    return {
        "name": name,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "channels": channels,
        "books_issued": issued,
        "books_returned": returned,
        "note": note,
    }


def _check_editor(by: User) -> None:
    if not may_edit_campaigns(by):
        raise CampaignForbidden("只有议提案管理员可以新建或修改征集活动")


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _save(campaign: Campaign) -> None:
    try:
        with transaction.atomic():
            campaign.save()
    except IntegrityError:
        # Two saves of one name at once: the unique constraint, said as the check says it.
        raise CampaignError(f"已有名为“{campaign.name}”的征集活动", field="name") from None


@transaction.atomic
def create_campaign(*, by: User, **values: Any) -> Campaign:
    """New campaign: name (unique), starts_on, ends_on?, channels, books_issued?,
    books_returned? (≤ issued), note."""
    _check_editor(by)
    fields = _clean(values)
    campaign = Campaign(**fields)
    _save(campaign)
    record_event(
        actor=by,
        action="campaign_create",
        subject=f"征集活动 {campaign.name}"[:200],
        details={"campaign": campaign.pk, **{k: _jsonable(v) for k, v in fields.items()}},
    )
    return campaign


@transaction.atomic
def update_campaign(campaign: Campaign, *, by: User, **values: Any) -> Campaign:
    """Change a campaign; the audit event keeps each changed field as [old, new]. Nothing
    changed: nothing written."""
    _check_editor(by)
    locked = Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    if locked is None:
        raise CampaignError("该征集活动已被删除")
    fields = _clean({**{f: getattr(locked, f) for f in FIELDS}, **values}, current=locked)
    changes = {
        name: [_jsonable(getattr(locked, name)), _jsonable(value)]
        for name, value in fields.items()
        if getattr(locked, name) != value
    }
    if not changes:
        return locked
    for name, value in fields.items():
        setattr(locked, name, value)
    _save(locked)
    record_event(
        actor=by,
        action="campaign_update",
        subject=f"征集活动 {locked.name}"[:200],
        details={"campaign": locked.pk, "changes": changes},
    )
    return locked


# --- the pages ---------------------------------------------------------------------------


class CampaignForm(IntakeForm):
    id_prefix = "campaign"

    name = forms.CharField(label="活动名称", max_length=NAME_MAX)
    starts_on = forms.DateField(
        label="开始日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "开始日期格式应为 年-月-日"},
    )
    ends_on = forms.DateField(
        label="结束日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "结束日期格式应为 年-月-日"},
        help_text="进行中的活动可不填",
    )
    channels = forms.MultipleChoiceField(
        label="征集渠道",
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "渠道“%(value)s”不在可选范围内"},
    )
    books_issued = forms.IntegerField(
        label="发放意见簿（本）",
        required=False,
        min_value=0,
        max_value=BOOKS_MAX,
        error_messages={"invalid": "请填写整数"},
    )
    books_returned = forms.IntegerField(
        label="收回意见簿（本）",
        required=False,
        min_value=0,
        max_value=BOOKS_MAX,
        error_messages={"invalid": "请填写整数"},
    )
    note = forms.CharField(
        label="说明", max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("books_issued", "books_returned"):
            field = self.fields[name]
            field.error_messages["min_value"] = f"{field.label}不能为负数"
            field.error_messages["max_value"] = f"{field.label}不能超过%(limit_value)s"


def _require_viewer(request: AuthedRequest) -> None:
    if not may_see_campaigns(request.user):
        raise PermissionDenied("您没有查看征集活动的权限")


def _require_editor(request: AuthedRequest) -> None:
    if not may_edit_campaigns(request.user):
        raise PermissionDenied("只有议提案管理员可以新建或修改征集活动")


@login_required
def campaign_list(request: AuthedRequest) -> HttpResponse:
    _require_viewer(request)
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET"})
    # A merged duplicate is counted with its main opinion (the workflow's `uncounted`).
    campaigns = Campaign.objects.annotate(
        opinion_count=Count("opinions", filter=~Q(opinions__case__state=State.MERGED))
    ).order_by("-starts_on", "-id")
    page = Paginator(campaigns, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(Channel.choices)
    rows = [
        {
            "campaign": c,
            "channels": "、".join(str(labels.get(code, code)) for code in c.channels),
            "return_rate": (
                round(c.books_returned * 100 / c.books_issued, 1)
                if c.books_issued and c.books_returned is not None
                else None
            ),
        }
        for c in page.object_list
    ]
    context = {"page": page, "rows": rows, "may_edit": may_edit_campaigns(request.user)}
    return render(request, "opinions/intake/campaigns.html", context)


def _form_page(
    request: AuthedRequest, form: CampaignForm, campaign: Campaign | None, status: int = 200
) -> HttpResponse:
    context = {"form": form, "campaign": campaign}
    return render(request, "opinions/intake/campaign_form.html", context, status=status)


@login_required
def campaign_create(request: AuthedRequest) -> HttpResponse:
    _require_editor(request)
    if request.method == "GET":
        return _form_page(request, CampaignForm(initial={"channels": [Channel.BOOK]}), None)
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    form = CampaignForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            campaign = create_campaign(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            status = web_error(exc, form=form)
        else:
            messages.success(request, f"已新建征集活动“{campaign.name}”")
            return redirect("opinions_intake:campaigns")
    return _form_page(request, form, None, status)


@login_required
def campaign_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    campaign = Campaign.objects.filter(pk=pk).first()
    if campaign is None:
        raise Http404("征集活动不存在")
    if request.method == "GET":
        initial = {f: getattr(campaign, f) for f in FIELDS}
        return _form_page(request, CampaignForm(initial=initial), campaign)
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    form = CampaignForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            saved = update_campaign(campaign, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            status = web_error(exc, form=form)
        else:
            messages.success(request, f"已保存征集活动“{saved.name}”")
            return redirect("opinions_intake:campaigns")
    return _form_page(request, form, campaign, status)
