"""The query planner's statistics on SQLite.

SQLite keeps none of its own: without `ANALYZE` its planner guesses, and at 100,000 cases it
guessed 我的待办's overdue lists onto the category's index and read every proposal (340 ms
for the coordinator's page, 86 ms with statistics; issue 10). PostgreSQL's autovacuum
keeps its own; nothing is done there.

`ANALYZE` under `PRAGMA analysis_limit` samples each index instead of reading it whole: 12 ms
at 100,000 cases, and the planner's choices were the same as with a full analysis. It runs
after every `migrate` (each start of `make run` and of `huiyin serve`) and after the
benchmark loader.
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
    return True


def refresh_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """post_migrate's receiver (the ops app's, once a migrate)."""
    refresh(using)
