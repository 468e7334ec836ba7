"""新建清单 (GET/POST /lists/new/): the coordinator names a list, its kind, origin, the body
it reports to, its period, its owner (who reviews 销号) and delegates; the list is made by
lists.actions.create_list, whose refusals are shown beside their fields."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audit.record import today
from huiyin.errors import DomainError
from huiyin.text import column_length, guard_form_text
from lists import actions
from lists.access import reviewer_candidates
from lists.models import ListKind, RectList
from orgs.access import standing_of
from orgs.models import Role
from web.errors import web_error

if TYPE_CHECKING:
    from huiyin.types import AuthedRequest

NO_MAKER = "只有议提案管理员（办公室）可以建立和导入清单"


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.get_username()}（{obj.get_username()}）"


class PeopleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.get_username()}（{obj.get_username()}）"

    def clean(self, value: Any) -> Any:
        # An id no database column holds is not a choice (SQLite overflows on it).
        for pk in value or ():
            if not (str(pk).isascii() and str(pk).isdigit() and len(str(pk)) < 10):
                raise forms.ValidationError("请选择列表中的人员", code="invalid_choice")
        return super().clean(value)


def _text(label: str, model_field: str, *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=column_length(RectList, model_field), required=required
    )


class ListForm(forms.Form):
    name = _text("清单名称", "name", required=True)
    kind = forms.ChoiceField(label="类型", choices=ListKind.choices, initial=ListKind.PROBLEMS)
    origin = _text("来源", "origin")
    reports_to = _text("报告对象", "reports_to")
    starts_on = forms.DateField(
        label="开始日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label="结束日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    owner = PersonChoice(label="负责人（销号审核）", queryset=get_user_model().objects.none())
    delegates = PeopleChoice(
        label="其他销号审核人", required=False, queryset=get_user_model().objects.none()
    )
    description = forms.CharField(
        label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = reviewer_candidates()
        self.fields["owner"].queryset = people  # type: ignore[attr-defined]
        self.fields["delegates"].queryset = people  # type: ignore[attr-defined]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css
        guard_form_text(self.fields)


def require_maker(user: Any) -> None:
    """lists.actions.check_list_maker's rule, as a 403 page before the form is shown."""
    if not standing_of(user).has(Role.COORDINATOR):
        raise PermissionDenied(NO_MAKER)


@login_required
@require_http_methods(["GET", "POST"])
def new_list(request: AuthedRequest) -> HttpResponse:
    require_maker(request.user)
    status = 200
    if request.method == "POST":
        form = ListForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                rect_list = actions.create_list(
                    by=request.user,
                    name=data["name"],
                    kind=data["kind"],
                    origin=data["origin"],
                    reports_to=data["reports_to"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    owner=data["owner"],
                    delegates=list(data["delegates"]),
                    description=data["description"],
                )
            except DomainError as exc:
                status = web_error(exc, form=form)
            else:
                messages.success(request, f"已建立清单 {rect_list.code} {rect_list.name}")
                return redirect("lists:detail", pk=rect_list.pk)
        else:
            status = 400
    else:
        form = ListForm(initial={"starts_on": today(), "owner": request.user.pk})
    return render(request, "lists/new.html", {"form": form}, status=status)
