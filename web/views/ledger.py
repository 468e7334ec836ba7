"""The case list (台账): every filter of the API and more, sortable by column, with the
whole filter in the URL so that a list can be bookmarked and shared."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from audit.record import today
from cases.figures import days_text, deadline_tone, is_running, soon_end
from cases.filter_choices import filter_choices
from cases.listing import (
    MAX_DUE_WITHIN,
    NO_FEEDBACK,
    CaseFilter,
    CasePage,
    InvalidFilter,
    Paging,
    list_cases,
)
from cases.models import (
    Case,
    Category,
    FeedbackRating,
    Level,
    Mode,
    ReplyClass,
)
from cases.queries import lead_handlers
from huiyin.types import AuthedRequest, User
from huiyin.views import invalid_input
from orgs.access import standing_of
from orgs.models import Membership, Role, Unit
from proposals.spec import PROPOSAL_STATES
from workdays.calendar import WorkdaySpan
from workflow.tables import workflow_for
from workflow.vocabulary import State

# The filters the form shows; any other filter in the URL (the statistics' links add
# their own) is carried in hidden fields, so that a new search keeps it.
FORM_FILTERS = (
    "category",
    "level",
    "year",
    "state",
    "unit",
    "overdue",
    "q",
    "sort",
    "handler",
    "topic",
    "key",
    "led",
    "issuer",
    "due_within",
    "mode",
    "reply_class",
    "feedback",
)
# Filters shown under "更多条件": the panel opens by itself when one of them is set.
MORE_FILTERS = (
    "handler",
    "topic",
    "key",
    "led",
    "issuer",
    "due_within",
    "mode",
    "reply_class",
    "feedback",
)


@dataclass(frozen=True)
class Column:
    label: str
    sort: str  # the ascending sort key; "-" + sort descends
    css: str = ""


COLUMNS = (
    Column("编号", "number", "d-none d-md-table-cell text-nowrap"),
    Column("标题", "title"),
    Column("类别/级别", "category", "d-none d-md-table-cell text-nowrap"),
    Column("状态", "state", "d-none d-md-table-cell text-nowrap"),
    Column("主办处室", "unit", "d-none d-lg-table-cell text-nowrap"),
    Column("承办人", "", "d-none d-lg-table-cell text-nowrap"),  # not sortable
    Column("答复期限", "deadline", "d-none d-md-table-cell text-nowrap"),
    Column("答复类别", "reply_class", "d-none d-md-table-cell text-nowrap"),
)


def _sort_choices() -> list[tuple[str, str]]:
    """The sorts as the form's 排序 offers them (on a phone there are no column headers)."""
    found = [("", "最新登记在前")]  # "recent", the default: left out of the URL
    for column in COLUMNS:
        if column.sort:
            found += [(column.sort, f"{column.label} ↑"), ("-" + column.sort, f"{column.label} ↓")]
    return found


SORT_CHOICES = _sort_choices()


def invalid_filter_page(request: AuthedRequest, exc: InvalidFilter) -> HttpResponse:
    """A 400 page naming the parameters that do not parse, instead of an empty list."""
    return invalid_input(
        request,
        exc.message,
        heading="无效的筛选条件",
        back_url=reverse("case-list"),
        back_label="清除筛选条件，查看全部办件",
    )


def page_links(page: int, pages: int, around: int = 2) -> list[int]:
    """Page numbers to link, 0 where some are left out: 1 0 4 5 6 7 8 0 20."""
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    links: list[int] = []
    for n in shown:
        if links and n > links[-1] + 1:
            links.append(0)
        links.append(n)
    return links


def _headers(current: str) -> list[dict[str, Any]]:
    """Each column's sort link: ascending first, descending when already ascending."""
    found = []
    for column in COLUMNS:
        direction = (
            "asc" if current == column.sort else "desc" if current == "-" + column.sort else ""
        )
        found.append(
            {
                "column": column,
                "direction": direction,
                "next": "-" + column.sort if direction == "asc" else column.sort,
            }
        )
    return found


def _handler_names(cases: list[Case]) -> dict[int, str]:
    """Each listed case's 承办人, by name."""
    return {pk: u.get_full_name() or u.username for pk, u in lead_handlers(cases).items()}


def _handlers(user: User) -> list[tuple[str, str]]:
    """(username, name · unit) of the people who may handle cases, for the 承办人 filter:
    a unit's own people for unit staff, everyone's for the commission."""
    standing = standing_of(user)
    memberships = Membership.objects.filter(role__in=(Role.HEAD, Role.HANDLER))
    if not standing.sees_all:
        memberships = memberships.filter(unit_id__in=standing.unit_ids)
    rows = (
        memberships.select_related("user", "unit")
        .only("user__username", "user__first_name", "user__last_name", "unit__name")
        .order_by("unit__sort_order", "unit__code", "user__username")
    )
    seen: dict[str, str] = {}
    for m in rows:
        name = m.user.get_full_name() or m.user.username
        seen.setdefault(m.user.username, f"{name}（{m.unit.name}）")
    return list(seen.items())


def pager(request: AuthedRequest, page: CasePage, sort: str) -> dict[str, str]:
    """The addresses of the previous, next and first pages. Newest first past a bounded
    count (or from a page reached by id), the next page starts after the last case shown
    (`after`): a deep page costs what the first does. Otherwise by page number."""

    def url(**changes: object) -> str:
        params = request.GET.copy()
        for key, value in changes.items():
            params.pop(key, None)
            if value is not None:
                params[key] = str(value)
        return "?" + params.urlencode() if params else "?"

    keyset = sort == "recent" and (page.count_capped or page.keyset)
    found = {"first_url": url(page=None, after=None, before=None)}
    if page.has_next:
        found["next_url"] = (
            url(after=page.after, before=None, page=None)
            if keyset
            else url(page=page.page + 1, after=None, before=None)
        )
    if page.has_previous:
        found["previous_url"] = (
            url(before=page.before, after=None, page=None)
            if page.keyset
            else url(page=page.page - 1, after=None, before=None)
        )
    return found


# Beyond the few working days of "due soon", whatever holidays come first.
SOON_MARGIN = timedelta(days=31)


def _days_left(cases: list[Case], on: date, span: WorkdaySpan) -> dict[int, int]:
    """Working days left to each running case's deadline (剩/逾期 N 个工作日)."""
    due = {c.pk: c.deadline for c in cases if c.deadline is not None and is_running(c)}
    left = span.workdays_from(on, due.values())
    return {pk: left[day] for pk, day in due.items()}


def _page_span(cases: list[Case], on: date) -> WorkdaySpan:
    """The calendar of the page's deadlines and of the next weeks, in one query."""
    days = [c.deadline for c in cases if c.deadline is not None]
    return WorkdaySpan(min([on, *days]), max([on + SOON_MARGIN, *days]))


def _state_choices(category: str) -> list[tuple[str, str]]:
    """A category's states as it names them (群众意见's 待转办 …); with none chosen, the
    议提案's and then the states only other categories have."""
    try:
        return list(workflow_for(category).states.items())
    except LookupError:
        others = [(str(v), str(label)) for v, label in State.choices if v not in PROPOSAL_STATES]
        return [*PROPOSAL_STATES.items(), *others]


@login_required
def case_list(request: AuthedRequest) -> HttpResponse:
    try:
        case_filter = CaseFilter.from_params(request.GET)
        paging = Paging.from_params(request.GET)
    except InvalidFilter as exc:
        return invalid_filter_page(request, exc)
    # The count stops at COUNT_LIMIT ("超过 1,000 件") unless the exact figure is asked for.
    page = list_cases(
        request.user,
        case_filter,
        paging.page,
        exact=paging.exact,
        after=paging.after,
        before=paging.before,
    )
    on = today()
    span = _page_span(page.items, on)
    soon_until = soon_end(on, span=span)
    handler_names = _handler_names(page.items)
    days_left = _days_left(page.items, on, span)
    for case in page.items:
        case.deadline_tone = deadline_tone(case, on, soon_until)
        case.handler_label = handler_names.get(case.pk, "")  # type: ignore[attr-defined]  # shown only
        if case.pk in days_left:  # 剩 3 个工作日 / 逾期 2 个工作日, as 我的待办 says it
            left = days_left[case.pk]
            case.days_label = days_text(left, case.deadline < on)  # type: ignore[attr-defined,operator]
    chosen = case_filter.params()
    choices = filter_choices()  # cached: the issuers are a DISTINCT over every case
    return render(
        request,
        "web/case_list.html",
        {
            "page": page,
            "page_range": page_links(page.page, page.pages) if page.pages and page.page else [],
            "exact_count": paging.exact,
            "f": chosen,
            "hidden": [(k, v) for k, v in chosen.items() if k not in FORM_FILTERS],
            "filtered": not case_filter.is_empty,
            "more_open": any(k in chosen for k in MORE_FILTERS),
            "sort_choices": SORT_CHOICES,
            "headers": _headers(case_filter.sort),
            "sort": case_filter.sort,
            "sort_choice": "" if case_filter.sort == "recent" else case_filter.sort,
            "count_text": f"{page.count:,}",
            **pager(request, page, case_filter.sort),
            "max_due_within": MAX_DUE_WITHIN,
            "today": on,
            "categories": Category.choices,
            "levels": Level.choices,
            "states": _state_choices(chosen.get("category", "")),
            "units": Unit.objects.filter(is_active=True).values_list("code", "name"),
            "topics": choices.topics,
            "issuers": choices.issuers,
            "handlers": _handlers(request.user),
            "modes": Mode.choices,
            "reply_classes": [(value, f"{value}类") for value in ReplyClass.values],
            "feedbacks": [*FeedbackRating.choices, (NO_FEEDBACK, "未评价")],
            "can_register": standing_of(request.user).has(Role.COORDINATOR),
        },
    )
