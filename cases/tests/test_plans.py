"""The 待办 and ledger queries use the indexes meant for them (issue 10): on PostgreSQL,
over 60,000 cases that are mostly closed (as a commission's are: cases/tests/big_history),
the plans read the open cases through the partial indexes on the running states, a unit's
cases through its parts (cases.models.CaseUnit), and a list's count stops at COUNT_LIMIT:
no plan reads every closed case.

The partial indexes' conditions are schema (their migration spells the states out): the
first test keeps them equal to the workflows' `running` group."""

import importlib
import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from cases import involvement
from cases.figures import running_states
from cases.listing import CaseFilter, list_cases
from cases.models import Assignment, Case
from cases.models.case import RUNNING_STATES
from cases.tests import big_history
from cases.todo import SECTION_LIMIT, Builder
from huiyin import plans
from orgs.access import standing_of
from proposals import queues
from workflow.tables import workflow_for
from workflow.vocabulary import State

pytestmark = pytest.mark.django_db

TODAY = big_history.open_until()
HISTORY = 4000
OPEN_INDEX = "case_open_deadline"
# The open cases by deadline, all of them, one category's or one leader's: each reads
# only open cases (the same condition).
OPEN_BY_DEADLINE = {OPEN_INDEX, "case_open_category", "case_leader_open"}
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
    # The open cases by category and by leader (migration 0019): the same states.
    later = importlib.import_module("cases.migrations.0019_open_cases_by_category_and_leader")
    for name in OPEN_BY_DEADLINE - {OPEN_INDEX}:
        (index,) = [i for i in Case._meta.indexes if i.name == name]
        (added,) = [op.index for op in later.Migration.operations if op.index.name == name]
        assert _condition_states(index) == _condition_states(added) == running_states()


needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="query plans are PostgreSQL's"
)


@pytest.fixture(scope="module")
def big(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        history = big_history.make()
        try:
            yield history
        finally:
            big_history.remove(history)


@pytest.fixture
def history(cast):
    """HISTORY cases over three years, 90 % closed, with the `cast` fixture's units; every
    assignment stays live after the case closes (as the actions leave it), so a unit's
    assignments are mostly history. (Used by other apps' plan tests, with their own rows
    derived from cases; this module's tests use `big`.)"""
    rng = random.Random(10)
    units = [cast.yizheng, cast.jiceng, cast.zhongyi]
    open_states = [s for s in RUNNING_STATES if s != State.REGISTERED]
    cases = []
    for i in range(HISTORY):
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
    involvement.rebuild()  # written as rows: the units' parts follow as they would
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")
        cursor.execute("ANALYZE cases_assignment")
    closed = sum(1 for c in made if c.state == State.CLOSED)
    assert closed > HISTORY * 0.85
    return closed


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _plans(queries: list[dict[str, str]]) -> list[dict[str, Any]]:
    found = []
    for query in queries:
        sql = plans.text_of(query["sql"])  # what an `EXECUTE hy_7` of 我的待办 ran
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


def _reads(plan: dict[str, Any], table: str = "cases_case") -> int:
    """The rows the plan's nodes on `table` read: passed on or dropped, in every loop."""
    return sum(
        (n.get("Actual Rows", 0) + n.get("Rows Removed by Filter", 0)) * n.get("Actual Loops", 1)
        for n in _nodes(plan)
        if n.get("Relation Name") == table
    )


def _bounded(plan: dict[str, Any], closed: int, limit: float) -> list[Any]:
    """Fewer than `limit` cases and units' parts read (a page, a count stopped at
    COUNT_LIMIT, the open cases): never every closed case. A sequential read that stops
    at the LIMIT soon (most cases are closed: the first thousand closed ones) is fine."""
    nodes = list(_nodes(plan))
    scans = [(n["Node Type"], n.get("Relation Name"), n.get("Index Name")) for n in nodes]
    assert _reads(plan) < limit, (_reads(plan), scans)
    assert _reads(plan, "cases_caseunit") < limit, (_reads(plan, "cases_caseunit"), scans)
    return scans


def _section_queries(user, build) -> list[dict[str, str]]:
    builder = Builder(user, TODAY)
    builder.workflow = workflow_for("npc_suggestion")
    with CaptureQueriesContext(connection) as captured:
        section = build(builder)
    assert section.total > 0
    assert len(section.rows) == min(section.total, SECTION_LIMIT)
    return captured.captured_queries[-1:]


@needs_postgresql
def test_the_coordinators_overdue_section_reads_only_open_cases(big):
    (plan,) = _plans(_section_queries(big.coordinator, queues.overdue))
    _check(plan, big.closed, uses=OPEN_BY_DEADLINE)


@needs_postgresql
def test_a_unit_heads_overdue_section_reads_only_open_parts(big):
    (plan,) = _plans(_section_queries(big.yizheng_head, queues.unit_overdue))
    _check(plan, big.closed, uses={"caseunit_open"})
    _bounded(plan, big.closed, big.closed / 10)


@needs_postgresql
@pytest.mark.parametrize(
    ("who", "section"),
    [
        ("yizheng_head", queues.to_accept),
        ("yizheng_head", queues.drafting),
        ("yizheng_head", queues.unassigned),
        ("yizheng_handler", queues.mine),
        ("jiceng_head", queues.opinions),
    ],
)
def test_a_units_sections_read_its_parts_in_their_order(big, who, section):
    (plan,) = _plans(_section_queries(getattr(big, who), section))
    indexes = {
        "caseunit_state",
        "caseunit_open",
        "caseunit_handling",
        "caseunit_mine",
        "assignment_opinion_due",
    }
    scans = _bounded(plan, big.closed, big.closed / 10)
    assert indexes & {s[2] for s in scans}, scans


@needs_postgresql
@pytest.mark.parametrize(
    "who", ["coordinator", "leader", "viewer", "yizheng_head", "yizheng_handler", "jiceng_head"]
)
def test_no_section_of_any_page_reads_the_closed_cases(big, who):
    with CaptureQueriesContext(connection) as captured:
        todo = Builder(getattr(big, who), TODAY).build()
    assert todo.sections
    for plan in _plans(captured.captured_queries):
        _bounded(plan, big.closed, big.closed / 4)


def _old_visible(user) -> set[int]:
    """DESIGN.md §4 as it was written before the units' parts: lead unit, or a live
    assignment of one of the user's units."""
    units = standing_of(user).unit_ids
    live = Assignment.objects.filter(unit_id__in=units, status__in=["pending", "accepted"])
    found = Case.objects.filter(Q(lead_unit_id__in=units) | Q(pk__in=live.values("case_id")))
    return set(found.values_list("pk", flat=True))


@needs_postgresql
@pytest.mark.parametrize("who", ["coordinator", "yizheng_head"])
def test_the_ledger_of_one_unit_and_state_reads_that_units_index(big, who):
    user = getattr(big, who)
    wanted = CaseFilter(unit="yizheng", state=State.HANDLING) if who == "coordinator" else None
    case_filter = wanted or CaseFilter(state=State.HANDLING)
    with CaptureQueriesContext(connection) as captured:
        page = list_cases(user, case_filter, exact=False)
    handling = set(Case.objects.filter(state=State.HANDLING).values_list("pk", flat=True))
    assert page.count == len(_old_visible(big.yizheng_head) & handling) > 20
    ids, rows = _plans(captured.captured_queries)  # the matching ids, then their page
    _check(ids, big.closed, uses={"caseunit_state"})
    _bounded(rows, big.closed, 30)


# (user, filter): the unit-scoped list and the coordinator's, with the main filters.
LISTS = [
    ("yizheng_head", {}),
    ("yizheng_head", {"state": State.CLOSED}),
    ("yizheng_head", {"state": State.HANDLING}),
    ("yizheng_head", {"year": "2025"}),
    ("yizheng_head", {"overdue": "1"}),
    ("yizheng_head", {"handler": "yizheng_clerk"}),
    ("yizheng_head", {"category": "cppcc_proposal"}),
    ("yizheng_handler", {"replied": "0"}),
    ("coordinator", {}),
    ("coordinator", {"state": State.CLOSED}),
    ("coordinator", {"unit": "jiceng"}),
    ("coordinator", {"year": "2024"}),
    ("coordinator", {"overdue": "1"}),
    ("coordinator", {"replied": "0"}),
    ("coordinator", {"lead_unit": "zhongyi"}),
    ("coordinator", {"q": "第4711项"}),
]


@needs_postgresql
@pytest.mark.parametrize(("who", "params"), LISTS)
def test_a_list_and_its_count_never_read_every_closed_case(big, who, params):
    user = getattr(big, who)
    with CaptureQueriesContext(connection) as captured:
        page = list_cases(user, CaseFilter.from_params(params), exact=False)
    assert page.items
    plans = _plans(captured.captured_queries)
    assert len(plans) == 2  # the matching ids (at most COUNT_LIMIT + 1), then the page
    for plan in plans:
        # The count stops at COUNT_LIMIT: at most that many matches, and the index
        # entries walked past on the way (those of the unit's parts or of the filter).
        _bounded(plan, big.closed, big.closed / 4)
    if standing_of(user).unit_ids:
        # A unit's list is read through its parts.
        assert any("cases_caseunit" in str(plan) for plan in plans[:1])


@needs_postgresql
def test_the_ledgers_overdue_filter_reads_only_open_cases(big):
    with CaptureQueriesContext(connection) as captured:
        page = list_cases(big.coordinator, CaseFilter(overdue=True, sort="deadline"))
    assert page.count > 20
    for plan in _plans(captured.captured_queries):
        _check(plan, big.closed, uses={*OPEN_BY_DEADLINE, STATE_DEADLINE, "case_recent"})
