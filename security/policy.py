"""Who must give a second factor: the three administrators always (三权分立, 等保三级),
and the roles named in HUIYIN_2FA_ROLES (e.g. "leader,coordinator"; empty in the demo)."""

from django.conf import settings

from huiyin.types import AnyUser
from orgs.access import standing_of
from orgs.models import ADMINISTRATOR_ROLES, Role


def second_factor_roles() -> frozenset[str]:
    return ADMINISTRATOR_ROLES | frozenset(settings.HUIYIN_2FA_ROLES)


def requires_second_factor(user: AnyUser) -> bool:
    if not user.is_authenticated:
        return False
    standing = standing_of(user)
    held = set(standing.roles)
    if standing.head_of:
        held.add(Role.HEAD)
    if standing.handler_in:
        held.add(Role.HANDLER)
    return bool(held & second_factor_roles())


def asks_second_factor(user: AnyUser) -> bool:
    """Whether the login asks this user for a code: they must, or they chose to enrol."""
    if requires_second_factor(user):
        return True
    if user.pk is None:
        return False
    from security.models import TotpDevice

    return TotpDevice.objects.filter(user_id=user.pk, confirmed_at__isnull=False).exists()
