"""The query planner's statistics on SQLite.

SQLite keeps none of its own: without `ANALYZE` its planner guesses, and at 100,000 cases it
guessed 我的待办's overdue lists onto the category's index and read every proposal (340 ms
for the coordinator's page, 86 ms with statistics; issue 10). PostgreSQL's autovacuum
keeps its own; nothing is done there.

`ANALYZE` under `PRAGMA analysis_limit` samples each index instead of reading it whole: 12 ms
at 100,000 cases, and the planner's choices were the same as with a full analysis. It runs
after every `migrate` (each start of `make run` and of `huiyin serve`) and after the
benchmark loader.

An empty index gets no statistics from `ANALYZE`, and SQLite then guesses it large: with no
case in a second round yet (a commission's first months, or the benchmark's data), 我的待办's
重新办理中 read every case in hand through the state's index instead of the empty partial
index made for it (15 ms at 100,000 cases, 0.01 ms through the index). Each empty partial
index is recorded as holding one row (SQLite lets an application write these statistics);
the next refresh counts it again once it has rows.
"""

from typing import Any

from django.db import connections

# Index entries sampled per index (SQLite's recommended range is 100–1000).
ANALYSIS_LIMIT = 1000


def refresh(using: str = "default") -> bool:
    """Bring the planner's statistics up to date; True if the database is SQLite."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
        cursor.execute(
            "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql LIKE "
            "'% WHERE %' AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL)"
        )
        empty = cursor.fetchall()
        for name, table in empty:
            cursor.execute("SELECT COUNT(*) FROM pragma_index_info(%s)", [name])
            columns = int(cursor.fetchone()[0])
            cursor.execute(
                "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (%s, %s, %s)",
                [table, name, " ".join(["1"] * (columns + 1))],
            )
        if empty:
            cursor.execute("ANALYZE sqlite_schema")  # the planner reads them again
    return True


def refresh_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """post_migrate's receiver (the ops app's, once a migrate)."""
    refresh(using)
