"""Permission-scoped reads. Views and the API fetch cases only through these."""

from django.http import Http404

from cases.models import Case
from cases.permissions import visible_cases


def case_for_user(user, pk: int | str, *, for_update: bool = False) -> Case:
    """The case if the user may see it; 404 otherwise (an invisible case does not exist)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("办件不存在") from None
    qs = visible_cases(user).select_related("lead_unit", "leader_in_charge")
    if for_update:
        qs = qs.select_for_update()
    try:
        return qs.get(pk=pk)
    except Case.DoesNotExist:
        raise Http404("办件不存在") from None
