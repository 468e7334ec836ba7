"""Permission-scoped reads. Views and the API fetch cases only through these."""

from django.http import Http404

from cases.models import Assignment, AssignmentKind, Case
from cases.permissions import LIVE_ASSIGNMENT, visible_cases
from huiyin.types import User


def case_for_user(user: User, pk: int | str, *, for_update: bool = False) -> Case:
    """The case if the user may see it; 404 otherwise (an invisible case does not exist)."""
    # An id is an int or its digits: not a bool, a float, "+7" or "0_7" that int() takes.
    digits = pk.strip() if isinstance(pk, str) else ""
    if digits.isascii() and digits.isdigit() and len(digits) <= 19:
        pk = int(digits)
    if isinstance(pk, bool) or not isinstance(pk, int):
        raise Http404("办件不存在")
    qs = visible_cases(user, few=True).select_related("lead_unit", "leader_in_charge")
    if for_update:
        # Only the case's row: PostgreSQL cannot lock the nullable side of the outer
        # joins that select_related makes (lead unit, leader in charge).
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=pk)
    except Case.DoesNotExist:
        raise Http404("办件不存在") from None


def lead_handlers(cases: list[Case]) -> dict[int, User]:
    """Each case's 承办人 (its live lead unit's handler), in one query for a page of cases."""
    lead = Assignment.objects.filter(
        case_id__in=[c.pk for c in cases],
        kind=AssignmentKind.LEAD,
        status__in=LIVE_ASSIGNMENT,
        handler__isnull=False,
    ).select_related("handler")
    # A name to show: not the people's passwords, dates and flags for every row.
    lead = lead.only("case_id", "handler__username", "handler__first_name", "handler__last_name")
    return {a.case_id: a.handler for a in lead if a.handler is not None}
