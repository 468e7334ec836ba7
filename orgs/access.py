"""Who a user is in the commission: commission-wide roles and unit roles."""

from dataclasses import dataclass, field

from huiyin.types import AnyUser
from orgs.models import COMMISSION_ROLES, Membership, Role


@dataclass(frozen=True)
class Standing:
    roles: frozenset[str] = frozenset()
    head_of: frozenset[int] = frozenset()  # unit ids
    handler_in: frozenset[int] = frozenset()
    unit_ids: frozenset[int] = field(default=frozenset())
    # (role, unit name) of every membership, in role order: what the top bar shows.
    titles: tuple[tuple[str, str], ...] = ()

    @property
    def sees_all(self) -> bool:
        return bool(self.roles & {Role.COORDINATOR, Role.LEADER, Role.VIEWER, Role.ADMIN})

    def has(self, role: str) -> bool:
        return role in self.roles


def standing_of(user: AnyUser | None) -> Standing:
    """The user's roles, cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Standing()
    cached: Standing | None = getattr(user, "_huiyin_standing", None)
    if cached is not None:
        return cached
    roles: set[str] = set()
    heads: set[int] = set()
    handlers: set[int] = set()
    rows = (
        Membership.objects.filter(user=user)
        .order_by("role", "unit__sort_order", "unit_id")
        .values_list("unit_id", "role", "unit__name")
    )
    titles = []
    for unit_id, role, unit_name in rows:
        titles.append((role, unit_name))
        if role in COMMISSION_ROLES:
            roles.add(role)
        elif role == Role.HEAD:
            heads.add(unit_id)
        elif role == Role.HANDLER:
            handlers.add(unit_id)
    standing = Standing(
        roles=frozenset(roles),
        head_of=frozenset(heads),
        handler_in=frozenset(handlers),
        unit_ids=frozenset(heads | handlers),
        titles=tuple(titles),
    )
    user._huiyin_standing = standing  # type: ignore[attr-defined]  # a per-request cache
    return standing


def forget_standing(user: AnyUser) -> None:
    if hasattr(user, "_huiyin_standing"):
        del user._huiyin_standing
