"""huiyin/plans.py: a statement is prepared once a connection on PostgreSQL and gives what
the queryset gives, through rollbacks, failures and the connection's limit."""

from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Value
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from cases.tests.factories import register
from huiyin import plans
from huiyin.prepared import Prepared

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 2)

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


def _cases(cast, n=3):
    return [register(cast, on=DAY, title=f"关于第{i}件事的建议") for i in range(n)]


def _query(marker: int = 1):
    return (
        Case.objects.select_related("lead_unit")
        .annotate(marker=Value(marker))
        .only("id", "title", "lead_unit__name")
        .order_by("-id")[:2]
    )


def _prepared_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE 'hy\\_%%'")
        return {name for (name,) in cursor.fetchall()}


def _same(found, expected):
    assert [c.pk for c in found] == [c.pk for c in expected]
    assert [c.title for c in found] == [c.title for c in expected]
    assert [c.lead_unit.name if c.lead_unit else None for c in found] == [
        c.lead_unit.name if c.lead_unit else None for c in expected
    ]
    assert [c.marker for c in found] == [c.marker for c in expected]


def test_it_gives_what_the_queryset_gives(cast):
    _cases(cast)
    with CaptureQueriesContext(connection) as captured:
        found = plans.rows(_query())
    assert len(captured) == 1  # one statement, whether it is prepared now or not
    _same(found, list(_query()))
    assert len(found) == 2


def test_nothing_to_find_sends_nothing(cast):
    with CaptureQueriesContext(connection) as captured:
        assert plans.rows(Case.objects.filter(pk__in=[])) == []
    assert len(captured) == 0


@needs_postgresql
def test_the_second_time_only_executes(cast):
    _cases(cast)
    with CaptureQueriesContext(connection) as first:
        plans.rows(_query(11))
    with CaptureQueriesContext(connection) as second:
        again = plans.rows(_query(11))
    ((sent,),) = [[q["sql"] for q in first.captured_queries]]
    assert "PREPARE hy_" in sent and sent.rstrip().split(";")[-1].strip().startswith("EXECUTE")
    ((executed,),) = [[q["sql"] for q in second.captured_queries]]
    assert executed.startswith("EXECUTE hy_") and "SELECT" not in executed
    _same(again, list(_query(11)))
    # A logged EXECUTE reads back as the statement it ran (for EXPLAIN in tests, benches).
    assert plans.text_of(executed).startswith("SELECT")
    assert "cases_case" in plans.text_of(executed)
    assert plans.text_of("SELECT 1") == "SELECT 1"


@needs_postgresql
def test_the_plan_is_kept_not_the_rows(cast):
    _cases(cast, 1)
    assert len(plans.rows(_query(12))) == 1
    newer = register(cast, on=DAY, title="后来登记的建议")
    found = plans.rows(_query(12))
    assert found[0].pk == newer.pk and len(found) == 2


@needs_postgresql
def test_a_rollback_does_not_lose_the_statement(cast):
    _cases(cast)
    with transaction.atomic():
        sid = transaction.savepoint()
        plans.rows(_query(13))
        transaction.savepoint_rollback(sid)
    with CaptureQueriesContext(connection) as captured:
        _same(plans.rows(_query(13)), list(_query(13)))
    assert captured.captured_queries[0]["sql"].startswith("EXECUTE hy_")


@needs_postgresql
def test_a_failed_statement_is_forgotten_and_its_name_not_reused(cast):
    _cases(cast)
    failing = Case.objects.annotate(broken=F("id") / (F("id") - F("id"))).only("id")
    with pytest.raises(DatabaseError), transaction.atomic():
        plans.rows(failing)  # PREPARE succeeds, EXECUTE divides by zero
    before = _prepared_names()
    with pytest.raises(DatabaseError), transaction.atomic():
        plans.rows(failing)  # prepared again under a new name: no "already exists"
    assert len(_prepared_names() - before) == 1
    _same(plans.rows(_query(14)), list(_query(14)))


@needs_postgresql
def test_a_connection_keeps_at_most_the_setting_s_statements(cast, settings):
    _cases(cast)
    settings.HUIYIN_PLAN_CACHE = 2
    plans.rows(_query(20))
    kept = plans._kept(connection.connection)
    start = kept.counter + 1
    for marker in (21, 22, 23, 24):
        _same(plans.rows(_query(marker)), list(_query(marker)))
    assert kept.counter == start + 3
    made = [f"hy_{n}" for n in range(start, start + 4)]
    assert list(kept.names.values()) == made[2:]
    # The database holds the kept ones; the older were let go (DEALLOCATE).
    assert set(made) & _prepared_names() == set(made[2:])


@needs_postgresql
def test_off_it_is_the_queryset(cast, settings):
    settings.HUIYIN_PLAN_CACHE = 0
    _cases(cast)
    with CaptureQueriesContext(connection) as captured:
        _same(plans.rows(_query(15)), list(_query(15)))
    assert captured.captured_queries[0]["sql"].startswith("SELECT")


@needs_postgresql
def test_a_prepared_query_is_one_statement_for_every_value(cast):
    cases = _cases(cast)
    query = Prepared(lambda pk: Case.objects.filter(pk=pk).only("id", "title"))
    with CaptureQueriesContext(connection) as captured:
        for case in cases:
            assert [c.title for c in query.rows(case.pk)] == [case.title]
    sent = [q["sql"] for q in captured.captured_queries]
    assert "PREPARE hy_" in sent[0] and "$1" in sent[0]
    for executed, case in zip(sent[1:], cases[1:], strict=True):
        assert executed.startswith("EXECUTE hy_") and executed.endswith(f"({case.pk})")
    assert query.count(cases[0].pk) == 1 and query.count(-1) == 0


def test_a_flat_list_is_the_queryset_s(cast):
    cases = _cases(cast)

    def ids():
        return Case.objects.order_by("-pk").values_list("pk", flat=True)

    assert plans.flat(ids()) == list(ids()) == [c.pk for c in reversed(cases)]
    assert plans.flat(ids()[:2]) == list(ids()[:2])
    assert plans.flat(Case.objects.filter(pk__in=[]).values_list("pk", flat=True)) == []


@needs_postgresql
def test_a_flat_list_of_two_columns_is_refused(cast):
    with pytest.raises(ValueError):
        plans.flat(Case.objects.values_list("pk", "title"))


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_its_statements_again():
    def ask():
        with CaptureQueriesContext(connection) as captured:
            assert plans.rows(Case.objects.filter(pk=-1).only("id")) == []
        return captured.captured_queries[0]["sql"]

    assert "PREPARE hy_" in ask() or ask().startswith("EXECUTE hy_")
    assert ask().startswith("EXECUTE hy_")
    # Django reconnects (CONN_MAX_AGE, a health check, a dropped connection): the new
    # connection has no prepared statement yet, and is not told to run one.
    connection.close()
    assert "PREPARE hy_" in ask()
    assert ask().startswith("EXECUTE hy_")


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_each_thread_s_connection_keeps_its_own():
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def ask() -> list[str]:
        try:
            sent = []
            for _ in range(2):
                with CaptureQueriesContext(connection) as captured:
                    assert plans.rows(Case.objects.filter(pk=-2).only("id")) == []
                sent.append(captured.captured_queries[0]["sql"])
            return sent
        finally:
            connections.close_all()

    here = ask()
    with ThreadPoolExecutor(1) as pool:
        there = pool.submit(ask).result()
    for sent in (here, there):
        assert "PREPARE hy_" in sent[0] and sent[1].startswith("EXECUTE hy_")
