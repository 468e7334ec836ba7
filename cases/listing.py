"""The case list (台账): one filter for the API and the web UI, paged with bounded counts."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from audit.record import today
from cases.models import Assignment, Case, CaseProposer
from cases.permissions import LIVE_ASSIGNMENT, visible_cases

PAGE_SIZE = 20
# Counting a million rows on every page view is the slowest part of a list; past this
# many the list says "more than N" instead of the exact figure.
COUNT_LIMIT = 10_000
OPEN_STATES = ("registered", "assigned", "handling", "unit_approving", "reviewing", "signing")
SORTS = {
    "number": ("number", "id"),
    "-number": ("-number", "-id"),
    "deadline": ("deadline", "id"),
    "-deadline": ("-deadline", "-id"),
    "recent": ("-id",),
}


def _truthy(value: Any) -> bool | None:
    if value in (None, ""):
        return None
    return str(value).lower() in {"1", "true", "yes", "on"}


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

    @classmethod
    def from_params(cls, params: Any) -> "CaseFilter":
        year = (
            (params.get("year") or "").strip()
            if isinstance(params.get("year"), str)
            else params.get("year")
        )
        try:
            year_value = int(year) if year not in (None, "") else None
        except (TypeError, ValueError):
            year_value = -1  # matches nothing: a bad year is an empty list, not an error
        sort = params.get("sort") or "recent"
        return cls(
            state=(params.get("state") or "").strip(),
            category=(params.get("category") or "").strip(),
            level=(params.get("level") or "").strip(),
            year=year_value,
            unit=(params.get("unit") or "").strip(),
            overdue=_truthy(params.get("overdue")),
            q=(params.get("q") or "").strip()[:100],
            sort=sort if sort in SORTS else "recent",
        )

    def apply(self, qs: QuerySet[Case], on: date) -> QuerySet[Case]:
        if self.state:
            qs = qs.filter(state=self.state)
        if self.category:
            qs = qs.filter(category=self.category)
        if self.level:
            qs = qs.filter(level=self.level)
        if self.year is not None:
            qs = qs.filter(year=self.year)
        if self.unit:
            co = Assignment.objects.filter(
                case=OuterRef("pk"), unit__code=self.unit, status__in=LIVE_ASSIGNMENT
            )
            qs = qs.filter(Q(lead_unit__code=self.unit) | Exists(co))
        if self.overdue is True:
            qs = qs.filter(overdue_q(on))
        elif self.overdue is False:
            qs = qs.exclude(overdue_q(on))
        if self.q:
            by_proposer = CaseProposer.objects.filter(
                case=OuterRef("pk"), proposer__name__icontains=self.q
            )
            qs = qs.filter(
                Q(title__icontains=self.q) | Q(number__icontains=self.q) | Exists(by_proposer)
            )
        return qs.order_by(*SORTS[self.sort])


def overdue_q(on: date) -> Q:
    return Q(state__in=OPEN_STATES, deadline__lt=on)


def is_overdue(case: Case, on: date) -> bool:
    return case.state in OPEN_STATES and case.deadline is not None and case.deadline < on


@dataclass
class CasePage:
    count: int
    count_capped: bool
    page: int
    pages: int
    items: list[Case]


def list_cases(
    user: Any, case_filter: CaseFilter, page: int = 1, page_size: int = PAGE_SIZE
) -> CasePage:
    """One page of the user's visible cases; a fixed number of queries whatever the page."""
    on = today()
    qs = case_filter.apply(visible_cases(user), on)
    count = qs.values("pk")[: COUNT_LIMIT + 1].count()
    capped = count > COUNT_LIMIT
    count = min(count, COUNT_LIMIT)
    pages = max(1, -(-count // page_size))
    page = min(max(1, page), pages)
    items = list(qs.select_related("lead_unit")[(page - 1) * page_size : page * page_size])
    return CasePage(count=count, count_capped=capped, page=page, pages=pages, items=items)
