"""待办: what needs the user now, by role, most urgent first.

Every section is one query (its rows, at most SECTION_LIMIT, with the total counted by a
window function in the same query), so the page costs the same number of queries whatever
the number of cases. Days left are counted in working days with the calendar of the
whole page loaded once (workdays.calendar.WorkdaySpan).
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce

from cases.deadline_rules import rule_for
from cases.listing import OPEN_STATES, overdue_q
from cases.models import (
    Assignment,
    AssignmentKind,
    AssignmentStatus,
    Case,
    Category,
    ExtensionRequest,
    Level,
)
from cases.permissions import LIVE_ASSIGNMENT, visible_cases
from huiyin.formats import cn_date
from orgs.access import Standing, standing_of
from orgs.models import Role, Unit
from workdays.calendar import WorkdaySpan

SECTION_LIMIT = 50
SOON = 3  # working days: at most this many left is shown in orange
ROW_FIELDS = (
    "id",
    "category",
    "level",
    "year",
    "number",
    "title",
    "state",
    "mode",
    "is_key",
    "led_by",
    "received_on",
    "deadline",
    "deadline_provisional",
    "unit_deadline",
    "unit_deadline_provisional",
    "explicit_deadline",
    "replied_on",
    "lead_unit__name",
)
# How far back the search for the feedback window's boundary starts: longer than any
# window a rule may set (DeadlineRuleSetting allows 24 months at most).
WINDOW_SEARCH_DAYS = 800


@dataclass
class Row:
    case: Case
    due: datetime.date | None  # the deadline that matters in this section
    due_provisional: bool = False
    note: str = ""  # a short line under the title: who returned it, what was asked
    days_left: int | None = None  # working days; negative: overdue by that many
    due_passed: bool = False
    # The date is one the user waits for (a window that ended), not a deadline to meet.
    waiting: bool = False

    @property
    def tone(self) -> str:
        """overdue (red), soon (orange: at most SOON working days left), or empty."""
        if self.due is None or self.days_left is None or self.waiting:
            return ""
        if self.due_passed:
            return "overdue"
        return "soon" if self.days_left <= SOON else ""

    @property
    def days_text(self) -> str:
        """剩 3 个工作日 / 今天到期 / 逾期 2 个工作日, as the 待办 page says it."""
        n = self.days_left
        if self.due is None or n is None:
            return ""
        if self.due_passed:
            word = "已期满" if self.waiting else "逾期"
            # Past a deadline that fell on a rest day, no working day has gone by yet.
            return f"{word} {-n} 个工作日" if n < 0 else word
        if n == 0:
            return "今天截止" if self.waiting else "今天到期"
        return f"剩 {n} 个工作日"


@dataclass
class Section:
    key: str
    title: str
    icon: str
    action: str  # the case page's action card to open: /cases/<id>/#action-<action>
    action_label: str
    due_label: str  # what the date column means here: 答复期限, 处室初稿期限 …
    ledger: dict[str, str]  # the 台账's filter showing all of them (查看全部)
    # "deadline": days left coloured; "waiting": a date already reached, shown plainly.
    tone: str = "deadline"
    hint: str = ""
    rows: list[Row] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> bool:
        return self.total > len(self.rows)

    @property
    def informational(self) -> bool:
        return self.key in INFORMATIONAL


@dataclass
class Summary:
    """A viewer's figures: the year's cases and where they stand."""

    year: int
    total: int
    open: int
    replied: int
    closed: int
    overdue: int


@dataclass
class Todo:
    today: datetime.date
    groups: list[tuple[str, list[Section]]]  # (role label, its sections)
    summary: Summary | None = None

    @property
    def sections(self) -> list[Section]:
        return [s for _, sections in self.groups for s in sections]

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections if s.key not in INFORMATIONAL)


# Sections that show the state of things rather than a step the user must take; they do
# not count towards "N 件待办".
INFORMATIONAL = {"overdue", "key_overdue", "unit_overdue", "viewer_overdue"}


def _rows(qs: QuerySet[Case], *order: Any) -> tuple[list[Case], int]:
    """The first SECTION_LIMIT cases in order, and how many there are in all."""
    found = list(
        qs.annotate(section_total=Window(Count("pk")))
        .select_related("lead_unit")
        .only(*ROW_FIELDS)
        .order_by(*order, "id")[:SECTION_LIMIT]
    )
    return found, (found[0].section_total if found else 0)


def _asc(name: str) -> Any:
    return F(name).asc(nulls_last=True)


def _cn(day: datetime.date | None) -> str:
    return cn_date(day) if day else "—"


def _unit_note(case: Case) -> str:
    return f"主办处室：{case.lead_unit.name}" if case.lead_unit_id and case.lead_unit else ""


class _Builder:
    def __init__(self, user: Any, today: datetime.date) -> None:
        self.user = user
        self.today = today
        self.standing: Standing = standing_of(user)
        self.visible = visible_cases(user)

    def section(
        self,
        qs: QuerySet[Case],
        section: Section,
        *,
        order: tuple[Any, ...],
        due: Callable[[Case], datetime.date | None],
        provisional: Callable[[Case], bool] = lambda c: False,
        note: Callable[[Case], str] = lambda c: "",
    ) -> Section:
        cases, section.total = _rows(qs, *order)
        waiting = section.tone == "waiting"
        section.rows = [
            Row(c, due(c), provisional(c), note=note(c), waiting=waiting) for c in cases
        ]
        return section

    # 议提案管理员 (办公室) ------------------------------------------------------------

    def coordinator(self) -> list[Section]:
        qs = self.visible
        returned = Assignment.objects.filter(case=OuterRef("pk"), status=AssignmentStatus.RETURNED)
        last_return = returned.order_by("-returned_on", "-id")
        registered = qs.filter(state="registered")
        waiting_order = (_asc("explicit_deadline"), "received_on")
        replied = qs.filter(state="replied")
        window_open = self.feedback_window_open_q()
        sections = [
            self.section(
                registered.exclude(Exists(returned)),
                Section(
                    "to_assign",
                    "待交办",
                    "bi-send",
                    "assign",
                    "交办",
                    "办理期限",
                    {"state": "registered"},
                    hint="已登记、尚未交办的办件；有交办机关办理期限的按期限排序，其余按收到日期",
                ),
                order=waiting_order,
                due=lambda c: c.explicit_deadline,
                note=lambda c: f"收到日期 {_cn(c.received_on)}",
            ),
            self.section(
                registered.filter(Exists(returned)).annotate(
                    return_reason=Subquery(last_return.values("return_reason")[:1]),
                    returned_by=Subquery(last_return.values("unit__name")[:1]),
                ),
                Section(
                    "returned",
                    "退回待重新交办",
                    "bi-arrow-return-left",
                    "assign",
                    "重新交办",
                    "办理期限",
                    {"state": "registered"},
                    hint="主办处室申请退回的办件，请重新交办",
                ),
                order=waiting_order,
                due=lambda c: c.explicit_deadline,
                note=lambda c: f"{c.returned_by}退回：{c.return_reason}",
            ),
            self.section(
                qs.filter(state="reviewing"),
                Section(
                    "to_review",
                    "待审核",
                    "bi-clipboard-check",
                    "review",
                    "审核",
                    "答复期限",
                    {"state": "reviewing", "sort": "deadline"},
                ),
                order=(_asc("deadline"),),
                due=lambda c: c.deadline,
                provisional=lambda c: c.deadline_provisional,
                note=_unit_note,
            ),
            self.section(
                replied.filter(window_open),
                Section(
                    "to_rate",
                    "待登记评价",
                    "bi-chat-square-heart",
                    "record_feedback",
                    "登记评价",
                    "征询意见截止",
                    {"state": "replied", "feedback": "none"},
                    hint="已答复、尚在征询意见期内的办件",
                ),
                order=("replied_on",),
                due=self.feedback_window_end,
                note=lambda c: f"答复日期 {_cn(c.replied_on)}",
            ),
            self.section(
                replied.exclude(window_open),
                Section(
                    "to_close",
                    "可办结",
                    "bi-check2-circle",
                    "close",
                    "办结",
                    "征询意见期满",
                    {"state": "replied", "feedback": "none"},
                    tone="waiting",
                    hint="征询意见期已满、未收到评价的办件，可以办结",
                ),
                order=("replied_on",),
                due=self.feedback_window_end,
                note=lambda c: f"答复日期 {_cn(c.replied_on)}",
            ),
            self.overdue_section(qs, "overdue", "逾期办件", {"overdue": "1"}),
        ]
        return sections

    def feedback_window_open_q(self) -> Q:
        """Replied cases still inside the feedback window (征询意见期), as a filter: the
        window's end grows with the reply date, so per rule one boundary date splits them."""
        by_rule: dict[str, list[tuple[str, str]]] = {}
        for category in Category.values:
            for level in Level.values:
                rule = rule_for(category, level, "feedback_window")
                by_rule.setdefault(rule, []).append((category, level))
        q = Q(pk__in=[])
        for rule, kinds in by_rule.items():
            boundary = self._first_open_reply_date(rule)
            of_rule = Q(pk__in=[])
            for category, level in kinds:
                of_rule |= Q(category=category, level=level)
            q |= of_rule & Q(replied_on__gte=boundary)
        return q

    def _first_open_reply_date(self, rule: str) -> datetime.date:
        """The earliest reply date whose window has not ended by today."""
        low = self.today - datetime.timedelta(days=WINDOW_SEARCH_DAYS)  # window over
        high = self.today  # a reply of today: the window is open
        while (high - low).days > 1:
            middle = low + (high - low) / 2
            if self.span.compute(rule, middle).date >= self.today:
                high = middle
            else:
                low = middle
        return high

    def feedback_window_end(self, case: Case) -> datetime.date | None:
        if case.replied_on is None:
            return None
        rule = rule_for(case.category, case.level, "feedback_window")
        return self.span.compute(rule, case.replied_on).date

    def overdue_section(
        self,
        qs: QuerySet[Case],
        key: str,
        title: str,
        ledger: dict[str, str],
        hint: str = "",
        note: Callable[[Case], str] = _unit_note,
    ) -> Section:
        return self.section(
            qs.filter(overdue_q(self.today)),
            Section(
                key,
                title,
                "bi-exclamation-octagon",
                "",
                "查看",
                "答复期限",
                {**ledger, "sort": "deadline"},
                hint=hint or "已超过答复期限、尚未答复的办件",
            ),
            order=(_asc("deadline"),),
            due=lambda c: c.deadline,
            provisional=lambda c: c.deadline_provisional,
            note=note,
        )

    # 委领导 ----------------------------------------------------------------------

    def leader(self) -> list[Section]:
        mine = Q(leader_in_charge=self.user) | Q(leader_in_charge__isnull=True)
        pending = ExtensionRequest.objects.filter(case=OuterRef("pk"), approved__isnull=True)
        key = Q(is_key=True) | ~Q(led_by="")
        return [
            self.section(
                self.visible.filter(mine, state="signing"),
                Section(
                    "to_sign",
                    "待签发",
                    "bi-pen",
                    "sign",
                    "签发",
                    "答复期限",
                    {"state": "signing", "sort": "deadline"},
                    hint="由您分管或未指定分管领导的办件",
                ),
                order=(_asc("deadline"),),
                due=lambda c: c.deadline,
                provisional=lambda c: c.deadline_provisional,
                note=_unit_note,
            ),
            self.section(
                self.visible.filter(mine, Exists(pending), state="handling").annotate(
                    extension_until=Subquery(pending.values("until")[:1]),
                    extension_reason=Subquery(pending.values("reason")[:1]),
                ),
                Section(
                    "extensions",
                    "待审批延期",
                    "bi-hourglass-split",
                    "decide_extension",
                    "审批",
                    "答复期限",
                    {"state": "handling"},
                ),
                order=(_asc("deadline"),),
                due=lambda c: c.deadline,
                provisional=lambda c: c.deadline_provisional,
                note=lambda c: f"申请延期至 {_cn(c.extension_until)}：{c.extension_reason}",
            ),
            self.overdue_section(
                self.visible.filter(key),
                "key_overdue",
                "逾期重点件",
                {"overdue": "1", "key": "1"},
                hint="已逾期的重点件和领办件",
            ),
        ]

    # 处室负责人、承办人 -------------------------------------------------------------

    def unit_scope(self) -> Q:
        """The assignments that are the user's: all of the units they head; in the units
        where they are a handler, those given to them or to nobody yet."""
        heads = self.standing.head_of
        handles = self.standing.handler_in - heads
        scope = Q(pk__in=[])
        if heads:
            scope |= Q(unit_id__in=heads)
        if handles:
            scope |= Q(unit_id__in=handles) & (Q(handler=self.user) | Q(handler__isnull=True))
        return scope

    def unit(self) -> list[Section]:
        scope = self.unit_scope()
        # The user's live assignments: a case they hold one of is visible to them, so
        # these sections need no other permission filter. "id IN (the assignments' case
        # ids)" lets the database read the few assignments of the unit once, by index.
        mine = Assignment.objects.filter(scope, status__in=LIVE_ASSIGNMENT)
        lead = mine.filter(kind=AssignmentKind.LEAD)
        co = mine.filter(kind=AssignmentKind.CO, opinion="")
        co_of_case = co.filter(case=OuterRef("pk")).order_by("deadline")
        ledger = self.unit_ledger()
        qs = Case.objects.all()
        sections = [
            self.section(
                qs.filter(
                    pk__in=lead.filter(status=AssignmentStatus.PENDING).values("case_id"),
                    state="assigned",
                ),
                Section(
                    "to_accept",
                    "待签收",
                    "bi-inbox",
                    "accept",
                    "签收",
                    "答复期限",
                    {**ledger, "state": "assigned"},
                    hint="交办给本处室、尚未签收的办件；不属于本处职责的可在交办后5个工作日内申请退回",
                ),
                order=(_asc("deadline"),),
                due=lambda c: c.deadline,
                provisional=lambda c: c.deadline_provisional,
            )
        ]
        if self.standing.head_of:
            sections.append(
                self.section(
                    qs.filter(state="unit_approving", lead_unit_id__in=self.standing.head_of),
                    Section(
                        "to_approve",
                        "待处室审核",
                        "bi-person-check",
                        "approve_reply",
                        "审核",
                        "处室初稿期限",
                        {**ledger, "state": "unit_approving"},
                        hint="承办人提交的答复初稿，审核通过后报办公室审核",
                    ),
                    order=(_asc("unit_deadline"),),
                    due=lambda c: c.unit_deadline,
                    provisional=lambda c: c.unit_deadline_provisional,
                )
            )
        sections += [
            self.section(
                qs.filter(
                    pk__in=lead.filter(status=AssignmentStatus.ACCEPTED).values("case_id"),
                    state="handling",
                ),
                Section(
                    "drafting",
                    "办理中（待提交答复）",
                    "bi-pencil-square",
                    "submit_reply",
                    "提交答复",
                    "处室初稿期限",
                    {**ledger, "state": "handling"},
                    hint="处室初稿期限是答复期限前留出审核、签发时间的内部期限",
                ),
                order=(_asc("unit_deadline"),),
                due=lambda c: c.unit_deadline,
                provisional=lambda c: c.unit_deadline_provisional,
                note=lambda c: f"答复期限 {_cn(c.deadline)}",
            ),
            self.section(
                qs.filter(pk__in=co.values("case_id"), state__in=("assigned", "handling")).annotate(
                    opinion_due=Subquery(co_of_case.values("deadline")[:1]),
                    opinion_due_provisional=Coalesce(
                        Subquery(co_of_case.values("deadline_provisional")[:1]), Value(False)
                    ),
                ),
                Section(
                    "opinions",
                    "待提交会办意见",
                    "bi-chat-left-text",
                    "submit_opinion",
                    "提交意见",
                    "会办意见期限",
                    ledger,
                    hint="本处室为协办处室、尚未提交意见的办件",
                ),
                order=(_asc("opinion_due"),),
                due=lambda c: c.opinion_due,
                provisional=lambda c: c.opinion_due_provisional,
                note=_unit_note,
            ),
            self.overdue_section(
                qs.filter(pk__in=lead.values("case_id")),
                "unit_overdue",
                "逾期办件",
                {**ledger, "overdue": "1"},
                note=lambda c: "",  # the unit's own: no need to name it
            ),
        ]
        return sections

    def unit_ledger(self) -> dict[str, str]:
        """The ledger filter of "my unit's cases": by unit when there is one, and by
        handler for someone who handles but does not head it."""
        found: dict[str, str] = {}
        if len(self.standing.unit_ids) == 1:
            (unit_id,) = self.standing.unit_ids
            found["unit"] = self.unit_codes.get(unit_id, "")
        if not self.standing.head_of:
            found["handler"] = self.user.get_username()
        return {k: v for k, v in found.items() if v}

    # 查阅 ------------------------------------------------------------------------

    def summary(self) -> Summary:
        year = self.today.year
        figures = (
            self.visible.filter(year=year)
            .exclude(state="withdrawn")
            .aggregate(
                total=Count("pk"),
                open=Count("pk", filter=Q(state__in=OPEN_STATES)),
                replied=Count("pk", filter=Q(state="replied")),
                closed=Count("pk", filter=Q(state="closed")),
                overdue=Count("pk", filter=overdue_q(self.today)),
            )
        )
        return Summary(year=year, **figures)

    # ---------------------------------------------------------------------------

    def build(self) -> Todo:
        standing = self.standing
        self.span = WorkdaySpan(
            self.today - datetime.timedelta(days=WINDOW_SEARCH_DAYS),
            self.today + datetime.timedelta(days=366),
        )
        self.unit_codes: dict[int, str] = {}
        if len(standing.unit_ids) == 1:
            self.unit_codes = dict(
                Unit.objects.filter(pk__in=standing.unit_ids).values_list("pk", "code")
            )
        groups: list[tuple[str, list[Section]]] = []
        if standing.has(Role.COORDINATOR):
            groups.append(("议提案管理员", self.coordinator()))
        if standing.has(Role.LEADER):
            groups.append(("委领导", self.leader()))
        if standing.unit_ids:
            label = "处室负责人" if standing.head_of else "承办人"
            groups.append((label, self.unit()))
        summary = None
        if not groups and standing.sees_all:
            summary = self.summary()
            groups.append(
                (
                    "查阅",
                    [
                        self.overdue_section(
                            self.visible, "viewer_overdue", "逾期办件", {"overdue": "1"}
                        )
                    ],
                )
            )
        self.fill_days_left([s for _, sections in groups for s in sections])
        return Todo(today=self.today, groups=groups, summary=summary)

    def fill_days_left(self, sections: Iterable[Section]) -> None:
        rows = [row for s in sections for row in s.rows if row.due is not None]
        counts = days_from(self.span, self.today, (row.due for row in rows))
        for row in rows:
            row.days_left = counts[row.due]
            row.due_passed = row.due < self.today


def days_from(
    span: WorkdaySpan, today: datetime.date, days: Iterable[datetime.date]
) -> dict[datetime.date, int]:
    """span.workdays_between(today, day) for every day, in one walk over the calendar
    instead of one per day (a page has hundreds of rows)."""
    wanted = set(days)
    if not wanted:
        return {}
    first, last = min(*wanted, today), max(*wanted, today)
    running, counted = 0, {first: 0}  # working days after `first` up to the day
    day = first
    while day < last:
        day += datetime.timedelta(days=1)
        running += span.is_workday(day)
        counted[day] = running
    return {d: counted[d] - counted[today] for d in wanted}


def todo_for(user: Any, today: datetime.date) -> Todo:
    """The user's 待办, grouped by role; a fixed number of queries."""
    return _Builder(user, today).build()


__all__ = ["INFORMATIONAL", "SOON", "Row", "Section", "Summary", "Todo", "todo_for"]
