"""Rows a page has read already, for the helpers it calls.

The case page reads each of the case's tables once into the case's prefetch cache
(web.case_page.load_case_rows). A helper that would filter one of those tables again
(`case.assignments.filter(...)`: a new query even when the rows are prefetched) asks
`prefetched(case, "assignments")` first and filters the rows in Python when it gets them.
A case read anywhere else has nothing prefetched: the helper queries as before. The
prefetch cache is Django's: refresh_from_db() empties it, so rows read before an action
are not mistaken for the rows after it.
"""

from typing import Any

from django.db.models import Model


def prefetched(instance: Model, relation: str) -> list[Any] | None:
    """The rows of `instance.<relation>` if they were prefetched, else None (ask the
    database)."""
    cache: dict[str, Any] = getattr(instance, "_prefetched_objects_cache", None) or {}
    rows = cache.get(relation)
    return None if rows is None else list(rows)
