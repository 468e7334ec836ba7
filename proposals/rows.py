"""The case's live assignments, replies and pending extension request, for the workflow's
guards (runs.py) and the cards (cards.py): from the rows the case page has read already
(huiyin.prefetch), else from the database. Both ways give the same rows in the same order
(web/tests/test_case_page.py compares the page's queries; the actions' tests use the
database way)."""

from __future__ import annotations

from cases.actions.handling import pending_extension
from cases.models import Assignment, Case, ExtensionRequest, Reply
from cases.permissions import LIVE_ASSIGNMENT
from huiyin.prefetch import prefetched


def live_assignments(case: Case, kind: str) -> list[Assignment]:
    """The case's live (pending or accepted) assignments of `kind`, by id, with their unit
    and handler."""
    rows = prefetched(case, "assignments")
    if rows is None:
        return list(
            case.assignments.filter(kind=kind, status__in=LIVE_ASSIGNMENT)
            .select_related("unit", "handler")
            .order_by("id")
        )
    return sorted(
        (a for a in rows if a.kind == kind and a.status in LIVE_ASSIGNMENT), key=lambda a: a.pk
    )


def open_extension(case: Case) -> ExtensionRequest | None:
    """The extension request waiting for a decision (at most one: a unique index)."""
    rows = prefetched(case, "extension_requests")
    if rows is None:
        return pending_extension(case)
    return next((x for x in rows if x.approved is None), None)


def replies_newest_first(case: Case) -> list[Reply] | None:
    """The case's replies, the last submitted first, when the page has read them; None
    otherwise (the caller asks the database for the one it needs)."""
    rows = prefetched(case, "replies")
    return None if rows is None else sorted(rows, key=lambda r: r.pk, reverse=True)
