"""The summary rows under concurrent actions, and the dashboard's query plans (issue 10),
on PostgreSQL; and the partial indexes' states, on any database.

Concurrent actions on different cases that count into the same summary cell both count:
each adds to the row (`n = n + d`) after the other's commit. Cases that move between two
cells in opposite directions never deadlock: every transaction writes its keys in order.

The dashboard reads the summary rows and, from cases_case, only the year's open cases
through the partial indexes of cases/migrations/0009 — never a sequential scan, never a
closed case (cases/tests/test_plans.py does the same for the ledger and 我的待办)."""

import importlib
import json
import threading
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
import time_machine
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases import actions
from cases.figures import running_states
from cases.models import Case
from cases.tests.factories import register
from cases.tests.test_plans import OPEN_BY_DEADLINE, STATE_DEADLINE, TODAY, history  # noqa: F401
from reports.models import TallyCell
from reports.recount import rebuild, verify

N = 8
# The indexes that lead a read to the open cases only: the partial ones on the running
# states, and those keyed by the state ((state, deadline), (state, id), a unit's (lead unit,
# state, id)), which PostgreSQL takes on a small table depending on its statistics (seen
# failing in one test order with each of the last two). Either way the test's first check,
# nothing read beyond the open cases, holds.
OPEN_INDEXES = {
    "case_open_year",
    "case_open_unit_year",
    *OPEN_BY_DEADLINE,
    STATE_DEADLINE,
    "case_state_recent",
    "case_unit_state_recent",
}
FROZEN = time_machine.travel(date(2026, 12, 31), tick=False)
needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and query plans are PostgreSQL's"
)


def test_the_indexes_hold_exactly_the_running_states():
    migration = importlib.import_module("cases.migrations.0009_tally_indexes")
    assert set(migration.RUNNING) == running_states()


def parallel(test: Callable[..., None]) -> Callable[..., None]:
    """Committed data, visible to the other connections; PostgreSQL only."""
    return needs_postgresql(pytest.mark.django_db(transaction=True)(test))


def together(cases: list[Case], call: Callable[[Case, int], Any]) -> None:
    """`call(case, i)` for every case at once, each in its own thread and connection."""
    barrier = threading.Barrier(len(cases))
    failed: list[BaseException] = []

    def run(i: int) -> None:
        try:
            mine = Case.objects.get(pk=cases[i].pk)
            barrier.wait(timeout=30)
            call(mine, i)
        except BaseException as exc:  # noqa: BLE001 (reported in the test's thread)
            failed.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(cases))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "an action never returned"
    assert not failed, failed


def handling(cast: Any, **register_kw: Any) -> Case:
    case = register(cast, on=date(2026, 3, 2), **register_kw)
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 5)
    )
    actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 3, 6))
    return case


def met(flag: bool) -> int:
    cells = TallyCell.objects.filter(year=2026, state="handling", met=flag)
    return sum(cells.values_list("n", flat=True))


@parallel
@FROZEN
def test_concurrent_actions_on_cases_of_one_cell_all_count(cast):
    cases = [handling(cast) for _ in range(N)]
    assert (met(False), met(True)) == (N, 0)

    together(
        cases,
        lambda case, i: actions.communicate(
            case,
            by=cast.yizheng_head,
            stage="before",
            method="face_to_face",
            summary=f"面商{i}",
            on=date(2026, 3, 10),
        ),
    )

    assert (met(False), met(True)) == (0, N)
    assert verify() == []


@parallel
@FROZEN
def test_cases_crossing_between_two_cells_do_not_deadlock(cast):
    cases = [register(cast, on=date(2026, 3, 2), led_by="领导" if i % 2 else "") for i in range(N)]

    together(
        cases,
        lambda case, i: actions.edit_case(
            case, by=cast.coordinator, led_by="" if i % 2 else "领导", on=date(2026, 3, 3)
        ),
    )

    assert verify() == []
    led = TallyCell.objects.filter(year=2026, led=True).values_list("n", flat=True)
    assert sum(led) == N // 2
    assert Case.objects.exclude(led_by="").count() == N // 2


# ── the dashboard's plans ───────────────────────────────────────────────────────────────


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _case_plans(queries: list[dict[str, str]]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for query in queries:
        sql = query["sql"]
        if not sql.startswith("SELECT") or '"cases_case"' not in sql:
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            (raw,) = cursor.fetchone()
        found.append((sql, (raw if isinstance(raw, list) else json.loads(raw))[0]["Plan"]))
    return found


@needs_postgresql
@pytest.mark.django_db
@pytest.mark.parametrize("who", ["coordinator", "yizheng_head"])
def test_the_dashboard_reads_summaries_and_open_cases_only(cast, history, who):  # noqa: F811
    rebuild()  # the history is written as rows
    open_cases = Case.objects.filter(state__in=running_states()).count()
    client = Client()
    client.force_login(getattr(cast, who))
    client.get("/dashboard/?year=2026")
    with time_machine.travel(TODAY, tick=False):
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/dashboard/?year=2026")
    assert response.status_code == 200
    assert response.context["stats"]["total"] > 400
    # The bell's count (notify.queries) reads at most 100 of the user's own notifications
    # and probes each one's case by its key: not a read of the cases.
    plans = [p for p in _case_plans(captured.captured_queries) if "notify_" not in p[0]]
    # 回头看's promises (three years, one query) come from their summary rows too: no
    # statement reads the promises themselves.
    sqls = [q["sql"] for q in captured.captured_queries]
    assert not [sql for sql in sqls if 'FROM "cases_commitment"' in sql]
    assert len([sql for sql in sqls if 'FROM "reports_tallypromise"' in sql]) == 1
    promised = [p for p in plans if 'FROM "reports_tallypromise"' in p[0]]
    plans = [p for p in plans if p not in promised]
    # The year span, the live counts and the two deadline lists; the figures come from the
    # summary rows.
    assert len(plans) == 4, [sql[:80] for sql, _ in plans]
    for sql, plan in plans:
        nodes = [n for n in _nodes(plan) if n.get("Relation Name") == "cases_case"]
        scans = [(n["Node Type"], n.get("Index Name")) for n in nodes]
        assert nodes and not [s for s in scans if s[0] == "Seq Scan"], (sql, scans)
        read = sum(n["Actual Rows"] * n.get("Actual Loops", 1) for n in nodes)
        removed = sum(n.get("Rows Removed by Filter", 0) for n in nodes)
        # No node walks the closed cases (90 % of them): what it reads is open, or the
        # first rows of an index.
        assert read + removed <= open_cases, (sql, scans, read, removed, open_cases)
        if "MIN(" not in sql:
            # Through an index of the open cases (on a few thousand cases the planner may
            # take another that holds only them).
            used = {n.get("Index Name") for n in _nodes(plan)}
            assert used & OPEN_INDEXES, (sql, used)


# ── SQLite: the same partial indexes, only for the very same IN list ────────────────────


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
@pytest.mark.parametrize("who", ["coordinator", "yizheng_head"])
def test_sqlite_reads_the_open_cases_from_the_partial_indexes(cast, who):
    from reports.access import stats_unit
    from reports.dashboard import dashboard_data

    with FROZEN:
        handling(cast)
    statements: list[tuple[str, Any]] = []

    def keep(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        dashboard_data(2026, stats_unit(getattr(cast, who), None), date(2026, 12, 6))
    plans = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            # (回头看's promises are read from their own table, joined to their cases.)
            if '"cases_case"' in sql and 'FROM "cases_commitment"' not in sql:
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
                plans.append(" ".join(str(row[-1]) for row in cursor.fetchall()))
    assert len(plans) == 3  # the live counts and the two lists
    for plan in plans:
        assert "INDEX case_open_year" in plan or "INDEX case_open_unit_year" in plan, plan
    assert "COVERING INDEX" in plans[0]  # the counts from the index alone
