"""Action forms on the case page: performed, refused with the reason, forbidden; registering."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from audit.models import AuditEvent, EventKind
from audit.trail import SecurityAction
from cases import actions
from cases.models import Case
from cases.tests.factories import register
from web.tests.pages import case_page_with_cards

pytestmark = pytest.mark.django_db

FROZEN = time_machine.travel(
    datetime(2026, 5, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
)


def url(case, action: str) -> str:
    return f"/cases/{case.pk}/actions/{action}/"


@FROZEN
def test_assign_then_accept(cast, client_for):
    case = register(cast, on=date(2026, 3, 2))
    coordinator = client_for(cast.coordinator)
    head = client_for(cast.yizheng_head)
    before = AuditEvent.objects.count()  # after the logins, which are in the trail
    response = coordinator.post(
        url(case, "assign"),
        {
            "lead_unit": "yizheng",
            "co_units": ["jiceng", "fagaiwei"],
            "assigned_on": "2026-03-05",
            "handler": "yizheng_clerk",
            "leader_in_charge": "leader",
            "deadline": "",
        },
    )
    assert (response.status_code, response["Location"]) == (302, f"/cases/{case.pk}/")
    assert AuditEvent.objects.count() == before + 1
    case.refresh_from_db()
    assert (case.state, case.lead_unit, case.assigned_on) == (
        "assigned",
        cast.yizheng,
        date(2026, 3, 5),
    )
    assert case.leader_in_charge == cast.leader
    assert sorted(case.assignments.values_list("unit__code", flat=True)) == [
        "fagaiwei",
        "jiceng",
        "yizheng",
    ]
    html = coordinator.get(response["Location"]).content.decode()
    # The message says what happened and what comes next.
    assert "已交办给医政医管处，答复期限2026年6月5日；待医政医管处签收" in html

    response = head.post(url(case, "accept"), {"on": "2026-03-06"})
    assert response.status_code == 302
    assert AuditEvent.objects.count() == before + 2
    case.refresh_from_db()
    assert case.state == "handling"
    event = case.events.last()
    assert (event.action, event.actor, event.on) == ("accept", cast.yizheng_head, date(2026, 3, 6))
    html = case_page_with_cards(head, case.pk)
    assert "已签收，承办人赵科员；答复期限2026年6月5日" in html
    assert "办理中" in html and "2026年3月6日" in html


@FROZEN
def test_refused_action_keeps_the_input_and_writes_nothing(cast, client_for):
    case = register(cast, on=date(2026, 3, 2))
    client = client_for(cast.coordinator)
    before = AuditEvent.objects.count()
    response = client.post(
        url(case, "assign"),
        {"lead_unit": "yizheng", "co_units": ["yizheng", "jiceng"], "assigned_on": "2026-03-05"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "协办处室不能与主办处室相同" in html
    assert 'id="action-body-assign" class="accordion-collapse collapse show"' in html  # open
    assert 'value="yizheng" id="f-assign-lead_unit-yizheng" checked' in html  # input kept
    assert 'value="jiceng" id="f-assign-co_units-jiceng" checked' in html
    assert 'value="2026-03-05"' in html
    assert AuditEvent.objects.count() == before
    case.refresh_from_db()
    assert case.state == "registered" and not case.assignments.exists()


@FROZEN
def test_missing_field_is_named_in_chinese(cast, client_for):
    case = register(cast, on=date(2026, 3, 2))
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 5, 1)
    )
    head, coordinator = client_for(cast.yizheng_head), client_for(cast.coordinator)
    before = AuditEvent.objects.count()  # after the logins, which are in the trail
    response = head.post(url(case, "return"), {"reason": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert "此项必填" in html and "申请退回" in html
    response = coordinator.post(url(case, "withdraw"), {"reason": "", "on": "2026-13-01"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "此项必填" in html and "日期格式应为 年-月-日" in html
    assert AuditEvent.objects.count() == before
    assert Case.objects.get(pk=case.pk).state == "assigned"


@FROZEN
def test_action_date_error_is_shown_next_to_the_field(cast, client_for):
    case = register(cast, on=date(2026, 3, 2))
    response = client_for(cast.coordinator).post(
        url(case, "withdraw"), {"reason": "非我委职责", "on": "2026-03-01"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "办理日期不能早于上一步的办理日期（2026年3月2日）" in html
    assert "非我委职责" in html


@FROZEN
def test_forbidden_role_gets_403(cast, client_for):
    case = register(cast, on=date(2026, 3, 2))
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 5)
    )
    viewer, head = client_for(cast.viewer), client_for(cast.yizheng_head)
    coordinator, other_head = client_for(cast.coordinator), client_for(cast.jiceng_head)
    before = AuditEvent.objects.filter(kind=EventKind.ACTION).count()
    refusals = AuditEvent.objects.filter(action=SecurityAction.REFUSED).count()
    response = viewer.post(url(case, "withdraw"), {"reason": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "无权操作" in html and "您没有撤回此办件的权限" in html
    assert head.post(url(case, "assign"), {}).status_code == 403
    assert coordinator.post(url(case, "accept"), {}).status_code == 403
    # Invisible stays invisible, whatever the action; unknown actions do not exist.
    assert other_head.post(url(case, "accept"), {}).status_code == 404
    assert coordinator.post(url(case, "explode"), {}).status_code == 404
    assert coordinator.get(url(case, "withdraw")).status_code == 405
    # Nothing changed; the three 403s (not the 404s nor the 405) are in the security trail.
    assert AuditEvent.objects.filter(kind=EventKind.ACTION).count() == before
    assert AuditEvent.objects.filter(action=SecurityAction.REFUSED).count() == refusals + 3


@FROZEN
def test_available_actions_are_offered_as_forms(cast, client_for):
    case = register(cast, on=date(2026, 3, 2))
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 5, 1)
    )
    html = case_page_with_cards(client_for(cast.yizheng_head), case.pk)
    assert f'action="/cases/{case.pk}/actions/accept/"' in html
    assert f'action="/cases/{case.pk}/actions/return/"' in html
    assert f'action="/cases/{case.pk}/actions/assign/"' not in html
    html = case_page_with_cards(client_for(cast.viewer), case.pk)
    assert "当前没有您可以办理的操作" in html


@FROZEN
def test_reply_with_commitments_then_review_gates(cast, client_for):
    case = register(cast, on=date(2026, 3, 2))
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 5)
    )
    actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 3, 6))
    head = client_for(cast.yizheng_head)
    form = {
        "text": "答复正文\r\n第二段",
        "reply_class": "B",
        "contact": "张处长",
        "phone": "12345678",
        "commitments-0-what": "年内出台培养方案",
        "commitments-0-due": "2026-12-01",
        "commitments-1-what": "",
        "commitments-1-due": "",
    }
    response = head.post(url(case, "submit_reply"), form | {"commitments-0-due": ""})
    assert response.status_code == 400
    assert "第1项完成时间：此项必填" in response.content.decode()
    assert head.post(url(case, "submit_reply"), form).status_code == 302
    case.refresh_from_db()
    assert case.state == "reviewing"
    assert list(case.commitments.values_list("what", "due")) == [
        ("年内出台培养方案", date(2026, 12, 1))
    ]
    assert case.replies.get().text == "答复正文\n第二段"

    coordinator = client_for(cast.coordinator)
    gates = {"gates-format": "1", "gates-policy": "1", "gates-content": "1"}
    response = coordinator.post(url(case, "review"), {"passed": "1", **gates})
    assert response.status_code == 400
    assert "“解决问题”未通过，不能送签发" in response.content.decode()
    response = coordinator.post(url(case, "review"), {"comment": "请补充"})
    assert response.status_code == 400 and "此项必填" in response.content.decode()  # 结论
    response = coordinator.post(
        url(case, "review"),
        {"passed": "1", "gates-resolution": "1", "comment": "四关通过", **gates},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "signing"
    html = case_page_with_cards(coordinator, case.pk)
    assert "四关审核" in html and "均通过" in html and "四关通过" in html


@FROZEN
def test_edit_sends_only_what_changed(cast, client_for):
    case = register(cast, on=date(2026, 3, 2), content="第一行\n第二行")
    client = client_for(cast.coordinator)
    html = case_page_with_cards(client, case.pk)
    assert 'value="刘代表、周代表"' in html
    form = {
        "level": "municipal",
        "issuer": "",
        "year": "2026",
        "session": case.session,
        "number": case.number,
        "title": "关于加强基层医疗卫生人才培养的建议",
        "content": "第一行\r\n第二行",
        "mode": "lead",
        "external_lead": "",
        "topics": "人才、基层卫生",
        "led_by": "",
        "lead_proposer": "陈代表",
        "joint_proposers": "刘代表、周代表",
        "received_on": "2026-03-02",
        "leader_in_charge": "",
        "explicit_deadline": "",
    }
    assert client.post(url(case, "edit"), form).status_code == 302
    event = case.events.last()
    assert event.action == "edit"
    assert list(event.details["diff"]) == ["title"]
    html = case_page_with_cards(client, case.pk)
    assert "修改内容" in html and "标题" in html
    response = client.post(
        url(case, "edit"), form | {"title": "关于加强基层医疗卫生人才培养的建议"}
    )
    assert response.status_code == 400 and "没有修改任何内容" in response.content.decode()


@FROZEN
def test_register_case(cast, client_for):
    client = client_for(cast.coordinator)
    html = client.get("/cases/new/").content.decode()
    assert "登记办件" in html and "领衔人" in html and "人大代表建议" in html
    form = {
        "category": "cppcc_proposal",
        "level": "municipal",
        "issuer": "市政协提案委",
        "year": "2026",
        "session": "市政协十四届五次会议",
        "number": "0123",
        "title": "关于完善社区养老医疗服务的提案",
        "content": "建议……",
        "lead_proposer": "民盟市委",
        "joint_proposers": "刘委员、周委员，吴委员",
        "mode": "lead",
        "topics": "养老、医养结合",
        "is_key": "1",
        "received_on": "2026-03-02",
        "deadline": "2026-06-30",
    }
    response = client.post("/cases/new/", form | {"title": ""})
    assert response.status_code == 400 and "此项必填" in response.content.decode()
    assert 'value="刘委员、周委员，吴委员"' in response.content.decode()
    response = client.post("/cases/new/", form)
    assert response.status_code == 302
    case = Case.objects.get(number="0123")
    assert response["Location"] == f"/cases/{case.pk}/"
    assert (case.category, case.is_key, case.explicit_deadline) == (
        "cppcc_proposal",
        True,
        date(2026, 6, 30),
    )
    names = list(case.proposer_links.order_by("position").values_list("proposer__name", flat=True))
    assert names == ["民盟市委", "刘委员", "周委员", "吴委员"]
    assert sorted(case.topics.values_list("name", flat=True)) == ["养老", "医养结合"]
    response = client.post("/cases/new/", form)
    assert response.status_code == 400
    assert "2026年已有编号为“0123”的同类办件" in response.content.decode()


def test_only_coordinators_register(cast, client_for):
    for user in (cast.yizheng_head, cast.viewer, cast.leader):
        assert client_for(user).get("/cases/new/").status_code == 403
        assert client_for(user).post("/cases/new/", {}).status_code == 403
    html = client_for(cast.leader).get("/cases/").content.decode()
    assert "/cases/new/" not in html
