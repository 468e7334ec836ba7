"""The API's one mapping of domain errors, non-integer path parameters, the role check
before the body, and the per-action operations of the OpenAPI document."""

import json
from datetime import date

import pytest
import time_machine
from django.test import Client

from api.tests.helpers import BASE, ApiClient
from audit.models import AuditEvent, EventKind
from audit.trail import SecurityAction
from cases import actions
from cases.deadline_rules import RuleSettingError, RuleSettingForbidden
from cases.dispatch import action_payloads
from cases.models import Category
from cases.tests.factories import register
from huiyin.errors import Conflict, DomainError, Forbidden, NotFound
from orgs.actions import OrgError, OrgForbidden
from workdays.errors import CalendarError
from workflow.errors import ActionForbidden, CaseError, StaleCase, UnknownAction
from workflow.tables import workflow_for
from workflow.vocabulary import Relation

pytestmark = pytest.mark.django_db

FROZEN = time_machine.travel(date(2026, 12, 31), tick=False)
NOT_JSON = "{not json"


def _raising(exc):
    def broken(*args, **kwargs):
        raise exc

    return broken


@pytest.mark.parametrize(
    ("exc", "status", "body"),
    [
        (DomainError("不行", field="x"), 400, {"detail": "不行", "field": "x"}),
        (CaseError("不能签发"), 400, {"detail": "不能签发", "field": None}),
        (
            OrgError("请填写单位名称", field="name"),
            400,
            {"detail": "请填写单位名称", "field": "name"},
        ),
        (RuleSettingError("规则无效"), 400, {"detail": "规则无效", "field": None}),
        (CalendarError("日历无效"), 400, {"detail": "日历无效", "field": None}),
        (Forbidden("无权"), 403, {"detail": "无权"}),
        (ActionForbidden("您没有签发此办件的权限"), 403, {"detail": "您没有签发此办件的权限"}),
        (OrgForbidden("只有系统管理员可以"), 403, {"detail": "只有系统管理员可以"}),
        (RuleSettingForbidden("不能改期限规则"), 403, {"detail": "不能改期限规则"}),
        (NotFound("没有这个"), 404, {"detail": "没有这个"}),
        (UnknownAction("没有这项操作"), 404, {"detail": "没有这项操作"}),
        (Conflict("刚被他人办理", field="on"), 409, {"detail": "刚被他人办理", "field": "on"}),
        (StaleCase("刚被他人办理"), 409, {"detail": "刚被他人办理", "field": None}),
    ],
)
def test_each_kind_of_domain_error_is_one_status_and_shape(cast, monkeypatch, exc, status, body):
    monkeypatch.setattr("api.views.cases.list_cases", _raising(exc))
    response = ApiClient("coordinator").get("/cases")
    assert response.status_code == status
    assert response.json() == body


@pytest.mark.parametrize(
    "path",
    [
        "/cases/abc",
        "/cases/1.5",
        "/cases/%E5%8A%9E%E4%BB%B6",  # 办件
        "/cases/abc/reply.docx",
    ],
)
def test_a_non_integer_case_id_is_404_when_reading(cast, path):
    response = ApiClient("coordinator").get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "办件不存在"}


@pytest.mark.parametrize("action", ["assign", "withdraw", "no_such_action"])
def test_a_non_integer_case_id_is_404_when_acting(cast, action):
    response = ApiClient("coordinator").act("abc", action, {"lead_unit": "yizheng"})
    assert response.status_code == 404
    assert response.json() == {"detail": "办件不存在"}


def test_an_id_beyond_any_integer_column_is_404_not_500(cast):
    huge = "9" * 30
    assert ApiClient("coordinator").get(f"/cases/{huge}").status_code == 404
    response = ApiClient("coordinator").act(huge, "assign", {"lead_unit": "yizheng"})
    assert response.status_code == 404


def test_a_non_integer_case_id_still_asks_for_a_token_first():
    response = Client().get(f"{BASE}/cases/abc")
    assert response.status_code == 401


def _never_for(relation: str, category: str) -> list[str]:
    transitions = workflow_for(category).transitions
    return [
        name
        for name, t in transitions.items()
        if not t.hidden and name in action_payloads() and relation not in t.actors
    ]


@FROZEN
def test_a_viewer_posting_any_action_gets_403_before_the_body_is_read(cast):
    case = register(cast, on=date(2026, 3, 2))
    names = _never_for(Relation.VIEWER, case.category)
    assert len(names) >= 15  # every action of the 议提案 workflow
    client = ApiClient("viewer")
    actions_before = AuditEvent.objects.filter(kind=EventKind.ACTION).count()
    refusals_before = AuditEvent.objects.filter(action=SecurityAction.REFUSED).count()
    for name in names:
        for raw in (NOT_JSON, "[]", json.dumps({"no_such_field": 1})):
            response = client.act(case.pk, name, raw=raw)
            assert response.status_code == 403, (name, raw, response.content.decode())
            assert set(response.json()) == {"detail"}
    # Nothing changed; each refusal is in the security trail (issue 16).
    assert AuditEvent.objects.filter(kind=EventKind.ACTION).count() == actions_before
    refused = AuditEvent.objects.filter(action=SecurityAction.REFUSED).count() - refusals_before
    assert refused == 3 * len(names)


@FROZEN
def test_a_role_that_never_may_gets_403_whatever_the_body(cast):
    case = register(cast, on=date(2026, 3, 2))
    response = ApiClient("leader").act(case.pk, "assign", raw=NOT_JSON)
    assert response.status_code == 403
    assert response.json() == {"detail": "您没有交办此办件的权限"}


@FROZEN
def test_a_role_that_may_gets_422_for_a_malformed_body(cast):
    case = register(cast, on=date(2026, 3, 2))
    client = ApiClient("coordinator")
    response = client.act(case.pk, "assign", raw=NOT_JSON)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "", "message": "请求体不是有效的 JSON"}]
    response = client.act(case.pk, "assign", {})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "lead_unit", "message": "必填"}]


@FROZEN
def test_an_unknown_action_is_404_whatever_the_body_and_the_role(cast):
    case = register(cast, on=date(2026, 3, 2))
    for username in ("viewer", "coordinator"):
        response = ApiClient(username).act(case.pk, "delete", raw=NOT_JSON)
        assert response.status_code == 404
        assert response.json() == {"detail": "没有此操作"}


@FROZEN
def test_an_action_answers_the_same_through_its_own_operation(cast):
    case = register(cast, on=date(2026, 3, 2))
    response = ApiClient("coordinator").act(case.pk, "assign", {"lead_unit": "yizheng"})
    assert response.status_code == 200
    assert response.json()["state"] == "assigned"


@FROZEN
def test_a_stale_case_is_409_with_the_field_shape(cast, monkeypatch):
    case = register(cast, on=date(2026, 3, 2))
    actions.assign_case(case, by=cast.coordinator, lead_unit=cast.yizheng)
    monkeypatch.setattr(
        "api.views.cases.perform",
        _raising(StaleCase("该办件刚被他人办理，状态已变化，请刷新后重试")),
    )
    response = ApiClient("coordinator").act(case.pk, "withdraw", {"reason": "改办"})
    assert response.status_code == 409
    assert response.json() == {
        "detail": "该办件刚被他人办理，状态已变化，请刷新后重试",
        "field": None,
    }


# The OpenAPI document


@pytest.fixture
def doc(cast):
    client = Client()
    client.force_login(cast.viewer)  # the description is for logged-in users
    return client.get(f"{BASE}/openapi.json").json()


def _operation(doc, action):
    return doc["paths"][f"/api/v1/cases/{{case_id}}/actions/{action}"]["post"]


def _proposal_actions() -> dict:
    """The 议提案 workflow's actions and payloads (not those a test category may add)."""
    transitions = workflow_for(Category.NPC_SUGGESTION).transitions
    payloads = action_payloads()
    return {n: payloads[n] for n, t in transitions.items() if not t.hidden and n in payloads}


def test_every_action_has_its_own_operation_with_its_own_body(doc):
    payloads = _proposal_actions()
    assert len(payloads) >= 15
    ids = set()
    for action, model in payloads.items():
        op = _operation(doc, action)
        ids.add(op["operationId"])
        assert op["summary"].endswith(f"（{action}）")
        schema = op["requestBody"]["content"]["application/json"]["schema"]
        assert set(schema["properties"]) == set(model.model_fields), action
        assert "$defs" not in json.dumps(schema) and "$ref" not in json.dumps(schema)
        assert {"200", "400", "403", "404", "409", "422"} <= set(op["responses"]), action
    assert len(ids) == len(payloads)


def test_the_assign_operation_says_that_it_needs_lead_unit(doc):
    op = _operation(doc, "assign")
    body = op["requestBody"]
    assert body["required"] is True
    schema = body["content"]["application/json"]["schema"]
    assert schema["required"] == ["lead_unit"]
    assert schema["properties"]["lead_unit"]["title"] == "主办处室"
    assert "extra_forbidden" not in json.dumps(schema)
    assert schema["additionalProperties"] is False
    accept = _operation(doc, "accept")["requestBody"]
    assert accept["required"] is False
    assert set(accept["content"]["application/json"]["schema"]["properties"]) == {"on", "handler"}


def test_rules_the_schema_cannot_express_are_in_the_description(doc):
    reply = _operation(doc, "submit_reply")["description"]
    assert "B、C 类答复须列明承诺事项" in reply
    opinion = _operation(doc, "submit_opinion")["description"]
    assert "外部协办单位" in opinion
    # DecisionPayload serves three actions: each lists only its own rules.
    decide = _operation(doc, "decide_extension")["description"]
    sign = _operation(doc, "sign")["description"]
    assert "待审批的延期申请" in decide and "待审批的延期申请" not in sign
    assert "委领导签发" in sign and "委领导签发" not in decide
    # A rule of the base payload reaches every action.
    for action in _proposal_actions():
        assert "不能晚于今天" in _operation(doc, action)["description"], action
    assert "403" in decide  # the role check comes before the body


def test_the_generic_operation_still_lists_every_payload(doc):
    op = doc["paths"]["/api/v1/cases/{case_id}/actions/{action}"]["post"]
    variants = op["requestBody"]["content"]["application/json"]["schema"]["anyOf"]
    titles = {v["title"].split("（")[0] for v in variants}
    assert set(_proposal_actions()) <= titles
    assert "409" in op["responses"]


def test_a_non_integer_case_id_is_documented_as_404(doc):
    paths = doc["paths"]
    for path, method in [
        ("/api/v1/cases/{case_id}", "get"),
        ("/api/v1/cases/{case_id}/reply.docx", "get"),
        ("/api/v1/cases/{case_id}/actions/{action}", "post"),
        ("/api/v1/cases/{case_id}/actions/assign", "post"),
    ]:
        op = paths[path][method]
        assert "不是整数" in op["responses"]["404"]["description"], path
        param = next(p for p in op["parameters"] if p["name"] == "case_id")
        assert param["in"] == "path" and param["schema"]["type"] == "integer"


@pytest.mark.parametrize("path", ["/nope", "/cases/1/actions/", "/cases/1/reply.pdf"])
def test_an_api_url_no_route_matches_is_a_json_404(cast, path):
    response = ApiClient("coordinator").get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "接口不存在"}


def test_a_web_url_no_route_matches_is_still_the_404_page(cast):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("body", [NOT_JSON, "{}", '{"category": 1}'])
def test_a_role_that_may_not_register_gets_403_before_the_body_is_read(cast, body):
    for user in (cast.viewer, cast.yizheng_head, cast.leader):
        response = ApiClient(user.username).post("/cases", raw=body)
        assert response.status_code == 403, (user, response.content)
    assert ApiClient(cast.coordinator.username).post("/cases", raw=body).status_code in (400, 422)


def test_the_register_operation_still_documents_its_body(cast):
    document = ApiClient(cast.coordinator.username).get("/openapi.json").json()
    body = document["paths"][f"{BASE}/cases"]["post"]["requestBody"]
    proposal, opinion, item = body["content"]["application/json"]["schema"]["oneOf"]
    assert {"category", "level", "year", "number", "title"} <= set(proposal["required"])
    # 群众意见建议 (issue 12's Contract): title, content, channel, received_on required.
    assert {"category", "channel", "title", "content", "received_on"} <= set(opinion["required"])
    assert opinion["properties"]["category"]["const"] == "public_opinion"
    # 督办事项 (issue 13): source, urgency, title, received_on required.
    assert {"category", "source", "urgency", "title", "received_on"} <= set(item["required"])
