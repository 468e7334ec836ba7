"""Registering, reading and acting on one case: who may, and what the answers look like."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.tests.helpers import ApiClient, ok, register_body
from audit.models import AuditEvent
from cases import actions
from cases.models import Case
from cases.tests.factories import register

pytestmark = pytest.mark.django_db

FROZEN = time_machine.travel(date(2026, 12, 31), tick=False)


def assigned_case(cast, *, on=date(2026, 3, 5), co_units=(), **overrides):
    case = register(cast, on=date(2026, 3, 2), **overrides)
    actions.assign_case(
        case,
        by=cast.coordinator,
        lead_unit=cast.yizheng,
        co_units=list(co_units),
        assigned_on=on,
        handler=cast.yizheng_handler,
    )
    return case


@FROZEN
def test_register_answers_201_with_the_detail(cast):
    body = register_body(number="  20269999 ", deadline="2026-05-30", is_key=True, led_by="李主任")
    case = ok(ApiClient("coordinator").post("/cases", body), 201)
    stored = Case.objects.get(pk=case["id"])
    assert stored.number == case["number"] == "20269999"
    assert stored.explicit_deadline == date(2026, 5, 30)
    assert (case["is_key"], case["led_by"], case["received_on"]) == (True, "李主任", "2026-03-02")
    assert (case["category"], case["level"], case["mode"], case["role"]) == (
        "npc_suggestion",
        "municipal",
        "lead",
        "lead",
    )
    assert [e["action"] for e in case["timeline"]] == ["register"]


@FROZEN
@pytest.mark.parametrize("username", ["yizheng", "leader", "viewer", "outsider"])
def test_only_the_coordinator_registers(cast, username):
    response = ApiClient(username).post("/cases", register_body())
    assert response.status_code == 403
    assert response.json() == {"detail": "只有议提案管理员可以登记办件"}
    assert not Case.objects.exists()


@FROZEN
def test_duplicate_number_is_400_on_the_number(cast):
    client = ApiClient("coordinator")
    ok(client.post("/cases", register_body()), 201)
    response = client.post("/cases", register_body(title="另一件"))
    assert response.status_code == 400
    assert response.json() == {"detail": "2026年已有编号为“20260001”的同类办件", "field": "number"}
    assert Case.objects.count() == 1


@FROZEN
def test_register_refusals_from_the_action_are_400(cast):
    response = ApiClient("coordinator").post("/cases", register_body(mode="co"))
    assert response.status_code == 400
    assert response.json() == {"detail": "会办件请填写主办单位", "field": "external_lead"}


@FROZEN
@pytest.mark.parametrize(
    ("changes", "field", "message", "sentence"),
    [
        ({"number": ""}, "number", "不能为空", "编号：不能为空"),
        ({"title": None}, "title", "应为文字", "标题：应为文字"),
        ({"level": "national"}, "level", "取值无效", "级别：取值无效"),
        ({"year": "二〇二六"}, "year", "应为整数", "年度：应为整数"),
        ({"year": 1990}, "year", "须在2000年至2100年之间", "年度：须在2000年至2100年之间"),
        ({"received_on": "2026/3/2"}, "received_on", "日期格式应为 YYYY-MM-DD", "收到日期："),
        ({"is_key": "maybe"}, "is_key", "应为 true 或 false", "重点件："),
        ({"colour": "red"}, "colour", "不接受此字段", "不接受字段“colour”"),
        ({"joint_proposers": "刘代表"}, "joint_proposers", "应为列表", "联名人："),
    ],
)
def test_bad_register_payload_is_422_naming_the_field(cast, changes, field, message, sentence):
    response = ApiClient("coordinator").post("/cases", register_body(**changes))
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == field
    assert body["errors"][0]["message"].startswith(message)
    assert sentence in body["detail"]
    assert not Case.objects.exists()


@FROZEN
def test_missing_field_is_named_in_chinese(cast):
    body = register_body()
    del body["category"], body["lead_proposer"]
    response = ApiClient("coordinator").post("/cases", body)
    assert response.status_code == 422
    assert response.json() == {
        "detail": "请填写类别；请填写领衔人",
        "errors": [
            {"field": "category", "message": "必填"},
            {"field": "lead_proposer", "message": "必填"},
        ],
    }


@FROZEN
def test_body_that_is_not_json_or_not_an_object_is_422(cast):
    client = ApiClient("coordinator")
    case = register(cast, on=date(2026, 3, 2))
    for path in ("/cases", f"/cases/{case.pk}/actions/withdraw"):
        response = client.post(path, raw="{'reason': 1}")
        assert response.status_code == 422, path
        assert response.json() == {
            "detail": "请求体不是有效的 JSON",
            "errors": [{"field": "", "message": "请求体不是有效的 JSON"}],
        }
        response = client.post(path, ["reason"])
        assert response.status_code == 422, path
        assert response.json()["detail"] == "应为 JSON 对象"


@FROZEN
def test_detail_of_a_case(cast):
    case = assigned_case(cast, co_units=[cast.jiceng, cast.fagaiwei])
    detail = ok(ApiClient("viewer").get(f"/cases/{case.pk}"))
    assert detail["id"] == case.pk and detail["state"] == "assigned"
    assert detail["state_label"] == "已交办"
    assert detail["overdue"] is True  # due 2026-06-05, still not accepted at the year's end
    assert (detail["deadline"], detail["deadline_provisional"]) == ("2026-06-05", False)
    assert (detail["assigned_on"], detail["received_on"]) == ("2026-03-05", "2026-03-02")
    assert [a["unit"] for a in detail["assignments"]] == ["jiceng", "fagaiwei", "yizheng"]
    assert detail["assignments"][1] == {
        "unit": "fagaiwei",
        "unit_name": "市发改委",
        "kind": "co",
        "status": "pending",
        "deadline": "2026-04-07",
        "deadline_provisional": False,
        "handler": None,
        "accepted_on": None,
        "returned_on": None,
        "return_reason": "",
        "opinion": "",
        "opinion_on": None,
    }
    for key in ("replies", "communications", "feedbacks", "commitments", "outcomes"):
        assert detail[key] == []
    assert detail["available_actions"] == []
    assert [e["action"] for e in detail["timeline"]] == ["register", "assign"]


@FROZEN
def test_detail_queries_do_not_grow_with_the_record(cast):
    small = assigned_case(cast)
    large = assigned_case(cast, co_units=[cast.jiceng, cast.zhongyi, cast.fagaiwei])
    for case in (small, large):
        actions.accept_case(case, by=cast.yizheng_handler, on=date(2026, 3, 6))
    for day in range(10, 20):
        actions.communicate(
            large,
            by=cast.yizheng_handler,
            stage="during",
            method="phone",
            summary=f"第{day}日电话沟通",
            on=date(2026, 3, day),
        )
    client = ApiClient("coordinator")
    ok(client.get(f"/cases/{small.pk}"))  # the token's first use is recorded once
    counts = []
    for case in (small, large):
        with CaptureQueriesContext(connection) as queries:
            detail = ok(client.get(f"/cases/{case.pk}"))
        counts.append(len(queries))
    assert len(detail["communications"]) == 10 and len(detail["timeline"]) == 13
    assert counts[0] == counts[1]


@time_machine.travel(date(2026, 3, 6), tick=False)
def test_available_actions_by_user_and_state(cast):
    registered = register(cast, on=date(2026, 3, 2))
    assigned = assigned_case(cast, co_units=[cast.jiceng])

    def available(username, case):
        return ok(ApiClient(username).get(f"/cases/{case.pk}"))["available_actions"]

    assert available("coordinator", registered) == [
        "assign",
        "withdraw",
        "edit",
        "supervise",
        "merge",
    ]
    # The coordinator may name the lead unit's handler while the unit holds the case.
    assert available("coordinator", assigned) == [
        "assign_handler",
        "withdraw",
        "edit",
        "urge",
        "supervise",
        "merge",
    ]
    head = available("yizheng", assigned)
    assert {"accept", "return", "assign_handler"} <= set(head)
    assert "assign" not in head and "sign" not in head
    clerk = available("yizheng_clerk", assigned)
    assert {"accept", "return"} <= set(clerk) and "assign_handler" not in clerk
    assert available("jiceng", assigned) == ["submit_opinion"]  # a co-unit
    for username in ("viewer", "leader", "admin"):
        assert available(username, registered) == []
        assert available(username, assigned) == []

    actions.accept_case(assigned, by=cast.yizheng_handler, on=date(2026, 3, 6))
    handling = available("yizheng_clerk", assigned)
    assert {"communicate", "submit_reply", "request_extension", "add_outcome"} <= set(handling)
    assert "accept" not in handling and "return" not in handling
    assert "update_commitment" not in handling  # nothing promised yet
    assert available("viewer", assigned) == []


@FROZEN
def test_return_is_offered_only_within_its_window(cast):
    case = assigned_case(cast)
    # Five working days after 2026-03-05 have long passed at the year's end.
    assert "return" not in ok(ApiClient("yizheng").get(f"/cases/{case.pk}"))["available_actions"]
    response = ApiClient("yizheng").act(case.pk, "return", {"reason": "不属于本处职责"})
    assert response.status_code == 400
    assert "5个工作日" in response.json()["detail"]


@FROZEN
def test_invisible_case_is_404_for_reading_and_acting(cast):
    case = assigned_case(cast)  # yizheng's, nothing to do with jiceng
    for username in ("jiceng", "outsider"):
        client = ApiClient(username)
        response = client.get(f"/cases/{case.pk}")
        assert response.status_code == 404
        assert response.json() == {"detail": "办件不存在"}
        for action in ("accept", "submit_opinion", "no_such_action"):
            response = client.act(case.pk, action, {})
            assert response.status_code == 404
            assert response.json() == {"detail": "办件不存在"}
    assert ApiClient("yizheng").get(f"/cases/{case.pk}").status_code == 200
    assert ApiClient("coordinator").get("/cases/999999").status_code == 404


@FROZEN
def test_unknown_action_is_404(cast):
    case = register(cast, on=date(2026, 3, 2))
    response = ApiClient("coordinator").act(case.pk, "delete", {})
    assert response.status_code == 404
    assert response.json() == {"detail": "没有此操作"}


@FROZEN
def test_action_not_allowed_now_is_400_and_writes_nothing(cast):
    case = register(cast, on=date(2026, 3, 2))
    leader, coordinator = ApiClient("leader"), ApiClient("coordinator")  # their tokens: audited
    before = AuditEvent.objects.count()
    response = leader.act(case.pk, "sign", {"approved": True})
    assert response.status_code == 400
    assert response.json() == {"detail": "办件当前为“已登记”，不能签发", "field": None}
    response = coordinator.act(case.pk, "record_feedback", {"result": "satisfied"})
    assert response.status_code == 400
    assert "不能登记评价" in response.json()["detail"]
    assert AuditEvent.objects.count() == before
    assert Case.objects.get(pk=case.pk).state == "registered"


@FROZEN
def test_action_the_role_may_never_do_is_403(cast):
    case = assigned_case(cast)
    for username, action, body in [
        ("yizheng", "sign", {"approved": True}),
        ("coordinator", "accept", {}),
        ("viewer", "withdraw", {"reason": "看看"}),
        ("leader", "assign", {"lead_unit": "jiceng"}),
    ]:
        response = ApiClient(username).act(case.pk, action, body)
        assert response.status_code == 403, (username, action)
        detail = response.json()["detail"]
        assert detail.startswith("您没有") and "权限" in detail
        assert set(response.json()) == {"detail"}


@FROZEN
def test_refusal_with_a_field_and_a_date_rule(cast):
    case = register(cast, on=date(2026, 3, 2))
    client = ApiClient("coordinator")
    response = client.act(case.pk, "assign", {"lead_unit": "nosuchunit"})
    assert response.json() == {"detail": "没有代码为“nosuchunit”的单位", "field": "lead_unit"}
    response = client.act(case.pk, "assign", {"lead_unit": "yizheng", "assigned_on": "2027-01-04"})
    assert response.status_code == 400
    assert response.json() == {"detail": "办理日期不能晚于今天", "field": "on"}


@FROZEN
def test_malformed_action_payload_is_422_naming_the_field(cast):
    case = register(cast, on=date(2026, 3, 2))
    client = ApiClient("coordinator")
    response = client.act(case.pk, "assign", {"co_units": ["jiceng"]})
    assert response.status_code == 422
    assert response.json() == {
        "detail": "请填写主办处室",
        "errors": [{"field": "lead_unit", "message": "必填"}],
    }
    response = client.act(case.pk, "withdraw", {"reason": "  "})
    assert response.status_code == 422
    assert response.json()["detail"] == "理由：不能为空"
    response = client.act(case.pk, "withdraw", {"reason": "改办", "on": "03/04/2026"})
    assert response.json()["errors"] == [{"field": "on", "message": "日期格式应为 YYYY-MM-DD"}]
    assert response.json()["detail"] == "办理日期：日期格式应为 YYYY-MM-DD"
    response = client.act(case.pk, "edit", {"is_key": "perhaps", "sort": 1})
    assert {e["field"] for e in response.json()["errors"]} == {"is_key", "sort"}
    # An empty body is an empty payload.
    response = client.post(f"/cases/{case.pk}/actions/withdraw", raw="")
    assert response.status_code == 422
    assert response.json()["detail"] == "请填写理由"
    assert Case.objects.get(pk=case.pk).state == "registered"


@FROZEN
def test_nested_payload_errors_name_the_item(cast):
    case = assigned_case(cast)
    actions.accept_case(case, by=cast.yizheng_handler, on=date(2026, 3, 6))
    response = ApiClient("yizheng_clerk").act(
        case.pk,
        "submit_reply",
        {
            "text": "答复",
            "reply_class": "E",
            "contact": "赵科员",
            "phone": "1",
            "commitments": [
                {"what": "方案", "due": "2026-12-01"},
                {"what": "方案二", "due": "明年"},
            ],
        },
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["reply_class", "commitments.1.due"]
    assert "承诺事项第2项的完成时间" in response.json()["detail"]


@FROZEN
def test_review_gates_through_the_api(cast):
    case = assigned_case(cast)
    actions.accept_case(case, by=cast.yizheng_handler, on=date(2026, 3, 6))
    head = ApiClient("yizheng")
    ok(
        head.act(
            case.pk,
            "submit_reply",
            {"text": "答", "reply_class": "A", "contact": "张", "phone": "1"},
        )
    )
    coordinator = ApiClient("coordinator")
    response = coordinator.act(case.pk, "review", {"passed": True, "gates": {"format": True}})
    assert response.status_code == 422  # all four gates or none
    assert response.json()["errors"][0]["field"] == "gates.policy"
    response = coordinator.act(case.pk, "review", {"passed": False})
    assert response.json() == {"detail": "退回修改时请填写意见", "field": "comment"}
    case_json = ok(
        coordinator.act(
            case.pk,
            "review",
            {
                "passed": False,
                "comment": "政策依据不足",
                "gates": {"format": True, "policy": False, "content": True, "resolution": True},
            },
        )
    )
    assert case_json["state"] == "handling"
    assert case_json["replies"][0]["status"] == "sent_back"
    assert case_json["timeline"][-1]["details"]["gates"]["policy"] is False


@FROZEN
def test_unit_loses_sight_after_returning_but_gets_its_answer(cast):
    with time_machine.travel(date(2026, 3, 6), tick=False):
        case = assigned_case(cast)
        answer = ok(ApiClient("yizheng").act(case.pk, "return", {"reason": "不属于本处职责"}))
        assert answer["state"] == "registered" and answer["lead_unit"] is None
        assert ApiClient("yizheng").get(f"/cases/{case.pk}").status_code == 404
