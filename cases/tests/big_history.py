"""A commission's history large enough for PostgreSQL to plan as it does at a million
cases (cases/tests/test_plans.py): CASES cases over three years, 90 % closed, written in a
few set-based statements, with their assignments and the units' parts.

The rows are committed once for a test module (writing them per test would take longer
than the tests) and removed after it; the people and units are this module's own, not
the `cast` fixture's.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from cases import involvement
from orgs.models import Membership, Role, Unit, UnitKind

CASES = 60_000
OPEN = ("assigned", "handling", "unit_approving", "reviewing", "signing")

CASES_SQL = """
WITH g AS (
    SELECT i,
           DATE '2024-01-10' + ((i * 7919) %% 1050) AS received,
           CASE WHEN i %% 10 <> 0 THEN 'closed'
                ELSE (ARRAY['assigned', 'handling', 'unit_approving', 'reviewing',
                            'signing'])[1 + (i / 10) %% 5] END AS state
    FROM generate_series(1, %(n)s) AS i
)
INSERT INTO cases_case (
    category, level, issuer, year, session, number, title, content, mode, external_lead,
    led_by, is_key, state, round, received_on, assigned_on, deadline,
    deadline_provisional, deadline_rule, explicit_deadline, unit_deadline,
    unit_deadline_provisional, last_action_on, reply_class, replied_on, feedback_result,
    created_at, updated_at, lead_unit_id, leader_in_charge_id)
SELECT CASE WHEN i %% 3 = 0 THEN 'cppcc_proposal' ELSE 'npc_suggestion' END,
       'municipal', '', EXTRACT(YEAR FROM received), '', 'P' || lpad(i::text, 6, '0'),
       '关于第' || i || '项工作的建议', '', 'lead', '', '', i %% 20 = 0, state, 1,
       received, received, received + 90, false, '{}', NULL, received + 76, false,
       received,
       CASE WHEN state = 'closed' THEN (ARRAY['A', 'B', 'C'])[1 + i %% 3] ELSE '' END,
       CASE WHEN state = 'closed' THEN received + 90 + (CASE WHEN i %% 7 = 0 THEN 5 ELSE 0 END)
       END,
       CASE WHEN state <> 'closed' OR i %% 13 = 0 THEN ''
            WHEN i %% 17 = 0 THEN 'unsatisfied' ELSE 'satisfied' END,
       now(), now(), (%(units)s)[1 + i %% 3], NULL
FROM g
"""

LEAD_SQL = """
INSERT INTO cases_assignment (
    case_id, unit_id, kind, status, assigned_on, deadline, deadline_provisional,
    deadline_rule, handler_id, accepted_on, returned_on, return_reason, opinion, opinion_on)
SELECT id, lead_unit_id, 'lead',
       CASE WHEN state = 'assigned' THEN 'pending' ELSE 'accepted' END,
       received_on, NULL, false, '{}',
       CASE WHEN lead_unit_id = %(yizheng)s AND (id / 7) %% 2 = 1 AND state <> 'assigned'
            THEN %(handler)s END,
       NULL, NULL, '', '', NULL
FROM cases_case
"""

# Every fourth case (by its number i, not its id: the ids start wherever the sequence is,
# and an odd start would leave no open case with a co-unit) has the next unit as co-unit;
# its opinion is given once closed.
CO_SQL = """
INSERT INTO cases_assignment (
    case_id, unit_id, kind, status, assigned_on, deadline, deadline_provisional,
    deadline_rule, handler_id, accepted_on, returned_on, return_reason, opinion, opinion_on)
SELECT id, (%(units)s)[1 + (array_position(%(units)s, lead_unit_id::bigint) %% 3)], 'co',
       CASE WHEN state = 'closed' THEN 'accepted' ELSE 'pending' END,
       received_on, received_on + 30, false, '{}', NULL, NULL, NULL, '',
       CASE WHEN state = 'closed' THEN '同意' ELSE '' END, NULL
FROM cases_case WHERE substring(number FROM 2)::int %% 4 = 0
"""


@dataclass
class BigHistory:
    coordinator: object
    leader: object
    viewer: object
    yizheng_head: object
    yizheng_handler: object
    jiceng_head: object
    yizheng: Unit
    closed: int
    units: list[Unit]


def make() -> BigHistory:
    """The history, committed: call with the database unblocked, then `remove()`."""
    units = {
        code: Unit.objects.create(code=code, name=name, kind=kind)
        for code, name, kind in (
            ("big_office", "办公室", UnitKind.OFFICE),
            ("yizheng", "医政医管处", UnitKind.DEPARTMENT),
            ("jiceng", "基层卫生健康处", UnitKind.DEPARTMENT),
            ("zhongyi", "中医药管理处", UnitKind.DEPARTMENT),
        )
    }

    def person(username: str, unit: str, role: str) -> object:
        user = get_user_model().objects.create_user(username=username, password="x")
        Membership.objects.create(user=user, unit=units[unit], role=role)
        return user

    people = {
        "coordinator": person("coordinator", "big_office", Role.COORDINATOR),
        "leader": person("leader", "big_office", Role.LEADER),
        "viewer": person("viewer", "big_office", Role.VIEWER),
        "yizheng_head": person("yizheng", "yizheng", Role.HEAD),
        "yizheng_handler": person("yizheng_clerk", "yizheng", Role.HANDLER),
        "jiceng_head": person("jiceng", "jiceng", Role.HEAD),
    }
    ids = [units[c].pk for c in ("yizheng", "jiceng", "zhongyi")]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(CASES_SQL, {"n": CASES, "units": ids})
        handler = people["yizheng_handler"].pk  # type: ignore[attr-defined]
        cursor.execute(LEAD_SQL, {"yizheng": ids[0], "handler": handler})
        cursor.execute(CO_SQL, {"units": ids})
        involvement.rebuild()
    with connection.cursor() as cursor:
        for table in ("cases_case", "cases_assignment", "cases_caseunit"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    closed = CASES - CASES // 10
    return BigHistory(
        **people,  # type: ignore[arg-type]
        yizheng=units["yizheng"],
        closed=closed,
        units=list(units.values()),
    )


def remove(history: BigHistory) -> None:
    """The cases (no other test's are committed), then this module's people and units."""
    people = [
        history.coordinator,
        history.leader,
        history.viewer,
        history.yizheng_head,
        history.yizheng_handler,
        history.jiceng_head,
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE cases_caseunit, cases_assignment, cases_case CASCADE")
        get_user_model().objects.filter(pk__in=[p.pk for p in people]).delete()  # type: ignore[attr-defined]
        Unit.objects.filter(pk__in=[u.pk for u in history.units]).delete()


def open_until() -> date:
    """The test's today: after every received date (the last is 2026-11-24)."""
    return date(2026, 12, 6)
