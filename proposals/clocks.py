"""The 议提案 deadlines the reminders chase (DESIGN.md §3), and their escalation ladder.

Each clock finds one kind of running deadline for every case at once (`find`: a query or
two, through the partial indexes on the open cases) and for one case from the rows the
case page has loaded (`of_case`: no query). reminders/tests/test_clocks.py checks that
the two agree, state by state.

- reply: the lead reply of the first round (Case.deadline of a 主办 case);
- rehandling: the new reply deadline after 不满意 (Case.deadline of round 2, 3 …,
  cases.actions.feedback: the "rehandle" rule from the rating);
- co_opinion: our 会办 opinion to an outside lead agency (Case.deadline of a 会办 case)
  and an internal co-unit's opinion to our lead unit (its Assignment.deadline);
- unit_draft: the lead unit's own target for its draft (Case.unit_deadline);
- extension: a request for an extension waiting for the leader (by the current deadline);
- feedback: the feedback window after the reply (the "feedback_window" rule from the
  reply date), after which the coordinator may close the case;
- commitment: what a signed B/C reply promised (Commitment.due), while the promise is open,
  whatever the case's state: a closed case's promise still runs (回头看). Its owner unit
  (Commitment.unit) answers for it; the promises of one case due the same day are one
  deadline, named together.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.db.models import FilteredRelation, OuterRef, Q, QuerySet, Subquery

from cases.deadline_rules import rule_for
from cases.figures import running_list, running_states
from cases.models import (
    COMMITMENT_OPEN,
    Assignment,
    AssignmentKind,
    Case,
    Commitment,
    ExtensionRequest,
    Level,
    ReplyStatus,
    Role,
)
from cases.models.case import REHANDLING_STATES
from cases.permissions import LIVE_ASSIGNMENT
from workdays.calendar import WorkdaySpan
from workflow.tables import Clock, OpenDeadline, Step, step
from workflow.vocabulary import State

# A co-unit's opinion is waited for while the case is with the lead unit (the 待办 section
# 待提交会办意见, proposals.queues.opinions).
OPINION_STATES = (State.ASSIGNED, State.HANDLING)
# The unit's draft target matters before the draft goes to review (spec.GROUPS).
DRAFTING_STATES = (State.ASSIGNED, State.HANDLING)
# A pending extension request is decided while the case is handled (decide_extension).
EXTENSION_STATES = (State.HANDLING,)
# How far back a reply may lie whose feedback window ends in the range asked about: past
# any window a rule may set (24 months at most).
WINDOW_REACH = datetime.timedelta(days=800)


def _lead_part() -> FilteredRelation:
    """The case's live lead assignment, joined (a fresh object per query: a query takes the
    one it is given as its own)."""
    return FilteredRelation(
        "assignments",
        condition=Q(assignments__kind=AssignmentKind.LEAD, assignments__status__in=LIVE_ASSIGNMENT),
    )


CASE_COLUMNS = (
    "id",
    "deadline",
    "lead_unit_id",
    "lead_part__handler_id",
    "leader_in_charge_id",
    "number",
    "title",
)


def _range(field: str, since: datetime.date | None, until: datetime.date) -> Q:
    q = Q(**{f"{field}__lte": until})
    return q & Q(**{f"{field}__gte": since}) if since is not None else q


def _case_rows(cases: QuerySet[Case], field: str = "deadline") -> list[OpenDeadline]:
    rows = (
        cases.annotate(lead_part=_lead_part())
        .order_by(field, "id")
        .values_list("id", field, *CASE_COLUMNS[2:])
    )
    return [OpenDeadline(*row) for row in rows]


def _lead_handler(case: Case) -> int | None:
    """The handler of the case's live lead part, from the case page's loaded assignments."""
    return next(
        (
            a.handler_id
            for a in case.assignments.all()
            if a.kind == AssignmentKind.LEAD and a.status in LIVE_ASSIGNMENT
        ),
        None,
    )


def _of_case(case: Case, day: datetime.date | None) -> list[OpenDeadline]:
    if day is None:
        return []
    return [
        OpenDeadline(
            case.pk,
            day,
            case.lead_unit_id,
            _lead_handler(case),
            case.leader_in_charge_id,
            case.number,
            case.title,
        )
    ]


# The case's reply deadline: first round of a 主办 case, a later round, a 会办 case.


def _running(categories: Sequence[str], since: datetime.date | None, until: datetime.date) -> Q:
    # Spelt as the partial index on the open cases by deadline is (case_open_deadline).
    return Q(category__in=categories, state__in=running_list()) & _range("deadline", since, until)


def find_reply(
    categories: Sequence[str], since: datetime.date | None, until: datetime.date
) -> list[OpenDeadline]:
    return _case_rows(
        Case.objects.filter(_running(categories, since, until), round=1, role=Role.LEAD)
    )


def reply_of_case(case: Case, span: WorkdaySpan) -> list[OpenDeadline]:
    due = case.state in running_states() and case.round == 1 and case.role == Role.LEAD
    return _of_case(case, case.deadline if due else None)


def find_rehandling(
    categories: Sequence[str], since: datetime.date | None, until: datetime.date
) -> list[OpenDeadline]:
    # Spelt as the partial index of the re-handled cases is (case_rehandling).
    return _case_rows(
        Case.objects.filter(
            _range("deadline", since, until),
            category__in=categories,
            round__gt=1,
            state__in=REHANDLING_STATES,
        )
    )


def rehandling_of_case(case: Case, span: WorkdaySpan) -> list[OpenDeadline]:
    due = case.state in REHANDLING_STATES and case.round > 1
    return _of_case(case, case.deadline if due else None)


# 会办 opinions: ours to an outside lead agency, and our co-units' to our lead unit.


def _co_parts(categories: Sequence[str]) -> QuerySet[Assignment]:
    return Assignment.objects.filter(
        kind=AssignmentKind.CO,
        status__in=LIVE_ASSIGNMENT,
        opinion="",
        deadline__isnull=False,
        case__state__in=OPINION_STATES,
        case__category__in=categories,
    )


def find_co_opinion(
    categories: Sequence[str], since: datetime.date | None, until: datetime.date
) -> list[OpenDeadline]:
    ours = _case_rows(
        Case.objects.filter(_running(categories, since, until), round=1, role=Role.CO)
    )
    parts = (
        _co_parts(categories)
        .filter(_range("deadline", since, until))
        .order_by("deadline", "case_id", "unit_id")
        .values_list(
            "case_id",
            "deadline",
            "unit_id",
            "handler_id",
            "case__leader_in_charge_id",
            "case__number",
            "case__title",
        )
    )
    return ours + [
        OpenDeadline(case_id, deadline, unit_id, handler_id, leader_id, number, title)
        for case_id, deadline, unit_id, handler_id, leader_id, number, title in parts
        if deadline is not None  # the query's condition: for the type checker
    ]


def co_opinion_of_case(case: Case, span: WorkdaySpan) -> list[OpenDeadline]:
    due = case.state in running_states() and case.round == 1 and case.role == Role.CO
    found = _of_case(case, case.deadline if due else None)
    if case.state not in OPINION_STATES:
        return found
    return found + [
        OpenDeadline(
            case.pk,
            a.deadline,
            a.unit_id,
            a.handler_id,
            case.leader_in_charge_id,
            case.number,
            case.title,
        )
        for a in case.assignments.all()
        if a.kind == AssignmentKind.CO
        and a.status in LIVE_ASSIGNMENT
        and not a.opinion
        and a.deadline is not None
    ]


# The lead unit's draft target.


def find_unit_draft(
    categories: Sequence[str], since: datetime.date | None, until: datetime.date
) -> list[OpenDeadline]:
    return _case_rows(
        Case.objects.filter(
            _range("unit_deadline", since, until),
            category__in=categories,
            state__in=DRAFTING_STATES,
        ),
        "unit_deadline",
    )


def unit_draft_of_case(case: Case, span: WorkdaySpan) -> list[OpenDeadline]:
    return _of_case(case, case.unit_deadline if case.state in DRAFTING_STATES else None)


# An extension request waiting for the leader: to be decided before the deadline runs out.


def find_extension(
    categories: Sequence[str], since: datetime.date | None, until: datetime.date
) -> list[OpenDeadline]:
    rows = (
        ExtensionRequest.objects.filter(
            _range("case__deadline", since, until),
            approved__isnull=True,
            case__state__in=EXTENSION_STATES,
            case__category__in=categories,
        )
        .order_by("case__deadline", "case_id")
        .values_list(
            "case_id",
            "case__deadline",
            "case__lead_unit_id",
            "case__leader_in_charge_id",
            "case__number",
            "case__title",
        )
    )
    return [
        OpenDeadline(case_id, deadline, unit_id, None, leader_id, number, title)
        for case_id, deadline, unit_id, leader_id, number, title in rows
        if deadline is not None  # the range's condition: for the type checker
    ]


def extension_of_case(case: Case, span: WorkdaySpan) -> list[OpenDeadline]:
    pending = any(x.approved is None for x in case.extension_requests.all())
    due = pending and case.state in EXTENSION_STATES
    found = _of_case(case, case.deadline if due else None)
    return [row._replace(handler_id=None) for row in found]


# The feedback window after the reply: it ends by a rule per category and level.


def _window_rules(categories: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    by_rule: dict[str, list[tuple[str, str]]] = {}
    for category in categories:
        for level in Level.values:
            by_rule.setdefault(rule_for(category, level, "feedback_window"), []).append(
                (category, level)
            )
    return by_rule


def _first_reply(span: WorkdaySpan, rule: str, on_or_after: datetime.date) -> datetime.date:
    """The earliest reply date whose window ends on or after `on_or_after` (a window's end
    grows with the reply date, so this splits the replies in two)."""
    low, high = on_or_after - WINDOW_REACH, on_or_after  # low's window has ended; high's not
    while (high - low).days > 1:
        middle = low + (high - low) / 2
        if span.compute(rule, middle).date >= on_or_after:
            high = middle
        else:
            low = middle
    return high


def find_feedback(
    categories: Sequence[str], since: datetime.date | None, until: datetime.date
) -> list[OpenDeadline]:
    span = WorkdaySpan((since or until) - WINDOW_REACH, until)
    found: list[OpenDeadline] = []
    for rule, kinds in _window_rules(categories).items():
        last = _first_reply(span, rule, until + datetime.timedelta(days=1))
        replied = Q(replied_on__lt=last)
        if since is not None:
            replied &= Q(replied_on__gte=_first_reply(span, rule, since))
        of_rule = Q(pk__in=[])
        for category, level in kinds:
            of_rule |= Q(category=category, level=level)
        rows = _case_rows(Case.objects.filter(replied & of_rule, state=State.REPLIED), "replied_on")
        found += [row._replace(deadline=span.compute(rule, row.deadline).date) for row in rows]
    return sorted(found, key=lambda row: (row.deadline, row.case_id))


def feedback_of_case(case: Case, span: WorkdaySpan) -> list[OpenDeadline]:
    if case.state != State.REPLIED or case.replied_on is None:
        return []
    rule = rule_for(case.category, case.level, "feedback_window")
    return _of_case(case, span.compute(rule, case.replied_on).date)


# A promise of a signed reply, still open (B/C replies; a sent-back draft's promised nothing).

PROMISE_TITLE = 60  # characters of each promise named in a reminder


def _promised(title: str, whats: list[str]) -> str:
    named = "；".join(w if len(w) <= PROMISE_TITLE else w[: PROMISE_TITLE - 1] + "…" for w in whats)
    return f"{title}（承诺：{named}）"


def _promise_rows(
    rows: Iterable[tuple[int, datetime.date, int | None, int | None, int | None, str, str, str]],
) -> list[OpenDeadline]:
    """One deadline per (case, owner unit, due date): the case's promises due that day are
    reminded together, under one key (reminders.run.plan)."""
    found: dict[tuple[int, int | None, datetime.date], tuple[OpenDeadline, list[str]]] = {}
    for case_id, due, unit_id, handler_id, leader_id, number, title, what in rows:
        key = (case_id, unit_id, due)
        if key not in found:
            found[key] = (
                OpenDeadline(case_id, due, unit_id, handler_id, leader_id, number, title),
                [],
            )
        found[key][1].append(what)
    return [row._replace(title=_promised(row.title, whats)) for row, whats in found.values()]


def find_commitment(
    categories: Sequence[str], since: datetime.date | None, until: datetime.date
) -> list[OpenDeadline]:
    # The owner unit's handler on the case, while that unit holds a live part of it.
    handler = Assignment.objects.filter(
        case_id=OuterRef("case_id"),
        unit_id=OuterRef("unit_id"),
        kind=AssignmentKind.LEAD,
        status__in=LIVE_ASSIGNMENT,
    ).values("handler_id")[:1]
    rows = (
        Commitment.objects.filter(
            _range("due", since, until),
            status__in=list(COMMITMENT_OPEN),
            reply__status=ReplyStatus.SIGNED,
            case__category__in=categories,
        )
        .annotate(handler=Subquery(handler))
        .order_by("due", "case_id", "id")
        .values_list(
            "case_id", "due", "unit_id", "handler", "case__leader_in_charge_id",
            "case__number", "case__title", "what",
        )
    )  # fmt: skip
    return _promise_rows(rows)


def commitment_of_case(case: Case, span: WorkdaySpan) -> list[OpenDeadline]:
    signed = {r.pk for r in case.replies.all() if r.status == ReplyStatus.SIGNED}
    handlers = {
        a.unit_id: a.handler_id
        for a in case.assignments.all()
        if a.kind == AssignmentKind.LEAD and a.status in LIVE_ASSIGNMENT
    }
    rows = [
        (case.pk, c.due, c.unit_id, handlers.get(c.unit_id) if c.unit_id else None,
         case.leader_in_charge_id, case.number, case.title, c.what)
        for c in sorted(case.commitments.all(), key=lambda c: (c.due, c.pk))
        if c.status in COMMITMENT_OPEN and c.reply_id in signed
    ]  # fmt: skip
    return _promise_rows(rows)


CLOCKS = (
    Clock("reply", "答复期限", find_reply, reply_of_case),
    Clock("rehandling", "重新办理答复期限", find_rehandling, rehandling_of_case),
    Clock("co_opinion", "会办意见期限", find_co_opinion, co_opinion_of_case),
    Clock("unit_draft", "处室初稿期限", find_unit_draft, unit_draft_of_case),
    Clock("extension", "延期申请审批", find_extension, extension_of_case),
    Clock("feedback", "征询意见期", find_feedback, feedback_of_case),
    Clock("commitment", "承诺完成时间", find_commitment, commitment_of_case),
)

# The commission's own deadlines (the leader and the coordinator follow these), and with
# the unit's internal draft target those the unit is reminded of.
OWN = "reply rehandling co_opinion"
UNIT = f"{OWN} unit_draft"
UNIT_PEOPLE = "handler head"

# The defaults: the handler and the unit head 5 and 1 working days before and on
# the day, then a daily digest while overdue; the leader in charge after 3 working days
# overdue; the coordinator a daily digest of everything overdue. The offsets can be set
# per category (reminders.ladder: settings.HUIYIN_REMINDER_STEPS).
LADDER: tuple[Step, ...] = (
    step("ahead", "到期前5个工作日提醒", -5, UNIT_PEOPLE, UNIT),
    step("eve", "到期前1个工作日提醒", -1, UNIT_PEOPLE, UNIT, colour="yellow"),
    step("due", "到期当日提醒", 0, UNIT_PEOPLE, UNIT, colour="yellow"),
    step("overdue", "逾期每日汇总", 1, UNIT_PEOPLE, UNIT, colour="red", digest=True, daily=True),
    step("leader", "逾期报分管领导", 3, "leader", OWN, colour="red"),
    step("office", "逾期汇总报办公室", 1, "coordinator", OWN, colour="red", digest=True, daily=True),
    # A request waiting for the decision: in the leader's mail every day from 5 working
    # days before the deadline until it is decided.
    step("decide", "延期申请待审批", -5, "leader", "extension", colour="yellow", digest=True, daily=True),
    step("close", "征询意见期满可办结", 1, "coordinator", "feedback", digest=True),
    # A promise (回头看), long after the case closed: its owner unit a week ahead and on
    # the day; once late, the unit's head and the office in their daily digest until it
    # is settled (兑现 / 部分兑现 / 未兑现).
    step("promise_ahead", "承诺到期前5个工作日提醒", -5, UNIT_PEOPLE, "commitment"),
    step("promise_due", "承诺到期当日提醒", 0, UNIT_PEOPLE, "commitment", colour="yellow"),
    step("promise_overdue", "承诺逾期每日汇总", 1, "head coordinator", "commitment", colour="red", digest=True, daily=True),
)  # fmt: skip
