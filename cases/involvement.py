"""Keeps cases.models.CaseUnit equal to what the cases and assignments say.

The rows of a case are a function of its row and its live assignments: its lead unit,
and each unit holding a live assignment, with that assignment's kind, status and handler
and the case's state and deadlines. `refresh` recomputes them for some cases in two set-based
statements (delete, insert … select); it follows every action and import through
audit.signals.cases_written, inside the writing transaction, so a reader never sees a
case without its parts. `rebuild` recomputes every row (after bench/load_cases.py, which
writes cases without the actions), and `recount` / `stored` let a test or a check compare
the rows with a fresh computation.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.dispatch import receiver

from audit.signals import cases_written
from cases.models import Assignment, Case, CaseUnit
from cases.models.handling import LIVE

# Ids per statement: SQLite takes at most 32,766 parameters, and a short IN list plans
# as index look-ups on both databases.
CHUNK = 500

assert all(str(status).isidentifier() for status in LIVE)  # safe to write out as literals

Row = tuple[int, int, bool, str, str, int | None, str, date | None, date | None, int, str, str]
COLUMNS = (
    "case_id",
    "unit_id",
    "lead",
    "kind",
    "status",
    "handler_id",
    "state",
    "deadline",
    "unit_deadline",
    "year",
    "category",
    "level",
)


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "parts": quote(CaseUnit._meta.db_table),
        "cases": quote(Case._meta.db_table),
        "assignments": quote(Assignment._meta.db_table),
    }


def _select(ids: int | None) -> str:
    """The rows the cases should have: of `ids` cases (that many %s placeholders), or all."""
    t = _tables()
    # The live statuses written out, as the partial indexes on live assignments spell them:
    # SQLite uses a partial index only for the very condition it was made with (with
    # parameters here it took another index and read a unit's every assignment per row).
    live = ", ".join(f"'{status}'" for status in LIVE)
    only_cases = f" AND id IN ({', '.join(['%s'] * ids)})" if ids else ""
    only_parts = f" AND case_id IN ({', '.join(['%s'] * ids)})" if ids else ""
    # The lead unit, and every unit with a live assignment (UNION: a lead unit usually
    # holds the live lead assignment too); then that assignment, if any (one at most:
    # the assignment_one_live_per_unit constraint, whose index finds it).
    return f"""
        SELECT c.id, u.unit_id,
               (c.lead_unit_id IS NOT NULL AND c.lead_unit_id = u.unit_id),
               COALESCE(a.kind, ''), COALESCE(a.status, ''), a.handler_id, c.state,
               c.deadline, c.unit_deadline, c.year, c.category, c.level
        FROM (
            SELECT id AS case_id, lead_unit_id AS unit_id FROM {t["cases"]}
            WHERE lead_unit_id IS NOT NULL{only_cases}
            UNION
            SELECT case_id, unit_id FROM {t["assignments"]}
            WHERE status IN ({live}){only_parts}
        ) u
        JOIN {t["cases"]} c ON c.id = u.case_id
        LEFT JOIN {t["assignments"]} a
          ON a.case_id = u.case_id AND a.unit_id = u.unit_id AND a.status IN ({live})
    """


def _insert_sql(select: str) -> str:
    columns = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    return f"INSERT INTO {_tables()['parts']} ({columns}) {select}"


def refresh(case_ids: Iterable[int]) -> None:
    """Recompute the parts of these cases (a case that no longer exists keeps none)."""
    ids = sorted(set(case_ids))
    parts = _tables()["parts"]
    with connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {parts} WHERE case_id IN ({marks})", chunk)
            cursor.execute(_insert_sql(_select(len(chunk))), [*chunk, *chunk])


def rebuild() -> int:
    """Recompute every row (set-based: seconds at 1,000,000 cases); the number of rows.

    For bench/load_cases.py and other bulk writes that bypass the actions. On PostgreSQL
    the table's indexes are dropped while it fills and built again after (a sort each,
    instead of a million index insertions), then its statistics are refreshed."""
    parts = _tables()["parts"]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Sorts of a million rows in memory, not in temporary files.
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            # TRUNCATE: no dead rows left behind by a million deletes.
            cursor.execute(f"TRUNCATE {parts}")
            rebuilt = _drop_indexes(cursor)
        else:
            cursor.execute(f"DELETE FROM {parts}")
            rebuilt = []
        cursor.execute(_insert_sql(_select(None)))
        for ddl in rebuilt:
            cursor.execute(ddl)
        cursor.execute(f"ANALYZE {parts}")
        cursor.execute(f"SELECT COUNT(*) FROM {parts}")
        (count,) = cursor.fetchone()
    return int(count)


def _drop_indexes(cursor: Any) -> list[str]:
    """Drop the table's secondary indexes and unique constraints (PostgreSQL); the
    statements that make them again."""
    table = CaseUnit._meta.db_table
    cursor.execute(
        """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
           WHERE conrelid = %s::regclass AND contype = 'u'""",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """SELECT indexname, indexdef FROM pg_indexes
           WHERE schemaname = current_schema() AND tablename = %s
             AND indexname NOT IN (SELECT conname FROM pg_constraint
                                   WHERE conrelid = %s::regclass)""",
        [table, table],
    )
    indexes = cursor.fetchall()
    quote = connection.ops.quote_name
    for name, _ in constraints:
        cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {quote(name)}")
    return [
        *(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(n)} {d}" for n, d in constraints),
        *(ddl for _, ddl in indexes),
    ]


def recount() -> set[Row]:
    """Every row as it should be, computed afresh (for tests and checks: reads all)."""
    with connection.cursor() as cursor:
        cursor.execute(_select(None))
        return {_row(r) for r in cursor.fetchall()}


def stored() -> set[Row]:
    """Every row as it is."""
    return {_row(r) for r in CaseUnit.objects.values_list(*COLUMNS)}


def _row(raw: Any) -> Row:
    case_id, unit_id, lead, kind, status, handler_id, state, *dates, year, category, level = raw
    # SQLite's raw cursor gives dates as text.
    deadline, unit_deadline = (date.fromisoformat(d) if isinstance(d, str) else d for d in dates)
    return (
        case_id,
        unit_id,
        bool(lead),
        kind,
        status,
        handler_id,
        state,
        deadline,
        unit_deadline,
        year,
        category,
        level,
    )


@receiver(cases_written)
def follow_cases(sender: Any, case_ids: list[int], **kwargs: Any) -> None:
    """Every write of a case through an action or the importer (audit.signals)."""
    refresh(case_ids)
