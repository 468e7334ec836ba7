"""The statistics' summary rows from scratch: `rebuild` writes them set-based (after a bulk
load, or to repair them), `verify` recounts them from the cases and lists what differs
(`huiyin stats --verify`, `--rebuild`).

The rebuild is a handful of INSERT … SELECT … GROUP BY statements, on PostgreSQL and
SQLite alike (only the month and JSON functions differ): seconds at a million cases. The
recount is written independently of both rebuild and refresh, with the figures' own
predicates (cases.figures: REPLIED, ON_TIME; met in person as met_in_person defines it;
counted by category), so a mistake in either shows as a difference.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Count, Exists, Func, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from cases.figures import ON_TIME, REPLIED
from cases.models import (
    COMMITMENT_OPEN,
    Case,
    Commitment,
    Communication,
    Outcome,
    Reply,
    ReplyStatus,
)
from cases.models.choices import FACE_TO_FACE_METHODS, PROPOSAL_CATEGORIES
from promises.figures import CLASSES as PROMISE_CLASSES
from promises.figures import kept_promises
from reports.models import (
    CELL_KEY,
    MONTH_KEY,
    OUTCOME_KEY,
    PROMISE_KEY,
    SETTLED_DUE,
    SHARED_KEY,
    TOPIC_KEY,
    CaseTally,
    TallyCell,
    TallyMonth,
    TallyOutcome,
    TallyPromise,
    TallyTopic,
)
from workflow.tables import states_in

SUMMARIES = (TallyCell, TallyMonth, TallyTopic, TallyOutcome, TallyPromise)

# What differs between the vendors: the first day of a date's month, and JSON built from
# rows (a case's topic ids; its outcomes by kind).
SQL = {
    "postgresql": {
        "month": "date_trunc('month', {})::date",
        "list": "jsonb_agg({0} ORDER BY {0})",
        "object": "jsonb_object_agg({}, {})",
        "no_list": "'[]'::jsonb",
        "no_object": "'{}'::jsonb",
        "row": "jsonb_build_array({})",
        "iso": "to_char({}, 'YYYY-MM-DD')",
    },
    "sqlite": {
        "month": "date({}, 'start of month')",
        "list": "json_group_array({})",
        "object": "json_group_object({}, {})",
        "no_list": "'[]'",
        "no_object": "'{}'",
        "row": "json_array({})",
        "iso": "{}",
    },
}


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _columns(model: Any, names: tuple[str, ...]) -> list[str]:
    return [connection.ops.quote_name(model._meta.get_field(n).column) for n in names]


def rebuild() -> dict[str, int]:
    """Recompute every summary row and every case's contribution from the cases.

    On PostgreSQL the summary tables are locked first (an action's refresh waits) and the
    statements read one snapshot, so the rows agree with each other and with the cases
    as of that moment; the actions that waited then add their change on top."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        pg = connection.vendor == "postgresql"
        with connection.cursor() as cursor:
            tables = ", ".join(_table(m) for m in (CaseTally, *SUMMARIES))
            if pg and outermost:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            if pg:
                cursor.execute(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE")
            if pg and outermost:
                cursor.execute(f"TRUNCATE {tables}")
            else:  # inside a caller's transaction, which may have written rows of these
                for model in (CaseTally, *SUMMARIES):
                    cursor.execute(f"DELETE FROM {_table(model)}")
            for sql, params in _statements(connection.vendor):
                cursor.execute(sql, params)
            if pg:
                cursor.execute(f"ANALYZE {tables}")
    return {m._meta.model_name or "": m.objects.count() for m in (CaseTally, *SUMMARIES)}


def _statements(vendor: str) -> list[tuple[str, list[Any]]]:
    sql = SQL["postgresql" if vendor == "postgresql" else "sqlite"]
    case, tally = _table(Case), _table(CaseTally)
    comm, outcome = _table(Communication), _table(Outcome)
    links = _table(Case.topics.through)
    categories = ", ".join(["%s"] * len(PROPOSAL_CATEGORIES))
    methods = ", ".join(["%s"] * len(FACE_TO_FACE_METHODS))
    uncounted_states = sorted(states_in("uncounted"))
    uncounted = ", ".join(q_literal(x) for x in uncounted_states)
    # A case's kept promises by (owner unit, status, due while open): the rows of its
    # contribution (CaseTally.promises) and, added up, of TallyPromise.
    promised = f"""
        SELECT cm.case_id, COALESCE(cm.unit_id, 0) AS unit, cm.status,
               CASE WHEN cm.status IN ({", ".join(q_literal(x) for x in COMMITMENT_OPEN)})
                    THEN cm.due ELSE {q_literal(SETTLED_DUE.isoformat())} END AS due,
               COUNT(*) AS n
        FROM {_table(Commitment)} cm JOIN {_table(Reply)} r ON r.id = cm.reply_id
        WHERE r.status = {q_literal(ReplyStatus.SIGNED)}
          AND r.reply_class IN ({", ".join(q_literal(x) for x in PROMISE_CLASSES)})
        GROUP BY cm.case_id, COALESCE(cm.unit_id, 0), cm.status,
                 CASE WHEN cm.status IN ({", ".join(q_literal(x) for x in COMMITMENT_OPEN)})
                      THEN cm.due ELSE {q_literal(SETTLED_DUE.isoformat())} END"""
    contribution = f"""
        INSERT INTO {tally} (case_id, {", ".join(_columns(CaseTally, CELL_KEY))},
                             received, answered, topics, outcomes, promises)
        SELECT c.id, c.year, COALESCE(c.lead_unit_id, 0), c.category, c.level, c.state,
               c.role, c.led_by <> '', c.replied_on IS NOT NULL,
               c.replied_on IS NOT NULL AND (c.deadline IS NULL OR c.replied_on <= c.deadline),
               c.reply_class, c.feedback_result, m.case_id IS NOT NULL,
               {sql["month"].format("c.received_on")}, {sql["month"].format("c.replied_on")},
               COALESCE(t.ids, {sql["no_list"]}), COALESCE(o.kinds, {sql["no_object"]}),
               CASE WHEN c.state IN ({uncounted}) THEN {sql["no_list"]}
                    ELSE COALESCE(p.promises, {sql["no_list"]}) END
        FROM {case} c
        LEFT JOIN (SELECT DISTINCT case_id FROM {comm} WHERE method IN ({methods})) m
               ON m.case_id = c.id
        LEFT JOIN (SELECT case_id, {sql["list"].format("topic_id")} AS ids
                   FROM {links} GROUP BY case_id) t ON t.case_id = c.id
        LEFT JOIN (SELECT case_id, {sql["object"].format("kind", "n")} AS kinds
                   FROM (SELECT case_id, kind, COUNT(*) AS n FROM {outcome}
                         GROUP BY case_id, kind) k
                   GROUP BY case_id) o ON o.case_id = c.id
        LEFT JOIN (SELECT case_id,
                          {sql["list"].format(sql["row"].format(f"unit, status, {sql['iso'].format('due')}, n"))}
                          AS promises
                   FROM ({promised} ORDER BY 1, 2, 3, 4) k GROUP BY case_id) p
               ON p.case_id = c.id
        WHERE c.category IN ({categories})"""
    cell_columns = ", ".join(f"t.{c}" for c in _columns(TallyCell, CELL_KEY))
    cells = f"""
        INSERT INTO {_table(TallyCell)} ({", ".join(_columns(TallyCell, CELL_KEY))}, n, outcomes)
        SELECT {cell_columns}, COUNT(*), COALESCE(SUM(o.n), 0)
        FROM {tally} t
        LEFT JOIN (SELECT case_id, COUNT(*) AS n FROM {outcome} GROUP BY case_id) o
               ON o.case_id = t.case_id
        GROUP BY {cell_columns}"""
    shared = ", ".join(_columns(CaseTally, SHARED_KEY))
    months = f"""
        INSERT INTO {_table(TallyMonth)} ({", ".join(_columns(TallyMonth, MONTH_KEY))}, n)
        SELECT {shared}, %s, received, COUNT(*) FROM {tally} GROUP BY {shared}, received
        UNION ALL
        SELECT {shared}, %s, answered, COUNT(*) FROM {tally} WHERE answered IS NOT NULL
        GROUP BY {shared}, answered"""
    shared_t = ", ".join(f"t.{c}" for c in _columns(CaseTally, SHARED_KEY))
    topics = f"""
        INSERT INTO {_table(TallyTopic)} ({", ".join(_columns(TallyTopic, TOPIC_KEY))}, n)
        SELECT {shared_t}, l.topic_id, COUNT(*) FROM {tally} t
        JOIN {links} l ON l.case_id = t.case_id GROUP BY {shared_t}, l.topic_id"""
    outcomes = f"""
        INSERT INTO {_table(TallyOutcome)} ({", ".join(_columns(TallyOutcome, OUTCOME_KEY))}, n)
        SELECT {shared_t}, o.kind, COUNT(*) FROM {tally} t
        JOIN {outcome} o ON o.case_id = t.case_id GROUP BY {shared_t}, o.kind"""
    promise_rows = f"""
        INSERT INTO {_table(TallyPromise)} ({", ".join(_columns(TallyPromise, PROMISE_KEY))}, n)
        SELECT {shared_t}, k.status, k.due, SUM(k.n) FROM {tally} t
        JOIN ({promised}) k ON k.case_id = t.case_id
        WHERE t.state NOT IN ({uncounted})
        GROUP BY t.year, k.unit, t.category, t.state, k.status, k.due"""
    promise_rows = promise_rows.replace(
        f"SELECT {shared_t},", "SELECT t.year, k.unit, t.category, t.state,", 1
    )
    return [
        (contribution, [*FACE_TO_FACE_METHODS, *PROPOSAL_CATEGORIES]),
        (cells, []),
        (months, [TallyMonth.RECEIVED, TallyMonth.ANSWERED]),
        (topics, []),
        (outcomes, []),
        (promise_rows, []),
    ]


def q_literal(value: str) -> str:
    """A constant of ours (a state, a status, a date) as an SQL string literal."""
    if "'" in value:
        raise ValueError(value)
    return f"'{value}'"


# ── the recount ──────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Difference:
    """One summary row that is not what a recount gives (0 where a row is missing)."""

    table: str
    key: dict[str, Any]
    stored: Any
    counted: Any

    def __str__(self) -> str:
        key = " ".join(f"{k}={v}" for k, v in self.key.items())
        return (
            f"{self.table}: {key}: stored {_shown(self.stored)}, recounted {_shown(self.counted)}"
        )


def _shown(value: Any) -> str:
    """A cell's (cases, outcomes), or a count."""
    return f"{value[0]} (outcomes {value[1]})" if isinstance(value, tuple) else str(value)


def _flag(condition: Q) -> models.Case:
    return models.Case(models.When(condition, then=Value(True)), default=Value(False))


def _counted_cases() -> Any:
    return Case.objects.filter(category__in=PROPOSAL_CATEGORIES).annotate(
        k_unit=Coalesce("lead_unit_id", 0, output_field=IntegerField())
    )


def recount() -> dict[str, dict[tuple[Any, ...], Any]]:
    """Every summary row as the cases give it now, by table and key."""
    # Per case, correlated (an index probe each): `id IN (…)` over every meeting of every
    # year would not fit a hash at a million cases and would be rescanned per case.
    outcomes = (
        Outcome.objects.filter(case_id=OuterRef("pk"))
        .order_by()
        .annotate(n=Func("id", function="COUNT"))
        .values("n")
    )
    met = Communication.objects.filter(case_id=OuterRef("pk"), method__in=FACE_TO_FACE_METHODS)
    cell_rows = (
        _counted_cases()
        .annotate(
            k_led=_flag(~Q(led_by="")),
            k_replied=_flag(REPLIED),
            k_on_time=_flag(ON_TIME),
            k_met=Exists(met),  # cases.figures.met_in_person, case by case
            k_outcomes=Subquery(outcomes, output_field=IntegerField()),
        )
        .values_list(
            "year",
            "k_unit",
            "category",
            "level",
            "state",
            "role",
            "k_led",
            "k_replied",
            "k_on_time",
            "reply_class",
            "feedback_result",
            "k_met",
        )
        .annotate(n=Count("id"), o=Coalesce(Sum("k_outcomes"), 0))
        .order_by()
    )
    cells = {tuple(_bool_key(row[:-2])): (row[-2], row[-1]) for row in cell_rows}
    months: dict[tuple[Any, ...], Any] = {}
    for kind, column in ((TallyMonth.RECEIVED, "received_on"), (TallyMonth.ANSWERED, "replied_on")):
        rows = (
            _counted_cases()
            .filter(**{f"{column}__isnull": False})
            .annotate(k_month=TruncMonth(column))
            .values_list("year", "k_unit", "category", "state", "k_month")
            .annotate(n=Count("id"))
            .order_by()
        )
        months.update({(*row[:4], kind, row[4]): row[5] for row in rows})
    through = Case.topics.through.objects.filter(case__category__in=PROPOSAL_CATEGORIES)
    shared = ("case__year", "case__lead_unit_id", "case__category", "case__state")
    topic_rows = through.values_list(*shared, "topic_id").annotate(n=Count("id")).order_by()
    outcome_rows = (
        Outcome.objects.filter(case__category__in=PROPOSAL_CATEGORIES)
        .values_list(*shared, "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    # The promises as promises.figures counts them, by owner unit.
    promise_rows = (
        kept_promises()
        .annotate(
            k_due=models.Case(
                models.When(status__in=COMMITMENT_OPEN, then="due"),
                default=Value(SETTLED_DUE),
                output_field=models.DateField(),
            )
        )
        .values_list("case__year", "unit_id", "case__category", "case__state", "status", "k_due")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {
        "cells": cells,
        "months": months,
        "topics": _by_key(topic_rows),
        "outcomes": _by_key(outcome_rows),
        "promises": _by_key(promise_rows),
    }


def _by_key(rows: Any) -> dict[tuple[Any, ...], int]:
    """(year, lead unit, category, state, x, n) rows by key; no lead unit is unit 0."""
    return {(year, unit or 0, *rest): n for year, unit, *rest, n in rows}


def _bool_key(values: tuple[Any, ...]) -> list[Any]:
    """SQLite gives the flags back as 0/1."""
    return [bool(v) if name in FLAGS else v for name, v in zip(CELL_KEY, values, strict=True)]


# The cells' yes/no columns, read off the model.
FLAGS = frozenset(
    f.name for f in TallyCell._meta.concrete_fields if isinstance(f, models.BooleanField)
)


def stored() -> dict[str, dict[tuple[Any, ...], Any]]:
    """The summary rows as they are, without the rows that count nothing."""
    return {
        "cells": {
            tuple(row[:-2]): (row[-2], row[-1])
            for row in TallyCell.objects.exclude(n=0, outcomes=0).values_list(
                *CELL_KEY, "n", "outcomes"
            )
        },
        "months": {
            tuple(row[:-1]): row[-1]
            for row in TallyMonth.objects.exclude(n=0).values_list(*MONTH_KEY, "n")
        },
        "topics": {
            tuple(row[:-1]): row[-1]
            for row in TallyTopic.objects.exclude(n=0).values_list(*SHARED_KEY, "topic_id", "n")
        },
        "outcomes": {
            tuple(row[:-1]): row[-1]
            for row in TallyOutcome.objects.exclude(n=0).values_list(*OUTCOME_KEY, "n")
        },
        "promises": {
            tuple(row[:-1]): row[-1]
            for row in TallyPromise.objects.exclude(n=0).values_list(*PROMISE_KEY, "n")
        },
        # The cases' own rows, added up as the cells add them: a wrong contribution would
        # make the next refresh of that case move the wrong cell.
        "contributions": {
            tuple(row[:-1]): row[-1]
            for row in CaseTally.objects.values_list(*CELL_KEY)
            .annotate(n=Count("case_id"))
            .order_by()
        },
    }


KEYS = {
    "cells": CELL_KEY,
    "months": MONTH_KEY,
    "topics": TOPIC_KEY,
    "outcomes": OUTCOME_KEY,
    "promises": PROMISE_KEY,
    "contributions": CELL_KEY,
    "promise_contributions": PROMISE_KEY,
}


def stored_promise_contributions() -> dict[tuple[Any, ...], int]:
    """The cases' own promise rows (CaseTally.promises), added up as TallyPromise adds
    them: a wrong one would make the next refresh of its case move the wrong row."""
    found: dict[tuple[Any, ...], int] = {}
    rows = CaseTally.objects.exclude(promises=[]).values_list(
        "year", "category", "state", "promises"
    )
    for year, category, state, promises in rows.iterator(chunk_size=5000):
        for unit, status, due, n in promises:
            key = (year, unit, category, state, status, date.fromisoformat(due))
            found[key] = found.get(key, 0) + n
    return {k: n for k, n in found.items() if n}


def verify() -> list[Difference]:
    """The summary rows (and the cases' contributions) that differ from a recount."""
    counted = recount()
    counted["contributions"] = {k: n for k, (n, _) in counted["cells"].items() if n}
    counted["promise_contributions"] = counted["promises"]
    have = stored()
    have["promise_contributions"] = stored_promise_contributions()
    found = []
    for table, rows in counted.items():
        empty: Any = (0, 0) if table == "cells" else 0
        for key in sorted(set(rows) | set(have[table]), key=repr):
            mine, right = have[table].get(key, empty), rows.get(key, empty)
            if mine != right:
                found.append(
                    Difference(table, dict(zip(KEYS[table], key, strict=True)), mine, right)
                )
    return found
