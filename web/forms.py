"""HTML forms generated from the pydantic payload models in cases.payloads.

The payload models are the one declaration of what an action takes (the API validates
with them too), so the web form is derived from them rather than written a second time:
each field's widget follows from its type and name, its label from its `title`. Posted
form data is turned back into a payload dict and validated by the same model; pydantic's
errors and the action's CaseError come back as Chinese messages beside the fields.
"""

import re
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, Literal

import pydantic
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.db.models import TextChoices

from cases.models import (
    Case,
    Category,
    CommitmentStatus,
    CommunicationMethod,
    CommunicationStage,
    FeedbackRating,
    Level,
    Mode,
    OutcomeKind,
    ReplyClass,
)
from cases.payloads import CommitmentIn, GateComments, Gates
from cases.permissions import LIVE_ASSIGNMENT
from huiyin.dates import DATE_MESSAGES
from huiyin.formats import cn_date
from huiyin.prefetch import prefetched
from huiyin.text import TEXT_MESSAGES, guard_form_text
from huiyin.types import User
from orgs.models import Membership, Role, Unit, UnitKind
from workflow.errors import CaseError

# Literal fields whose values are the codes of these choices: their labels are shown.
CHOICE_LABELS: dict[str, type[TextChoices]] = {
    "category": Category,
    "level": Level,
    "mode": Mode,
    "stage": CommunicationStage,
    "method": CommunicationMethod,
    "result": FeedbackRating,
    "attitude": FeedbackRating,
    "reply_class": ReplyClass,
    "kind": OutcomeKind,
    "status": CommitmentStatus,
}
TEXTAREA_FIELDS = {"text", "content", "summary", "reason", "comment", "note"}
LIST_TEXT_FIELDS = {"topics", "joint_proposers"}  # entered as one line, split on 、，,；;
# A yes/no the user must choose, never a default: an unticked box must not send a reply back.
DECISION_CHOICES = {
    "passed": [("1", "通过，送签发"), ("0", "不通过，退回修改")],
    "approved": [("1", "同意"), ("0", "不同意，退回修改")],
}
SINGLE_UNIT_FIELDS = {"lead_unit", "unit"}
MULTI_UNIT_FIELDS = {"co_units"}
USER_FIELDS = {"handler", "leader_in_charge"}
# Rows of commitments a form reads at most: the page adds and removes rows with a little JS.
MAX_COMMITMENT_ROWS = 30
COMMITMENT_KEY = re.compile(r"^commitments-(\d{1,2})-(what|due)$")
# The order unit pickers list the kinds in: the commission's own units first.
UNIT_KIND_ORDER = [
    UnitKind.DEPARTMENT,
    UnitKind.COUNTY,
    UnitKind.AFFILIATED,
    UnitKind.OFFICE,
    UnitKind.EXTERNAL,
]

HELP = {
    "on": "不填则为今天；补录历史时填写实际办理日期",
    "assigned_on": "不填则为今天",
    "received_on": "不填则为今天",
    "external_lead": "办理方式为“会办”时必填",
    "topics": "多个主题用顿号“、”或逗号分隔",
    "joint_proposers": "多人用顿号“、”或逗号分隔",
    "co_units": "可多选；外部单位的意见由主办处室代为登记",
    "deadline": "交办机关未规定期限时留空，按规则自动计算",
    "commitments": "B类、C类答复须列明承诺事项及完成时间",
    "gates": "四关全部勾选方可送签发",
}
PYDANTIC_MESSAGES = {
    "missing": "此项必填",
    "literal_error": "请选择有效的选项",
    "enum": "请选择有效的选项",
    "date_parsing": "日期格式应为 年-月-日",
    "date_from_datetime_parsing": "日期格式应为 年-月-日",
    "date_from_datetime_inexact": "日期格式应为 年-月-日",
    "date_type": "日期格式应为 年-月-日",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "bool_parsing": "请选择是或否",
    "bool_type": "请选择是或否",
    "string_too_short": "不能为空",
    "string_too_long": "不能超过{max_length}个字",
    "greater_than_equal": "不能小于{ge}",
    "less_than_equal": "不能大于{le}",
    "extra_forbidden": "不接受此项",
    "too_long": "最多{max_length}项",
    **TEXT_MESSAGES,
    **DATE_MESSAGES,
}


def split_list(raw: str) -> list[str]:
    return [item for item in re.split(r"[、，,；;\s]+", raw) if item]


def _normalise(raw: Any) -> str:
    # Browsers send textarea line breaks as CRLF.
    return str(raw if raw is not None else "").replace("\r\n", "\n").strip()


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(the type inside `X | None`, whether None is allowed), without Annotated's rules."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        inner = args[0] if len(args) == 1 else annotation
        if typing.get_origin(inner) is typing.Annotated:
            inner = typing.get_args(inner)[0]
        return inner, True
    return annotation, False


def _date_text(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return str(value or "")


def user_label(user: User) -> str:
    return user.get_full_name() or user.username


@dataclass
class Choice:
    value: str
    label: str
    group: str = ""  # a heading the pickers list the choice under
    units: str = ""  # a person's unit codes, space-separated: the handler picker filters on it
    external: bool = False  # an outside agency (外部)


@dataclass
class FormField:
    name: str
    label: str
    widget: str  # text, textarea, date, number, select, multiselect, checkbox, decision,
    # commitments, gates
    required: bool = False
    choices: list[Choice] = field(default_factory=list)
    help: str = ""
    value: Any = ""  # str; list[str] for multiselect; bool for checkbox; rows for commitments
    error: str = ""
    sub: list["FormField"] = field(default_factory=list)  # gates
    note: str = ""  # a gate's remark

    @property
    def wide(self) -> bool:
        return (
            self.widget in {"textarea", "commitments", "gates", "multiselect"}
            or self.name == "title"
        )


class ChoiceSource:
    """The database-backed choices of unit and user fields, loaded once per page."""

    def __init__(self, case: Case | None = None) -> None:
        self.case = case

    @cached_property
    def units(self) -> list[Unit]:
        return list(Unit.objects.filter(is_active=True))

    def unit_choices(self, name: str) -> list[Choice]:
        if name == "lead_unit":
            units = [u for u in self.units if u.kind != UnitKind.EXTERNAL]
        elif name == "unit":
            units = self.external_co_units
        else:
            units = self.units
        kinds = dict(UnitKind.choices)
        rank: dict[str, int] = {kind: i for i, kind in enumerate(UNIT_KIND_ORDER)}
        # sorted() is stable: within a kind the units keep their own order (sort_order, code).
        units = sorted(units, key=lambda u: rank.get(u.kind, len(rank)))
        return [
            Choice(
                u.code,
                u.name,
                group=str(kinds.get(u.kind, "")),
                external=u.kind == UnitKind.EXTERNAL,
            )
            for u in units
        ]

    @cached_property
    def external_co_units(self) -> list[Unit]:
        """Outside agencies among the case's co-units: their opinions are recorded for them."""
        if self.case is None:
            return []
        rows = prefetched(self.case, "assignments")  # the case page has read them
        if rows is not None:
            return [
                a.unit
                for a in sorted(rows, key=lambda a: a.pk)
                if a.kind == "co"
                and a.status in LIVE_ASSIGNMENT
                and a.unit.kind == UnitKind.EXTERNAL
            ]
        return [
            a.unit
            for a in self.case.assignments.filter(
                kind="co", status__in=LIVE_ASSIGNMENT, unit__kind=UnitKind.EXTERNAL
            ).select_related("unit")
        ]

    @cached_property
    def _memberships(self) -> list[Membership]:
        return list(
            Membership.objects.filter(
                user__is_active=True, role__in=[Role.LEADER, Role.HEAD, Role.HANDLER]
            )
            .select_related("user", "unit")
            # What a choice shows: not a user's password, dates and flags on every page.
            .only(
                *("role", "user__username", "user__first_name", "user__last_name"),
                *("unit__code", "unit__name", "unit__kind"),
            )
            .order_by("unit__sort_order", "unit__code", "role", "user__username")
        )

    def user_choices(self, name: str) -> list[Choice]:
        found: dict[int, Choice] = {}
        for m in self._memberships:
            wanted = (
                (m.role == Role.LEADER) if name == "leader_in_charge" else (m.role != Role.LEADER)
            )
            if not wanted:
                continue
            choice = found.get(m.user_id)
            if choice is None:
                label = user_label(m.user)
                if name != "leader_in_charge":
                    label = f"{label}（{m.unit.name}·{m.get_role_display()}）"
                choice = found[m.user_id] = Choice(m.user.username, label)
            if name != "leader_in_charge" and m.unit.code not in choice.units.split():
                choice.units = f"{choice.units} {m.unit.code}".strip()
        return list(found.values())

    def commitment_choices(self) -> list[Choice]:
        if self.case is None:
            return []
        return [
            Choice(str(c.pk), f"{c.what}（{cn_date(c.due)}前，{c.get_status_display()}）")
            for c in self.case.commitments.all()
        ]


class PayloadForm:
    """A form for one pydantic payload model; bound when `data` (request.POST) is given.

    `initial` holds Python values to prefill; with `only_changed` (the edit form) the
    payload carries only the fields whose posted value differs from the initial one.
    """

    def __init__(
        self,
        model: type[pydantic.BaseModel],
        *,
        action: str = "",
        label: str = "",
        source: ChoiceSource | None = None,
        data: Mapping[str, Any] | None = None,
        initial: Mapping[str, Any] | None = None,
        only_changed: bool = False,
        hidden: Iterable[str] = (),
        required: Iterable[str] = (),
        order: Iterable[str] = (),
        aliases: Mapping[str, str] | None = None,
        decisions: Iterable[tuple[str, str]] = (),
        choice_labels: Mapping[str, type[TextChoices]] | None = None,
    ) -> None:
        """`order`: fields shown first; `aliases`: where an error about a hidden field is
        shown instead; `decisions`: the yes/no buttons' words when not the default ones
        (the action's spec, workflow.tables.Form, declares all three)."""
        self.model = model
        self.action = action
        self.label = label
        self.source = source or ChoiceSource()
        self.data = data
        self.initial = dict(initial or {})
        self.only_changed = only_changed
        self.hidden = set(hidden)
        self.order = list(order)
        self.aliases = dict(aliases or {})
        self.decisions = list(decisions)
        # A category's own choices for a field (a public opinion's `result` is its answer's
        # class, a 议提案's a rating): before CHOICE_LABELS.
        self.choice_labels = {**CHOICE_LABELS, **(choice_labels or {})}
        self.required = set(required)  # marked required here although the model allows empty
        self.errors: list[str] = []  # not tied to a field
        self.fields = self._build_fields()
        self._by_name = {f.name: f for f in self.fields}

    @property
    def is_bound(self) -> bool:
        return self.data is not None

    @property
    def field(self) -> dict[str, FormField]:
        """The fields by name, for templates laid out by hand: {{ form.field.lead_unit }}."""
        return self._by_name

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(f.error for f in self.fields)

    # --- building --------------------------------------------------------------------

    def _build_fields(self) -> list[FormField]:
        names = [n for n in self.model.model_fields if n not in self.hidden]
        first = [n for n in self.order if n in names]
        names = first + [n for n in names if n not in first]
        # The action date is optional and rarely changed: last, not first.
        if "on" in names:
            names = [n for n in names if n != "on"] + ["on"]
        fields = []
        for name in names:
            form_field = self._field(name, self.model.model_fields[name])
            if form_field is not None:
                fields.append(form_field)
        return fields

    def _field(self, name: str, info: pydantic.fields.FieldInfo) -> FormField | None:
        kind, optional = _unwrap(info.annotation)
        f = FormField(
            name=name,
            label=info.title or name,
            widget="text",
            required=info.is_required() or name in self.required,
            help=HELP.get(name, ""),
        )
        if typing.get_origin(kind) is Literal or name in self.choice_labels:
            f.widget = "select"
            values = (
                [v for v in typing.get_args(kind) if v != ""]
                if typing.get_origin(kind) is Literal
                else list(self.choice_labels[name].values)
            )
            labels = dict(self.choice_labels[name].choices) if name in self.choice_labels else {}
            f.choices = [Choice(v, str(labels.get(v, v))) for v in values]
        elif name in SINGLE_UNIT_FIELDS:
            f.widget = "select"
            f.choices = self.source.unit_choices(name)
            if name == "unit" and not f.choices:
                return None  # no outside co-unit to speak for
        elif name in MULTI_UNIT_FIELDS:
            f.widget = "multiselect"
            f.choices = self.source.unit_choices(name)
        elif name in USER_FIELDS:
            f.widget = "select"
            f.choices = self.source.user_choices(name)
        elif name == "id" and kind is int:
            f.widget = "select"
            f.choices = self.source.commitment_choices()
        elif kind is date:
            f.widget = "date"
        elif kind is bool:
            if name in DECISION_CHOICES:
                f.widget = "decision"
                f.label = "结论"
                pairs = self.decisions or DECISION_CHOICES[name]
                f.choices = [Choice(v, label) for v, label in pairs]
            else:
                f.widget = "checkbox"
        elif kind is int:
            f.widget = "number"
        elif kind is Gates:
            f.widget = "gates"
            f.sub = [
                FormField(name=f"gates-{g}", label=gi.title or g, widget="checkbox")
                for g, gi in Gates.model_fields.items()
            ]
        elif typing.get_origin(kind) is list and typing.get_args(kind) == (CommitmentIn,):
            f.widget = "commitments"
        elif name in TEXTAREA_FIELDS:
            f.widget = "textarea"
        f.value = self._value(f)
        return f

    def _initial_value(self, f: FormField) -> Any:
        value = self.initial.get(f.name)
        if f.widget == "checkbox":
            return bool(value)
        if f.widget == "multiselect":
            return [str(v) for v in value or []]
        if f.widget == "commitments":
            rows = [
                {"what": str(row.get("what") or ""), "due": _date_text(row.get("due"))}
                for row in value or []
            ]
            return rows or [{"what": "", "due": ""}]
        if f.widget == "gates":
            return ""
        if f.widget == "decision":
            return "" if value is None else ("1" if value else "0")
        if value is None:
            return ""
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, list | tuple):
            return "、".join(str(v) for v in value)
        return str(value)

    def _value(self, f: FormField) -> Any:
        """What the field shows: the posted value when bound, else the initial one."""
        if self.data is None:
            value = self._initial_value(f)
            for sub in f.sub:
                sub.value = False
                sub.note = ""
            return value
        if f.widget == "checkbox":
            return f.name in self.data
        if f.widget == "multiselect":
            return [v for v in self._getlist(f.name) if v]
        if f.widget == "commitments":
            # Rows are numbered by the page; removed rows leave gaps, which do not matter.
            indices = sorted(
                {int(m.group(1)) for key in self.data.keys() if (m := COMMITMENT_KEY.match(key))}
            )[:MAX_COMMITMENT_ROWS]
            rows = [
                {
                    "what": _normalise(self.data.get(f"commitments-{i}-what")),
                    "due": _normalise(self.data.get(f"commitments-{i}-due")),
                }
                for i in indices
            ]
            return rows or [{"what": "", "due": ""}]
        if f.widget == "gates":
            for sub in f.sub:
                sub.value = sub.name in self.data
                sub.note = _normalise(self.data.get(f"{sub.name}-comment"))
            return ""
        return _normalise(self.data.get(f.name))

    def _getlist(self, name: str) -> list[str]:
        getlist = getattr(self.data, "getlist", None)
        if getlist is not None:
            return list(getlist(name))
        value = self.data.get(name) if self.data else None
        return list(value) if isinstance(value, list | tuple) else ([value] if value else [])

    # --- reading the posted data -----------------------------------------------------

    def payload_data(self) -> dict[str, Any]:
        """The posted form as a payload dict (to be validated by the model)."""
        out: dict[str, Any] = {}
        for f in self.fields:
            if self.only_changed and self._unchanged(f):
                continue
            value = self._payload_value(f)
            if value is not _OMIT:
                out[f.name] = value
            if f.widget == "gates" and "gate_comments" in self.model.model_fields:
                remarks = {sub.name.removeprefix("gates-"): sub.note for sub in f.sub if sub.note}
                if remarks:
                    out["gate_comments"] = remarks
        return out

    def _unchanged(self, f: FormField) -> bool:
        initial = self._initial_value(f)
        return f.value == (_normalise(initial) if isinstance(initial, str) else initial)

    def _payload_value(self, f: FormField) -> Any:
        if f.widget == "checkbox":
            return f.value
        if f.widget == "multiselect":
            return f.value
        if f.widget == "decision":
            return {"1": True, "0": False}.get(f.value, _OMIT)
        if f.widget == "gates":
            return {sub.name.removeprefix("gates-"): sub.value for sub in f.sub}
        if f.widget == "commitments":
            rows = []
            for row in f.value:
                if row["what"] or row["due"]:
                    rows.append({k: v for k, v in row.items() if v})
            return rows
        if f.name in LIST_TEXT_FIELDS:
            return split_list(f.value)
        if f.value == "":
            # Cleared on the edit form: say so (None clears dates and people, "" text);
            # elsewhere an empty input is not sent, so the default or "此项必填" applies.
            if self.only_changed:
                return None if f.widget in {"date", "select", "number"} else ""
            return _OMIT
        return f.value

    def validate(self) -> Any | None:
        """The payload model instance, or None with the errors set on the fields."""
        assert self.data is not None
        try:
            return self.model.model_validate(self.payload_data())
        except pydantic.ValidationError as exc:
            for err in exc.errors():
                self._add_pydantic_error(err)
            return None

    def _add_pydantic_error(self, err: Mapping[str, Any]) -> None:
        loc = list(err.get("loc") or ())
        template = PYDANTIC_MESSAGES.get(err.get("type", ""), "取值无效")
        try:
            message = template.format(**(err.get("ctx") or {}))
        except (KeyError, IndexError):
            message = template
        name = str(loc[0]) if loc else ""
        if name == "commitments" and len(loc) >= 3 and isinstance(loc[1], int):
            sub = CommitmentIn.model_fields.get(str(loc[2]))
            message = f"第{loc[1] + 1}项{sub.title if sub else ''}：{message}"
        elif name == "gates" and len(loc) >= 2:
            sub = Gates.model_fields.get(str(loc[1]))
            message = f"{sub.title if sub else ''}：{message}"
        elif name == "gate_comments" and len(loc) >= 2:
            remark = GateComments.model_fields.get(str(loc[1]))
            message = f"{remark.title if remark else ''}：{message}"
        self.add_error(name, message)

    def add_error(self, name: str | None, message: str) -> None:
        name = self.aliases.get(name or "", name or "")
        f = self._by_name.get(name)
        if f is None:
            if message not in self.errors:
                self.errors.append(message)
        elif not f.error:
            f.error = message
        elif message not in f.error:
            f.error = f"{f.error}；{message}"

    def add_case_error(self, exc: CaseError) -> None:
        self.add_error(exc.field, exc.message)


class LoginForm(AuthenticationForm):
    """Django's login form, with the text rule (huiyin.text) and the username's length
    enforced (Django only sets the input's maxlength): an overlong or control-laden name
    is refused before it is looked up, or counted by django-axes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(150))
        guard_form_text(self.fields)


class _Omit:
    pass


_OMIT = _Omit()
