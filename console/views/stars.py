"""督办评星权重: the weights of the supervision stars' composite score and the minimum number
of items for the rate-based stars (supervision.weights), set by the administrator."""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from console.views.common import add_error, admin_required
from huiyin.types import AuthedRequest
from supervision.weights import (
    PART_LABELS,
    PARTS,
    WeightsInvalid,
    current_weights,
    set_star_weights,
)


class StarWeightsForm(forms.Form):
    quantity = forms.DecimalField(label="数量权重", min_value=0, max_value=1, decimal_places=4)
    quality = forms.DecimalField(label="质量权重", min_value=0, max_value=1, decimal_places=4)
    efficiency = forms.DecimalField(label="效率权重", min_value=0, max_value=1, decimal_places=4)
    min_items = forms.IntegerField(label="评星最低件数", min_value=1, max_value=1000)


@admin_required
def star_weights(request: AuthedRequest) -> HttpResponse:
    try:
        weights = current_weights()
    except WeightsInvalid:  # a broken setting: the form shows the defaults to fix it
        weights = None
    initial = (
        {**{p: weights.of(p) for p in PARTS}, "min_items": weights.min_items} if weights else {}
    )
    form = StarWeightsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            set_star_weights(by=request.user, **form.cleaned_data)
        except WeightsInvalid as exc:
            add_error(form, exc)
        else:
            messages.success(request, "已保存督办评星权重，各期评星按新的权重计算。")
            return redirect("console:star-weights")
    return render(
        request,
        "console/star_weights.html",
        {"form": form, "weights": weights, "labels": PART_LABELS, "current": "star-weights"},
    )
