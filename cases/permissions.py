"""Who the user is to a case: the relations the workflow tables name as actors."""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from cases.models import Assignment, AssignmentKind, AssignmentStatus, Case, CaseUnit
from huiyin.prefetch import prefetched
from huiyin.types import User
from orgs.access import Standing, standing_of
from orgs.models import Role
from workflow.tables import workflow_for

LIVE_ASSIGNMENT = (AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED)


def unit_parts(units: Iterable[int] | Subquery, condition: Q | None = None) -> QuerySet[CaseUnit]:
    """The parts of these units (ids, or a subquery giving one unit's id) that meet
    `condition`, a condition on what a part copies of its case (state, year, category,
    level, deadlines: cases.models.CaseUnit).

    A unit's part is a case it leads or holds a live assignment on (cases.involvement):
    one index range per unit, so a list of the unit's open cases, or of its cases newest
    first, never reads its closed history one case at a time."""
    if isinstance(units, Subquery):
        parts = CaseUnit.objects.filter(unit_id=units)
    else:
        ids = sorted(set(units))
        parts = (
            CaseUnit.objects.filter(unit_id=ids[0])
            if len(ids) == 1
            else CaseUnit.objects.filter(unit_id__in=ids)
        )
    return parts if condition is None else parts.filter(condition)


def visible_cases(
    user: User, base: QuerySet[Case] | None = None, *, parts: Q | None = None, few: bool = False
) -> QuerySet[Case]:
    """Cases the user may see: all for commission roles, else those of the user's units
    (DESIGN.md §4: the unit leads the case or holds a live assignment on it).

    `parts`: a condition the caller puts on the cases anyway (their state, year, category
    or level), put on the unit's parts too: the database then reads only the unit's parts
    that meet it, from the index alone, instead of all its history case by case.

    `few`: `base` is a handful of cases (one by its id, a few hundred candidates): each is
    looked up among the unit's parts by its own index entry. SQLite would otherwise read
    the unit's whole list of parts first (10,000 at 100,000 cases: 10 ms) for each."""
    qs = Case.objects.all() if base is None else base
    standing = standing_of(user)
    if standing.sees_all:
        return qs
    return units_cases(standing.unit_ids, qs, parts=parts, few=few)


def units_cases(
    unit_ids: Iterable[int], qs: QuerySet[Case], *, parts: Q | None = None, few: bool = False
) -> QuerySet[Case]:
    """`visible_cases` of a user in these units and no commission role, from the unit ids
    alone (a query compiled once for every user of the same units: notify's bell)."""
    unit_ids = frozenset(unit_ids)
    if not unit_ids:
        return qs.none()
    # "id IN (the unit's parts)": for one unit, each case at most once (the parts are
    # unique per unit and case), which PostgreSQL turns into a join that walks the
    # unit's index newest first.
    mine = unit_parts(unit_ids, parts)
    if few:
        return qs.filter(Exists(mine.filter(case_id=OuterRef("pk"))))
    return qs.filter(pk__in=mine.values("case_id"))


def relations(user: User, case: Case, live_assignments: list[Assignment] | None = None) -> set[str]:
    """The user's relations to the case: coordinator, leader, viewer, admin (commission
    roles), lead_unit / lead_head (a head or handler of the live lead unit), co_unit."""
    standing: Standing = standing_of(user)
    found = {
        r for r in standing.roles if r in {Role.COORDINATOR, Role.LEADER, Role.VIEWER, Role.ADMIN}
    }
    own = workflow_for(case.category).relations
    if own is not None:
        found |= own(user, case)
    if not standing.unit_ids:
        return found
    if live_assignments is None:  # the case page has them all (the loop skips the others)
        live_assignments = prefetched(case, "assignments")
    if live_assignments is None:
        live_assignments = list(case.assignments.filter(status__in=LIVE_ASSIGNMENT))
    for a in live_assignments:
        if a.status not in LIVE_ASSIGNMENT or a.unit_id not in standing.unit_ids:
            continue
        if a.kind == AssignmentKind.LEAD:
            found.add("lead_unit")
            if a.unit_id in standing.head_of:
                found.add("lead_head")
        else:
            found.add("co_unit")
    return found
