"""增加事项 on the web (GET/POST /lists/<id>/items/new/): a problem or project added to a
list by hand — its title, content, 类别, 责任领导 (linked to the user of that full name, as
the import does), 牵头处室, 协办处室, 完成时限, an optional quantitative target, and its
measures one per line (each for the lead unit by the item's deadline; 修改举措 on the
item's page changes them). For the office and the list's owner or delegates, through
lists.actions.add_item."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from huiyin.errors import DomainError
from huiyin.text import guard_form_text
from lists import actions
from lists.access import list_for_user
from lists.actions import Indicator, ItemIn, MeasureIn
from lists.importing_cells import key, known_people
from lists.models import Direction
from orgs.models import Unit, UnitKind
from web.errors import web_error
from workflow.errors import ActionForbidden

if TYPE_CHECKING:
    from huiyin.types import AuthedRequest

MAX_MEASURES = 30
NUMBER = {"max_digits": 14, "decimal_places": 4, "required": False}


class ItemForm(forms.Form):
    title = forms.CharField(label="事项（问题或项目）", max_length=300)
    content = forms.CharField(
        label="具体问题/项目内容", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    category = forms.CharField(label="类别", max_length=100, required=False)
    leader_name = forms.CharField(label="责任领导", max_length=100, required=False)
    lead_unit = forms.ModelChoiceField(label="牵头处室", queryset=Unit.objects.none())
    co_units = forms.ModelMultipleChoiceField(
        label="协办处室", queryset=Unit.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    deadline = forms.DateField(
        label="完成时限", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    measures = forms.CharField(
        label="具体举措（每行一条）", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="每条由牵头处室负责、完成时限同事项；之后可在事项页面“修改举措”调整",
    )  # fmt: skip
    indicator = forms.CharField(label="量化指标", max_length=100, required=False)
    indicator_unit = forms.CharField(label="计量单位", max_length=20, required=False)
    baseline = forms.DecimalField(label="基线值", **NUMBER)  # type: ignore[arg-type]
    target = forms.DecimalField(label="目标值", **NUMBER)  # type: ignore[arg-type]
    direction = forms.ChoiceField(label="方向", choices=Direction.choices, initial=Direction.UP)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(is_active=True).exclude(kind=UnitKind.EXTERNAL)
        self.fields["lead_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["co_units"].queryset = units  # type: ignore[attr-defined]
        for name, field in self.fields.items():
            if name != "co_units":
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs.setdefault("class", css)
        guard_form_text(self.fields)

    def clean_measures(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["measures"].splitlines()]
        found = [line for line in lines if line]
        if len(found) > MAX_MEASURES:
            raise forms.ValidationError(f"一次最多填写{MAX_MEASURES}条具体举措")
        return found

    def spec(self) -> ItemIn:
        d = self.cleaned_data
        lead, deadline = d["lead_unit"], d["deadline"]
        leader = known_people().get(key(d["leader_name"])) if d["leader_name"] else None
        baseline: Decimal | None = d["baseline"]
        return ItemIn(
            title=d["title"], lead_unit=lead, deadline=deadline, description=d["content"],
            category=d["category"], leader_name=d["leader_name"], leader=leader,
            co_units=list(d["co_units"]),
            indicator=Indicator(d["indicator"], d["indicator_unit"], baseline, d["target"],
                                direction=d["direction"]),
            measures=[MeasureIn(text, lead, deadline) for text in d["measures"]],
        )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def new_item(request: AuthedRequest, pk: int) -> HttpResponse:
    rect_list = list_for_user(request.user, pk)  # 404 for a list the user may not see
    try:
        actions.check_list_editor(request.user, rect_list)
    except ActionForbidden as exc:
        raise PermissionDenied(exc.message) from None
    status = 200
    form = ItemForm(request.POST or None, initial={"deadline": rect_list.ends_on})
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                case = actions.add_item(rect_list, form.spec(), by=request.user)
            except DomainError as exc:
                status = web_error(exc, form=form, fields={"description": "content"})
            else:
                messages.success(request, f"已增加事项 {case.number} {case.title}")
                return redirect("case-detail", pk=case.pk)
    return render(request, "lists/item_new.html", {"list": rect_list, "form": form}, status=status)
