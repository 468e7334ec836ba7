"""Imported ledger rows (台账导入): the bulk write of a planned import.

`transfer` reads the file, cleans the cells and plans the import; `importing_rows`
holds what a row is and the rules it must meet (the actions' own validators); this
module writes the planned cases in bulk, with the deadlines of `assign`.

A case's state is never written here: a new case is created in its workflow's initial
state and, like an existing one, moved to the state its row describes by the workflow's
hidden `import` transition, through the engine (`apply_transition` for a case already
in the database, `import_states` for the new ones of a chunk at once), which writes the
one `import` audit event of each case with the state it came from and went to.

What an import may change on a case already in the database:
- its descriptive data (title, proposers, topics …), always (like `edit`);
- its handling (mode, units, dates, reply, rating, state) only while that handling was
  itself imported or never started: once a case has been handled through the actions
  (assigned, replied … in the system), the import refuses to rewrite that history.
"""

import hashlib
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.record import today
from audit.signals import cases_written
from cases.actions.assign import reply_deadlines
from cases.actions.importing_rows import (
    ASSIGNED_STATES,
    DATA_FIELDS,
    HANDLING_FIELDS,
    HANDLING_NEUTRAL_ACTIONS,
    IDENTITY_FIELDS,
    IMPORTABLE_STATES,
    REPLIED_STATES,
    CaseRecord,
    ImportItem,
    cases_handled_in_system,
    check_importer,
    derive_state,
    jsonable,
    looks_internal,
    new_unit,
    state_label,
    validate_case_data,
    validate_handling,
)
from cases.actions.register import guess_proposer_kind
from cases.deadline_rules import due_for, rule_for
from cases.filter_choices import forget_filter_choices
from cases.models import (
    Assignment,
    AssignmentKind,
    AssignmentStatus,
    Case,
    CaseProposer,
    Feedback,
    Proposer,
    Reply,
    ReplyStatus,
    Topic,
)
from cases.models import Role as CaseRole
from huiyin.types import User
from orgs.access import standing_of
from orgs.actions import create_unit
from orgs.models import Role, Unit
from workflow.engine import apply_transition, import_states
from workflow.errors import ActionForbidden, CaseError
from workflow.tables import workflow_for
from workflow.vocabulary import Event, State

# The names callers import from here (transfer.planning, transfer.ledger, transfer.jobs).
__all__ = [
    "ASSIGNED_STATES",
    "CHUNK",
    "DATA_FIELDS",
    "HANDLING_FIELDS",
    "HANDLING_NEUTRAL_ACTIONS",
    "IDENTITY_FIELDS",
    "IMPORTABLE_STATES",
    "REPLIED_STATES",
    "CaseRecord",
    "ImportItem",
    "cases_handled_in_system",
    "check_importer",
    "derive_state",
    "import_cases",
    "jsonable",
    "looks_internal",
    "new_unit",
    "state_label",
    "validate_case_data",
    "validate_handling",
]

CHUNK = 500  # rows written per round of bulk inserts; progress is reported after each


class _Deadlines:
    """reply_deadlines and the co-unit rule, remembered per rule and start day: a ledger
    assigns its cases on a handful of days, and each computation queries the calendar.
    The result depends on the case only through the rules in force for its category and
    level, so those (not the category and level) make the key."""

    def __init__(self) -> None:
        self._memo: dict[tuple[Any, ...], Any] = {}

    def reply(self, record: CaseRecord) -> dict[str, Any]:
        rule = "co_opinion" if record.role == CaseRole.CO else "reply"
        rules = (
            rule_for(record.category, record.level, rule),
            rule_for(record.category, record.level, "unit_draft"),
        )
        explicit = record.explicit_deadline if rule == "reply" else None
        assigned_on = record.assigned_on
        assert assigned_on is not None  # asked for assigned rows only, which have 交办日期
        key = ("reply", rules, assigned_on, explicit)
        if key not in self._memo:
            probe = Case(
                category=record.category,
                level=record.level,
                mode=record.mode,
                explicit_deadline=record.explicit_deadline,
            )
            self._memo[key] = reply_deadlines(probe, assigned_on, rule)
        return dict(self._memo[key])

    def co_unit(self, record: CaseRecord) -> tuple[date, bool, dict[str, str]]:
        assigned_on = record.assigned_on
        assert assigned_on is not None  # asked for assigned rows only, which have 交办日期
        key = ("co", rule_for(record.category, record.level, "co_unit_opinion"), assigned_on)
        if key not in self._memo:
            probe = Case(category=record.category, level=record.level)
            due, how = due_for(probe, "co_unit_opinion", assigned_on)
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


UNITS_ADMIN_ONLY = "只有系统管理员可以创建单位（自动创建未知单位）"


def may_create_units(user: User) -> bool:
    """Only administrators create units, the import's 自动创建未知单位 included: a unit's
    name reaches every chart and list, so it is not for any importer to invent."""
    return standing_of(user).has(Role.ADMIN)


def _create_units(items: list[ImportItem], by: User) -> None:
    """Save the units the plan decided to create, in place, so records point at them."""
    wanted = [
        unit
        for item in items
        for unit in [item.record.lead_unit, *item.record.co_units]
        if unit is not None and unit.pk is None
    ]
    if wanted and not may_create_units(by):
        raise ActionForbidden(UNITS_ADMIN_ONLY)
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
# The handling an import rewrites; never `state`, which the engine moves (see above).
HANDLING_COLUMNS = (
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
    """The columns of the history a row describes (its state excepted)."""
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


@transaction.atomic
def import_cases(
    items: list[ImportItem],
    *,
    by: User,
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
    forget_filter_choices()
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
    by: User,
    source: str,
    on: date,
    now: datetime,
) -> None:
    by_item: list[Case] = []
    for item in chunk:
        r = item.record
        if item.case_id is None:
            # Created in its workflow's initial state, as `register` creates a case; the
            # engine moves it to the row's state below.
            case = Case(
                **{f: getattr(r, f) for f in IDENTITY_FIELDS + CASE_COLUMNS},
                state=workflow_for(r.category).initial,
            )
            case.received_on = None  # type: ignore[assignment]  # _set_handling fills it in
            _set_handling(case, r, deadlines)
        else:
            case = current[item.case_id]
            for name in CASE_COLUMNS:
                setattr(case, name, getattr(r, name))
            if item.rewrite_handling:
                _set_handling(case, r, deadlines)
        by_item.append(case)
    new = [(item, case) for item, case in zip(chunk, by_item, strict=True) if item.case_id is None]
    try:
        with transaction.atomic():
            Case.objects.bulk_create([case for _, case in new], batch_size=CHUNK)
    except IntegrityError:
        raise CaseError("导入期间已有相同编号的办件被登记，请重新检查后再导入") from None
    columns = CASE_COLUMNS + HANDLING_COLUMNS
    for item, case in zip(chunk, by_item, strict=True):
        if item.case_id is None:
            continue
        written = columns if item.rewrite_handling else CASE_COLUMNS + ("last_action_on",)
        apply_transition(
            case,
            Event.IMPORT,
            by=by,
            on=on,
            to=item.record.state if item.rewrite_handling else None,
            details=_details(item, source),
            changes={name: getattr(case, name) for name in written} | {"updated_at": now},
        )
    _write_links(chunk, by_item, proposers, topics)
    _write_history(chunk, by_item, deadlines, by=by)
    if new:
        moves = [(case, item.record.state, _details(item, source)) for item, case in new]
        import_states(moves, by=by, on=on, new=True)
    # The chunk's cases with their links and history: the derived rows follow (audit.signals).
    cases_written.send(sender=Case, case_ids=[case.pk for case in by_item])


def _details(item: ImportItem, source: str) -> dict[str, Any]:
    return {"source": source, "row": item.row, "changes": item.changes}


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
    chunk: list[ImportItem], cases: list[Case], deadlines: _Deadlines, *, by: User
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
        assert r.assigned_on is not None  # validated: an assigned row has 交办日期
        accepted = r.state != State.ASSIGNED
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
            assert case.deadline is not None  # _set_handling counted it from 交办日期
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
            assert r.replied_on is not None
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
            assert r.replied_on is not None
            feedbacks.append(
                Feedback(
                    case=case, round=1, result=r.feedback_result, on=r.replied_on, recorded_by=by
                )
            )
    Assignment.objects.bulk_create(assignments, batch_size=1000)
    Reply.objects.bulk_create(replies, batch_size=1000)
    Feedback.objects.bulk_create(feedbacks, batch_size=1000)
