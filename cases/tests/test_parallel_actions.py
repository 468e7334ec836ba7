"""Every action under 20 truly parallel requests (PostgreSQL, one connection per thread).

Each action locks the case's row before it checks anything, so parallel calls run one after
another on fresh data: exactly the allowed number succeed, each success writes one audit
event, and a refused call gets the "刚被他人办理" message (or its rule's own message) and
writes nothing. The first tests (any database) check that the lock comes first in every
action and that the database itself refuses a second pending extension request.
"""

import threading
from collections.abc import Callable
from datetime import date
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from cases import actions
from cases.actions import common, handling
from cases.actions.handler import assign_handler
from cases.models import Case, Communication, ExtensionRequest, Outcome
from cases.tests.factories import register
from workflow.errors import CaseError
from workflow.tables import workflow_for

N = 20
STALE = "刚被他人办理"


def parallel(test: Callable[..., None]) -> Callable[..., None]:
    """Committed data, visible to the other connections; PostgreSQL only."""
    test = pytest.mark.django_db(transaction=True)(test)
    return pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs real parallel connections (PostgreSQL)"
    )(test)


FROZEN = time_machine.travel(date(2026, 12, 31), tick=False)


class Locked(Exception):
    """Raised in place of taking the lock: nothing may have been checked before it."""


# Every action on an existing case, called with input each of its checks would refuse.
from disclosure.actions import disclose, withdraw_disclosure  # noqa: E402  (公开答复)
from lists.actions import add_to_list  # noqa: E402  (列入整改清单, declared there too)
from similar.merging import merge_case, unmerge_case  # noqa: E402  (并案)
from supervision.actions import supervise  # noqa: E402  (列入督办, declared in the 议提案's spec)

EVERY_ACTION: dict[str, Callable[[Case, Any], Any]] = {
    "assign": lambda c, u: actions.assign_case(c, by=u, lead_unit=None, co_units=[None, None]),
    "accept": lambda c, u: actions.accept_case(c, by=u, on=date(2030, 1, 1)),
    "return": lambda c, u: actions.return_case(c, by=u, reason=""),
    "withdraw": lambda c, u: actions.withdraw_case(c, by=u, reason=""),
    "edit": lambda c, u: actions.edit_case(c, by=u, nonsense=1),
    "communicate": lambda c, u: actions.communicate(c, by=u, stage="?", method="?", summary=""),
    "submit_opinion": lambda c, u: actions.submit_opinion(c, by=u, text=""),
    "request_extension": lambda c, u: actions.request_extension(c, by=u, until=None, reason=""),
    "decide_extension": lambda c, u: actions.decide_extension(c, by=u, approved=False),
    "submit_reply": lambda c, u: actions.submit_reply(c, by=u, text="", contact="", phone=""),
    "approve_reply": lambda c, u: actions.approve_reply(c, by=u, approved=False),
    "review": lambda c, u: actions.review_reply(c, by=u, passed=True, gates={"?": True}),
    "sign": lambda c, u: actions.sign_reply(c, by=u, approved=False),
    "record_feedback": lambda c, u: actions.record_feedback(c, by=u, result="?"),
    "close": lambda c, u: actions.close_case(c, by=u, on=date(2030, 1, 1)),
    "reopen": lambda c, u: actions.reopen_case(c, by=u, reason=""),
    "add_outcome": lambda c, u: actions.add_outcome(c, by=u, kind="?", title=""),
    "assign_handler": lambda c, u: assign_handler(c, by=u, handler=u),
    "update_commitment": lambda c, u: actions.update_commitment(
        c, by=u, commitment_id=0, status="?"
    ),
    "urge": lambda c, u: actions.urge_case(c, by=u, note="", target_on=date(1999, 1, 1)),
    "supervise": lambda c, u: supervise(c, by=u, urgency="?"),
    "add_to_list": lambda c, u: add_to_list(c, by=u, rect_list=None, deadline=date(1999, 1, 1)),
    "merge": lambda c, u: merge_case(c, by=u, lead_case_id=0),
    "unmerge": lambda c, u: unmerge_case(c, by=u),
    "disclose": lambda c, u: disclose(c, by=u, mode="?"),
    "withdraw_disclosure": lambda c, u: withdraw_disclosure(c, by=u, reason=""),
}


def test_every_action_of_the_workflow_is_listed():
    workflow = workflow_for("npc_suggestion")
    assert set(EVERY_ACTION) == {a for a, t in workflow.transitions.items() if not t.hidden}


@pytest.mark.django_db
@pytest.mark.parametrize("action", EVERY_ACTION)
def test_every_action_takes_the_lock_before_it_checks_anything(cast, action):
    # A case in no state the action allows, a user with no part in it, input every check
    # refuses: the first thing to happen is still the lock.
    case = register(cast, on=date(2026, 3, 2))
    with mock.patch.object(common, "lock_case", side_effect=Locked) as lock:
        with pytest.raises(Locked):
            EVERY_ACTION[action](case, cast.outsider)
    lock.assert_called_once_with(case)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks")
@FROZEN
def test_the_lock_is_the_first_query_of_an_action(cast):
    case = handling_case(cast)
    with CaptureQueriesContext(connection) as queries:
        actions.communicate(
            case, by=cast.yizheng_head, stage="during", method="phone", summary="电话沟通"
        )
    first = next(q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"])
    assert first.startswith('SELECT "cases_case"') and first.endswith("FOR UPDATE"), first


@pytest.mark.django_db
@FROZEN
def test_the_database_refuses_a_second_pending_extension_request(cast):
    case = handling_case(cast)
    actions.request_extension(
        case,
        by=cast.yizheng_head,
        until=date(2026, 7, 31),
        reason="调研未完成",
        on=date(2026, 5, 20),
    )
    before = AuditEvent.objects.count()
    # Were the action's own check ever passed by, the constraint answers the same.
    with mock.patch.object(handling, "pending_extension", return_value=None):
        with pytest.raises(CaseError) as refused:
            actions.request_extension(
                case, by=cast.yizheng_head, until=date(2026, 8, 31), reason="再次申请"
            )
    assert refused.value.message == "已有待审批的延期申请"
    assert ExtensionRequest.objects.filter(case=case).count() == 1
    assert AuditEvent.objects.count() == before


def race(case: Case, call: Callable[[Case, int], Any]) -> list[Any]:
    """Run `call(copy_of_case, i)` for i in 0..N-1 in N threads, each on its own connection
    with its own copy of the case read before any starts, released together. Returns what
    each call returned, or the CaseError it raised; anything else fails the test."""
    barrier = threading.Barrier(N)
    results: list[Any] = [None] * N
    unexpected: list[BaseException] = []

    def run(i: int) -> None:
        try:
            mine = Case.objects.get(pk=case.pk)
            barrier.wait(timeout=30)
            results[i] = call(mine, i)
        except CaseError as exc:
            results[i] = exc
        except BaseException as exc:  # noqa: BLE001 (reported below, in the test's thread)
            unexpected.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(N)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert not any(th.is_alive() for th in threads), "a call never returned"
    assert not unexpected, unexpected
    return results


def split(results: list[Any], *rule_messages: str) -> tuple[list[Any], list[CaseError]]:
    """The successes and the refusals; every refusal says so in one of the expected ways."""
    ok = [r for r in results if not isinstance(r, CaseError)]
    refused = [r for r in results if isinstance(r, CaseError)]
    for exc in refused:
        assert STALE in exc.message or exc.message in rule_messages, exc.message
    return ok, refused


def events(case: Case, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(case_id=case.pk, action=action).order_by("id"))


def handling_case(cast: Any, **assign: Any) -> Case:
    case = register(cast, on=date(2026, 3, 2))
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 5), **assign
    )
    actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 3, 6))
    return case


@parallel
@FROZEN
def test_one_of_twenty_extension_requests_is_made(cast):
    case = handling_case(cast)
    before = AuditEvent.objects.count()

    results = race(
        case,
        lambda c, i: actions.request_extension(
            c,
            by=cast.yizheng_head,
            until=date(2026, 7, 31),
            reason=f"理由{i}",
            on=date(2026, 5, 20),
        ),
    )

    ok, refused = split(results, "已有待审批的延期申请")
    assert (len(ok), len(refused)) == (1, N - 1)
    assert ExtensionRequest.objects.filter(case=case).count() == 1
    assert ExtensionRequest.objects.filter(case=case, approved__isnull=True).get() == ok[0]
    assert len(events(case, "request_extension")) == 1
    assert AuditEvent.objects.count() == before + 1


@parallel
@FROZEN
def test_one_of_twenty_extension_decisions_is_taken(cast):
    case = handling_case(cast)
    request = actions.request_extension(
        case,
        by=cast.yizheng_head,
        until=date(2026, 7, 31),
        reason="调研未完成",
        on=date(2026, 5, 20),
    )
    before = AuditEvent.objects.count()

    results = race(
        case,
        lambda c, i: actions.decide_extension(
            c, by=cast.leader, approved=i % 2 == 0, comment=f"意见{i}", on=date(2026, 5, 21)
        ),
    )

    ok, refused = split(results, "没有待审批的延期申请")
    assert (len(ok), len(refused)) == (1, N - 1)
    [event] = events(case, "decide_extension")
    request.refresh_from_db()
    assert request.approved is event.details["approved"]
    assert request.comment == event.details["comment"]
    assert AuditEvent.objects.count() == before + 1
    case.refresh_from_db()
    assert case.deadline == (date(2026, 7, 31) if request.approved else date(2026, 6, 5))


@parallel
@FROZEN
def test_twenty_opinions_of_one_co_unit_replace_each_other_in_order(cast):
    case = handling_case(cast, co_units=[cast.zhongyi])
    before = AuditEvent.objects.count()

    results = race(
        case,
        lambda c, i: actions.submit_opinion(
            c, by=cast.zhongyi_head, text=f"会办意见{i}", on=date(2026, 3, 20)
        ),
    )

    # Resubmitting replaces the opinion (the form says so): every call is allowed, and each
    # one sees the opinion the previous one wrote.
    ok, refused = split(results)
    assert (len(ok), len(refused)) == (N, 0)
    submitted = events(case, "submit_opinion")
    assert len(submitted) == N
    assert [e.details["replaces_previous"] for e in submitted] == [False] + [True] * (N - 1)
    assert AuditEvent.objects.count() == before + N
    co = case.assignments.get(kind="co")
    assert co.opinion.startswith("会办意见") and co.opinion_on == date(2026, 3, 20)


@parallel
@FROZEN
def test_twenty_commitment_updates_form_one_unbroken_chain(cast):
    case = handling_case(cast)
    actions.submit_reply(
        case,
        by=cast.yizheng_head,
        text="答复正文",
        reply_class="B",
        contact="张处长",
        phone="12345678",
        commitments=[{"what": "年内出台实施方案", "due": date(2026, 12, 31)}],
        on=date(2026, 5, 6),
    )
    actions.review_reply(case, by=cast.coordinator, passed=True, on=date(2026, 5, 7))
    actions.sign_reply(case, by=cast.leader, approved=True, on=date(2026, 5, 8))
    commitment = case.commitments.get()
    before = AuditEvent.objects.count()

    results = race(
        case,
        lambda c, i: actions.update_commitment(
            c,
            by=cast.yizheng_head,
            commitment_id=commitment.pk,
            status="in_progress" if i % 2 else "fulfilled",
            note=f"进展{i}",
            on=date(2026, 6, 1),
        ),
    )

    ok, refused = split(results)
    assert (len(ok), len(refused)) == (N, 0)
    updated = events(case, "update_commitment")
    assert len(updated) == N
    # No update is lost: each one starts from the status the previous one left.
    statuses = [e.details["status"] for e in updated]
    assert statuses[0][0] == "open"
    for previous, current in zip(statuses, statuses[1:], strict=False):
        assert current[0] == previous[1], statuses
    commitment.refresh_from_db()
    assert (commitment.status, commitment.note) == (statuses[-1][1], updated[-1].details["note"])
    assert AuditEvent.objects.count() == before + N


@parallel
@FROZEN
def test_twenty_communications_are_twenty_records_and_twenty_events(cast):
    case = handling_case(cast)
    before = AuditEvent.objects.count()

    results = race(
        case,
        lambda c, i: actions.communicate(
            c,
            by=cast.yizheng_head,
            stage="during",
            method="phone",
            summary=f"第{i}次电话沟通",
            on=date(2026, 4, 1),
        ),
    )

    ok, refused = split(results)
    assert (len(ok), len(refused)) == (N, 0)
    records = Communication.objects.filter(case=case)
    logged = events(case, "communicate")
    assert records.count() == len(logged) == N
    assert sorted(e.details["communication"] for e in logged) == sorted(r.pk for r in records)
    assert AuditEvent.objects.count() == before + N


@parallel
@FROZEN
def test_twenty_outcomes_are_twenty_records_and_twenty_events(cast):
    case = handling_case(cast)
    before = AuditEvent.objects.count()

    results = race(
        case,
        lambda c, i: actions.add_outcome(
            c, by=cast.yizheng_head, kind="policy", title=f"实施方案{i}", on=date(2026, 4, 1)
        ),
    )

    ok, refused = split(results)
    assert (len(ok), len(refused)) == (N, 0)
    records = Outcome.objects.filter(case=case)
    logged = events(case, "add_outcome")
    assert records.count() == len(logged) == N
    assert sorted(e.details["outcome"] for e in logged) == sorted(r.pk for r in records)
    assert AuditEvent.objects.count() == before + N


@parallel
@FROZEN
def test_one_of_twenty_identical_edits_changes_the_case(cast):
    case = handling_case(cast)
    before = AuditEvent.objects.count()

    results = race(
        case,
        lambda c, i: actions.edit_case(
            c, by=cast.coordinator, title="关于加强乡村医生队伍建设的建议", on=date(2026, 4, 1)
        ),
    )

    ok, refused = split(results, "没有修改任何内容")
    assert (len(ok), len(refused)) == (1, N - 1)
    assert len(events(case, "edit")) == 1
    assert AuditEvent.objects.count() == before + 1


@parallel
@FROZEN
def test_one_of_twenty_acceptances_moves_the_case(cast):
    case = register(cast, on=date(2026, 3, 2))
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 5)
    )
    before = AuditEvent.objects.count()

    results = race(
        case, lambda c, i: actions.accept_case(c, by=cast.yizheng_head, on=date(2026, 3, 6))
    )

    ok, refused = split(results)
    assert (len(ok), len(refused)) == (1, N - 1)
    assert len(events(case, "accept")) == 1
    assert AuditEvent.objects.count() == before + 1
    case.refresh_from_db()
    assert case.state == "handling"
