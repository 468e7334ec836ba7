"""The whole 议提案 walk through the actions, and what the timeline says afterwards."""

from datetime import date

import pytest
import time_machine

from audit.models import AuditEvent
from cases import actions
from cases.dispatch import available_actions
from cases.models import Case
from cases.tests.factories import register
from workflow.errors import ActionForbidden, CaseError

pytestmark = pytest.mark.django_db

FROZEN = time_machine.travel(date(2026, 12, 31), tick=False)


@FROZEN
def test_full_walk_with_rehandling(cast):
    case = register(cast, on=date(2026, 3, 2))
    actions.assign_case(
        case,
        by=cast.coordinator,
        lead_unit=cast.yizheng,
        co_units=[cast.jiceng, cast.fagaiwei],
        assigned_on=date(2026, 3, 5),
        handler=cast.yizheng_handler,
    )
    assert (case.state, case.deadline, case.deadline_provisional) == (
        "assigned",
        date(2026, 6, 5),
        False,
    )
    assert case.unit_deadline == date(2026, 5, 22)
    actions.accept_case(case, by=cast.yizheng_handler, on=date(2026, 3, 6))
    actions.submit_opinion(case, by=cast.jiceng_head, text="同意主办处室意见", on=date(2026, 3, 20))
    actions.submit_opinion(
        case,
        by=cast.yizheng_head,
        text="发改委：支持列入计划",
        unit=cast.fagaiwei,
        on=date(2026, 3, 21),
    )
    actions.communicate(
        case,
        by=cast.yizheng_handler,
        stage="before",
        method="face_to_face",
        summary="与陈代表面商",
        on=date(2026, 3, 25),
    )
    actions.submit_reply(
        case,
        by=cast.yizheng_handler,
        text="答复正文",
        reply_class="B",
        contact="赵科员",
        phone="12345678",
        commitments=[{"what": "年内出台培养方案", "due": date(2026, 12, 1)}],
        on=date(2026, 5, 20),
    )
    assert case.state == "unit_approving"
    actions.approve_reply(case, by=cast.yizheng_head, approved=True, on=date(2026, 5, 21))
    actions.review_reply(
        case,
        by=cast.coordinator,
        passed=True,
        comment="四关均通过",
        gates={"format": True, "policy": True, "content": True, "resolution": True},
        on=date(2026, 5, 22),
    )
    actions.sign_reply(case, by=cast.leader, approved=True, on=date(2026, 5, 25))
    assert (case.state, case.replied_on, case.reply_class) == ("replied", date(2026, 5, 25), "B")
    actions.record_feedback(
        case, by=cast.coordinator, result="unsatisfied", attitude="satisfied", on=date(2026, 6, 10)
    )
    assert (case.state, case.round, case.deadline) == ("handling", 2, date(2026, 7, 10))
    actions.submit_reply(
        case,
        by=cast.yizheng_head,
        text="再次答复",
        reply_class="A",
        contact="张处长",
        phone="12345678",
        on=date(2026, 7, 1),
    )
    assert case.state == "reviewing"
    actions.review_reply(case, by=cast.coordinator, passed=True, on=date(2026, 7, 2))
    actions.sign_reply(case, by=cast.leader, approved=True, on=date(2026, 7, 3))
    actions.record_feedback(case, by=cast.coordinator, result="satisfied", on=date(2026, 7, 10))

    case = Case.objects.get(pk=case.pk)
    assert (case.state, case.round, case.reply_class, case.replied_on, case.feedback_result) == (
        "closed",
        2,
        "A",
        date(2026, 7, 3),
        "satisfied",
    )
    timeline = list(case.events.values_list("action", "from_state", "to_state", "on"))
    assert timeline == [
        ("register", "", "registered", date(2026, 3, 2)),
        ("assign", "registered", "assigned", date(2026, 3, 5)),
        ("accept", "assigned", "handling", date(2026, 3, 6)),
        ("submit_opinion", "handling", "handling", date(2026, 3, 20)),
        ("submit_opinion", "handling", "handling", date(2026, 3, 21)),
        ("communicate", "handling", "handling", date(2026, 3, 25)),
        ("submit_reply", "handling", "unit_approving", date(2026, 5, 20)),
        ("approve_reply", "unit_approving", "reviewing", date(2026, 5, 21)),
        ("review", "reviewing", "signing", date(2026, 5, 22)),
        ("sign", "signing", "replied", date(2026, 5, 25)),
        ("record_feedback", "replied", "handling", date(2026, 6, 10)),
        ("submit_reply", "handling", "reviewing", date(2026, 7, 1)),
        ("review", "reviewing", "signing", date(2026, 7, 2)),
        ("sign", "signing", "replied", date(2026, 7, 3)),
        ("record_feedback", "replied", "closed", date(2026, 7, 10)),
    ]
    # Closed: 重新办理, and what follows the reply (the B-class promise, 公开).
    assert available_actions(cast.coordinator, case, date(2026, 12, 31)) == [
        "reopen",
        "update_commitment",
        "disclose",
    ]


@FROZEN
def test_refused_calls_write_nothing(cast):
    case = register(cast, on=date(2026, 3, 2))
    before = AuditEvent.objects.count()
    with pytest.raises(CaseError):
        actions.accept_case(case, by=cast.coordinator)  # not the lead unit → forbidden
    with pytest.raises(ActionForbidden):
        actions.sign_reply(case, by=cast.yizheng_head, approved=True)
    with pytest.raises(CaseError, match="不能签发"):
        actions.sign_reply(case, by=cast.leader, approved=True)
    with pytest.raises(CaseError, match="晚于今天"):
        actions.assign_case(
            case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2027, 1, 4)
        )
    with pytest.raises(CaseError, match="早于上一步"):
        actions.assign_case(
            case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 1)
        )
    with pytest.raises(CaseError, match="协办处室不能与主办处室相同"):
        actions.assign_case(
            case, by=cast.coordinator, lead_unit=cast.yizheng, co_units=[cast.yizheng]
        )
    assert AuditEvent.objects.count() == before
    case.refresh_from_db()
    assert case.state == "registered" and case.assignments.count() == 0


@FROZEN
def test_stale_case_object_loses_the_race(cast):
    case = register(cast, on=date(2026, 3, 2))
    stale = Case.objects.get(pk=case.pk)
    actions.withdraw_case(case, by=cast.coordinator, reason="非我委职责", on=date(2026, 3, 3))
    with pytest.raises(CaseError, match="刚被他人办理"):
        actions.assign_case(
            stale, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 4)
        )
    assert Case.objects.get(pk=case.pk).state == "withdrawn"
    assert stale.assignments.count() == 0


@FROZEN
def test_the_lead_assignment_follows_the_new_round_deadline(cast):
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
    actions.record_feedback(case, by=cast.coordinator, result="unsatisfied", on=date(2026, 4, 10))
    lead = case.assignments.get(kind="lead")
    # The deadline is stored once, on the case; the lead assignment reads it (issue 8).
    assert lead.due == case.deadline == date(2026, 5, 11)
