"""Who a step reminds, for every deadline of a morning at once: the people of the
commission read with one query, never one per case."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from django.contrib.auth import get_user_model

from huiyin.types import User
from orgs.models import UNIT_ROLES, Membership, Role, Unit
from workflow.tables import OpenDeadline

# Ids per query: SQLite bounds the parameters of one statement.
CHUNK = 500
T = TypeVar("T")


def chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class People:
    """The heads and the members of every unit, the leaders and the coordinators (active
    accounts), read with one query."""

    heads: dict[int, list[int]] = field(default_factory=dict)  # unit id → user ids
    # unit id → its handlers and heads: a case's handler is reminded only while one of
    # its unit's (moved to another unit, they no longer see the case).
    members: dict[int, set[int]] = field(default_factory=dict)
    leaders: list[int] = field(default_factory=list)
    coordinators: list[int] = field(default_factory=list)

    @classmethod
    def load(cls) -> People:
        found = cls()
        rows = (
            Membership.objects.filter(
                role__in=[*UNIT_ROLES, Role.LEADER, Role.COORDINATOR], user__is_active=True
            )
            .order_by("user_id")
            .values_list("user_id", "unit_id", "role")
        )
        for user_id, unit_id, role in rows:
            if role in UNIT_ROLES:
                found.members.setdefault(unit_id, set()).add(user_id)
            if role == Role.HEAD:
                found.heads.setdefault(unit_id, []).append(user_id)
            elif role == Role.LEADER and user_id not in found.leaders:
                found.leaders.append(user_id)
            elif role == Role.COORDINATOR and user_id not in found.coordinators:
                found.coordinators.append(user_id)
        return found

    def is_member(self, user_id: int, unit_id: int | None) -> bool:
        """Whether an active account is still a handler or head of the unit."""
        return unit_id is not None and user_id in self.members.get(unit_id, ())

    def of(self, row: OpenDeadline, who: frozenset[str]) -> dict[int, str]:
        """The people `who` names for the deadline, each with the role they are reminded
        in (the first that applies: their own case before their unit's)."""
        found: dict[int, str] = {}
        handler = row.handler_id
        if "handler" in who and handler is not None and self.is_member(handler, row.unit_id):
            found.setdefault(handler, "handler")
        if "head" in who and row.unit_id is not None:
            for user_id in self.heads.get(row.unit_id, ()):
                found.setdefault(user_id, "head")
        if "leader" in who:
            # The leader in charge while they are one; else every leader.
            leaders = self.leaders
            if row.leader_id is not None and row.leader_id in leaders:
                leaders = [row.leader_id]
            for user_id in leaders:
                found.setdefault(user_id, "leader")
        if "coordinator" in who:
            for user_id in self.coordinators:
                found.setdefault(user_id, "coordinator")
        return found


def active_users(ids: Iterable[int]) -> dict[int, User]:
    """The active accounts among `ids` (a handler or a leader in charge may have left)."""
    found: dict[int, User] = {}
    for batch in chunks(sorted(set(ids))):
        found |= get_user_model().objects.filter(pk__in=batch, is_active=True).in_bulk()
    return found


def units(ids: Iterable[int]) -> dict[int, Unit]:
    found: dict[int, Unit] = {}
    for batch in chunks(sorted(set(ids))):
        found |= Unit.objects.in_bulk(batch)
    return found
