"""承办人 (issue 9, point 1) and re-handling (point 3): naming the handler at 签收 and
later, who may, the audit event, the API, 我的待办's order, the round-2 reply prefill and
the success messages that say what comes next."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from api.tests.helpers import ApiClient
from audit.models import AuditEvent
from cases import actions
from cases.actions.handler import assign_handler
from cases.tests.factories import make_user, register
from cases.todo import todo_for
from orgs.models import Role
from proposals import messages
from proposals.spec import PROPOSALS
from web.action_cards import CardInput, build_card
from workflow.errors import ActionForbidden, CaseError
from workflow.vocabulary import Action, State

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 10)
FROZEN = time_machine.travel(
    datetime(2026, 6, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
)
GATES = {"format": True, "policy": True, "content": True, "resolution": True}


@pytest.fixture
def clerk2(cast):
    return make_user("yizheng_clerk2", (cast.yizheng, Role.HANDLER), full_name="钱科员")


def _assigned(cast, **kw):
    case = register(cast, on=date(2026, 3, 2), **kw)
    actions.assign_case(
        case,
        by=cast.coordinator,
        lead_unit=cast.yizheng,
        co_units=[cast.jiceng],
        assigned_on=date(2026, 3, 5),
    )
    return case


def _handler_of(case):
    return case.assignments.get(kind="lead", status__in=["pending", "accepted"]).handler


# --- 签收 with or without a handler ----------------------------------------------------


@FROZEN
def test_the_head_names_the_handler_at_accept(cast, clerk2):
    case = _assigned(cast)
    before = AuditEvent.objects.count()
    actions.accept_case(case, by=cast.yizheng_head, handler=clerk2, on=date(2026, 3, 6))
    assert _handler_of(case) == clerk2
    assert AuditEvent.objects.count() == before + 1
    event = case.events.last()
    assert event.action == Action.ACCEPT
    assert (event.details["handler"], event.details["handler_name"]) == ("yizheng_clerk2", "钱科员")


@FROZEN
def test_accept_without_a_handler(cast):
    case = _assigned(cast)
    actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 3, 6))
    assert _handler_of(case) is None  # the head did not say: the case waits for a handler
    assert "handler" not in case.events.last().details

    other = _assigned(cast)
    actions.accept_case(other, by=cast.yizheng_handler, on=date(2026, 3, 6))
    assert _handler_of(other) == cast.yizheng_handler  # a handler who accepts handles it


@FROZEN
def test_a_handler_may_not_name_someone_else_at_accept(cast, clerk2):
    case = _assigned(cast)
    with pytest.raises(ActionForbidden):
        actions.accept_case(case, by=cast.yizheng_handler, handler=clerk2)
    case.refresh_from_db()
    assert case.state == State.ASSIGNED and _handler_of(case) is None
    actions.accept_case(case, by=cast.yizheng_handler, handler=cast.yizheng_handler)
    assert _handler_of(case) == cast.yizheng_handler


@FROZEN
def test_the_handler_must_be_a_handler_of_the_lead_unit(cast):
    jiceng_clerk = make_user("jiceng_clerk", (cast.jiceng, Role.HANDLER))
    gone = make_user("yizheng_gone", (cast.yizheng, Role.HANDLER))
    gone.is_active = False
    gone.save()
    case = _assigned(cast)
    before = AuditEvent.objects.count()
    for wrong in (jiceng_clerk, cast.yizheng_head, cast.coordinator, gone):
        with pytest.raises(CaseError) as refused:
            actions.accept_case(case, by=cast.yizheng_head, handler=wrong)
        assert refused.value.field == "handler"
        assert "不是医政医管处的承办人" in refused.value.message
    assert AuditEvent.objects.count() == before


# --- assign_handler --------------------------------------------------------------------


@FROZEN
def test_the_head_and_the_coordinator_reassign_with_one_event(cast, clerk2):
    case = _assigned(cast)
    actions.accept_case(case, by=cast.yizheng_handler, on=date(2026, 3, 6))
    before = AuditEvent.objects.count()
    assign_handler(case, by=cast.yizheng_head, handler=clerk2, on=date(2026, 3, 9))
    assert _handler_of(case) == clerk2
    assert AuditEvent.objects.count() == before + 1
    event = case.events.last()
    assert (event.action, event.from_state, event.to_state) == (
        Action.ASSIGN_HANDLER,
        State.HANDLING,
        State.HANDLING,
    )
    assert event.details == {
        "unit": "yizheng",
        "handler": "yizheng_clerk2",
        "handler_name": "钱科员",
        "old_handler": "yizheng_clerk",
        "old_handler_name": "赵科员",
    }
    assign_handler(case, by=cast.coordinator, handler=cast.yizheng_handler)
    assert _handler_of(case) == cast.yizheng_handler
    assert AuditEvent.objects.count() == before + 2


@FROZEN
def test_who_may_not_assign_a_handler(cast, clerk2):
    case = _assigned(cast)
    actions.accept_case(case, by=cast.yizheng_handler, on=date(2026, 3, 6))
    before = AuditEvent.objects.count()
    # The handler, a co-unit's head, the leader, a viewer, an admin: never.
    for user in (cast.yizheng_handler, cast.jiceng_head, cast.leader, cast.viewer, cast.admin):
        with pytest.raises(ActionForbidden):
            assign_handler(case, by=user, handler=clerk2)
    assert AuditEvent.objects.count() == before
    assert _handler_of(case) == cast.yizheng_handler


@FROZEN
def test_assign_handler_refusals(cast, clerk2):
    case = _assigned(cast)
    actions.accept_case(case, by=cast.yizheng_handler, on=date(2026, 3, 6))
    with pytest.raises(CaseError, match="承办人已是赵科员"):
        assign_handler(case, by=cast.yizheng_head, handler=cast.yizheng_handler)
    with pytest.raises(CaseError, match="不是医政医管处的承办人"):
        assign_handler(case, by=cast.yizheng_head, handler=cast.jiceng_head)
    registered = register(cast, on=date(2026, 3, 2))
    with pytest.raises(CaseError, match="办件当前为“已登记”，不能指定承办人"):
        assign_handler(registered, by=cast.coordinator, handler=clerk2)


def test_assign_handler_is_declared_for_the_states_the_unit_holds():
    spec = PROPOSALS.transitions[Action.ASSIGN_HANDLER]
    assert spec.sources == PROPOSALS.group("held")
    assert spec.sources == {
        State.ASSIGNED,
        State.HANDLING,
        State.UNIT_APPROVING,
        State.REVIEWING,
        State.SIGNING,
        State.REPLIED,
    }
    assert spec.actors == {"lead_head", "coordinator"} and not spec.targets


# --- the API -------------------------------------------------------------------------


@FROZEN
def test_api_assign_handler_and_the_handler_in_the_case_json(cast, clerk2):
    case = _assigned(cast)
    head = ApiClient("yizheng")
    assert head.get(f"/cases/{case.pk}").json()["handler"] is None
    response = head.post(f"/cases/{case.pk}/actions/accept", {"handler": "yizheng_clerk"})
    assert response.status_code == 200, response.content
    assert response.json()["handler"] == "yizheng_clerk"
    response = head.post(f"/cases/{case.pk}/actions/assign_handler", {"handler": "yizheng_clerk2"})
    assert response.status_code == 200, response.content
    assert response.json()["handler"] == "yizheng_clerk2"
    assert ApiClient("coordinator").get(f"/cases/{case.pk}").json()["handler"] == "yizheng_clerk2"
    timeline = response.json()["timeline"][-1]
    assert timeline["action"] == "assign_handler"
    assert timeline["details"]["old_handler"] == "yizheng_clerk"

    response = ApiClient("yizheng_clerk2").post(
        f"/cases/{case.pk}/actions/assign_handler", {"handler": "yizheng_clerk"}
    )
    assert response.status_code == 403
    response = head.post(f"/cases/{case.pk}/actions/assign_handler", {"handler": "nobody"})
    assert (response.status_code, response.json()["field"]) == (400, "handler")
    response = head.post(f"/cases/{case.pk}/actions/assign_handler", {})
    assert response.status_code == 422


def test_the_openapi_document_has_the_assign_handler_operation(cast, client):
    from api.api import api

    schema = api.get_openapi_schema()
    operation = schema["paths"]["/api/v1/cases/{case_id}/actions/assign_handler"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["handler"]
    assert "handler" in schema["components"]["schemas"]["CaseDetailOut"]["properties"]


# --- 我的待办 ----------------------------------------------------------------------------


@FROZEN
def test_a_handler_sees_their_cases_first_and_only_the_head_sees_the_unassigned(cast, clerk2):
    mine = _assigned(cast, title="交给赵科员的件")
    actions.accept_case(mine, by=cast.yizheng_head, handler=cast.yizheng_handler)
    theirs = _assigned(cast, title="交给钱科员的件")
    actions.accept_case(theirs, by=cast.yizheng_head, handler=clerk2)
    nobody = _assigned(cast, title="未指定承办人的件")
    actions.accept_case(nobody, by=cast.yizheng_head)

    def keys_and_titles(user):
        return [
            (s.key, [r.case.title for r in s.rows])
            for s in todo_for(user, TODAY).sections
            if s.rows
        ]

    clerk = keys_and_titles(cast.yizheng_handler)
    assert clerk[0] == ("mine", ["交给赵科员的件"])  # first on the page
    assert all("未指定承办人的件" not in titles for _, titles in clerk)
    assert all("交给钱科员的件" not in titles for _, titles in clerk)
    head = dict(keys_and_titles(cast.yizheng_head))
    assert head["unassigned"] == ["未指定承办人的件"]
    assert sorted(head["drafting"]) == ["交给赵科员的件", "交给钱科员的件"]
    assert "mine" not in head
    # Reassigned: it moves to the other handler's page.
    assign_handler(mine, by=cast.yizheng_head, handler=clerk2)
    assert dict(keys_and_titles(clerk2))["mine"] == ["交给赵科员的件", "交给钱科员的件"]
    assert "mine" not in dict(keys_and_titles(cast.yizheng_handler))


def _rehandled(cast):
    """Answered (B, one commitment), rated 不满意: round 2 is open with a new deadline."""
    case = _assigned(cast, title="重新办理的件")
    actions.accept_case(
        case, by=cast.yizheng_head, handler=cast.yizheng_handler, on=date(2026, 3, 6)
    )
    actions.submit_reply(
        case,
        by=cast.yizheng_head,
        text="第一轮答复正文",
        reply_class="B",
        contact="张处长",
        phone="12345678",
        commitments=[{"what": "年内出台培养方案", "due": date(2026, 12, 31)}],
        on=date(2026, 5, 6),
    )
    actions.review_reply(case, by=cast.coordinator, passed=True, gates=GATES, on=date(2026, 5, 7))
    actions.sign_reply(case, by=cast.leader, approved=True, on=date(2026, 5, 8))
    actions.record_feedback(
        case,
        by=cast.coordinator,
        result="unsatisfied",
        attitude="satisfied",
        comment="措施不够具体，希望明确时间表",
        on=date(2026, 6, 1),
    )
    case.refresh_from_db()
    return case


@FROZEN
def test_rehandled_cases_are_flagged_with_their_new_deadline(cast):
    case = _rehandled(cast)
    assert (case.state, case.round, case.deadline) == (State.HANDLING, 2, date(2026, 7, 1))
    flag = "重新办理 · 第2轮 · 新答复期限 2026年7月1日"
    for user, key in (
        (cast.yizheng_handler, "mine"),
        (cast.yizheng_head, "drafting"),
        (cast.coordinator, "rehandling"),
    ):
        rows = [r for s in todo_for(user, TODAY).sections if s.key == key for r in s.rows]
        assert [(r.case.title, r.flag) for r in rows] == [("重新办理的件", flag)], user
    coordinator = next(
        s for s in todo_for(cast.coordinator, TODAY).sections if s.key == "rehandling"
    )
    assert coordinator.rows[0].note == "主办处室：医政医管处；承办人：赵科员"
    # A first-round case carries no flag.
    first = _assigned(cast, title="第一轮的件")
    actions.accept_case(first, by=cast.yizheng_head, handler=cast.yizheng_handler)
    rows = {r.case.title: r for s in todo_for(cast.yizheng_handler, TODAY).sections for r in s.rows}
    assert rows["第一轮的件"].flag == ""


# --- round 2: the reply form starts from round 1 ------------------------------------------


@FROZEN
def test_the_round_two_reply_form_is_prefilled_from_round_one(cast):
    case = _rehandled(cast)
    card = build_card(Action.SUBMIT_REPLY, CardInput(case, cast.yizheng_handler, TODAY))
    f = card.form.field
    assert f["text"].value == "第一轮答复正文"
    assert f["reply_class"].value == "B"
    assert f["contact"].value == "张处长" and f["phone"].value == "12345678"
    assert [(c["what"], str(c["due"])) for c in f["commitments"].value] == [
        ("年内出台培养方案", "2026-12-31")
    ]
    assert card.extra["previous"].round == 1
    feedback = card.extra["last_feedback"]
    assert (feedback.result, feedback.comment) == ("unsatisfied", "措施不够具体，希望明确时间表")
    # A first round starts blank (only the contact is guessed).
    fresh = _assigned(cast)
    actions.accept_case(fresh, by=cast.yizheng_head)
    card = build_card(Action.SUBMIT_REPLY, CardInput(fresh, cast.yizheng_head, TODAY))
    assert card.form.field["text"].value in ("", None) and card.extra["previous"] is None


# --- success messages ----------------------------------------------------------------------


@FROZEN
def test_success_messages_say_what_happened_and_what_comes_next(cast, clerk2):
    case = register(cast, on=date(2026, 3, 2))
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 20)
    )
    case.refresh_from_db()
    spec = PROPOSALS.transitions
    assert spec[Action.ASSIGN].success_message(case) == (
        "已交办给医政医管处，答复期限2026年6月22日；待医政医管处签收"
    )
    actions.accept_case(case, by=cast.yizheng_head, handler=clerk2)
    assert spec[Action.ACCEPT].success_message(case) == (
        "已签收，承办人钱科员；答复期限2026年6月22日"
    )
    assert messages.handler_assigned(case) == "已将此件交给钱科员承办；答复期限2026年6月22日"
    rehandled = _rehandled(cast)
    assert spec[Action.RECORD_FEEDBACK].success_message(rehandled) == (
        "已登记评价（不满意），办件重新办理：第2轮，新的答复期限2026年7月1日"
    )
    # Every offered action says something of its own.
    assert all(s.success is not None for s in PROPOSALS.offered())


# --- where the handler shows: timeline, header, ledger (column and filter), print ----------


@FROZEN
def test_the_handler_shows_on_the_timeline_the_header_the_ledger_and_the_print(cast, clerk2):
    from django.test import Client

    from web.timeline import timeline

    case = _assigned(cast, title="看承办人的件")
    other = _assigned(cast, title="别人的件")
    actions.accept_case(case, by=cast.yizheng_head, handler=clerk2, on=date(2026, 3, 6))
    actions.accept_case(other, by=cast.yizheng_head, on=date(2026, 3, 6))
    assign_handler(case, by=cast.coordinator, handler=cast.yizheng_handler, on=date(2026, 3, 9))

    entries = timeline(case.events.order_by("id"), PROPOSALS)
    assert ("承办人", "钱科员") in entries[-2].details  # 签收
    assert entries[-1].label == "指定承办人"
    assert entries[-1].details == [("单位", "医政医管处"), ("承办人", "钱科员 → 赵科员")]

    client = Client()
    client.force_login(cast.yizheng_head)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert '<dd id="case-handler">赵科员</dd>' in html
    html = client.get(f"/cases/{other.pk}/").content.decode()
    assert "尚未指定" in html
    html = client.get("/cases/?handler=yizheng_clerk").content.decode()
    assert "看承办人的件" in html and "别人的件" not in html
    assert '<td class="d-none d-lg-table-cell text-nowrap">赵科员</td>' in html  # the column
    html = client.get("/cases/?handler=yizheng_clerk2").content.decode()
    assert "看承办人的件" not in html  # the old handler no longer has it
    html = client.get(f"/cases/{case.pk}/print/").content.decode()
    assert "<th>承办人</th><td>赵科员</td>" in html
