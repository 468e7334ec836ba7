"""Reads of notify, each scoped to the user asking: the bell's count, the list of one's
notifications, and (administrators) the outbox's failed messages.

Every read is one indexed query whose cost does not grow with the table: the bell counts at
most BELL_CAP rows, the lists read a page by id (keyset: "older than id N")."""

from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from cases.listing import QueryReader
from cases.models import Case
from cases.permissions import units_cases
from huiyin.prepared import Prepared
from huiyin.types import User
from notify.models import KIND_LABELS, Message, Notification, Status
from orgs.access import standing_of

# The bell shows "99+" beyond this; the count never reads more rows than this.
BELL_CAP = 100
PAGE_SIZE = 30
OUTBOX_PAGE_SIZE = 50
# The outbox page's figures are exact to here, then "超过 N".
OUTBOX_COUNT_CAP = 1000
ID_MAX = 2**62


def _shown(user: User) -> QuerySet[Notification]:
    """The user's notifications that the bell and the list show: those about no case or
    about a case the user still sees (cases.permissions), so a case taken from the user's
    unit since shows neither its number nor its title."""
    standing = standing_of(user)
    return shown_to(user.pk, None if standing.sees_all else standing.unit_ids)


def shown_to(user_id: int, unit_ids: frozenset[int] | None) -> QuerySet[Notification]:
    """`_shown` of the user with this id, in these units (None: one who sees every case).
    The condition is a probe per row (EXISTS … the case WHERE id = this row's case), not a
    read of all the cases visible."""
    mine = Notification.objects.filter(recipient_id=user_id)
    if unit_ids is None:  # every case: nothing to probe
        return mine
    visible = units_cases(unit_ids, Case.objects.filter(pk=OuterRef("case_id")))
    return mine.filter(Q(case__isnull=True) | Exists(visible))


def _unread(unit_ids: frozenset[int] | None, user_id: int) -> QuerySet[Notification]:
    return shown_to(user_id, unit_ids).filter(read_at__isnull=True).order_by().only("id")[:BELL_CAP]


# The bell is on every page: its count is compiled once for each set of units (the users
# of the same units share it), then run with the user's id (huiyin.prepared). Building and
# compiling it was 2 ms of a unit head's every page at 1M cases.
_BELLS: dict[frozenset[int] | None, Prepared[Notification]] = {}
_BELLS_KEPT = 1024  # distinct sets of units; past this the memo starts again


def unread_count(user: User) -> int:
    """The user's unread notifications that the list shows, counted up to BELL_CAP (one
    query on notify_unread)."""
    standing = standing_of(user)
    units = None if standing.sees_all else standing.unit_ids
    prepared = _BELLS.get(units)
    if prepared is None:
        if len(_BELLS) >= _BELLS_KEPT:
            _BELLS.clear()
        prepared = _BELLS[units] = Prepared(partial(_unread, units))
    return prepared.count(user.pk)


def bell_label(count: int) -> str:
    return f"{BELL_CAP - 1}+" if count >= BELL_CAP else str(count)


@dataclass(frozen=True)
class InboxFilter:
    """The list's filters from its query string: `show` unread (the default) or all, `kind`
    one of KIND_LABELS, `before` an id (the next page). A bad value is an InvalidFilter
    (a 400 page), never an empty list."""

    unread: bool = True
    kind: str = ""
    before: int | None = None

    @classmethod
    def from_params(cls, params: Any) -> "InboxFilter":
        reader = QueryReader(params)
        show = reader.choice("show", ("unread", "all"))
        kind = reader.choice("kind", KIND_LABELS)
        before = reader.number("before", 1, ID_MAX, "应为正整数")
        reader.done()
        return cls(unread=show != "all", kind=kind, before=before)

    def params(self, **changes: Any) -> dict[str, str]:
        """The query string of this filter with `changes`, defaults left out."""
        values = {"show": "unread" if self.unread else "all", "kind": self.kind} | changes
        found = {k: str(v) for k, v in values.items() if v not in ("", None)}
        if found.get("show") == "unread":
            del found["show"]
        return found


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    next_before: int | None  # the id to ask for the next (older) page, None at the end


def _page(queryset: Any, before: int | None, size: int) -> Page:
    if before is not None:
        queryset = queryset.filter(pk__lt=before)
    rows = list(queryset.order_by("-id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows=rows, next_before=rows[-1].pk if more else None)


def inbox(user: User, choice: InboxFilter) -> Page:
    """One page of the user's notifications, newest first."""
    found = _shown(user)
    if choice.unread:
        found = found.filter(read_at__isnull=True)
    if choice.kind:
        found = found.filter(kind=choice.kind)
    return _page(found.select_related("case"), choice.before, PAGE_SIZE)


def failed_messages(before: int | None) -> Page:
    """One page of the outbox's failed messages, newest first (administrators' page)."""
    found = Message.objects.filter(status=Status.FAILED).select_related("recipient", "case")
    return _page(found, before, OUTBOX_PAGE_SIZE)


def outbox_figures() -> dict[str, int]:
    """How many messages wait and how many failed, each counted up to OUTBOX_COUNT_CAP."""
    return {
        status: Message.objects.filter(status=status)[:OUTBOX_COUNT_CAP].count()
        for status in (Status.PENDING, Status.FAILED)
    }
