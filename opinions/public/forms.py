"""The public page's forms: an opinion, a lookup by code, a rating.

Every text field gets the project's rule against control characters (huiyin.text); the
lengths are the columns' (name 50, phone 20, e-mail 100) and 2,000 characters for the text.
Messages are Chinese and sit beside their field in the page (aria-describedby).
"""

from __future__ import annotations

import re
from typing import IO, Any, cast

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from attachments.checks import JPEG, PNG, check_upload, clean_filename, human_size
from cases.models import FeedbackRating
from huiyin.text import guard_form_text
from opinions.areas import AREA_CHOICES
from workflow.errors import CaseError

CONTENT_MAX = 2000
PHOTOS_MAX = 3
PHOTO_MAX_BYTES = 5 * 1024 * 1024
UNSURE_LABEL = "不确定（由系统建议）"
HONEYPOT = "website"
PHONE_PATTERN = re.compile(r"^[0-9-]{7,20}$")
MOBILE_PATTERN = re.compile(r"^1[3-9][0-9]{9}$")
CODE_PATTERN = re.compile(r"^[A-Z0-9]{4,16}$")


def photo_max_bytes() -> int:
    return int(getattr(settings, "HUIYIN_PUBLIC_PHOTO_MAX_BYTES", None) or PHOTO_MAX_BYTES)


def normalise_phone(raw: str) -> str:
    """Spaces dropped; a mobile number as its 11 digits (138-1234-1234 → 13812341234), so
    that one number is one number for the rate limit; a landline as written (0635-8888888)."""
    value = re.sub(r"\s+", "", raw or "")
    digits = value.replace("-", "")
    if MOBILE_PATTERN.match(digits):
        return digits
    return value


class AccessibleForm(forms.Form):
    """A form whose inputs name their help and error texts (aria-describedby) and say when
    they are invalid, with Bootstrap's classes: `annotate()` before rendering."""

    def annotate(self) -> AccessibleForm:
        for name, field in self.fields.items():
            bound = self[name]
            widget = field.widget
            if widget.is_hidden:
                continue
            described = []
            if bound.errors:
                described.append(f"{bound.auto_id}-error")
            if field.help_text:
                described.append(f"{bound.auto_id}-help")
            attrs = widget.attrs
            attrs.pop("aria-describedby", None)
            attrs.pop("aria-invalid", None)
            if described:
                attrs["aria-describedby"] = " ".join(described)
            if bound.errors:
                attrs["aria-invalid"] = "true"
            if isinstance(widget, forms.RadioSelect):
                base = "form-check-input"
            elif isinstance(widget, forms.Select):
                base = "form-select"
            else:
                base = "form-control"
            attrs["class"] = base + (" is-invalid" if bound.errors else "")
        return self


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to three JPG or PNG photos, each checked by its content (attachments.checks)."""

    widget = MultiplePhotoInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", "image/jpeg,image/png")

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > PHOTOS_MAX:
            raise forms.ValidationError(f"最多上传{PHOTOS_MAX}张照片", code="too_many")
        return [self._check(upload) for upload in files]

    def _check(self, upload: Any) -> UploadedFile:
        if not isinstance(upload, UploadedFile):
            raise forms.ValidationError("照片上传不完整，请重新选择", code="invalid")
        name = clean_filename(upload.name or "")
        limit = photo_max_bytes()
        try:
            kind = check_upload(
                name, upload.size or 0, cast(IO[bytes], upload.file), max_bytes=limit
            )
        except CaseError as exc:
            message = exc.message.replace("附件最大", "每张照片最大")
            raise forms.ValidationError(f"“{name}”：{message}", code="invalid") from exc
        if kind not in (JPEG, PNG):
            raise forms.ValidationError(
                f"“{name}”不是照片：只能上传JPG或PNG图片（每张不超过{human_size(limit)}）",
                code="not_image",
            )
        return upload


class OpinionForm(AccessibleForm):
    """群众意见建议: only the text is required."""

    requester = forms.CharField(
        label="姓名",
        required=False,
        max_length=50,
        help_text="可不填，或填写“匿名”",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"max_length": "姓名不能超过%(limit_value)d个字"},
    )
    phone = forms.CharField(
        label="联系电话",
        required=False,
        max_length=30,
        help_text="需要电话答复的请填写；也可凭电话后四位查询进度",
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label="电子邮箱",
        required=False,
        max_length=100,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "invalid": "请填写正确的电子邮箱，如 name@example.com",
            "max_length": "电子邮箱不能超过%(limit_value)d个字符",
        },
    )
    area = forms.ChoiceField(
        label="涉及方面",
        required=False,
        choices=[("", UNSURE_LABEL), *AREA_CHOICES],
        error_messages={"invalid_choice": "请从列表中选择涉及方面"},
    )
    content = forms.CharField(
        label="意见建议内容",
        widget=forms.Textarea(attrs={"rows": 7}),
        max_length=CONTENT_MAX,
        strip=True,
        error_messages={
            "required": "请填写意见建议内容",
            "max_length": "内容不能超过%(limit_value)d个字（现有%(show_value)d个字）",
        },
    )
    photos = PhotosField(label="照片")
    # The honeypot: hidden from people by a CSS class, filled in by form-filling scripts.
    website = forms.CharField(
        label="网址（请勿填写）",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    challenge_token = forms.CharField(required=False, widget=forms.HiddenInput, max_length=300)
    challenge_answer = forms.CharField(
        label="验证问题",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, photos: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not photos:
            del self.fields["photos"]
        guard_form_text(self.fields)

    def clean_requester(self) -> str:
        return str(self.cleaned_data.get("requester") or "").strip()

    def clean_phone(self) -> str:
        value = normalise_phone(str(self.cleaned_data.get("phone") or ""))
        if value and not PHONE_PATTERN.match(value):
            raise forms.ValidationError(
                "电话号码只能含数字和“-”，长度7至20位，如 13812345678 或 0635-8888888",
                code="invalid",
            )
        if value and sum(ch.isdigit() for ch in value) < 7:
            raise forms.ValidationError("电话号码至少7位数字", code="invalid")
        return value

    def clean_content(self) -> str:
        value = str(self.cleaned_data.get("content") or "").strip()
        if not value:
            raise forms.ValidationError("请填写意见建议内容", code="required")
        return value

    def honeypot_filled(self) -> bool:
        """Read from the raw data: a filled honeypot wins over any other error."""
        return bool(str(self.data.get(HONEYPOT, "") or "").strip())


class QueryForm(AccessibleForm):
    """Looking an opinion up by its code and the last four digits of the phone left with it."""

    code = forms.CharField(
        label="查询码",
        max_length=30,
        help_text="提交成功后显示的10位查询码（字母和数字）",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        error_messages={"required": "请填写查询码"},
    )
    digits = forms.CharField(
        label="联系电话后四位",
        max_length=4,
        min_length=4,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{4}"}
        ),
        error_messages={
            "required": "请填写联系电话的后四位",
            "min_length": "请填写4位数字",
            "max_length": "请填写4位数字",
        },
    )
    challenge_token = forms.CharField(required=False, widget=forms.HiddenInput, max_length=300)
    challenge_answer = forms.CharField(
        label="验证问题",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        guard_form_text(self.fields)

    def clean_code(self) -> str:
        value = re.sub(r"[\s-]+", "", str(self.cleaned_data.get("code") or "")).upper()
        if not CODE_PATTERN.match(value):
            raise forms.ValidationError("查询码由字母和数字组成，请核对", code="invalid")
        return value

    def clean_digits(self) -> str:
        value = str(self.cleaned_data.get("digits") or "").strip()
        if not (value.isascii() and value.isdigit()):
            raise forms.ValidationError("请填写4位数字", code="invalid")
        return value


RATING_CHOICES = [
    (FeedbackRating.SATISFIED.value, "满意"),
    (FeedbackRating.BASICALLY_SATISFIED.value, "基本满意"),
    (FeedbackRating.UNSATISFIED.value, "不满意"),
]


class RatingForm(AccessibleForm):
    rating = forms.ChoiceField(
        label="您对答复的评价",
        choices=RATING_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择评价", "invalid_choice": "请选择评价"},
    )
    comment = forms.CharField(
        label="意见",
        required=False,
        max_length=CONTENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "意见不能超过%(limit_value)d个字"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        guard_form_text(self.fields)
