"""Imported ledger rows (台账导入): what a row is, and the rules it must meet.

A row describes a case and the history of its handling. It is checked with the rules
of the actions themselves, not a copy of them: the case fields with `register`'s
`validate_case_fields`, the units, deadline, reply class and rating with the validators
of `cases.actions.validation` that `assign_case`, `submit_reply` and `record_feedback`
call. What the history of a ledger may lack that an action requires (a reply's text,
contact and phone; a B/C reply's itemised commitments; the engine's rule that an action
is dated after the previous one) is listed in `cases.actions.validation` and noted
where the validator is called below. The rules that only history has (which columns a
state needs or excludes, its dates in order) are written here.

The bulk write is `cases.actions.importing.import_cases`.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from audit.models import AuditEvent
from audit.record import today
from cases.actions.register import validate_case_fields
from cases.actions.validation import (
    check_co_units,
    check_deadline,
    check_lead_unit,
    check_reply,
    check_result,
)
from cases.models import Mode
from cases.models import Role as CaseRole
from huiyin.types import User
from orgs.access import standing_of
from orgs.models import Unit, UnitKind
from workflow.errors import ActionForbidden, CaseError
from workflow.tables import all_workflows
from workflow.vocabulary import Action, Event, State

IDENTITY_FIELDS = ("category", "level", "issuer", "year", "number")
DATA_FIELDS = (
    "session",
    "title",
    "content",
    "lead_proposer",
    "joint_proposers",
    "delegation",
    "party",
    "topics",
    "external_lead",
    "led_by",
    "is_key",
)
HANDLING_FIELDS = (
    "mode",
    "lead_unit",
    "co_units",
    "assigned_on",
    "explicit_deadline",
    "replied_on",
    "reply_class",
    "feedback_result",
    "state",
)
# States an imported row may bring. The drafting states need a reply draft written in
# the system, which a ledger row cannot supply.
IMPORTABLE_STATES = (
    State.REGISTERED,
    State.ASSIGNED,
    State.HANDLING,
    State.REPLIED,
    State.CLOSED,
    State.WITHDRAWN,
)
ASSIGNED_STATES = (State.ASSIGNED, State.HANDLING, State.REPLIED, State.CLOSED)
REPLIED_STATES = (State.REPLIED, State.CLOSED)
NOT_ASSIGNED_STATES = (State.REGISTERED, State.WITHDRAWN)
# Audit actions that leave a case's handling as it was: anything else means the case
# was handled in the system, and the import must not rewrite that history.
HANDLING_NEUTRAL_ACTIONS = (
    Event.REGISTER,
    Action.EDIT,
    Event.IMPORT,
    Event.RECOMPUTE_DEADLINES,
    Event.ATTACH,
    Event.REMOVE_ATTACHMENT,
)


def state_label(state: str) -> str:
    return State(state).label if state in State.values else state


@dataclass
class CaseRecord:
    """One ledger row as the case it describes, in model values."""

    category: str
    level: str
    year: int
    number: str
    issuer: str = ""
    session: str = ""
    title: str = ""
    content: str = ""
    lead_proposer: str = ""
    joint_proposers: list[str] = field(default_factory=list)
    delegation: str = ""
    party: str = ""
    topics: list[str] = field(default_factory=list)
    mode: str = Mode.LEAD
    external_lead: str = ""
    led_by: str = ""
    is_key: bool = False
    lead_unit: Unit | None = None  # an unsaved Unit is one to create (--create-units)
    co_units: list[Unit] = field(default_factory=list)
    assigned_on: date | None = None
    explicit_deadline: date | None = None
    replied_on: date | None = None
    reply_class: str = ""
    feedback_result: str = ""
    state: str = ""

    @property
    def role(self) -> str:
        return CaseRole.CO if self.mode == Mode.CO else CaseRole.LEAD

    def handling(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f) for f in HANDLING_FIELDS)


@dataclass
class ImportItem:
    """A planned write: a new case (case_id None) or an update of an existing one."""

    row: int
    record: CaseRecord
    case_id: int | None = None
    old_state: str = ""
    changes: dict[str, list[Any]] = field(default_factory=dict)  # field → [old, new]
    rewrite_handling: bool = False
    seen_updated_at: datetime | None = None


def check_importer(user: User) -> None:
    """The roles the categories' hidden import transition names (coordinator)."""
    allowed = {
        actor
        for workflow in all_workflows()
        if (spec := workflow.transitions.get(Event.IMPORT)) is not None
        for actor in spec.actors
    }
    if not standing_of(user).roles & allowed:
        raise ActionForbidden("只有议提案管理员可以导入台账")


def derive_state(record: CaseRecord) -> str:
    """The state a row describes when its 状态 column is empty."""
    if record.feedback_result:
        return State.CLOSED
    if record.replied_on or record.reply_class:
        return State.CLOSED if record.role == CaseRole.CO else State.REPLIED
    if record.lead_unit or record.co_units or record.assigned_on:
        return State.ASSIGNED
    return State.REGISTERED


def validate_case_data(record: CaseRecord) -> list[tuple[str, str]]:
    """The rules of `register` for the case's own fields."""
    data = {f: getattr(record, f) for f in IDENTITY_FIELDS}
    data |= {
        "title": record.title,
        "mode": record.mode,
        "external_lead": record.external_lead,
        "received_on": None,
    }
    errors: list[tuple[str, str]] = []
    _collect(errors, None, validate_case_fields, data)
    return errors


def _collect(
    errors: list[tuple[str, str]],
    column: str | None,
    check: Callable[..., Any],
    *args: Any,
    **kw: Any,
) -> None:
    """Run an action's validator; a refusal becomes an error of `column` (None: the
    validator's own field), with the validator's message."""
    try:
        check(*args, **kw)
    except CaseError as exc:
        errors.append(((exc.field or "") if column is None else column, exc.message))


def validate_handling(record: CaseRecord, *, on: date | None = None) -> list[tuple[str, str]]:
    """The rules of assign, reply, sign and feedback for the history a row describes."""
    on = on or today()
    errors: list[tuple[str, str]] = []
    state = record.state
    label = state_label(state)
    if state not in IMPORTABLE_STATES:
        return [("state", f"“{label}”的办件不能导入（答复稿须在系统中提交），可导入为“办理中”")]
    given = {
        "lead_unit": (record.lead_unit, "承办处室"),
        "co_units": (record.co_units, "协办处室"),
        "assigned_on": (record.assigned_on, "交办日期"),
        "replied_on": (record.replied_on, "答复日期"),
        "reply_class": (record.reply_class, "答复类别"),
        "feedback_result": (record.feedback_result, "满意度"),
    }
    not_yet: tuple[str, ...] = ()
    if state in NOT_ASSIGNED_STATES:
        not_yet = ("lead_unit", "co_units", "assigned_on", "replied_on", "reply_class")
        not_yet += ("feedback_result",)
    elif state in (State.ASSIGNED, State.HANDLING):
        not_yet = ("replied_on", "reply_class", "feedback_result")
    elif state == State.REPLIED:
        not_yet = ("feedback_result",)
    for name in not_yet:
        value, column = given[name]
        if value:
            errors.append((name, f"状态为“{label}”的办件不应填写{column}"))
    if state in ASSIGNED_STATES:
        if record.lead_unit is None:
            errors.append(("lead_unit", f"状态为“{label}”的办件请填写承办处室"))
        if record.assigned_on is None:
            errors.append(("assigned_on", f"状态为“{label}”的办件请填写交办日期"))
    if state in REPLIED_STATES and record.replied_on is None:
        errors.append(("replied_on", f"状态为“{label}”的办件请填写答复日期"))
    if state in REPLIED_STATES or record.reply_class:
        # submit_reply's rules for the class: A–D for a lead unit, none for a 会办 opinion.
        # History lacks a reply's text, contact and phone, and a B/C reply's itemised
        # commitments (a ledger has no columns for them): history=True waives the list.
        _collect(
            errors,
            "reply_class",
            check_reply,
            role=record.role,
            reply_class=record.reply_class,
            commitments=None,
            on=record.replied_on or on,
            history=True,
        )
    if record.feedback_result:
        _collect(errors, "feedback_result", check_result, record.feedback_result)
    if record.role == CaseRole.CO:
        if record.feedback_result:
            errors.append(("feedback_result", "会办件由主办单位征询评价，不应填写满意度"))
        if state == State.REPLIED:
            errors.append(("state", "会办意见签发即办结，状态应为“已办结”"))
    # assign_case's rules for the units (a missing lead unit is reported above, by state).
    if record.lead_unit is not None:
        _collect(errors, "lead_unit", check_lead_unit, record.lead_unit)
    _collect(errors, "co_units", check_co_units, record.lead_unit, record.co_units)
    # Instead of the engine's action dates (history has no previous step in the system):
    # its own dates, not in the future and in order.
    for name, column in (("assigned_on", "交办日期"), ("replied_on", "答复日期")):
        day = getattr(record, name)
        if day is not None and day > on:
            errors.append((name, f"{column}不能晚于今天"))
    if record.assigned_on:
        _collect(
            errors,
            "explicit_deadline",
            check_deadline,
            record.explicit_deadline,
            record.assigned_on,
        )
    if record.assigned_on and record.replied_on and record.replied_on < record.assigned_on:
        errors.append(("replied_on", "答复日期不能早于交办日期"))
    return errors


def cases_handled_in_system(case_ids: Iterable[int]) -> set[int]:
    """The cases whose history holds an action that handled them (assign, reply …)."""
    found: set[int] = set()
    ids = list(case_ids)
    for start in range(0, len(ids), 900):
        found.update(
            AuditEvent.objects.filter(case_id__in=ids[start : start + 900])
            .exclude(action__in=HANDLING_NEUTRAL_ACTIONS)
            .values_list("case_id", flat=True)
            .distinct()
        )
    return found


def new_unit(name: str, *, lead: bool) -> Unit:
    """An unsaved unit for a name the database does not know (created on apply).

    A 承办处室 is one of the commission's own departments. A 协办处室 is one too when its
    name ends like an internal unit's (…处, …室, …科, …股); any other name (…局, …委,
    …政府, …中心, …医院) is an outside agency, created as external (no users)."""
    internal = lead or looks_internal(name)
    return Unit(name=name, kind=UnitKind.DEPARTMENT if internal else UnitKind.EXTERNAL)


def looks_internal(name: str) -> bool:
    return name.endswith(("处", "室", "科", "股"))


def jsonable(value: Any) -> Any:
    """A field value as the audit event and the plan show it."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Unit):
        return value.name
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value
