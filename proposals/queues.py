"""The 议提案 sections of 我的待办, declared in spec.py as the workflow's queues.

Each function takes the page's builder (cases.todo.Builder: the user, today, the
permission-scoped cases, the calendar) and returns one filled Section, or None when the
user has no such section. The builder restricts every query to this workflow's categories.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from cases.deadline_rules import rule_for
from cases.figures import running_list
from cases.models import (
    Assignment,
    AssignmentKind,
    AssignmentStatus,
    Case,
    CaseUnit,
    Category,
    ExtensionRequest,
    FeedbackRating,
    Level,
)
from cases.models.case import REHANDLING_STATES
from cases.permissions import LIVE_ASSIGNMENT
from cases.todo import (
    WINDOW_SEARCH_DAYS,
    Section,
    asc,
    cn,
    overdue_card,
    pending_extension_q,
    through,
    unit_note,
)
from workflow.vocabulary import Action, State

if TYPE_CHECKING:
    from cases.todo import Builder

WAITING_ORDER = (asc("explicit_deadline"), "received_on")
# The round's reply is still to come: the lead unit (its handler) works on it.
UNIT_HOLDS = (State.HANDLING,)
NO_FEEDBACK = "none"  # the ledger's feedback filter for "replied, not rated"


def _deadline(c: Case) -> datetime.date | None:
    return c.deadline


def _deadline_provisional(c: Case) -> bool:
    return c.deadline_provisional


def _unit_deadline(c: Case) -> datetime.date | None:
    return c.unit_deadline


def _unit_deadline_provisional(c: Case) -> bool:
    return c.unit_deadline_provisional


# 议提案管理员 (办公室) ------------------------------------------------------------


def _returned() -> QuerySet[Assignment]:
    # Spelled as assignment_returned's condition is (cases.models.lookups).
    return Assignment.objects.filter(
        case=OuterRef("pk"), status__spelled_in=(AssignmentStatus.RETURNED,)
    )


def to_assign(b: Builder) -> Section:
    return b.section(
        b.visible.filter(state=State.REGISTERED).exclude(Exists(_returned())),
        Section(
            "to_assign",
            "待交办",
            "bi-send",
            Action.ASSIGN,
            "交办",
            "办理期限",
            {"state": State.REGISTERED},
            hint="已登记、尚未交办的办件；有交办机关办理期限的按期限排序，其余按收到日期",
        ),
        order=WAITING_ORDER,
        due=lambda c: c.explicit_deadline,
        note=lambda c: f"收到日期 {cn(c.received_on)}",
    )


def returned(b: Builder) -> Section:
    last_return = _returned().order_by("-returned_on", "-id")
    return b.section(
        b.visible.filter(Exists(_returned()), state=State.REGISTERED).annotate(
            return_reason=Subquery(last_return.values("return_reason")[:1]),
            returned_by=Subquery(last_return.values("unit__name")[:1]),
        ),
        Section(
            "returned",
            "退回待重新交办",
            "bi-arrow-return-left",
            Action.ASSIGN,
            "重新交办",
            "办理期限",
            {"state": State.REGISTERED},
            hint="主办处室申请退回的办件，请重新交办",
        ),
        order=WAITING_ORDER,
        due=lambda c: c.explicit_deadline,
        note=lambda c: f"{c.returned_by}退回：{c.return_reason}",  # type: ignore[attr-defined]  # annotated above (django-stubs cannot see it here)
    )


def to_review(b: Builder) -> Section:
    return b.section(
        b.visible.filter(state=State.REVIEWING),
        Section(
            "to_review",
            "待审核",
            "bi-clipboard-check",
            Action.REVIEW,
            "审核",
            "答复期限",
            {"state": State.REVIEWING, "sort": "deadline"},
        ),
        order=(asc("deadline"),),
        due=_deadline,
        provisional=_deadline_provisional,
        note=unit_note,
    )


def to_rate(b: Builder) -> Section:
    return b.section(
        b.visible.filter(_window_open(b), state=State.REPLIED),
        Section(
            "to_rate",
            "待登记评价",
            "bi-chat-square-heart",
            Action.RECORD_FEEDBACK,
            "登记评价",
            "征询意见截止",
            {"state": State.REPLIED, "feedback": NO_FEEDBACK},
            hint="已答复、尚在征询意见期内的办件",
        ),
        order=("replied_on",),
        due=lambda c: _feedback_window_end(b, c),
        note=lambda c: f"答复日期 {cn(c.replied_on)}",
    )


def to_close(b: Builder) -> Section:
    return b.section(
        b.visible.filter(state=State.REPLIED).exclude(_window_open(b)),
        Section(
            "to_close",
            "可办结",
            "bi-check2-circle",
            Action.CLOSE,
            "办结",
            "征询意见期满",
            {"state": State.REPLIED, "feedback": NO_FEEDBACK},
            tone="waiting",
            hint="征询意见期已满、未收到评价的办件，可以办结",
        ),
        order=("replied_on",),
        due=lambda c: _feedback_window_end(b, c),
        note=lambda c: f"答复日期 {cn(c.replied_on)}",
    )


def overdue(b: Builder) -> Section:
    return b.overdue_section(b.visible, "overdue", "逾期办件", {"overdue": "1"})


def rehandling(b: Builder) -> Section:
    """不满意 sent these back for another round: followed until they are answered again."""
    return b.section(
        _with_handler(
            b.visible.filter(
                # Spelled as case_rehandling's condition is (cases.models.lookups).
                round__spelled_gt=1,
                state__spelled_in=REHANDLING_STATES,
            )
        ),
        Section(
            "rehandling",
            "重新办理中",
            "bi-arrow-repeat",
            "",
            "查看",
            "新答复期限",
            {"feedback": FeedbackRating.UNSATISFIED, "sort": "deadline"},
            hint="代表委员不满意、正在重新办理的办件，按新的答复期限排序",
        ),
        order=(asc("deadline"),),
        due=_deadline,
        provisional=_deadline_provisional,
        note=lambda c: "；".join(
            part
            for part in (
                unit_note(c),
                f"承办人：{c.handler_name or c.handler_username}"  # type: ignore[attr-defined]  # annotated by _with_handler
                if c.handler_username  # type: ignore[attr-defined]
                else "",
            )
            if part
        ),
    )


def _window_open(b: Builder) -> Q:
    """Replied cases still inside the feedback window (征询意见期), as a filter: the
    window's end grows with the reply date, so per rule one boundary date splits them."""
    if "window_open" in b.memo:
        return b.memo["window_open"]
    by_rule: dict[str, list[tuple[str, str]]] = {}
    for category in Category.values:
        for level in Level.values:
            rule = rule_for(category, level, "feedback_window")
            by_rule.setdefault(rule, []).append((category, level))
    q = Q(pk__in=[])
    for rule, kinds in by_rule.items():
        boundary = _first_open_reply_date(b, rule)
        if len(by_rule) == 1:  # one rule for every kind of case: the date alone
            q = Q(replied_on__gte=boundary)
            break
        of_rule = Q(pk__in=[])
        for category, level in kinds:
            of_rule |= Q(category=category, level=level)
        q |= of_rule & Q(replied_on__gte=boundary)
    b.memo["window_open"] = q
    return q


def _first_open_reply_date(b: Builder, rule: str) -> datetime.date:
    """The earliest reply date whose window has not ended by today."""
    low = b.today - datetime.timedelta(days=WINDOW_SEARCH_DAYS)  # window over
    high = b.today  # a reply of today: the window is open
    while (high - low).days > 1:
        middle = low + (high - low) / 2
        if b.span.compute(rule, middle).date >= b.today:
            high = middle
        else:
            low = middle
    return high


def _feedback_window_end(b: Builder, case: Case) -> datetime.date | None:
    if case.replied_on is None:
        return None
    rule = rule_for(case.category, case.level, "feedback_window")
    return b.span.compute(rule, case.replied_on).date


# 委领导 ----------------------------------------------------------------------


def _leader_mine(b: Builder) -> Q:
    return Q(leader_in_charge=b.user) | Q(leader_in_charge__isnull=True)


def to_sign(b: Builder) -> Section:
    return b.section(
        b.visible.filter(_leader_mine(b), state=State.SIGNING),
        Section(
            "to_sign",
            "待签发",
            "bi-pen",
            Action.SIGN,
            "签发",
            "答复期限",
            {"state": State.SIGNING, "sort": "deadline"},
            hint="由您分管或未指定分管领导的办件",
        ),
        order=(asc("deadline"),),
        due=_deadline,
        provisional=_deadline_provisional,
        note=unit_note,
    )


def extensions(b: Builder) -> Section:
    # Its own id orders a request: the default ordering would join the cases table again.
    pending = ExtensionRequest.objects.filter(case=OuterRef("pk"), approved__isnull=True).order_by(
        "id"
    )
    return b.section(
        b.visible.filter(_leader_mine(b), pending_extension_q(), state=State.HANDLING).annotate(
            extension_until=Subquery(pending.values("until")[:1]),
            extension_reason=Subquery(pending.values("reason")[:1]),
        ),
        Section(
            "extensions",
            "待审批延期",
            "bi-hourglass-split",
            Action.DECIDE_EXTENSION,
            "审批",
            "答复期限",
            {"state": State.HANDLING},
        ),
        order=(asc("deadline"),),
        due=_deadline,
        provisional=_deadline_provisional,
        note=lambda c: f"申请延期至 {cn(c.extension_until)}：{c.extension_reason}",  # type: ignore[attr-defined]  # annotated above (django-stubs cannot see it here)
    )


def key_overdue(b: Builder) -> Section:
    return b.overdue_section(
        b.visible.filter(Q(is_key=True) | ~Q(led_by="")),
        "key_overdue",
        "逾期重点件",
        {"overdue": "1", "key": "1"},
        hint="已逾期的重点件和领办件",
    )


# 处室负责人、承办人 -------------------------------------------------------------
# The user's parts in cases (cases.models.CaseUnit: the units' live assignments, with the
# case's state beside them): a case they hold a part in is visible to them, so these
# sections need no other permission filter, and each reads only the parts in the states
# it lists, by index, never the unit's closed history.


def _lead(b: Builder, condition: Q) -> tuple[QuerySet[Case], QuerySet[CaseUnit]]:
    """The cases where the user's unit leads (its live lead assignment) and `condition`
    holds of that part, joined to it, and the parts to count."""
    return b.parts(b.unit_scope() & Q(kind=AssignmentKind.LEAD) & condition)


def to_accept(b: Builder) -> Section:
    cases, parts = _lead(b, Q(status=AssignmentStatus.PENDING, state=State.ASSIGNED))
    return b.section(
        cases,
        Section(
            "to_accept",
            "待签收",
            "bi-inbox",
            Action.ACCEPT,
            "签收",
            "答复期限",
            {**b.unit_ledger(), "state": State.ASSIGNED},
            hint="交办给本处室、尚未签收的办件；不属于本处职责的可在交办后5个工作日内申请退回",
        ),
        order=(asc("part__deadline"),),
        due=_deadline,
        provisional=_deadline_provisional,
        counted=parts,
    )


def to_approve(b: Builder) -> Section | None:
    if not b.standing.head_of:
        return None
    return b.section(
        Case.objects.filter(state=State.UNIT_APPROVING, lead_unit_id__in=b.standing.head_of),
        Section(
            "to_approve",
            "待处室审核",
            "bi-person-check",
            Action.APPROVE_REPLY,
            "审核",
            "处室初稿期限",
            {**b.unit_ledger(), "state": State.UNIT_APPROVING},
            hint="承办人提交的答复初稿，审核通过后报办公室审核",
        ),
        order=(asc("unit_deadline"),),
        due=_unit_deadline,
        provisional=_unit_deadline_provisional,
    )


def _handler_note(c: Case) -> str:
    name = c.handler_name or c.handler_username  # type: ignore[attr-defined]  # annotated by _with_handler
    return f"承办人：{name} · 答复期限 {cn(c.deadline)}"


def _with_handler(qs: QuerySet[Case]) -> QuerySet[Case]:
    # Ordered by its own id: the default ordering starts with the case, which would join
    # the cases table again for every row.
    lead = Assignment.objects.filter(
        case=OuterRef("pk"), kind=AssignmentKind.LEAD, status__in=LIVE_ASSIGNMENT
    ).order_by("id")
    return qs.annotate(
        handler_name=Subquery(lead.values("handler__first_name")[:1]),
        handler_username=Subquery(lead.values("handler__username")[:1]),
    )


def mine(b: Builder) -> Section:
    """The cases given to the user (承办人), first on the page: the reply to write."""
    cases, parts = b.parts(
        Q(
            handler=b.user,
            kind=AssignmentKind.LEAD,
            status=AssignmentStatus.ACCEPTED,
            state=State.HANDLING,
        )
    )
    return b.section(
        cases,
        Section(
            "mine",
            "我承办的（待提交答复）",
            "bi-person-workspace",
            Action.SUBMIT_REPLY,
            "提交答复",
            "处室初稿期限",
            {**b.unit_ledger(), "handler": b.user.get_username(), "state": State.HANDLING},
            hint="交给您承办的办件；处室初稿期限是答复期限前留出审核、签发时间的内部期限",
        ),
        order=(asc("part__unit_deadline"),),
        due=_unit_deadline,
        provisional=_unit_deadline_provisional,
        note=lambda c: f"答复期限 {cn(c.deadline)}",
        counted=parts,
    )


def unassigned(b: Builder) -> Section | None:
    """The head's: the unit's accepted cases no handler was given yet."""
    if not b.standing.head_of:
        return None
    cases, parts = b.parts(
        Q(
            unit_id__in=b.standing.head_of,
            kind=AssignmentKind.LEAD,
            status=AssignmentStatus.ACCEPTED,
            handler__isnull=True,
            state__in=UNIT_HOLDS,
        )
    )
    return b.section(
        cases,
        Section(
            "unassigned",
            "待指定承办人",
            "bi-person-plus",
            Action.ASSIGN_HANDLER,
            "指定承办人",
            "处室初稿期限",
            {**b.unit_ledger(), "state": State.HANDLING},
            hint="本处室已签收、尚未指定承办人的办件",
        ),
        order=(asc("part__unit_deadline"),),
        due=_unit_deadline,
        provisional=_unit_deadline_provisional,
        note=lambda c: f"答复期限 {cn(c.deadline)}",
        counted=parts,
    )


def drafting(b: Builder) -> Section | None:
    """The head's view of the unit's other cases being drafted, by their handlers."""
    if not b.standing.head_of:
        return None
    cases, parts = _lead(
        b,
        Q(status=AssignmentStatus.ACCEPTED, handler__isnull=False, state=State.HANDLING)
        & ~Q(handler=b.user),
    )
    return b.section(
        _with_handler(cases),
        Section(
            "drafting",
            "本处室办理中（承办人起草答复）",
            "bi-pencil-square",
            "",
            "查看",
            "处室初稿期限",
            {**b.unit_ledger(), "state": State.HANDLING},
            hint="已交给本处室承办人、尚未提交答复的办件",
        ),
        order=(asc("part__unit_deadline"),),
        due=_unit_deadline,
        provisional=_unit_deadline_provisional,
        note=_handler_note,
        counted=parts,
    )


def opinions(b: Builder) -> Section:
    # A co-unit's part has no handler: it waits for every member of the unit.
    waiting = (State.ASSIGNED, State.HANDLING)
    pending = Q(kind=AssignmentKind.CO, status__in=LIVE_ASSIGNMENT, opinion="")
    mine = Q(unit_id__in=b.standing.unit_ids) & pending
    co = Assignment.objects.filter(mine)
    cases: QuerySet[Any]
    if len(b.standing.unit_ids) == 1:
        # One unit: one pending part per case at most. Its parts are walked in the order
        # of their deadline (an index on the pending co parts), and counted from it.
        joined = FilteredRelation("assignments", condition=through(mine, "assignments__"))
        cases = (
            Case.objects.annotate(co=joined)
            .filter(co__case__isnull=False, state__in=waiting)
            .annotate(
                opinion_due=F("co__deadline"),
                opinion_due_provisional=F("co__deadline_provisional"),
            )
        )
        parts = CaseUnit.objects.filter(
            unit_id__in=b.standing.unit_ids, kind=AssignmentKind.CO, state__in=waiting
        )
        counted: QuerySet[Any] | None = co.filter(case_id__in=parts.values("case_id"))
        order = (asc("co__deadline"),)
    else:
        co_of_case = co.filter(case=OuterRef("pk")).order_by("deadline")
        cases = Case.objects.filter(pk__in=co.values("case_id"), state__in=waiting).annotate(
            opinion_due=Subquery(co_of_case.values("deadline")[:1]),
            opinion_due_provisional=Coalesce(
                Subquery(co_of_case.values("deadline_provisional")[:1]), Value(False)
            ),
        )
        counted, order = None, (asc("opinion_due"),)
    return b.section(
        cases,
        Section(
            "opinions",
            "待提交会办意见",
            "bi-chat-left-text",
            Action.SUBMIT_OPINION,
            "提交意见",
            "会办意见期限",
            b.unit_ledger(),
            hint="本处室为协办处室、尚未提交意见的办件",
        ),
        order=order,
        due=lambda c: c.opinion_due,  # type: ignore[attr-defined]  # annotated above (django-stubs cannot see it here)
        provisional=lambda c: c.opinion_due_provisional,  # type: ignore[attr-defined]
        note=unit_note,
        counted=counted,
    )


def unit_overdue(b: Builder) -> Section:
    # The parts' copies of the state and deadline (kept with the case's): the unit's
    # overdue cases are one range of an index on its running parts by deadline.
    cases, parts = _lead(b, Q(state__in=running_list(), deadline__lt=b.today))
    return b.section(
        cases,
        overdue_card("unit_overdue", "逾期办件", {**b.unit_ledger(), "overdue": "1"}),
        order=(asc("part__deadline"),),
        due=_deadline,
        provisional=_deadline_provisional,
        note=lambda c: "",  # the unit's own: no need to name it
        counted=parts,
    )


# 查阅 ------------------------------------------------------------------------


def viewer_overdue(b: Builder) -> Section:
    return b.overdue_section(b.visible, "viewer_overdue", "逾期办件", {"overdue": "1"})
