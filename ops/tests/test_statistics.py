"""SQLite's planner statistics (ops.statistics): written by a migrate and by refresh(), and
what they change: 我的待办's overdue list read through the open cases' partial index."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection

from cases.figures import overdue_q
from cases.models import Case
from ops.statistics import refresh

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL keeps its own statistics"
)


def stat_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return 0
        cursor.execute("SELECT COUNT(*) FROM sqlite_stat1")
        return int(cursor.fetchone()[0])


@sqlite_only
def test_refresh_writes_the_statistics(cast) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
    assert stat_rows() == 0
    assert refresh() is True
    assert stat_rows() > 0


@sqlite_only
def test_a_migrate_refreshes_them(cast) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
    call_command("migrate", verbosity=0, interactive=False)
    assert stat_rows() > 0


def test_nothing_is_done_on_postgresql() -> None:
    assert refresh() is (connection.vendor == "sqlite")


@sqlite_only
def test_the_overdue_condition_is_spelled_as_the_open_cases_index() -> None:
    """SQLite uses a partial index only for a query with its condition written out, term
    for term; a bound parameter never matches (cases.models.lookups)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'case_open_deadline'")
        index_sql = cursor.fetchone()[0]
    condition = index_sql.split(" WHERE ", 1)[1].removeprefix('"state" ')
    qs = Case.objects.filter(overdue_q(datetime.date(2026, 12, 7))).order_by("deadline", "id")
    sql, params = qs.query.sql_with_params()
    assert f'"cases_case"."state" {condition}' in sql
    assert params == ("2026-12-07",) or list(params) == [datetime.date(2026, 12, 7)]


@sqlite_only
def test_an_empty_partial_index_is_not_taken_for_a_large_one(cast) -> None:
    """ANALYZE writes nothing for an empty index, and SQLite then guesses it large: with
    no case in a second round, 重新办理中 read every case in hand through the state's
    index. Recorded as holding one row, the partial index made for it is used."""
    from proposals.queues import REHANDLING_STATES

    refresh()
    with connection.cursor() as cursor:
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE idx = 'case_rehandling'")
        assert cursor.fetchone() == ("1 1 1",)
        qs = Case.objects.filter(round__spelled_gt=1, state__spelled_in=REHANDLING_STATES).order_by(
            "deadline", "id"
        )[:10]
        sql, params = qs.query.sql_with_params()
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "case_rehandling" in plan, plan
