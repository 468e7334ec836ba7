"""Imported ledger rows (台账导入): the rules a row must meet and the bulk write.

`transfer` reads the file, cleans the cells and plans the import; this module holds the
domain rules (which states an imported case may have, what each needs) and writes the
planned cases in bulk, with the rules of the actions reused rather than copied: the case
field validation of `register`, the proposer kinds, the deadlines of `assign`.

What an import may change on a case already in the database:
- its descriptive data (title, proposers, topics …), always (like `edit`);
- its handling (mode, units, dates, reply, rating, state) only while that handling was
  itself imported or never started: once a case has been handled through the actions
  (assigned, replied … in the system), the import refuses to rewrite that history.
"""

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.record import today
from cases.actions.assign import reply_deadlines
from cases.actions.register import guess_proposer_kind, validate_case_fields
from cases.deadline_rules import due_for, rule_for
from cases.models import (
    Assignment,
    AssignmentKind,
    AssignmentStatus,
    Case,
    CaseProposer,
    Feedback,
    Mode,
    Proposer,
    Reply,
    ReplyStatus,
    Topic,
)
from cases.models import Role as CaseRole
from orgs.access import standing_of
from orgs.actions import create_unit
from orgs.models import Role, Unit, UnitKind
from workflow.errors import ActionForbidden, CaseError
from workflow.proposals import PROPOSAL_STATES

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
IMPORTABLE_STATES = ("registered", "assigned", "handling", "replied", "closed", "withdrawn")
ASSIGNED_STATES = ("assigned", "handling", "replied", "closed")
REPLIED_STATES = ("replied", "closed")
# Audit actions that leave a case's handling as it was: anything else means the case
# was handled in the system, and the import must not rewrite that history.
HANDLING_NEUTRAL_ACTIONS = (
    "register",
    "edit",
    "import",
    "recompute_deadlines",
    "attach",
    "remove_attachment",
)
CHUNK = 500  # rows written per round of bulk inserts; progress is reported after each


def state_label(state: str) -> str:
    return PROPOSAL_STATES.get(state, state)


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


def check_importer(user: Any) -> None:
    if not standing_of(user).has(Role.COORDINATOR):
        raise ActionForbidden("只有议提案管理员可以导入台账")


def derive_state(record: CaseRecord) -> str:
    """The state a row describes when its 状态 column is empty."""
    if record.feedback_result:
        return "closed"
    if record.replied_on or record.reply_class:
        return "closed" if record.role == CaseRole.CO else "replied"
    if record.lead_unit or record.co_units or record.assigned_on:
        return "assigned"
    return "registered"


def validate_case_data(record: CaseRecord) -> list[tuple[str, str]]:
    """The rules of `register` for the case's own fields."""
    data = {f: getattr(record, f) for f in IDENTITY_FIELDS}
    data |= {
        "title": record.title,
        "mode": record.mode,
        "external_lead": record.external_lead,
        "received_on": None,
    }
    try:
        validate_case_fields(data)
    except CaseError as exc:
        return [(exc.field or "", exc.message)]
    return []


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
    if state in ("registered", "withdrawn"):
        not_yet = ("lead_unit", "co_units", "assigned_on", "replied_on", "reply_class")
    elif state in ("assigned", "handling"):
        not_yet = ("replied_on", "reply_class", "feedback_result")
    else:
        not_yet = ()
    if state == "replied":
        not_yet = ("feedback_result",)
    for name in not_yet + (("feedback_result",) if state in ("registered", "withdrawn") else ()):
        value, column = given[name]
        if value:
            errors.append((name, f"状态为“{label}”的办件不应填写{column}"))
    if state in ASSIGNED_STATES:
        if record.lead_unit is None:
            errors.append(("lead_unit", f"状态为“{label}”的办件请填写承办处室"))
        if record.assigned_on is None:
            errors.append(("assigned_on", f"状态为“{label}”的办件请填写交办日期"))
    if state in REPLIED_STATES:
        if record.replied_on is None:
            errors.append(("replied_on", f"状态为“{label}”的办件请填写答复日期"))
        if record.role == CaseRole.LEAD and not record.reply_class:
            errors.append(("reply_class", "请填写答复类别（A、B、C、D）"))
    if record.role == CaseRole.CO:
        if record.reply_class:
            errors.append(("reply_class", "会办意见不分答复类别"))
        if record.feedback_result:
            errors.append(("feedback_result", "会办件由主办单位征询评价，不应填写满意度"))
        if state == "replied":
            errors.append(("state", "会办意见签发即办结，状态应为“已办结”"))
    unit = record.lead_unit
    if unit is not None and (unit.kind == UnitKind.EXTERNAL or not unit.is_active):
        errors.append(("lead_unit", f"{unit.name}不能作为主办处室"))
    if unit is not None and any(_same_unit(unit, u) for u in record.co_units):
        errors.append(("co_units", "协办处室不能与主办处室相同"))
    keys = [_unit_key(u) for u in record.co_units]
    if len(set(keys)) != len(keys):
        errors.append(("co_units", "协办处室有重复"))
    for name, column in (("assigned_on", "交办日期"), ("replied_on", "答复日期")):
        day = getattr(record, name)
        if day is not None and day > on:
            errors.append((name, f"{column}不能晚于今天"))
    if record.assigned_on and record.explicit_deadline:
        if record.explicit_deadline <= record.assigned_on:
            errors.append(("explicit_deadline", "办理期限须晚于交办日期"))
    if record.assigned_on and record.replied_on and record.replied_on < record.assigned_on:
        errors.append(("replied_on", "答复日期不能早于交办日期"))
    return errors


def _unit_key(unit: Unit) -> Any:
    return unit.pk if unit.pk is not None else ("new", unit.name)


def _same_unit(a: Unit, b: Unit) -> bool:
    return _unit_key(a) == _unit_key(b)


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


class _Deadlines:
    """reply_deadlines and the co-unit rule, remembered per rule and start day: a ledger
    assigns its cases on a handful of days, and each computation queries the calendar.
    The result depends on the case only through the rules in force for its category and
    level, so those (not the category and level) make the key."""

    def __init__(self) -> None:
        self._memo: dict[tuple[Any, ...], Any] = {}

    def reply(self, record: CaseRecord) -> dict[str, Any]:
        rule = "co_opinion" if record.role == CaseRole.CO else "reply"
        rules = (rule_for(record.category, record.level, rule),)
        rules += (rule_for(record.category, record.level, "unit_draft"),)
        explicit = record.explicit_deadline if rule == "reply" else None
        key = ("reply", rules, record.assigned_on, explicit)
        if key not in self._memo:
            probe = Case(
                category=record.category,
                level=record.level,
                mode=record.mode,
                explicit_deadline=record.explicit_deadline,
            )
            self._memo[key] = reply_deadlines(probe, record.assigned_on, rule)
        return dict(self._memo[key])

    def co_unit(self, record: CaseRecord) -> tuple[date, bool, dict[str, str]]:
        key = ("co", rule_for(record.category, record.level, "co_unit_opinion"), record.assigned_on)
        if key not in self._memo:
            probe = Case(category=record.category, level=record.level)
            due, how = due_for(probe, "co_unit_opinion", record.assigned_on)
            self._memo[key] = (due.date, due.provisional, how)
        return self._memo[key]


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _unit_code(name: str) -> str:
    digest = hashlib.sha1(name.encode()).hexdigest()
    for length in range(8, 41):
        code = f"imp-{digest[:length]}"
        if not Unit.objects.filter(code=code).exists():
            return code
    raise CaseError(f"无法为单位“{name}”生成代码")


def _create_units(items: list[ImportItem], by: Any) -> None:
    """Save the units the plan decided to create, in place, so records point at them."""
    made: dict[str, Unit] = {}
    for item in items:
        r = item.record
        for unit in [r.lead_unit, *r.co_units]:
            if unit is None or unit.pk is not None:
                continue
            if unit.name not in made:
                made[unit.name] = create_unit(
                    by=by, code=_unit_code(unit.name), name=unit.name, kind=unit.kind
                )
            saved = made[unit.name]
            unit.pk, unit.code, unit.kind = saved.pk, saved.code, saved.kind
            unit._state.adding, unit._state.db = False, saved._state.db


def _proposers(items: list[ImportItem]) -> dict[tuple[str, str], Proposer]:
    """Every proposer the rows name, found or created in bulk. A row's 代表团/界别 and 党派
    describe its lead proposer; a later row's non-empty value wins."""
    wanted: dict[tuple[str, str], dict[str, str]] = {}
    for item in items:
        r = item.record
        for position, name in enumerate([r.lead_proposer, *r.joint_proposers]):
            key = (name, guess_proposer_kind(name, r.category))
            extra = wanted.setdefault(key, {})
            if position == 0:
                for attr in ("delegation", "party"):
                    if getattr(r, attr):
                        extra[attr] = getattr(r, attr)
    found: dict[tuple[str, str], Proposer] = {}
    names = sorted({name for name, _ in wanted})
    for chunk in _chunks(names, 900):
        for p in Proposer.objects.filter(name__in=chunk):
            if (p.name, p.kind) in wanted:
                found[(p.name, p.kind)] = p
    stale = []
    for key, p in found.items():
        extra = wanted[key]
        if any(getattr(p, attr) != value for attr, value in extra.items()):
            for attr, value in extra.items():
                setattr(p, attr, value)
            stale.append(p)
    Proposer.objects.bulk_update(stale, ["delegation", "party"], batch_size=500)
    missing = [
        Proposer(name=name, kind=kind, **wanted[(name, kind)])
        for name, kind in wanted
        if (name, kind) not in found
    ]
    for p in Proposer.objects.bulk_create(missing, batch_size=1000):
        found[(p.name, p.kind)] = p
    return found


def _topics(items: list[ImportItem]) -> dict[str, Topic]:
    names = sorted({n for item in items for n in item.record.topics})
    found = {
        t.name: t for chunk in _chunks(names, 900) for t in Topic.objects.filter(name__in=chunk)
    }
    missing = [Topic(name=n) for n in names if n not in found]
    # SQLite (3.35+) and PostgreSQL both return the new keys.
    found.update({t.name: t for t in Topic.objects.bulk_create(missing, batch_size=1000)})
    return found


CASE_COLUMNS = (
    "session",
    "title",
    "content",
    "mode",
    "external_lead",
    "led_by",
    "is_key",
)
HANDLING_COLUMNS = (
    "state",
    "lead_unit",
    "assigned_on",
    "explicit_deadline",
    "deadline",
    "deadline_provisional",
    "deadline_rule",
    "unit_deadline",
    "unit_deadline_provisional",
    "replied_on",
    "reply_class",
    "feedback_result",
    "received_on",
    "last_action_on",
    "round",
)


def _set_handling(case: Case, r: CaseRecord, deadlines: _Deadlines) -> None:
    case.state = r.state
    case.round = 1
    case.explicit_deadline = r.explicit_deadline
    assigned = r.state in ASSIGNED_STATES
    case.lead_unit = r.lead_unit if assigned else None
    case.assigned_on = r.assigned_on if assigned else None
    fields = (
        deadlines.reply(r)
        if assigned
        else {
            "deadline": None,
            "deadline_provisional": False,
            "deadline_rule": {},
            "unit_deadline": None,
            "unit_deadline_provisional": False,
        }
    )
    for name, value in fields.items():
        setattr(case, name, value)
    case.replied_on = r.replied_on if r.state in REPLIED_STATES else None
    case.reply_class = r.reply_class
    case.feedback_result = r.feedback_result
    days = [d for d in (case.received_on, case.assigned_on) if d]
    case.received_on = min(days) if days else today()
    # History entered after the fact: later actions may be dated from the last of it.
    case.last_action_on = max(
        d for d in (case.received_on, case.assigned_on, case.replied_on, case.last_action_on) if d
    )


def jsonable(value: Any) -> Any:
    """A field value as the audit event and the plan show it."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Unit):
        return value.name
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


@transaction.atomic
def import_cases(
    items: list[ImportItem],
    *,
    by: Any,
    source: str,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Write planned rows: create new cases, update changed ones, one `import` event each.

    All or nothing. Refuses when a case to update was changed since it was planned."""
    check_importer(by)
    updates = [i for i in items if i.case_id is not None]
    current = {}
    for chunk in _chunks([i.case_id for i in updates], 900):
        current.update(Case.objects.filter(pk__in=chunk).in_bulk())
    moved = [i for i in updates if i.case_id not in current]
    moved += [
        i
        for i in updates
        if i.case_id in current and current[i.case_id].updated_at != i.seen_updated_at
    ]
    if moved:
        rows = "、".join(str(i.row) for i in moved[:10])
        raise CaseError(
            f"检查之后有{len(moved)}件办件被修改或删除（第{rows}行），请重新检查后再导入"
        )
    _create_units(items, by)
    proposers = _proposers(
        [
            i
            for i in items
            if i.case_id is None
            or _touches(i, "lead_proposer", "joint_proposers", "delegation", "party")
        ]
    )
    topics = _topics([i for i in items if i.case_id is None or "topics" in i.changes])
    deadlines = _Deadlines()
    on, now, total, done = today(), timezone.now(), len(items), 0
    for chunk in _chunks(items, CHUNK):
        _write_chunk(
            chunk, current, proposers, topics, deadlines, by=by, source=source, on=on, now=now
        )
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    return {
        "created": sum(1 for i in items if i.case_id is None),
        "updated": len(updates),
    }


def _touches(item: ImportItem, *names: str) -> bool:
    return any(n in item.changes for n in names)


def _write_chunk(
    chunk: list[ImportItem],
    current: dict[int, Case],
    proposers: dict[tuple[str, str], Proposer],
    topics: dict[str, Topic],
    deadlines: _Deadlines,
    *,
    by: Any,
    source: str,
    on: date,
    now: datetime,
) -> None:
    new_cases: list[Case] = []
    changed: list[Case] = []
    for item in chunk:
        r = item.record
        if item.case_id is None:
            case = Case(**{f: getattr(r, f) for f in IDENTITY_FIELDS + CASE_COLUMNS})
            case.received_on = None
            _set_handling(case, r, deadlines)
            new_cases.append(case)
        else:
            case = current[item.case_id]
            for name in CASE_COLUMNS:
                setattr(case, name, getattr(r, name))
            if item.rewrite_handling:
                _set_handling(case, r, deadlines)
            case.updated_at = now
            changed.append(case)
    try:
        with transaction.atomic():
            Case.objects.bulk_create(new_cases, batch_size=CHUNK)
    except IntegrityError:
        raise CaseError("导入期间已有相同编号的办件被登记，请重新检查后再导入") from None
    Case.objects.bulk_update(
        changed, CASE_COLUMNS + HANDLING_COLUMNS + ("updated_at",), batch_size=200
    )
    by_item = []
    new_iter = iter(new_cases)
    changed_iter = iter(changed)
    for item in chunk:
        by_item.append(next(new_iter) if item.case_id is None else next(changed_iter))
    _write_links(chunk, by_item, proposers, topics)
    _write_history(chunk, by_item, deadlines, by=by)
    AuditEvent.objects.bulk_create(
        (
            AuditEvent(
                case=case,
                actor=by if getattr(by, "pk", None) else None,
                action="import",
                on=on,
                from_state=item.old_state,
                to_state=case.state,
                details={"source": source, "row": item.row, "changes": item.changes},
            )
            for item, case in zip(chunk, by_item, strict=True)
        ),
        batch_size=CHUNK,
    )


def _write_links(
    chunk: list[ImportItem],
    cases: list[Case],
    proposers: dict[tuple[str, str], Proposer],
    topics: dict[str, Topic],
) -> None:
    relink = [
        (item, case)
        for item, case in zip(chunk, cases, strict=True)
        if item.case_id is None or _touches(item, "lead_proposer", "joint_proposers")
    ]
    CaseProposer.objects.filter(case__in=[c for i, c in relink if i.case_id is not None]).delete()
    links = []
    for item, case in relink:
        r = item.record
        people: list[Proposer] = []
        for name in [r.lead_proposer, *r.joint_proposers]:
            p = proposers[(name, guess_proposer_kind(name, r.category))]
            if p not in people:
                people.append(p)
        links += [CaseProposer(case=case, proposer=p, position=i) for i, p in enumerate(people)]
    CaseProposer.objects.bulk_create(links, batch_size=1000)
    retopic = [
        (item, case)
        for item, case in zip(chunk, cases, strict=True)
        if item.case_id is None or "topics" in item.changes
    ]
    through = Case.topics.through
    through.objects.filter(case__in=[c for i, c in retopic if i.case_id is not None]).delete()
    through.objects.bulk_create(
        [
            through(case_id=case.pk, topic_id=topics[name].pk)
            for item, case in retopic
            for name in dict.fromkeys(item.record.topics)
        ],
        batch_size=1000,
    )


def _write_history(
    chunk: list[ImportItem], cases: list[Case], deadlines: _Deadlines, *, by: Any
) -> None:
    rewrite = [
        (item, case)
        for item, case in zip(chunk, cases, strict=True)
        if item.case_id is None or item.rewrite_handling
    ]
    old = [c for i, c in rewrite if i.case_id is not None]
    if old:
        Feedback.objects.filter(case__in=old).delete()
        Reply.objects.filter(case__in=old).delete()
        Assignment.objects.filter(case__in=old).delete()
    assignments, replies, feedbacks = [], [], []
    for item, case in rewrite:
        r = item.record
        if r.state not in ASSIGNED_STATES:
            continue
        accepted = r.state != "assigned"
        assignments.append(
            Assignment(
                case=case,
                unit=r.lead_unit,
                kind=AssignmentKind.LEAD,
                status=AssignmentStatus.ACCEPTED if accepted else AssignmentStatus.PENDING,
                assigned_on=r.assigned_on,
                accepted_on=r.assigned_on if accepted else None,
                deadline=case.deadline,
                deadline_provisional=case.deadline_provisional,
                deadline_rule=case.deadline_rule,
            )
        )
        if r.co_units:
            co_day, co_provisional, co_how = deadlines.co_unit(r)
            assignments += [
                Assignment(
                    case=case,
                    unit=unit,
                    kind=AssignmentKind.CO,
                    assigned_on=r.assigned_on,
                    deadline=min(co_day, case.deadline),
                    deadline_provisional=co_provisional,
                    deadline_rule=co_how,
                )
                for unit in r.co_units
            ]
        if r.state in REPLIED_STATES:
            replies.append(
                Reply(
                    case=case,
                    round=1,
                    text="",
                    reply_class=r.reply_class,
                    contact="",
                    phone="",
                    status=ReplyStatus.SIGNED,
                    submitted_on=r.replied_on,
                    signed_on=r.replied_on,
                )
            )
        if r.feedback_result:
            # A ledger gives no rating date: the reply date stands for it.
            feedbacks.append(
                Feedback(
                    case=case, round=1, result=r.feedback_result, on=r.replied_on, recorded_by=by
                )
            )
    Assignment.objects.bulk_create(assignments, batch_size=1000)
    Reply.objects.bulk_create(replies, batch_size=1000)
    Feedback.objects.bulk_create(feedbacks, batch_size=1000)
