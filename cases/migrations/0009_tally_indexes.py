"""The open cases of one year (and of one unit in a year) by deadline, for the dashboard's
and `huiyin stats`' live figures (超期未复, due soon) and the first rows of its deadline
lists: the summary rows (reports.models) hold everything else, but these depend on today.

Partial indexes on the running states, as 0008's case_open_deadline: a year's overdue count
reads that year's open cases past their deadline, never a closed case, and from the index
alone (it holds the columns the counts group by).

Written as SQL, not as model indexes: they serve reports' own queries, and the running
states are written out (reports/tests/test_tally_plans.py checks they equal the spec's
group, as cases/tests/test_plans.py does for 0008)."""

from typing import Any

from django.db import migrations

RUNNING = ("registered", "assigned", "handling", "unit_approving", "reviewing", "signing")
INDEXES = {
    # name: (key columns, the columns the queries also read)
    "case_open_year": ("year, deadline, id", "lead_unit_id, category, level, state"),
    "case_open_unit_year": ("lead_unit_id, year, deadline, id", "category, level, state"),
}


def create(apps: Any, schema_editor: Any) -> None:
    """PostgreSQL includes the other columns; SQLite (no INCLUDE) has them as trailing
    key columns, so that either reads the counts from the index alone."""
    covering = schema_editor.connection.features.supports_covering_indexes
    states = ", ".join(f"'{s}'" for s in RUNNING)
    for name, (columns, read) in INDEXES.items():
        if covering:  # the partial index's states need not be included
            read = ", ".join(c for c in read.split(", ") if c != "state")
            spec = f"({columns}) INCLUDE ({read})"
        else:
            spec = f"({columns}, {read})"
        schema_editor.execute(f"CREATE INDEX {name} ON cases_case {spec} WHERE state IN ({states})")


def drop(apps: Any, schema_editor: Any) -> None:
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_open_and_unit_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
