"""待办: what needs the user now, by role, most urgent first.

The sections are declared by the categories (their workflow's `queues`, e.g.
proposals/queues.py); this module builds them for a user, grouped by role.

Every section is one query (its rows, at most SECTION_LIMIT, with the total counted in the
same statement), so the page costs the same number of queries whatever the number of
cases; each section's rows and count are read through an index in its own order, over the
open cases or the unit's parts in the section's states (issue 10: never the closed ones). Days left are counted in working days with the calendar of the
whole page loaded once (workdays.calendar.WorkdaySpan).
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import F, FilteredRelation, IntegerField, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from cases.figures import REPLIED_KEY, SOON_WORKDAYS, days_text, overdue_q, running_states
from cases.models import Case, CaseUnit, Category, ExtensionRequest
from cases.permissions import visible_cases
from huiyin import plans
from huiyin.formats import cn_date
from huiyin.types import User
from orgs.access import Standing, standing_of
from orgs.models import Role, Unit
from workdays.calendar import WorkdaySpan
from workflow.tables import Queue, Workflow, all_workflows
from workflow.vocabulary import State

# The most urgent rows of a section; "查看全部" opens the ledger on all of them, sorted the
# same way. Ten: a coordinator's page has seven sections, and seventy rows are what a
# person reads before acting; every row more costs the page (its query and its HTML)
# without being read. At 20, the 我的待办 of a unit head was 120 KB and 30 ms of CPU.
SECTION_LIMIT = 10
# A section counts its cases up to this many and then says "100+" (the 台账 behind 查看全部
# has the exact figure), as a badge says "99+": past a hundred the figure tells the person
# nothing more, and counting a thousand cost a unit head's page 6 ms of PostgreSQL per
# section at 1M cases (issue 10: bounded counts).
COUNT_LIMIT = 100
# A case of a section's query, with what that query annotates.
C = TypeVar("C", bound=Case)
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
    "round",
    "lead_unit__name",
)
# How far back and ahead the page's calendar reaches: past any window a rule may set
# (DeadlineRuleSetting allows 24 months at most).
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
    url: str = ""  # the case page's address, set by the view
    # A badge beside the title: 重新办理 with the new round's deadline (不满意 sent it back).
    flag: str = ""

    @property
    def tone(self) -> str:
        """overdue (red), soon (orange: at most SOON_WORKDAYS working days left), or empty."""
        if self.due is None or self.days_left is None or self.waiting:
            return ""
        if self.due_passed:
            return "overdue"
        return "soon" if self.days_left <= SOON_WORKDAYS else ""

    @property
    def days_text(self) -> str:
        """剩 3 个工作日 / 今天到期 / 逾期 2 个工作日, as the 待办 page says it."""
        if self.due is None or self.days_left is None:
            return ""
        return days_text(self.days_left, self.due_passed, waiting=self.waiting)


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
    ledger_url: str = ""  # the 台账 link (查看全部), set by the view
    alarm: bool = False  # its cases are late (the overdue lists): its chip is red

    @property
    def more(self) -> bool:
        return self.total > len(self.rows)

    @property
    def counted_exactly(self) -> bool:
        return self.total < COUNT_LIMIT

    @property
    def total_label(self) -> str:
        """The count as shown: "100+" when there are at least COUNT_LIMIT."""
        return str(self.total) if self.counted_exactly else f"{COUNT_LIMIT}+"

    @property
    def informational(self) -> bool:
        """It shows the state of things (overdue cases), not a step the user must take,
        and does not count towards "N 件待办"."""
        return not self.action


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
        return sum(s.total for s in self.sections if not s.informational)

    @property
    def total_label(self) -> str:
        """ "N 件待办", with a "+" when a section counted only up to COUNT_LIMIT."""
        capped = any(not s.counted_exactly for s in self.sections if not s.informational)
        return f"{self.total}+" if capped else str(self.total)

    @property
    def has_queues(self) -> bool:
        """The user has steps to take (even if none is waiting today), not only figures to
        watch: a viewer's page is an overview, not 我的待办."""
        return any(not s.informational for s in self.sections)


class CountOf(Subquery):
    """COUNT(*) of a queryset as a scalar subquery: uncorrelated, so the database runs it
    once for the whole statement (from an index alone where it can). Bounded by the
    queryset's slice: COUNT_LIMIT rows at most are read."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()


def _rows(
    qs: QuerySet[C], *order: Any, counted: QuerySet[Any] | None = None
) -> tuple[list[C], int]:
    """The first SECTION_LIMIT cases in order, and how many there are in all, in one
    statement: the total is a count of its own (an uncorrelated subquery, run once, from
    an index alone where it can), not a window over the rows, so that only the first
    rows are read whole and an index in the section's order serves them. `counted`: the
    rows to count instead, one per case (a unit's parts: counted from their index)."""
    total = CountOf((qs if counted is None else counted).order_by().values("pk")[:COUNT_LIMIT])
    found = plans.rows(
        qs.annotate(section_total=total)
        .select_related("lead_unit")
        .only(*ROW_FIELDS)
        .order_by(*order, "id")[:SECTION_LIMIT]
    )
    if found:
        return found, found[0].section_total
    return found, 0


def through(q: Q, prefix: str) -> Q:
    """The same condition on the fields of a relation: Q(unit_id=2) → Q(part__unit_id=2)."""
    found = Q()
    found.connector, found.negated = q.connector, q.negated
    children: list[Any] = list(q.children)
    found.children = [
        through(child, prefix) if isinstance(child, Q) else (prefix + child[0], child[1])
        for child in children
    ]
    return found


def pending_extension_q() -> Q:
    """The cases with an extension request waiting for a decision, found from those requests
    (a handful, through their partial index extension_one_pending), not by asking every case
    in hand whether it has one."""
    return Q(pk__in=ExtensionRequest.objects.filter(approved__isnull=True).values("case_id"))


def asc(name: str) -> Any:
    return F(name).asc(nulls_last=True)


def cn(day: datetime.date | None) -> str:
    return cn_date(day) if day else "—"


def unit_note(case: Case) -> str:
    return f"主办处室：{case.lead_unit.name}" if case.lead_unit_id and case.lead_unit else ""


def overdue_card(
    key: str, title: str, ledger: dict[str, str], hint: str = "", due_label: str = "答复期限"
) -> Section:
    """An overdue list's section (its rows to come): red, read-only, by deadline."""
    return Section(
        key,
        title,
        "bi-exclamation-octagon",
        "",
        "查看",
        due_label,
        {**ledger, "sort": "deadline"},
        hint=hint or "已超过答复期限、尚未答复的办件",
        alarm=True,
    )


# Whose sections a page shows, and under which heading.
GROUP_LABELS = {"coordinator": "议提案管理员", "leader": "委领导", "viewer": "查阅"}


class Builder:
    """What a queue's function reads: the user, today, the cases they may see, the page's
    calendar, and `section()` to fill a Section with one query."""

    def __init__(self, user: User, today: datetime.date) -> None:
        self.user = user
        self.today = today
        self.standing: Standing = standing_of(user)
        self.visible = visible_cases(user)
        self.workflow: Workflow | None = None  # whose queue is being built
        self.memo: dict[str, Any] = {}  # shared by one workflow's queues
        self.span = WorkdaySpan(
            today - datetime.timedelta(days=WINDOW_SEARCH_DAYS),
            today + datetime.timedelta(days=366),
        )
        self.unit_codes: dict[int, str] = {}
        if len(self.standing.unit_ids) == 1:
            self.unit_codes = dict(
                Unit.objects.filter(pk__in=self.standing.unit_ids).values_list("pk", "code")
            )

    def section(
        self,
        qs: QuerySet[Case],
        section: Section,
        *,
        order: tuple[Any, ...],
        due: Callable[[Case], datetime.date | None],
        provisional: Callable[[Case], bool] = lambda c: False,
        note: Callable[[Case], str] = lambda c: "",
        counted: QuerySet[Any] | None = None,
    ) -> Section:
        # The workflow's categories, unless it has them all (a condition that only costs).
        if self.workflow is not None and set(Category.values) - set(self.workflow.categories):
            qs = qs.filter(category__in=self.workflow.categories)
            if counted is not None:  # a unit's parts copy the case's category; others join it
                own = any(f.name == "category" for f in counted.model._meta.concrete_fields)
                field = "category__in" if own else "case__category__in"
                counted = counted.filter(**{field: self.workflow.categories})
        cases, section.total = _rows(qs, *order, counted=counted)
        waiting = section.tone == "waiting"
        section.rows = [
            Row(c, due(c), provisional(c), note=note(c), waiting=waiting, flag=self.flag(c))
            for c in cases
        ]
        return section

    def flag(self, case: Case) -> str:
        """重新办理 for a case in a later round that has not been answered again yet, with
        the round's new deadline: whoever has it in hand sees it is a second try."""
        running = self.workflow.group("running") if self.workflow else running_states()
        if case.round <= 1 or case.state not in running:
            return ""
        return f"重新办理 · 第{case.round}轮 · 新答复期限 {cn(case.deadline)}"

    def overdue_section(
        self,
        qs: QuerySet[Case],
        key: str,
        title: str,
        ledger: dict[str, str],
        hint: str = "",
        note: Callable[[Case], str] = unit_note,
        due_label: str = "答复期限",
    ) -> Section:
        return self.section(
            qs.filter(overdue_q(self.today)),
            overdue_card(key, title, ledger, hint, due_label),
            order=(asc("deadline"),),
            due=lambda c: c.deadline,
            provisional=lambda c: c.deadline_provisional,
            note=note,
        )

    def parts(self, condition: Q) -> tuple[QuerySet[Case], QuerySet[CaseUnit]]:
        """The cases with a part (cases.models.CaseUnit) meeting `condition`, joined to
        that part as `part` (order the rows by its copies of the deadlines: an index on
        the parts serves the first rows), and the parts themselves (to count: read from
        an index alone). One row per case for a condition on lead parts (a case has one
        live lead unit)."""
        joined = FilteredRelation("unit_parts", condition=through(condition, "unit_parts__"))
        # Joined on a column of every index of the parts: the first rows are read from the
        # index alone (its `id` would make the database read every part it passes).
        cases = Case.objects.annotate(part=joined).filter(part__case__isnull=False)
        return cases, CaseUnit.objects.filter(condition)

    def unit_scope(self) -> Q:
        """The parts that are the user's (cases.models.CaseUnit, the units' live
        assignments): all of the units they head; in the units where they are only a
        handler, those given to them. A unit's cases no one was given yet wait for its
        head (who names the handler), not for every handler."""
        heads = self.standing.head_of
        handles = self.standing.handler_in - heads
        scope = Q(pk__in=[])
        if heads:
            scope |= Q(unit_id__in=heads)
        if handles:
            scope |= Q(unit_id__in=handles, handler=self.user)
        return scope

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

    def queues(self, role: str) -> list[Section]:
        """The sections every category declares for `role`, in their declared order."""
        found = []
        for workflow in all_workflows():
            self.workflow, self.memo = workflow, {}
            for queue in workflow.queues:
                if queue.role == role:
                    section = queue.build(self)
                    if section is not None:
                        found.append(section)
        self.workflow = None
        return found

    # 查阅 ------------------------------------------------------------------------

    def summary(self) -> Summary:
        """The year's figures of every case (a viewer sees all), as the statistics count
        them: added up from their summary rows (reports.models.TallyCell, kept by the
        actions), not from a year of cases; 超期未复 from the year's open cases. Each
        figure links to the ledger's list of the same cases (web/templates/web/home.html)."""
        from reports.models import TallyCell
        from reports.stats import counted_rows, live_rows

        year = self.today.year
        cells = counted_rows(TallyCell, [year], None).aggregate(
            total=Coalesce(Sum("n"), 0),
            **{REPLIED_KEY: Coalesce(Sum("n", filter=Q(replied=True)), 0)},
            closed=Coalesce(Sum("n", filter=Q(state=State.CLOSED)), 0),
        )
        overdue = sum(row["overdue_unreplied"] for row in live_rows([year], None, self.today))
        return Summary(
            year=year,
            total=cells["total"],
            open=cells["total"] - cells[REPLIED_KEY],
            replied=cells[REPLIED_KEY],
            closed=cells["closed"],
            overdue=overdue,
        )

    # ---------------------------------------------------------------------------

    def build(self) -> Todo:
        standing = self.standing
        groups: list[tuple[str, list[Section]]] = []
        if standing.has(Role.COORDINATOR):
            groups.append((GROUP_LABELS["coordinator"], self.queues("coordinator")))
        if standing.has(Role.LEADER):
            groups.append((GROUP_LABELS["leader"], self.queues("leader")))
        if standing.unit_ids:
            label = "处室负责人" if standing.head_of else "承办人"
            groups.append((label, self.queues("unit")))
        summary = None
        if not groups and standing.sees_all:
            summary = self.summary()
            groups.append((GROUP_LABELS["viewer"], self.queues("viewer")))
        self.fill_days_left([s for _, sections in groups for s in sections])
        return Todo(today=self.today, groups=groups, summary=summary)

    def fill_days_left(self, sections: Iterable[Section]) -> None:
        rows = [(row, row.due) for s in sections for row in s.rows if row.due is not None]
        counts = days_from(self.span, self.today, (due for _, due in rows))
        for row, due in rows:
            row.days_left = counts[due]
            row.due_passed = due < self.today


def days_from(
    span: WorkdaySpan, today: datetime.date, days: Iterable[datetime.date]
) -> dict[datetime.date, int]:
    """span.workdays_between(today, day) for every day (a page has hundreds of rows)."""
    # Each count costs the years it crosses, not the days: a case due in the year 1 does
    # not make the page walk two thousand years of calendar (issue 9 #15).
    return span.workdays_from(today, days)


def todo_for(user: User, today: datetime.date) -> Todo:
    """The user's 待办, grouped by role; a fixed number of queries."""
    return Builder(user, today).build()


__all__ = ["Builder", "Queue", "Row", "Section", "Summary", "Todo", "todo_for"]
