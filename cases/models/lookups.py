"""`field__spelled_in=[...]`: a condition on one of our own constants (a state, a kind),
written into the SQL as literals rather than bound as parameters.

SQLite uses a partial index only for a query whose WHERE clause contains the index's
condition term for term (https://sqlite.org/partialindex.html), and a bound parameter is
not a literal: `state IN (?, ?, …)` never matches the running states' partial indexes
(cases.models.case.RUNNING_STATES), so 我的待办's overdue lists walked the whole deadline
index through every closed case (155 ms a section at 100,000 cases; issue 10). PostgreSQL
sees the values either way (Django binds them on the client). The values must be our own
identifiers: anything else is refused, never quoted.
"""

import re
from typing import Any

from django.db.models import CharField, IntegerField, Lookup

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


@CharField.register_lookup
class SpelledIn(Lookup):
    lookup_name = "spelled_in"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        values = [str(v) for v in self.rhs]
        for value in values:
            if not IDENTIFIER.match(value):
                raise ValueError(f"spelled_in takes identifiers only, not {value!r}")
        if not values:
            return "1 = 0", list(params)
        if len(values) == 1:  # as the partial indexes of one state are written
            return f"{lhs} = '{values[0]}'", list(params)
        spelled = ", ".join(f"'{v}'" for v in values)
        return f"{lhs} IN ({spelled})", list(params)


@IntegerField.register_lookup
class SpelledGt(Lookup):
    """`field__spelled_gt=1`: `field > 1` with the number written in (case_rehandling's
    `round > 1`), for the same reason."""

    lookup_name = "spelled_gt"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        if type(self.rhs) is not int:
            raise ValueError(f"spelled_gt takes an int, not {self.rhs!r}")
        return f"{lhs} > {self.rhs}", list(params)
