"""The 待办 and ledger queries use the indexes meant for them (issue 10): on PostgreSQL,
over a few thousand cases that are mostly closed (as a commission's are), the plans read
the open cases through the partial index on the running states and never walk every case.

The partial index's condition is schema (its migration spells the states out): the first
test keeps it equal to the workflows' `running` group."""

import importlib
import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.figures import running_states
from cases.listing import CaseFilter, list_cases
from cases.models import Assignment, Case
from cases.models.case import RUNNING_STATES
from cases.todo import Builder
from proposals import queues
from workflow.tables import workflow_for
from workflow.vocabulary import State

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 6)
CASES = 4000
OPEN_INDEX = "case_open_deadline"
# (state, deadline): the open states' entries by deadline, never a closed case's.
(STATE_DEADLINE,) = [i.name for i in Case._meta.indexes if i.fields == ["state", "deadline"]]


def _condition_states(index: Any) -> set[str]:
    ((lookup, states),) = index.condition.children
    assert lookup == "state__in"
    return {str(s) for s in states}


def test_the_open_index_holds_exactly_the_running_states():
    assert set(RUNNING_STATES) == running_states()
    (index,) = [i for i in Case._meta.indexes if i.name == OPEN_INDEX]
    assert _condition_states(index) == running_states()
    migration = importlib.import_module("cases.migrations.0008_open_and_unit_indexes")
    (added,) = [
        op.index
        for op in migration.Migration.operations
        if getattr(op, "index", None) is not None and op.index.name == OPEN_INDEX
    ]
    assert _condition_states(added) == running_states()


needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="query plans are PostgreSQL's"
)


@pytest.fixture
def history(cast):
    """CASES cases over three years, 90 % closed; every assignment stays live after the
    case closes (as the actions leave it), so a unit's assignments are mostly history."""
    rng = random.Random(10)
    units = [cast.yizheng, cast.jiceng, cast.zhongyi]
    open_states = [s for s in RUNNING_STATES if s != State.REGISTERED]
    cases = []
    for i in range(CASES):
        state = State.CLOSED if i % 10 else rng.choice(open_states)
        received = date(2024, 1, 10) + timedelta(days=rng.randint(0, 1050))
        deadline = received + timedelta(days=90)
        cases.append(
            Case(
                category="npc_suggestion" if i % 3 else "cppcc_proposal",
                level="municipal",
                year=received.year,
                number=f"P{i:06d}",
                title=f"关于第{i}项工作的建议",
                mode="lead",
                state=state,
                received_on=received,
                assigned_on=received,
                deadline=deadline,
                unit_deadline=deadline - timedelta(days=14),
                last_action_on=received,
                lead_unit=units[i % len(units)],
                replied_on=deadline if state == State.CLOSED else None,
            )
        )
    made = Case.objects.bulk_create(cases)
    Assignment.objects.bulk_create(
        Assignment(
            case=c,
            unit=c.lead_unit,
            kind="lead",
            status="accepted",
            assigned_on=c.received_on,
            handler=cast.yizheng_handler if c.lead_unit == cast.yizheng else None,
        )
        for c in made
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")
        cursor.execute("ANALYZE cases_assignment")
    closed = sum(1 for c in made if c.state == State.CLOSED)
    assert closed > CASES * 0.85
    return closed


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _plans(queries: list[dict[str, str]]) -> list[dict[str, Any]]:
    found = []
    for query in queries:
        sql = query["sql"]
        if not sql.startswith("SELECT") or "cases_case" not in sql:
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            (raw,) = cursor.fetchone()
        found.append((raw if isinstance(raw, list) else json.loads(raw))[0]["Plan"])
    assert found
    return found


def _check(plan: dict[str, Any], closed: int, *, uses: set[str]) -> None:
    nodes = list(_nodes(plan))
    scans = [(n["Node Type"], n.get("Relation Name"), n.get("Index Name")) for n in nodes]
    assert not [s for s in scans if s[:2] == ("Seq Scan", "cases_case")], scans
    assert uses & {n.get("Index Name") for n in nodes}, scans
    # No node reads the closed cases only to drop them.
    removed = sum(
        n.get("Rows Removed by Filter", 0) for n in nodes if n.get("Relation Name") == "cases_case"
    )
    assert removed < closed / 10, (removed, scans)


def _section_queries(user, build) -> list[dict[str, str]]:
    builder = Builder(user, TODAY)
    builder.workflow = workflow_for("npc_suggestion")
    with CaptureQueriesContext(connection) as captured:
        section = build(builder)
    assert section.total > 0
    assert len(section.rows) == min(section.total, 50)
    return captured.captured_queries[-1:]


@needs_postgresql
def test_the_coordinators_overdue_section_reads_only_open_cases(cast, history):
    (plan,) = _plans(_section_queries(cast.coordinator, queues.overdue))
    _check(plan, history, uses={OPEN_INDEX})


@needs_postgresql
def test_a_unit_heads_overdue_section_reads_only_open_cases(cast, history):
    (plan,) = _plans(_section_queries(cast.yizheng_head, queues.unit_overdue))
    _check(plan, history, uses={OPEN_INDEX, STATE_DEADLINE})


@needs_postgresql
@pytest.mark.parametrize("who", ["coordinator", "yizheng_head"])
def test_the_ledger_of_one_unit_and_state_reads_that_units_index(cast, history, who):
    user = getattr(cast, who)
    wanted = CaseFilter(unit="yizheng", state=State.HANDLING) if who == "coordinator" else None
    case_filter = wanted or CaseFilter(state=State.HANDLING)
    with CaptureQueriesContext(connection) as captured:
        page = list_cases(user, case_filter)
    expected = Case.objects.filter(lead_unit=cast.yizheng, state=State.HANDLING).count()
    assert page.count == expected > 20
    plans = _plans(captured.captured_queries)
    assert len(plans) == 2  # the count and the page
    for plan in plans:
        _check(plan, history, uses={"case_unit_state_recent", STATE_DEADLINE})


@needs_postgresql
def test_the_ledgers_overdue_filter_reads_only_open_cases(cast, history):
    with CaptureQueriesContext(connection) as captured:
        page = list_cases(cast.coordinator, CaseFilter(overdue=True, sort="deadline"))
    assert page.count > 20
    for plan in _plans(captured.captured_queries):
        _check(plan, history, uses={OPEN_INDEX, STATE_DEADLINE})
