"""The case list (台账): one filter for the API and the web UI, paged with bounded counts.

At a million cases (issue 10) a page and its count read what an index gives in the list's
order: a unit's cases through its parts (cases.models.CaseUnit), with what the filter says
of state, year, category and level put on the parts as well; the filters on indexes of
their own, newest first; a count that stops at COUNT_LIMIT and, when it found them all,
gives the page its ids; deep pages by id (`after` / `before`), not by skipping rows."""

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.expressions import OrderBy

from audit.record import today
from cases.figures import (
    LATE,
    ON_TIME,
    REPLIED,
    counted_q,
    due_within_q,
    met_in_person,
    overdue_q,
    running_states,
)
from cases.keyword import keyword_q
from cases.models import (
    Case,
    CaseUnit,
    Category,
    FeedbackRating,
    Level,
    Mode,
    ReplyClass,
    Topic,
)
from cases.models import Role as CaseRole
from cases.paging import CasePage, Sheet
from cases.permissions import unit_parts, visible_cases
from huiyin import plans
from huiyin.dates import DateInvalid, parse_date, window_message, year_in_window
from huiyin.errors import DomainError
from huiyin.text import QUERY_MAX, text_problem
from huiyin.types import User
from orgs.access import standing_of
from orgs.models import Unit, UnitKind
from workflow.vocabulary import State

PAGE_SIZE = 20
# Counting a million rows on every page view is the slowest part of a list: the ledger
# counts at most this many and says "1,000+" past it (the exact figure on request); the
# API always counts exactly.
COUNT_LIMIT = 1_000
# The longest "due within N working days" the filter accepts (about a year).
MAX_DUE_WITHIN = 250
NO_FEEDBACK = "none"  # the feedback filter's value for "replied, not rated"


def _rank(field: str, values: tuple[str, ...]) -> models.Case:
    return models.Case(
        *(When(**{field: v}, then=Value(i)) for i, v in enumerate(values)),
        default=Value(len(values)),
        output_field=models.IntegerField(),
    )


def _last(field: str, descending: bool = False) -> OrderBy:
    # Empty values after the others in both directions, the same on SQLite and PostgreSQL
    # (which disagree on where NULL goes by default).
    expression = F(field)
    return expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)


def _sorts() -> dict[str, tuple[Any, ...]]:
    category = _rank("category", tuple(Category.values))
    level = _rank("level", tuple(Level.values))
    state = _rank("state", tuple(State.values))  # the work's order, not the alphabet's
    sorts: dict[str, tuple[Any, ...]] = {
        "number": ("number", "id"),
        "-number": ("-number", "-id"),
        "title": ("title", "id"),
        "-title": ("-title", "-id"),
        # 人大 before 政协, and 省 市 县 within each, as the commission's reports list them.
        "category": (category.asc(), level.asc(), "number", "id"),
        "-category": (category.desc(), level.desc(), "-number", "-id"),
        "state": (state.asc(), "deadline", "id"),
        "-state": (state.desc(), "deadline", "-id"),
        "unit": (_last("lead_unit__sort_order"), _last("lead_unit__code"), "id"),
        "-unit": (_last("lead_unit__sort_order", True), _last("lead_unit__code", True), "-id"),
        "deadline": (_last("deadline"), "id"),
        "-deadline": (_last("deadline", True), "-id"),
        "recent": ("-id",),
    }
    no_class = models.Case(When(reply_class="", then=Value(1)), default=Value(0))
    sorts["reply_class"] = (no_class.asc(), "reply_class", "id")
    sorts["-reply_class"] = (no_class.asc(), "-reply_class", "-id")
    return sorts


SORTS = _sorts()


INVALID_FILTER = "无效的筛选条件"
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
# The parameters' names as the ledger's filter form calls them.
PARAM_LABELS = {
    "state": "状态",
    "category": "类别",
    "level": "级别",
    "year": "年度",
    "unit": "处室",
    "overdue": "是否超期",
    "q": "关键词",
    "sort": "排序",
    "handler": "承办人",
    "topic": "主题",
    "key": "重点件",
    "led": "领办",
    "issuer": "交办机关",
    "due_within": "即将到期",
    "mode": "办理方式",
    "reply_class": "答复类别",
    "feedback": "评价",
    "counted": "统计口径",
    "role": "主办或会办",
    "replied": "已答复",
    "on_time": "按期答复",
    "met": "面商",
    "lead_unit": "主办处室",
    "lead_unit_kind": "主办处室类型",
    "received_from": "收到日期（起）",
    "received_to": "收到日期（止）",
    "replied_from": "答复日期（起）",
    "replied_to": "答复日期（止）",
    "page": "页码",
    "page_size": "每页条数",
    "after": "下一页起点",
    "before": "上一页起点",
    "count": "计数方式",
}
# Parameters whose value must be one of these (the field's choices).
CHOICES: dict[str, frozenset[str]] = {
    "state": frozenset(State.values),
    "category": frozenset(Category.values),
    "level": frozenset(Level.values),
    "mode": frozenset(Mode.values),
    "reply_class": frozenset(ReplyClass.values),
    "feedback": frozenset([*FeedbackRating.values, NO_FEEDBACK]),
    "role": frozenset(CaseRole.values),
}


class InvalidFilter(DomainError):
    """Query parameters that do not parse: each (parameter, message) is named, so that a
    mistyped filter is never answered with an empty list that looks like a real one."""

    code = "invalid_filter"

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        named = "；".join(f"{PARAM_LABELS.get(k, k)}（{k}）{message}" for k, message in problems)
        super().__init__(f"{INVALID_FILTER}：{named}", field=problems[0][0] if problems else None)


class QueryReader:
    """Reads query parameters, collecting what is wrong with each; `done()` raises
    InvalidFilter naming them all."""

    def __init__(self, params: Any) -> None:
        self.params = params
        self.problems: list[tuple[str, str]] = []

    def _raw(self, key: str) -> str:
        value = self.params.get(key)
        return value.strip() if isinstance(value, str) else ""

    def text(self, key: str, limit: int = QUERY_MAX) -> str:
        value = self._raw(key)
        problem = text_problem(value, max_length=limit)
        if problem:
            self.problems.append((key, problem))
            return ""
        return value

    def choice(self, key: str, values: Iterable[str] | None = None) -> str:
        allowed = CHOICES[key] if values is None else frozenset(values)
        value = self.text(key)
        if value and value not in allowed:
            self.problems.append((key, f"取值无效（可选：{'、'.join(sorted(allowed))}）"))
            return ""
        return value

    def flag(self, key: str) -> bool | None:
        value = self.text(key).lower()
        if value == "":
            return None
        if value in TRUE_WORDS:
            return True
        if value in FALSE_WORDS:
            return False
        self.problems.append((key, "应为 1 或 0（true 或 false）"))
        return None

    def number(self, key: str, low: int, high: int, message: str = "") -> int | None:
        value = self.text(key, 20)
        if value == "":
            return None
        try:
            found = int(value)
        except ValueError:
            self.problems.append((key, "应为整数"))
            return None
        if not low <= found <= high:
            self.problems.append((key, message or f"应在{low}至{high}之间"))
            return None
        return found

    def year(self, key: str) -> int | None:
        value = self.number(key, -(10**6), 10**6)
        if value is not None and not year_in_window(value):
            self.problems.append((key, window_message()))
            return None
        return value

    def day(self, key: str) -> str:
        value = self.text(key, 10)
        if value:
            try:
                parse_date(value, label="")
            except DateInvalid as exc:
                self.problems.append((key, exc.message))
                return ""
        return value

    def kinds(self, key: str) -> str:
        value = self.text(key)
        wrong = [k for k in value.split(",") if k and k not in UnitKind.values]
        if wrong:
            self.problems.append((key, f"取值无效（可选：{'、'.join(UnitKind.values)}）"))
            return ""
        return value

    def done(self) -> None:
        if self.problems:
            raise InvalidFilter(self.problems)


def parse_page(raw: Any, key: str = "page") -> int:
    """A page number from a query string: 1 when absent; InvalidFilter unless 1 or more."""
    reader = QueryReader({key: raw})
    page = reader.number(key, 1, 10**9, "应为正整数")
    reader.done()
    return page or 1


@dataclass(frozen=True)
class Paging:
    """Where a list page starts: a page number, or (newest first) the id of the case
    before it (`after`) or after it (`before`); `exact`: count every case (count=exact)."""

    page: int = 1
    after: int | None = None
    before: int | None = None
    exact: bool = False

    @classmethod
    def from_params(cls, params: Any) -> "Paging":
        read = QueryReader(params)
        page = read.number("page", 1, 10**9, "应为正整数")
        after = read.number("after", 1, 2**63 - 1, "应为办件编号（正整数）")
        before = read.number("before", 1, 2**63 - 1, "应为办件编号（正整数）")
        count = read.choice("count", ("exact",))
        read.done()
        return cls(page=page or 1, after=after, before=before, exact=count == "exact")


@dataclass(frozen=True)
class CaseFilter:
    state: str = ""
    category: str = ""
    level: str = ""
    year: int | None = None
    unit: str = ""  # unit code: lead unit or a live co-unit
    overdue: bool | None = None
    q: str = ""
    sort: str = "recent"
    handler: str = ""  # username of a live assignment's handler (承办人)
    topic: str = ""  # topic name
    key: bool | None = None  # 重点
    led: bool | None = None  # 领办: has led_by
    issuer: str = ""  # 交办机关, exactly
    due_within: int | None = None  # open, deadline between today and N working days on
    mode: str = ""
    reply_class: str = ""
    feedback: str = ""  # a FeedbackRating, or "none": replied and not rated
    # The statistics' own predicates (reports.stats), so that every dashboard figure links
    # to a list that counts the same cases.
    counted: bool | None = None  # 统计口径: 议提案, not withdrawn
    role: str = ""  # lead (主办、承办、分办) or co (会办)
    replied: bool | None = None  # has a signed reply (答复日期)
    on_time: bool | None = None  # replied by the deadline (1) or after it (0)
    met: bool | None = None  # met the proposer in person (面商、座谈、实地调研、上门)
    lead_unit: str = ""  # lead unit code(s), comma-separated; "-": no lead unit yet
    lead_unit_kind: str = ""  # the lead unit's kind(s), comma-separated
    received_from: str = ""  # 收到日期 from … to, ISO dates, inclusive
    received_to: str = ""
    replied_from: str = ""  # 答复日期 from … to
    replied_to: str = ""

    @classmethod
    def from_params(cls, params: Any) -> "CaseFilter":
        """The filter a query string describes; InvalidFilter naming every parameter whose
        value does not parse (the one parser of the ledger, the export and the API)."""
        read = QueryReader(params)
        sort = read.text("sort") or "recent"
        if sort not in SORTS:
            read.problems.append(("sort", f"取值无效（可选：{'、'.join(SORTS)}）"))
        found = cls(
            state=read.choice("state"),
            category=read.choice("category"),
            level=read.choice("level"),
            year=read.year("year"),
            unit=read.text("unit"),
            overdue=read.flag("overdue"),
            q=read.text("q"),
            sort=sort if sort in SORTS else "recent",
            handler=read.text("handler", 150),
            topic=read.text("topic", 50),
            key=read.flag("key"),
            led=read.flag("led"),
            issuer=read.text("issuer"),
            due_within=read.number("due_within", 0, MAX_DUE_WITHIN),
            mode=read.choice("mode"),
            reply_class=read.choice("reply_class"),
            feedback=read.choice("feedback"),
            counted=read.flag("counted"),
            role=read.choice("role"),
            replied=read.flag("replied"),
            on_time=read.flag("on_time"),
            met=read.flag("met"),
            lead_unit=read.text("lead_unit", 2000),
            lead_unit_kind=read.kinds("lead_unit_kind"),
            received_from=read.day("received_from"),
            received_to=read.day("received_to"),
            replied_from=read.day("replied_from"),
            replied_to=read.day("replied_to"),
        )
        read.done()
        return found

    def params(self) -> dict[str, str]:
        """The filter as query parameters (only those set): from_params(f.params()) == f."""
        found: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value == "" or (f.name == "sort" and value == "recent"):
                continue
            found[f.name] = ("1" if value else "0") if isinstance(value, bool) else str(value)
        return found

    @property
    def is_empty(self) -> bool:
        return not (set(self.params()) - {"sort"})

    def states(self) -> frozenset[str] | None:
        """The states every listed case is in, when the filter implies some (a state, the
        open cases of overdue and due soon)."""
        found: frozenset[str] | None = None
        if self.state:
            found = frozenset([self.state])
        if self.overdue is True or self.due_within is not None:
            found = running_states() if found is None else found & running_states()
        return found

    def parts(self) -> Q:
        """What the filter says of the cases that a unit's parts copy (cases.models.
        CaseUnit: state, year, category, level), as a condition on the parts: the unit
        scoping and the unit filters then read only the parts that meet it."""
        found = Q()
        states = self.states()
        if states is not None:
            found &= Q(state__in=sorted(states))
        if self.year is not None:
            found &= Q(year=self.year)
        for name in ("category", "level"):
            if getattr(self, name):
                found &= Q(**{name: getattr(self, name)})
        if self.counted:
            found &= counted_q()  # in terms of category and state, which the parts have
        return found

    def apply(self, qs: QuerySet[Case], on: date) -> QuerySet[Case]:
        for name in ("state", "category", "level", "issuer", "mode", "reply_class"):
            value = getattr(self, name)
            if value:
                qs = qs.filter(**{name: value})
        if self.year is not None:
            qs = qs.filter(year=self.year)
        parts = self.parts()
        # A unit or a person is resolved to its id inside the statement (a scalar
        # subquery, run once), and the cases are read through the units' parts
        # (cases.models.CaseUnit), by index, newest first.
        if self.unit:
            unit = Subquery(Unit.objects.filter(code=self.unit).order_by().values("pk")[:1])
            qs = qs.filter(pk__in=unit_parts(unit, parts).values("case_id"))
        if self.handler:
            person = get_user_model().objects.filter(username=self.handler)
            handled = CaseUnit.objects.filter(parts, handler_id=Subquery(person.values("pk")[:1]))
            qs = qs.filter(pk__in=handled.values("case_id"))
        if self.topic:
            # EXISTS per case rather than "id IN": a topic holds a tenth of all cases, and
            # the newest of them are found by walking the cases newest first.
            topic = Subquery(Topic.objects.filter(name=self.topic).values("pk")[:1])
            tagged = Case.topics.through.objects.filter(case_id=OuterRef("pk"), topic_id=topic)
            qs = qs.filter(Exists(tagged))
        if self.key is not None:
            qs = qs.filter(is_key=self.key)
        if self.led is True:
            qs = qs.exclude(led_by="")
        elif self.led is False:
            qs = qs.filter(led_by="")
        if self.feedback == NO_FEEDBACK:
            qs = qs.filter(feedback_result="", replied_on__isnull=False)
        elif self.feedback in FeedbackRating.values:
            qs = qs.filter(feedback_result=self.feedback)
        elif self.feedback:
            qs = qs.none()
        if self.overdue is True:
            qs = qs.filter(overdue_q(on))
        elif self.overdue is False:
            qs = qs.exclude(overdue_q(on))
        if self.due_within is not None:
            if self.due_within < 0:
                qs = qs.none()
            else:
                qs = qs.filter(due_within_q(on, self.due_within))
        qs = self._apply_statistics(qs, parts)
        if self.q:
            qs = qs.filter(keyword_q(self.q))
        return qs.order_by(*SORTS[self.sort])

    def _apply_statistics(self, qs: QuerySet[Case], parts: Q) -> QuerySet[Case]:
        if self.counted:
            qs = qs.filter(counted_q())
        if self.role:
            # `role` is generated from `mode` (co: 会办): the same cases, by mode's index.
            co = Q(mode=Mode.CO)
            qs = qs.filter(co if self.role == CaseRole.CO else ~co)
        if self.replied is not None:
            qs = qs.filter(REPLIED if self.replied else ~REPLIED)
        if self.on_time is not None:
            qs = qs.filter(ON_TIME if self.on_time else LATE)
        if self.met is not None:
            qs = qs.filter(met_in_person() if self.met else ~met_in_person())
        if self.lead_unit:
            codes = [c.strip() for c in self.lead_unit.split(",") if c.strip()]
            named = [c for c in codes if c != "-"]
            # The lead units' parts, not a join on the unit's code: the newest cases a
            # unit leads are one index range (cases.models.CaseUnit).
            units = Unit.objects.filter(code__in=named).order_by().values("pk")
            # One unit: its id as a value (a scalar subquery), so that its parts are read
            # in order from the index; several: any of them.
            unit = Subquery(units[:1]) if len(named) == 1 else None
            led = CaseUnit.objects.filter(parts, lead=True)
            led = led.filter(unit_id=unit) if unit is not None else led.filter(unit_id__in=units)
            found = [Q(pk__in=led.values("case_id"))] if named else []
            if "-" in codes:
                found.append(Q(lead_unit__isnull=True))
            qs = qs.filter(Q(*found, _connector=Q.OR)) if found else qs.none()
        if self.lead_unit_kind:
            kinds = Unit.objects.filter(kind__in=self.lead_unit_kind.split(","))
            qs = qs.filter(lead_unit_id__in=kinds.values("pk"))
        for name, lookup in (
            ("received_from", "received_on__gte"),
            ("received_to", "received_on__lte"),
            ("replied_from", "replied_on__gte"),
            ("replied_to", "replied_on__lte"),
        ):
            raw = getattr(self, name)
            if raw:
                try:
                    qs = qs.filter(**{lookup: date.fromisoformat(raw)})
                except ValueError:
                    qs = qs.none()  # a bad date is an empty list, not an error
        return qs


def matching(qs: QuerySet[Case], *, exact: bool) -> tuple[int, bool, list[int] | None]:
    """How many cases match, and their ids when there are COUNT_LIMIT or fewer.

    One statement reads at most COUNT_LIMIT + 1 ids, in whatever order the database finds
    them fastest. At most COUNT_LIMIT: that is the exact count, and the page is read from
    those ids (a filter that matches few cases never makes the page walk the table to
    find them). More: "more than COUNT_LIMIT", or with `exact` a count of its own."""
    # Planned once a connection (huiyin/plans.py): the next page of the same search sends
    # the same statement.
    ids = plans.flat(qs.order_by().values_list("pk", flat=True)[: COUNT_LIMIT + 1])
    if len(ids) <= COUNT_LIMIT:
        return len(ids), False, ids
    if exact:
        return qs.order_by().count(), False, None
    return COUNT_LIMIT, True, None


def _scoped(user: User, case_filter: CaseFilter) -> QuerySet[Case]:
    """The user's visible cases, narrowed to the parts that meet what the filter says of
    them. A unit's own cases filtered by that unit need no scoping of their own: the
    filter is the scope."""
    standing = standing_of(user)
    if case_filter.unit and not standing.sees_all and standing.unit_ids:
        unit = Unit.objects.filter(code=case_filter.unit).values_list("pk", flat=True)
        if unit.first() in standing.unit_ids:
            return Case.objects.all()
    return visible_cases(user, parts=case_filter.parts())


def list_cases(
    user: User,
    case_filter: CaseFilter,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    *,
    exact: bool = True,
    after: int | None = None,
    before: int | None = None,
) -> CasePage:
    """One page of the user's visible cases; a fixed number of queries whatever the page.

    `exact=False` bounds the count (the ledger); `after` / `before` (newest-first order
    only) page from a case's id instead of skipping rows: deep pages cost as much as the
    first, and no row is lost or shown twice while new cases arrive."""
    qs = case_filter.apply(_scoped(user, case_filter), today())
    count, capped, ids = matching(qs, exact=exact)
    recent = case_filter.sort == "recent"
    if ids is not None:  # all of them are known: the page is read by id
        # Newest first, the page's ids are cut from them (Sheet); else sorted there.
        qs = Case.objects.all() if recent else Case.objects.filter(pk__in=ids)
        qs = qs.order_by(*SORTS[case_filter.sort])
    rows = qs.select_related("lead_unit")
    known = ids if recent else None
    sheet = Sheet(rows, count, capped, page_size, empty=ids == [], known=known)
    if recent and before is not None:
        newer = sheet.read(pk__gt=before, order=("pk",))
        if len(newer) > page_size:  # else fewer than a page is newer: the first page
            return sheet.page(newer[:page_size][::-1], more=True, previous=True)
    elif recent and after is not None:
        older = sheet.read(pk__lt=after)
        return sheet.page(older[:page_size], more=len(older) > page_size, previous=True)
    pages = None if capped else max(1, -(-count // page_size))
    number = max(1, page) if pages is None else min(max(1, page), pages)
    found = sheet.read(offset=(number - 1) * page_size)
    result = sheet.page(found[:page_size], more=len(found) > page_size, previous=number > 1)
    result.page, result.keyset = number, False
    return result
