"""GET /units: the units a case can be assigned to, as codes for the action payloads."""

from ninja import Router

from api.schemas import ErrorOut, UnitOut
from huiyin.types import AuthedRequest
from orgs.models import Unit

router = Router(tags=["单位"])


@router.get("", response={200: list[UnitOut], 401: ErrorOut}, summary="单位列表")
def list_units(request: AuthedRequest):
    units = Unit.objects.filter(is_active=True).select_related("parent")
    return [
        {
            "id": u.pk,
            "code": u.code,
            "name": u.name,
            "parent": u.parent.code if u.parent is not None else None,
        }
        for u in units.order_by("sort_order", "code")
    ]
