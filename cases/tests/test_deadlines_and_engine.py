"""Deadlines written by the actions, recomputation on calendar import, the engine's
compare-and-set under two connections, and a second category on the same engine."""

import threading
from datetime import date

import pytest
import time_machine
from django.db import connection, connections

from audit.models import AuditEvent
from cases import actions
from cases.models import Case
from cases.tests.factories import register
from workdays.actions import import_year
from workflow.engine import apply_transition, start_case
from workflow.errors import CaseError
from workflow.tables import Workflow, register_workflow, t, unregister_workflow, workflow_for


@pytest.mark.django_db
@time_machine.travel(date(2026, 12, 31), tick=False)
def test_assign_computes_the_2026_deadlines(cast):
    case = register(cast, on=date(2026, 3, 18))
    actions.assign_case(
        case,
        by=cast.coordinator,
        lead_unit=cast.yizheng,
        co_units=[cast.zhongyi],
        assigned_on=date(2026, 3, 20),
    )
    # 06-20 is a Saturday, 06-21 the Dragon Boat holiday (DESIGN.md §3).
    assert (case.deadline, case.deadline_provisional) == (date(2026, 6, 22), False)
    co = case.assignments.get(kind="co")
    assert co.deadline == date(2026, 4, 20)


@pytest.mark.django_db
@time_machine.travel(date(2026, 12, 31), tick=False)
def test_explicit_deadline_replaces_the_computed_one(cast):
    case = register(cast, on=date(2026, 3, 2), explicit_deadline=date(2026, 5, 15))
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 5)
    )
    assert (case.deadline, case.deadline_rule) == (date(2026, 5, 15), {"explicit": "2026-05-15"})


@pytest.mark.django_db
@time_machine.travel(date(2026, 12, 31), tick=False)
def test_co_case_is_due_in_a_month_and_closes_on_signing(cast):
    case = register(cast, on=date(2026, 7, 1), mode="co", external_lead="市发改委")
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 7, 1)
    )
    assert case.deadline == date(2026, 8, 3)  # 08-01 is a Saturday
    actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 7, 2))
    with pytest.raises(CaseError, match="不分答复类别"):
        actions.submit_reply(
            case, by=cast.yizheng_head, text="意见", reply_class="A", contact="张", phone="1"
        )
    actions.submit_reply(
        case, by=cast.yizheng_head, text="会办意见", contact="张", phone="1", on=date(2026, 7, 20)
    )
    actions.review_reply(case, by=cast.coordinator, passed=True, on=date(2026, 7, 21))
    actions.sign_reply(case, by=cast.leader, approved=True, on=date(2026, 7, 22))
    assert (case.state, case.reply_class) == ("closed", "")


@pytest.mark.django_db
@time_machine.travel(date(2026, 12, 31), tick=False)
def test_extension_is_capped_at_six_months(cast):
    case = register(cast, on=date(2026, 3, 2))
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 5)
    )
    actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 3, 6))
    with pytest.raises(CaseError, match="最长至交办后6个月"):
        actions.request_extension(
            case, by=cast.yizheng_head, until=date(2026, 9, 30), reason="需调研"
        )
    actions.request_extension(
        case, by=cast.yizheng_head, until=date(2026, 9, 4), reason="需调研", on=date(2026, 5, 1)
    )
    actions.decide_extension(case, by=cast.leader, approved=True, on=date(2026, 5, 6))
    assert (case.deadline, case.deadline_provisional) == (date(2026, 9, 4), False)
    assert case.unit_deadline == date(2026, 8, 21)


@pytest.mark.django_db
@time_machine.travel(date(2026, 12, 31), tick=False)
def test_return_only_within_five_working_days(cast):
    case = register(cast, on=date(2026, 9, 25))
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 9, 30)
    )
    with pytest.raises(CaseError, match="5个工作日内"):
        actions.return_case(case, by=cast.yizheng_head, reason="非本处职责", on=date(2026, 10, 14))
    actions.return_case(case, by=cast.yizheng_head, reason="非本处职责", on=date(2026, 10, 13))
    assert (case.state, case.lead_unit, case.deadline) == ("registered", None, None)
    assert case.assignments.get().status == "returned"


@pytest.mark.django_db
@time_machine.travel(date(2030, 3, 10), tick=False)
def test_provisional_deadline_is_recomputed_when_its_year_is_imported(cast):
    case = register(cast, on=date(2030, 1, 30))
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2030, 2, 1)
    )
    # 2030 has no confirmed calendar: weekends only, shown as 暂定.
    assert (case.deadline, case.deadline_provisional) == (date(2030, 5, 1), True)
    events = AuditEvent.objects.filter(case=case).count()
    import_year(
        2030,
        {date(2030, 5, 1): False, date(2030, 5, 2): False, date(2030, 5, 3): False},
        by=cast.admin,
    )
    case.refresh_from_db()
    assert (case.deadline, case.deadline_provisional) == (date(2030, 5, 6), False)
    recomputed = AuditEvent.objects.filter(case=case).order_by("id")
    assert recomputed.count() == events + 1
    assert recomputed.last().action == "recompute_deadlines"


@pytest.mark.django_db
@time_machine.travel(date(2026, 12, 31), tick=False)
def test_close_waits_for_the_feedback_window(cast):
    case = register(cast, on=date(2026, 3, 2))
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 5)
    )
    actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 3, 6))
    actions.submit_reply(
        case,
        by=cast.yizheng_head,
        text="答复",
        reply_class="A",
        contact="张",
        phone="1",
        on=date(2026, 4, 1),
    )
    actions.review_reply(case, by=cast.coordinator, passed=True, on=date(2026, 4, 2))
    actions.sign_reply(case, by=cast.leader, approved=True, on=date(2026, 4, 3))
    with pytest.raises(CaseError, match="期满后方可直接办结"):
        actions.close_case(case, by=cast.coordinator, on=date(2026, 5, 6))
    actions.close_case(case, by=cast.coordinator, on=date(2026, 5, 7))
    assert case.state == "closed"


TOY = Workflow(
    category="toy",
    initial="open",
    states={"open": "待办", "done": "已办"},
    transitions={tr.action: tr for tr in [t("finish", "办完", "open", "done", "coordinator")]},
)


@pytest.fixture
def toy_category():
    register_workflow(TOY)
    yield TOY
    unregister_workflow("toy")


@pytest.mark.django_db
def test_a_second_category_runs_on_the_same_engine(cast, toy_category):
    case = Case.objects.create(
        category="toy",
        level="county",
        year=2026,
        number="1",
        title="试验",
        mode="lead",
        state="open",
        received_on=date(2026, 1, 5),
        last_action_on=date(2026, 1, 5),
    )
    start_case(case, by=cast.coordinator, on=date(2026, 1, 5))
    with pytest.raises(CaseError, match="没有“assign”操作"):
        apply_transition(case, "assign", by=cast.coordinator, on=date(2026, 1, 6), to="assigned")
    apply_transition(case, "finish", by=cast.coordinator, on=date(2026, 1, 6), to="done")
    case.refresh_from_db()
    assert case.state == "done"
    assert list(case.events.values_list("action", "to_state")) == [
        ("register", "open"),
        ("finish", "done"),
    ]
    with pytest.raises(CaseError, match="已办"):
        apply_transition(case, "finish", by=cast.coordinator, on=date(2026, 1, 7), to="done")
    assert (
        workflow_for("npc_suggestion").transitions.keys() != workflow_for("toy").transitions.keys()
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs two real connections (PostgreSQL)"
)
def test_compare_and_set_lets_only_one_of_two_concurrent_actions_win(cast):
    with time_machine.travel(date(2026, 12, 31), tick=False):
        case = register(cast, on=date(2026, 3, 2))
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def run(name: str, action) -> None:
        stale = Case.objects.get(pk=case.pk)
        barrier.wait()
        try:
            with time_machine.travel(date(2026, 12, 31), tick=False):
                action(stale)
            outcomes[name] = "ok"
        except CaseError as exc:
            outcomes[name] = exc.message
        finally:
            connections.close_all()

    threads = [
        threading.Thread(
            target=run,
            args=(
                "assign",
                lambda c: actions.assign_case(
                    c, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 3)
                ),
            ),
        ),
        threading.Thread(
            target=run,
            args=(
                "withdraw",
                lambda c: actions.withdraw_case(
                    c, by=cast.coordinator, reason="非我委职责", on=date(2026, 3, 3)
                ),
            ),
        ),
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=30)
    assert sorted(outcomes.values()).count("ok") == 1, outcomes
    loser = next(m for m in outcomes.values() if m != "ok")
    assert "刚被他人办理" in loser
    case.refresh_from_db()
    assert case.state in {"assigned", "withdrawn"}
    assert case.events.count() == 2
    assert case.assignments.count() == (1 if case.state == "assigned" else 0)


@pytest.mark.django_db
@time_machine.travel(date(2026, 12, 31), tick=False)
def test_editing_the_explicit_deadline_moves_the_deadline_of_the_first_round(cast):
    case = register(cast, on=date(2026, 3, 2))
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 5)
    )
    assert case.deadline == date(2026, 6, 5)
    case = actions.edit_case(
        case, by=cast.coordinator, explicit_deadline=date(2026, 5, 29), on=date(2026, 3, 6)
    )
    assert (case.deadline, case.unit_deadline) == (date(2026, 5, 29), date(2026, 5, 15))
    event = case.events.last()
    assert event.action == "edit" and event.details["diff"]["explicit_deadline"] == [
        None,
        "2026-05-29",
    ]
    case = actions.edit_case(case, by=cast.coordinator, explicit_deadline=None, on=date(2026, 3, 6))
    assert case.deadline == date(2026, 6, 5)
