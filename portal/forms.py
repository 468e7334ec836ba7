"""The proposer's two forms: a rating (result and attitude apart, with a comment) and their
word on a communication record. Text goes through huiyin.text's rule."""

from __future__ import annotations

from typing import Any

from django import forms

from huiyin.text import guard_form_text
from opinions.public.forms import RATING_CHOICES, AccessibleForm
from portal.actions import CHECKS, COMMENT_MAX, CORRECTED, NOTE_MAX


class LinkRatingForm(AccessibleForm):
    result = forms.ChoiceField(
        label="对办理结果的评价",
        choices=RATING_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择办理结果评价", "invalid_choice": "请选择办理结果评价"},
    )
    attitude = forms.ChoiceField(
        label="对办理态度的评价",
        choices=RATING_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择办理态度评价", "invalid_choice": "请选择办理态度评价"},
    )
    comment = forms.CharField(
        label="意见和建议",
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "意见不能超过%(limit_value)d个字"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        guard_form_text(self.fields)


class CheckForm(AccessibleForm):
    check = forms.ChoiceField(
        label="沟通情况",
        choices=list(CHECKS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": "请选择", "invalid_choice": "请选择"},
    )
    note = forms.CharField(
        label="哪些情况有出入",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "说明不能超过%(limit_value)d个字"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        guard_form_text(self.fields)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Required with 情况有出入 (the label says so); the action checks the same.
        if data.get("check") == CORRECTED and not str(data.get("note") or "").strip():
            self.add_error("note", "请说明哪些情况有出入")
        return data
