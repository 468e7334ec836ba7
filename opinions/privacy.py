"""Phone numbers of the public: shown in full only to those who answer the person — the
coordinator and the units holding the case — and masked (138****1234) everywhere else:
pages, API answers, exports and statistics alike."""

from typing import TYPE_CHECKING

from orgs.access import standing_of
from orgs.models import Role

if TYPE_CHECKING:
    from cases.models import Case
    from huiyin.types import AnyUser


def mask_phone(phone: str) -> str:
    digits = (phone or "").strip()
    if not digits:
        return ""
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * len(digits)


def sees_phone(user: "AnyUser", case: "Case") -> bool:
    """The coordinator, or a member of a unit with a live assignment on the case."""
    if not getattr(user, "is_authenticated", False):
        return False
    standing = standing_of(user)
    if standing.has(Role.COORDINATOR):
        return True
    if not standing.unit_ids:
        return False
    from cases.permissions import LIVE_ASSIGNMENT
    from huiyin.prefetch import prefetched

    assignments = prefetched(case, "assignments")
    if assignments is None:
        return case.assignments.filter(
            status__in=LIVE_ASSIGNMENT, unit_id__in=standing.unit_ids
        ).exists()
    return any(a.status in LIVE_ASSIGNMENT and a.unit_id in standing.unit_ids for a in assignments)


def shown_phone(user: "AnyUser", case: "Case", phone: str) -> str:
    return phone if sees_phone(user, case) else mask_phone(phone)
