"""The 议提案 state table across every state, not one state per action: who is offered
what in each state (cases.dispatch.available_actions), and the actions themselves done or
refused in each state they name."""

from datetime import date

import pytest

from audit.models import AuditEvent
from cases import actions
from cases.dispatch import available_actions
from cases.models import Case
from cases.tests.walks import DATES, FROZEN, WALK, case_in, reply_kwargs
from workflow.errors import CaseError

pytestmark = pytest.mark.django_db

ALL_STATES = (*DATES,)
OPEN_STATES = WALK
# The lead unit's work beside the reply: from the first reply draft on, up to 办结.
AFTER_DRAFT = ("unit_approving", "reviewing", "signing", "replied", "closed")
BESIDE = {"communicate", "add_outcome", "update_commitment"}
SUPERVISABLE = (
    "registered",
    "assigned",
    "handling",
    "unit_approving",
    "reviewing",
    "signing",
    "replied",
)

# What each person is offered in each state, on the day the case got there (the return
# window is open on the day of 交办; the feedback window, on the day of 签发). The lead
# unit may record the opinion of 市发改委, an outside co-unit; update_commitment needs a
# commitment, which the class-B draft brings.
OFFERED = {
    # 并案 (issue 15): before the case is being handled.
    "registered": {"coordinator": {"assign", "withdraw", "edit", "merge"}},
    "assigned": {
        "coordinator": {"withdraw", "edit", "assign_handler", "urge", "merge"},
        "yizheng_head": {"accept", "return", "submit_opinion", "assign_handler", "urge"},
        "yizheng_handler": {"accept", "return", "submit_opinion"},
        "jiceng_head": {"submit_opinion"},
    },
    "handling": {
        "coordinator": {"edit", "assign_handler", "urge"},
        "yizheng_head": {
            "communicate",
            "submit_opinion",
            "request_extension",
            "submit_reply",
            "add_outcome",
            "assign_handler",
            "urge",
        },
        "yizheng_handler": {
            "communicate",
            "submit_opinion",
            "request_extension",
            "submit_reply",
            "add_outcome",
        },
        "jiceng_head": {"submit_opinion"},
    },
    "unit_approving": {
        "coordinator": {"edit", "assign_handler", "urge"},
        "yizheng_head": BESIDE | {"approve_reply", "assign_handler", "urge"},
        "yizheng_handler": BESIDE,
    },
    "reviewing": {
        "coordinator": {"edit", "review", "assign_handler"},
        "yizheng_head": BESIDE | {"assign_handler"},
        "yizheng_handler": BESIDE,
    },
    "signing": {
        "coordinator": {"edit", "assign_handler"},
        "leader": {"sign"},
        "yizheng_head": BESIDE | {"assign_handler"},
        "yizheng_handler": BESIDE,
    },
    # 公开答复 (issue 15): once the reply is signed.
    "replied": {
        "coordinator": {"edit", "record_feedback", "assign_handler", "disclose"},
        "yizheng_head": BESIDE | {"assign_handler"},
        "yizheng_handler": BESIDE,
    },
    "closed": {
        "coordinator": {"reopen", "disclose"},
        "yizheng_head": BESIDE,
        "yizheng_handler": BESIDE,
    },
    "withdrawn": {},
}
PEOPLE = (
    "coordinator",
    "leader",
    "viewer",
    "admin",
    "yizheng_head",
    "yizheng_handler",
    "jiceng_head",
    "zhongyi_head",
    "outsider",
)


@FROZEN
@pytest.mark.parametrize("state", ALL_STATES)
def test_who_is_offered_what_in_every_state(cast, state):
    case = case_in(cast, state)
    on = case.last_action_on
    offered = {
        who: set(available_actions(getattr(cast, who), case, on))
        for who in PEOPLE
        if available_actions(getattr(cast, who), case, on)
    }
    expected = {who: set(actions) for who, actions in OFFERED[state].items()}
    if state in SUPERVISABLE:  # 列入督办 (issue 13): the office, in every open state
        expected.setdefault("coordinator", set()).add("supervise")
    if state in AFTER_DRAFT:  # 更新承诺事项 (issue 15): the office too, for any promise
        expected.setdefault("coordinator", set()).add("update_commitment")
    assert offered == expected


# ── edit: every open state, never once closed or withdrawn ──────────────────────────────


@FROZEN
@pytest.mark.parametrize("state", OPEN_STATES)
def test_edit_in_every_open_state(cast, state):
    case = case_in(cast, state)
    actions.edit_case(case, by=cast.coordinator, title="关于加强乡村医生队伍建设的建议")
    case = Case.objects.get(pk=case.pk)
    assert (case.state, case.title) == (state, "关于加强乡村医生队伍建设的建议")
    event = case.events.latest("id")
    assert (event.action, event.from_state, event.to_state) == ("edit", state, state)


@FROZEN
@pytest.mark.parametrize("state", ["closed", "withdrawn"])
def test_edit_is_refused_once_closed_or_withdrawn(cast, state):
    case = case_in(cast, state)
    events = AuditEvent.objects.count()
    with pytest.raises(CaseError, match="不能修改"):
        actions.edit_case(case, by=cast.coordinator, title="改标题")
    assert Case.objects.get(pk=case.pk).title != "改标题"
    assert AuditEvent.objects.count() == events


# ── the lead unit's work beside the reply ───────────────────────────────────────────────


@FROZEN
@pytest.mark.parametrize("state", AFTER_DRAFT)
def test_communicate_outcome_and_commitment_after_the_draft(cast, state):
    case = case_in(cast, state)
    head = cast.yizheng_head
    actions.communicate(
        case, by=head, stage="after", method="phone", summary="电话回访", on=date(2026, 7, 1)
    )
    actions.add_outcome(case, by=head, kind="policy", title="基层人才培养方案")
    commitment = case.commitments.get()
    actions.update_commitment(
        case,
        by=cast.yizheng_handler,
        commitment_id=commitment.pk,
        status="fulfilled",
        note="已印发",
    )
    case = Case.objects.get(pk=case.pk)
    assert case.state == state
    assert case.communications.get().summary == "电话回访"
    assert case.outcomes.get().title == "基层人才培养方案"
    commitment.refresh_from_db()
    assert (commitment.status, commitment.note) == ("fulfilled", "已印发")
    assert list(case.events.order_by("-id").values_list("action", "to_state")[:3]) == [
        ("update_commitment", state),
        ("add_outcome", state),
        ("communicate", state),
    ]


@FROZEN
def test_no_communication_before_the_case_is_accepted(cast):
    case = case_in(cast, "assigned")
    with pytest.raises(CaseError, match="不能沟通"):
        actions.communicate(
            case, by=cast.yizheng_head, stage="before", method="phone", summary="电话"
        )
    with pytest.raises(CaseError, match="不能登记成果转化"):
        actions.add_outcome(case, by=cast.yizheng_head, kind="policy", title="方案")
    assert not case.communications.exists() and not case.outcomes.exists()


# ── withdraw, opinions, send-backs ──────────────────────────────────────────────────────


@FROZEN
def test_withdraw_an_assigned_case_ends_its_assignments(cast):
    case = case_in(cast, "assigned")
    actions.withdraw_case(case, by=cast.coordinator, reason="改办", on=date(2026, 3, 6))
    case = Case.objects.get(pk=case.pk)
    assert (case.state, case.lead_unit, case.deadline) == ("withdrawn", None, None)
    assert sorted(case.assignments.values_list("kind", "status")) == [
        ("co", "cancelled"),
        ("co", "cancelled"),
        ("lead", "returned"),
    ]


@FROZEN
def test_a_handled_case_cannot_be_withdrawn(cast):
    case = case_in(cast, "handling")
    with pytest.raises(CaseError, match="不能撤回"):
        actions.withdraw_case(case, by=cast.coordinator, reason="改办")
    assert Case.objects.get(pk=case.pk).state == "handling"


@FROZEN
def test_a_co_unit_gives_its_opinion_while_the_case_is_still_assigned(cast):
    case = case_in(cast, "assigned")
    actions.submit_opinion(case, by=cast.jiceng_head, text="同意", on=date(2026, 3, 5))
    case = Case.objects.get(pk=case.pk)
    assert case.state == "assigned"
    co = case.assignments.get(unit=cast.jiceng)
    assert (co.opinion, co.status) == ("同意", "accepted")
    assert case.events.latest("id").action == "submit_opinion"
    # …and the lead unit can still sign for it, or hand it back.
    assert available_actions(cast.yizheng_head, case, date(2026, 3, 5)) == [
        "accept",
        "assign_handler",
        "return",
        "submit_opinion",
        "urge",
    ]


@FROZEN
@pytest.mark.parametrize("state", ["unit_approving", "reviewing", "replied"])
def test_no_opinion_once_a_reply_is_drafted(cast, state):
    case = case_in(cast, state)
    with pytest.raises(CaseError):
        actions.submit_opinion(case, by=cast.jiceng_head, text="补充意见")


def _send_back(cast, case, state):
    on = case.last_action_on
    if state == "unit_approving":
        return actions.approve_reply(
            case, by=cast.yizheng_head, approved=False, comment="重写", on=on
        )
    if state == "reviewing":
        return actions.review_reply(case, by=cast.coordinator, passed=False, comment="重写", on=on)
    return actions.sign_reply(case, by=cast.leader, approved=False, comment="重写", on=on)


@FROZEN
@pytest.mark.parametrize("state", ["unit_approving", "reviewing", "signing"])
def test_every_send_back_returns_the_case_to_handling(cast, state):
    case = case_in(cast, state)
    reply = _send_back(cast, case, state)
    case = Case.objects.get(pk=case.pk)
    assert (case.state, case.replied_on, case.reply_class) == ("handling", None, "")
    reply.refresh_from_db()
    assert reply.status == "sent_back"
    assert (reply.signed_on, reply.signed_by) == (None, None)
    event = case.events.latest("id")
    assert (event.from_state, event.to_state) == (state, "handling")
    assert event.details["approved"] is False and event.details["comment"] == "重写"
    # The unit drafts again from handling.
    redraft = reply_kwargs(case, text="再稿")
    actions.submit_reply(case, by=cast.yizheng_head, on=date(2026, 6, 1), **redraft)
    assert Case.objects.get(pk=case.pk).state == "reviewing"


@FROZEN
def test_a_pending_extension_is_offered_to_the_leader_alone(cast):
    case = case_in(cast, "handling")
    actions.request_extension(
        case, by=cast.yizheng_head, until=date(2026, 7, 31), reason="需调研", on=date(2026, 3, 9)
    )
    on = date(2026, 3, 9)
    assert available_actions(cast.leader, case, on) == ["decide_extension"]
    assert "request_extension" not in available_actions(cast.yizheng_head, case, on)
    assert "decide_extension" not in available_actions(cast.yizheng_head, case, on)
    assert "decide_extension" not in available_actions(cast.coordinator, case, on)
    actions.decide_extension(case, by=cast.leader, approved=True, on=on)
    case = Case.objects.get(pk=case.pk)
    assert (case.state, case.deadline) == ("handling", date(2026, 7, 31))
    assert available_actions(cast.leader, case, on) == []
    assert "request_extension" in available_actions(cast.yizheng_head, case, on)


@FROZEN
def test_a_co_case_closes_when_signed_and_a_lead_case_is_replied(cast):
    co = case_in(cast, "signing", mode="co", external_lead="市发改委")
    actions.sign_reply(co, by=cast.leader, approved=True, on=date(2026, 5, 25))
    lead = case_in(cast, "signing")
    actions.sign_reply(lead, by=cast.leader, approved=True, on=date(2026, 5, 25))
    assert Case.objects.get(pk=co.pk).state == "closed"
    assert Case.objects.get(pk=lead.pk).state == "replied"


@FROZEN
def test_feedback_closes_or_starts_a_new_round(cast):
    satisfied = case_in(cast, "replied")
    actions.record_feedback(satisfied, by=cast.coordinator, result="basically_satisfied")
    unsatisfied = case_in(cast, "replied")
    actions.record_feedback(unsatisfied, by=cast.coordinator, result="unsatisfied")
    assert Case.objects.get(pk=satisfied.pk).state == "closed"
    again = Case.objects.get(pk=unsatisfied.pk)
    assert (again.state, again.round) == ("handling", 2)


@FROZEN
def test_return_and_reopen(cast):
    assigned = case_in(cast, "assigned")
    actions.return_case(assigned, by=cast.yizheng_head, reason="不属本处职责", on=date(2026, 3, 6))
    closed = case_in(cast, "closed")
    actions.reopen_case(closed, by=cast.coordinator, reason="代表再次反映")
    assert Case.objects.get(pk=assigned.pk).state == "registered"
    reopened = Case.objects.get(pk=closed.pk)
    assert (reopened.state, reopened.round) == ("handling", 2)
