"""The console's forms: they parse input; the orgs, cases and workdays actions decide."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from cases.deadline_rules import BOUNDS, KIND_LABELS, SPECS, split_rule
from cases.models import Category
from huiyin.text import guard_form_text
from letters.models import CONTACT_MAX, NAME_MAX, PHONE_MAX, LetterKind
from letters.setup import CO_KEY, Setup
from orgs.models import Role, Unit, UnitKind

PASSWORD_HELP = "至少 8 位，不能全是数字，不能过于常见，也不能与用户名、姓名相近"


class BootstrapForm(forms.Form):
    """Bootstrap's classes on every widget, and is-invalid on fields with errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        guard_form_text(self.fields)  # no control characters (huiyin.text)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                css = "form-select"
            elif isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()
        self.mark_invalid()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        self.mark_invalid()

    def mark_invalid(self) -> None:
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] += " is-invalid"


def unit_tree(units: Iterable[Unit]) -> list[tuple[Unit, int]]:
    """Units in tree order (parents before children, siblings by sort order), with depth."""
    units = list(units)
    ids = {u.pk for u in units}
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in ids else None
        children.setdefault(parent, []).append(unit)
    for siblings in children.values():
        siblings.sort(key=lambda u: (u.sort_order, u.code))
    ordered: list[tuple[Unit, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for unit in children.get(parent, []):
            ordered.append((unit, depth))
            walk(unit.pk, depth + 1)

    walk(None, 0)
    return ordered


class UnitChoiceField(forms.ChoiceField):
    """Units in tree order, indented by depth; cleans to the Unit (or None)."""

    def __init__(self, units: Any, *, empty_label: str, **kwargs: Any) -> None:
        tree = unit_tree(units)
        self.units = {unit.pk: unit for unit, _ in tree}
        choices = [("", empty_label)]
        choices += [(str(unit.pk), "\u3000" * depth + unit.name) for unit, depth in tree]
        super().__init__(choices=choices, **kwargs)
        self.widget.attrs["class"] = "form-select"

    def clean(self, value: Any) -> Unit | None:
        value = super().clean(value)
        return self.units[int(value)] if value else None


def _parent_field(exclude: Unit | None = None) -> UnitChoiceField:
    units = Unit.objects.filter(is_active=True)
    if exclude is not None:
        units = units.exclude(pk=exclude.pk)
    return UnitChoiceField(
        units, required=False, label="上级单位", empty_label="（无，作为顶级单位）"
    )


class UnitForm(BootstrapForm):
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=UnitKind.choices)
    sort_order = forms.IntegerField(
        label="排序", min_value=0, max_value=99_999, initial=0, help_text="数字小的排在前面"
    )


class UnitCreateForm(UnitForm):
    code = forms.CharField(
        label="代码",
        max_length=40,
        help_text="字母、数字、“-”或“_”，如 yizheng；创建后不能修改（导入和接口用它识别单位）",
    )
    field_order = ["code", "name", "kind", "parent", "sort_order"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"] = _parent_field()
        self.order_fields(self.field_order)


class UnitMoveForm(BootstrapForm):
    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"] = _parent_field(exclude=unit)


class UserForm(BootstrapForm):
    full_name = forms.CharField(label="姓名", max_length=150)
    email = forms.EmailField(label="电子邮箱", required=False)


class PasswordFields(BootstrapForm):
    password1 = forms.CharField(
        label="密码",
        strip=False,
        widget=forms.PasswordInput(render_value=True),
        help_text=PASSWORD_HELP,
    )
    password2 = forms.CharField(
        label="再次输入密码", strip=False, widget=forms.PasswordInput(render_value=True)
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Form.clean() returns
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", "两次输入的密码不一致")
        return data


def _role_fields(form: forms.Form, *, required: bool) -> None:
    units = Unit.objects.filter(is_active=True).exclude(kind=UnitKind.EXTERNAL)
    form.fields["unit"] = UnitChoiceField(
        units, label="单位", required=required, empty_label="请选择单位"
    )
    form.fields["role"] = forms.ChoiceField(
        label="角色", required=required, choices=[("", "请选择角色"), *Role.choices]
    )
    form.fields["role"].widget.attrs["class"] = "form-select"


class UserCreateForm(PasswordFields, UserForm):
    """A new account, without roles: the 系统管理员 creates it, the 安全管理员 then grants
    its roles (三权分立)."""

    username = forms.CharField(
        label="用户名", max_length=150, help_text="登录用，字母、数字和 @ . + - _；创建后不能修改"
    )
    field_order = ["username", "full_name", "email", "password1", "password2"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)


class PasswordForm(PasswordFields):
    pass


class RoleForm(BootstrapForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _role_fields(self, required=True)


# --- deadline rules -------------------------------------------------------------------


def kind_choices(name: str) -> list[tuple[str, str]]:
    return [(kind, KIND_LABELS[kind]) for kind in SPECS[name].kinds]


def level_slug(level: str) -> str:
    """A level as it appears in field names and ids ("*" is awkward in both)."""
    return "all" if level == "*" else level


class RuleForm(BootstrapForm):
    """One rule of one category: a number and a unit per level, blank for "as above"."""

    def __init__(self, *args: Any, name: str, levels: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.name = name
        self.levels = levels
        high = max(BOUNDS[k][1] for k in SPECS[name].kinds)
        for level, label in levels:
            level = level_slug(level)
            self.fields[f"n-{level}"] = forms.IntegerField(
                label=f"{label}（数值）",
                required=False,
                min_value=1,
                max_value=high,
                widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
            )
            self.fields[f"kind-{level}"] = forms.ChoiceField(
                label=f"{label}（单位）",
                required=False,
                choices=kind_choices(name),
                widget=forms.Select(
                    attrs={"class": "form-select", "aria-label": f"{label}的期限单位"}
                ),
            )

    @staticmethod
    def initial_for(rules: dict[str, str | None], default_kind: str) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for level, rule in rules.items():
            level = level_slug(level)
            if rule:
                kind, n = split_rule(rule)
                initial[f"n-{level}"], initial[f"kind-{level}"] = n, kind
            else:
                initial[f"kind-{level}"] = default_kind
        return initial

    def rules(self) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for level, _ in self.levels:
            slug = level_slug(level)
            n = self.cleaned_data.get(f"n-{slug}")
            kind = self.cleaned_data.get(f"kind-{slug}") or SPECS[self.name].kinds[0]
            out[level] = None if n is None else f"{kind}:{n}"
        return out

    def rows(self) -> list[dict[str, Any]]:
        rows = []
        for level, label in self.levels:
            slug = level_slug(level)
            rows.append(
                {
                    "level": level,
                    "label": label,
                    "number": self[f"n-{slug}"],
                    "kind": self[f"kind-{slug}"],
                    "errors": self.errors.get(f"n-{slug}", [])
                    + self.errors.get(f"kind-{slug}", []),
                }
            )
        return rows


# --- calendar -------------------------------------------------------------------------


class DayForm(BootstrapForm):
    day = forms.DateField(
        label="日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    kind = forms.ChoiceField(
        label="设为",
        choices=[("holiday", "休（休息日）"), ("workday", "班（工作日）")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="说明", required=False, max_length=200)

    def __init__(self, *args: Any, year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year = year

    def clean_day(self) -> date:
        day = self.cleaned_data["day"]
        if day.year != self.year:
            raise forms.ValidationError(f"日期须在 {self.year} 年内")
        return day


class NoticeForm(BootstrapForm):
    text = forms.CharField(
        label="通知全文",
        strip=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
        help_text="从中国政府网复制“国务院办公厅关于某年部分节假日安排的通知”的全文（或其中各条）粘贴到这里",
    )


# --- 发文设置 (the issuing organisation) ------------------------------------------------


class OrganisationForm(BootstrapForm):
    """The commission's name, a 代字 per kind of letter, 抄送 bodies (one per line) per
    category and for the 会办意见, the contact defaults. letters.actions checks the rest."""

    name = forms.CharField(
        label="机关名称",
        max_length=NAME_MAX,
        help_text="全称，用于答复函的版头（发文机关标志）、署名和版记，如“武汉市卫生健康委员会”",
    )
    contact = forms.CharField(
        label="默认联系人",
        required=False,
        max_length=CONTACT_MAX,
        help_text="新答复的电话默认填此号码；答复未填联系人时（如导入的历史答复），答复函和征询意见表用此联系人和电话",
    )
    phone = forms.CharField(label="默认联系电话", required=False, max_length=PHONE_MAX)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in LetterKind.choices:
            field = forms.CharField(
                label=f"{label}的发文机关代字",
                max_length=10,
                help_text="2至10个汉字，如“武卫函”；文号写作“武卫函〔2026〕17号”，序号按年度自1起，签发时自动编号",
            )
            field.widget.attrs["class"] = "form-control"
            self.fields[f"code_{kind}"] = field
        for key, label in copy_to_groups():
            field = forms.CharField(
                label=f"抄送机关：{label}",
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
                help_text="每行一个机关",
            )
            self.fields[f"copy_to_{key}"] = field
        # Control characters (NUL included) are refused by letters.actions, with a message
        # naming the field, rather than by Django's own validator and its wording.
        for each in self.fields.values():
            each.validators = [
                v for v in each.validators if not isinstance(v, ProhibitNullCharactersValidator)
            ]

    @staticmethod
    def initial_for(setup: Setup) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": setup.name,
            "contact": setup.contact,
            "phone": setup.phone,
        }
        for kind in LetterKind.values:
            initial[f"code_{kind}"] = setup.code(kind)
        for key, _ in copy_to_groups():
            initial[f"copy_to_{key}"] = "\n".join(setup.copy_to.get(key, []))
        return initial

    def codes(self) -> dict[str, str]:
        return {kind: self.cleaned_data[f"code_{kind}"] for kind in LetterKind.values}

    def copy_to(self) -> dict[str, list[str]]:
        return {
            key: [line for line in self.cleaned_data[f"copy_to_{key}"].splitlines() if line.strip()]
            for key, _ in copy_to_groups()
        }

    def code_fields(self) -> list[forms.BoundField]:
        return [self[f"code_{kind}"] for kind in LetterKind.values]

    def copy_to_fields(self) -> list[forms.BoundField]:
        return [self[f"copy_to_{key}"] for key, _ in copy_to_groups()]


def copy_to_groups() -> list[tuple[str, str]]:
    """The letters with 抄送 bodies of their own: each category's 答复函, and the 会办意见."""
    return [*((code, f"{label}答复函") for code, label in Category.choices), (CO_KEY, "会办意见")]
