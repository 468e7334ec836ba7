"""公开答复 and 撤回公开: the API contract, the rules, the audit."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from api.tests.helpers import ApiClient, ok
from audit.models import AuditEvent
from cases import actions as case_actions
from cases.models import Case
from cases.tests.walks import case_in
from disclosure import actions
from disclosure.models import Disclosure
from disclosure.queries import public_disclosures
from disclosure.tests.helpers import FROZEN, SECRETS, signed
from workflow.errors import ActionForbidden, CaseError


def events(case, action):
    return list(AuditEvent.objects.filter(case_id=case.pk, action=action).order_by("id"))


@FROZEN
def test_disclose_full_through_the_api_publishes_the_masked_reply_at_once(cast):
    case = signed(cast)
    client = ApiClient("coordinator")
    assert "disclose" in ok(client.get(f"/cases/{case.pk}"))["available_actions"]
    assert "withdraw_disclosure" not in ok(client.get(f"/cases/{case.pk}"))["available_actions"]
    body = ok(client.act(case.pk, "disclose", {"mode": "full"}))
    assert body["state"] == "replied"
    found = Disclosure.objects.get(case=case)
    assert found.published and found.mode == "full" and found.replied_on == date(2026, 5, 25)
    for secret in SECRETS:
        assert secret not in found.published_text + found.published_title, secret
    assert "下一步，我委将加快推进" in found.published_text
    assert "患者刘某某" in found.published_title
    assert found.masked_count >= 10
    assert list(public_disclosures()) == [found]
    [event] = events(case, "disclose")
    assert event.actor == cast.coordinator
    assert event.details["mode"] == "full" and event.details["disclosure"] == found.pk
    assert event.details["masked_count"] == found.masked_count
    assert "withdraw_disclosure" in ok(client.get(f"/cases/{case.pk}"))["available_actions"]


@FROZEN
def test_summary_needs_its_summary_and_publishes_it_masked(cast):
    case = signed(cast)
    client = ApiClient("coordinator")
    response = client.act(case.pk, "disclose", {"mode": "summary"})
    assert response.status_code == 400
    assert response.json() == {"detail": "请填写公开摘要", "field": "summary"}
    summary = "已为患者王建国（13700001111）减免医疗费用，并将推进基层医疗卫生服务能力提升。"
    ok(client.act(case.pk, "disclose", {"mode": "summary", "summary": summary}))
    found = Disclosure.objects.get(case=case)
    assert found.summary == summary
    assert (
        found.published_text
        == "已为患者王某某（137****1111）减免医疗费用，并将推进基层医疗卫生服务能力提升。"
    )


@FROZEN
def test_none_needs_a_reason_and_publishes_nothing(cast):
    case = signed(cast)
    client = ApiClient("coordinator")
    response = client.act(case.pk, "disclose", {"mode": "none"})
    assert response.status_code == 400 and response.json()["field"] == "reason"
    ok(client.act(case.pk, "disclose", {"mode": "none", "reason": "涉及患者个人隐私"}))
    found = Disclosure.objects.get(case=case)
    assert found.live and not found.published
    assert found.published_text == "" and found.published_title == ""
    assert list(public_disclosures()) == []
    [event] = events(case, "disclose")
    assert event.details["reason"] == "涉及患者个人隐私"
    # Nothing published: nothing to withdraw.
    assert "withdraw_disclosure" not in ok(client.get(f"/cases/{case.pk}"))["available_actions"]
    response = client.act(case.pk, "withdraw_disclosure", {"reason": "不需要"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"mode": "all"},
        {"mode": "full", "extra": 1},
        {"mode": "summary", "summary": "摘要\x00"},
        {"mode": "full", "summary": "x" * 20_001},
        {"mode": ["full"]},
    ],
)
@FROZEN
def test_bad_payloads_are_refused_and_write_nothing(cast, body):
    case = signed(cast)
    client = ApiClient("coordinator")  # its token is audited
    before = AuditEvent.objects.count()
    response = client.act(case.pk, "disclose", body)
    assert response.status_code in (400, 422), response.content
    assert AuditEvent.objects.count() == before
    assert not Disclosure.objects.exists()


@FROZEN
def test_only_once_the_reply_is_signed(cast):
    client = ApiClient("coordinator")
    for state in ("handling", "reviewing", "signing"):
        case = case_in(cast, state, number=f"2026{state}")
        assert "disclose" not in ok(client.get(f"/cases/{case.pk}"))["available_actions"]
        response = client.act(case.pk, "disclose", {"mode": "full"})
        assert response.status_code == 400, state
        assert "不能公开答复" in response.json()["detail"]
    assert not Disclosure.objects.exists()


@FROZEN
def test_a_closed_case_may_be_disclosed_too(cast):
    case = case_in(cast, "closed")
    actions.disclose(case, by=cast.coordinator, mode="full")
    assert Disclosure.objects.get(case=case).published


@FROZEN
def test_only_the_coordinator_decides(cast):
    case = signed(cast)
    for user in (cast.leader, cast.viewer, cast.yizheng_head, cast.yizheng_handler):
        with pytest.raises(ActionForbidden):
            actions.disclose(case, by=user, mode="full")
    for username in ("leader", "yizheng"):
        response = ApiClient(username).act(case.pk, "disclose", {"mode": "full"})
        assert response.status_code == 403
        assert (
            "disclose" not in ok(ApiClient(username).get(f"/cases/{case.pk}"))["available_actions"]
        )
    for username in ("jiceng", "outsider"):  # cannot see the case
        assert ApiClient(username).act(case.pk, "disclose", {"mode": "full"}).status_code == 404
    assert not Disclosure.objects.exists()
    assert events(case, "disclose") == []


@FROZEN
def test_a_new_decision_replaces_the_previous_one(cast):
    case = signed(cast)
    first = actions.disclose(case, by=cast.coordinator, mode="full")
    second = actions.disclose(case, by=cast.coordinator, mode="none", reason="家属要求不公开")
    first.refresh_from_db()
    assert not first.live and first.withdrawn_by == cast.coordinator
    assert first.withdraw_reason == actions.REPLACED
    assert second.live and list(Disclosure.objects.filter(withdrawn_on__isnull=True)) == [second]
    assert list(public_disclosures()) == []
    [_, event] = events(case, "disclose")
    assert event.details["replaced"] == first.pk


@FROZEN
def test_one_live_decision_per_case_is_a_database_rule(cast):
    case = signed(cast)
    found = actions.disclose(case, by=cast.coordinator, mode="full")
    found.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        found.save()


@FROZEN
def test_withdraw_is_audited_and_takes_the_reply_off_the_public_page(cast, client):
    case = signed(cast)
    found = actions.disclose(case, by=cast.coordinator, mode="full")
    assert client.get(f"/disclosure/{found.pk}/").status_code == 200
    api = ApiClient("coordinator")
    response = api.act(case.pk, "withdraw_disclosure", {"reason": ""})
    assert response.status_code == 422 or response.json()["field"] == "reason"
    ok(api.act(case.pk, "withdraw_disclosure", {"reason": "答复内容需要更正"}))
    found.refresh_from_db()
    assert found.withdrawn_on == date(2026, 6, 15) and found.withdraw_reason == "答复内容需要更正"
    [event] = events(case, "withdraw_disclosure")
    assert event.actor == cast.coordinator and event.details["reason"] == "答复内容需要更正"
    assert client.get(f"/disclosure/{found.pk}/").status_code == 404
    assert found.pk not in [d.pk for d in public_disclosures()]
    with pytest.raises(CaseError):
        actions.withdraw_disclosure(case, by=cast.coordinator, reason="再撤一次")
    # It may be published again afterwards.
    again = actions.disclose(case, by=cast.coordinator, mode="full")
    assert client.get(f"/disclosure/{again.pk}/").status_code == 200


@FROZEN
def test_review_and_sign_payloads_take_no_disclosure_field(cast):
    case = case_in(cast, "reviewing")
    client = ApiClient("coordinator")
    gates = {"format": True, "policy": True, "content": True, "resolution": True}
    ok(client.act(case.pk, "review", {"passed": True, "gates": gates}))
    ok(ApiClient("leader").act(case.pk, "sign", {"approved": True}))
    assert Case.objects.get(pk=case.pk).state == "replied"
    assert not Disclosure.objects.exists()


@FROZEN
def test_a_new_round_leaves_the_old_decision_until_the_office_decides_again(cast):
    case = signed(cast)
    first = actions.disclose(case, by=cast.coordinator, mode="full")
    case_actions.record_feedback(case, by=cast.coordinator, result="unsatisfied")
    case.refresh_from_db()
    assert case.state == "handling"
    # Re-handling: the decision on round 1 stays; no new decision until round 2 is signed.
    assert Disclosure.objects.get(pk=first.pk).published
    with pytest.raises(CaseError):
        actions.disclose(case, by=cast.coordinator, mode="full")


@pytest.mark.parametrize("how", ["unsatisfied", "reopen"])
@FROZEN
def test_a_published_reply_may_be_withdrawn_while_the_case_is_handled_again(cast, client, how):
    from cases.tests.walks import GATES

    case = signed(cast)
    found = actions.disclose(case, by=cast.coordinator, mode="full")
    if how == "unsatisfied":
        case_actions.record_feedback(case, by=cast.coordinator, result="unsatisfied")
    else:
        case_actions.record_feedback(case, by=cast.coordinator, result="satisfied")
        assert Case.objects.get(pk=case.pk).state == "closed"
        case_actions.reopen_case(case, by=cast.coordinator, reason="需要重新办理")
    case.refresh_from_db()
    assert case.state == "handling" and case.round == 2
    api = ApiClient("coordinator")
    assert "withdraw_disclosure" in ok(api.get(f"/cases/{case.pk}"))["available_actions"]
    # Also on the way to signing round 2's reply.
    case_actions.submit_reply(
        case, by=cast.yizheng_head, text="第二轮答复。", reply_class="A", contact="赵科员",
        phone="12345678",
    )  # fmt: skip
    case_actions.review_reply(case, by=cast.coordinator, passed=True, gates=GATES)
    assert Case.objects.get(pk=case.pk).state == "signing"
    assert "withdraw_disclosure" in ok(api.get(f"/cases/{case.pk}"))["available_actions"]
    ok(api.act(case.pk, "withdraw_disclosure", {"reason": "第二轮办理中，暂停公开"}))
    found.refresh_from_db()
    assert not found.live and found.withdraw_reason == "第二轮办理中，暂停公开"
    [event] = events(case, "withdraw_disclosure")
    assert event.details["disclosure"] == found.pk
    assert client.get(f"/disclosure/{found.pk}/").status_code == 404
    assert "withdraw_disclosure" not in ok(api.get(f"/cases/{case.pk}"))["available_actions"]


@FROZEN
def test_nothing_to_withdraw_in_round_two_when_nothing_was_published(cast):
    case = signed(cast)
    case_actions.record_feedback(case, by=cast.coordinator, result="unsatisfied")
    api = ApiClient("coordinator")
    assert "withdraw_disclosure" not in ok(api.get(f"/cases/{case.pk}"))["available_actions"]
    assert api.act(case.pk, "withdraw_disclosure", {"reason": "x"}).status_code == 400
