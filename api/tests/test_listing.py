"""GET /cases: filters, paging, visibility, and a query count that does not grow with the page."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.tests.helpers import ApiClient, ok
from cases import actions
from cases.tests.factories import register

pytestmark = pytest.mark.django_db

FROZEN = time_machine.travel(date(2026, 12, 31), tick=False)

ITEM_KEYS = {
    "id", "category", "level", "year", "number", "title", "state", "state_label", "mode",
    "role", "lead_unit", "lead_unit_name", "deadline", "deadline_provisional", "overdue",
    "reply_class", "handler",
}  # fmt: skip


def assign(cast, case, unit, co_units=(), on=date(2026, 3, 5)):
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=unit, co_units=list(co_units), assigned_on=on
    )
    return case


@pytest.fixture
def ledger(cast):
    """Four cases: yizheng's (overdue), jiceng's with yizheng as co-unit (not yet due),
    a registered one from 2025, and a replied one (never overdue)."""
    with time_machine.travel(date(2026, 12, 31), tick=False):
        old = register(
            cast, on=date(2026, 3, 2), number="Y1", title="关于加强基层医疗卫生人才队伍建设的建议"
        )
        late = register(cast, on=date(2026, 11, 20), number="J1", title="关于中医药传承创新的建议")
        past = register(
            cast,
            on=date(2025, 5, 6),
            year=2025,
            number="P1",
            title="关于改善就医环境的建议",
            lead_proposer="王委员",
        )
        replied = register(
            cast, on=date(2026, 3, 2), number="R1", title="关于家庭医生签约服务的建议"
        )
        assign(cast, old, cast.yizheng)
        assign(cast, late, cast.jiceng, co_units=[cast.yizheng], on=date(2026, 11, 25))
        assign(cast, replied, cast.zhongyi)
        actions.accept_case(replied, by=cast.zhongyi_head, on=date(2026, 3, 6))
        actions.submit_reply(
            replied,
            by=cast.zhongyi_head,
            text="答",
            reply_class="A",
            contact="钱",
            phone="1",
            on=date(2026, 4, 1),
        )
        actions.review_reply(replied, by=cast.coordinator, passed=True, on=date(2026, 4, 2))
        actions.sign_reply(replied, by=cast.leader, approved=True, on=date(2026, 4, 3))
    return {"old": old, "late": late, "past": past, "replied": replied}


def numbers(page):
    return sorted(item["number"] for item in page["items"])


@FROZEN
def test_list_items_and_defaults(cast, ledger):
    page = ok(ApiClient("coordinator").get("/cases"))
    assert (page["count"], page["count_capped"], page["page"], page["pages"]) == (4, False, 1, 1)
    assert [i["number"] for i in page["items"]] == ["R1", "P1", "J1", "Y1"]  # newest first
    for item in page["items"]:
        assert set(item) == ITEM_KEYS
    by_number = {i["number"]: i for i in page["items"]}
    assert by_number["Y1"] | {"id": 0} == {
        "id": 0,
        "category": "npc_suggestion",
        "level": "municipal",
        "year": 2026,
        "number": "Y1",
        "title": "关于加强基层医疗卫生人才队伍建设的建议",
        "state": "assigned",
        "state_label": "已交办",
        "mode": "lead",
        "role": "lead",
        "lead_unit": "yizheng",
        "lead_unit_name": "医政医管处",
        "deadline": "2026-06-05",
        "deadline_provisional": False,
        "overdue": True,
        "reply_class": None,
        "handler": None,
    }
    assert by_number["R1"]["reply_class"] == "A" and by_number["R1"]["overdue"] is False
    assert by_number["P1"]["lead_unit"] is None and by_number["P1"]["deadline"] is None


@FROZEN
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"state": "registered"}, ["P1"]),
        ({"state": "assigned"}, ["J1", "Y1"]),
        ({"unit": "yizheng"}, ["J1", "Y1"]),  # lead unit or live co-unit
        ({"unit": "jiceng"}, ["J1"]),
        ({"overdue": "true"}, ["Y1"]),
        ({"overdue": "false"}, ["J1", "P1", "R1"]),
        ({"q": "中医药"}, ["J1"]),
        ({"q": "王委员"}, ["P1"]),  # by proposer
        ({"q": "R1"}, ["R1"]),  # by number
        ({"year": "2025"}, ["P1"]),
        ({"year": "2026", "state": "assigned", "unit": "jiceng"}, ["J1"]),
        ({"category": "cppcc_proposal"}, []),
        ({"level": "municipal"}, ["J1", "P1", "R1", "Y1"]),
    ],
)
def test_filters(cast, ledger, params, expected):
    assert numbers(ok(ApiClient("coordinator").get("/cases", params))) == expected


@FROZEN
@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"year": "abc"}, "year", "应为整数"),
        ({"state": "no-such-state"}, "state", "取值无效"),
        ({"category": "xx"}, "category", "取值无效"),
        ({"overdue": "zz"}, "overdue", "应为 1 或 0"),
        ({"q": "a\x00b"}, "q", "不能含有控制字符"),
        ({"received_from": "0001-01-01"}, "received_from", "须在2000年至2100年之间"),
    ],
)
def test_a_bad_filter_is_a_422_naming_the_parameter(cast, ledger, params, field, message):
    """Issue 9 #16: never an empty list that looks like a real answer."""
    response = ApiClient("coordinator").get("/cases", params)
    assert response.status_code == 422, response.content.decode()
    errors = response.json()["errors"]
    assert errors[0]["field"] == field and errors[0]["message"].startswith(message)
    assert f"（{field}）" in response.json()["detail"]


@FROZEN
def test_sort(cast, ledger):
    client = ApiClient("coordinator")
    page = ok(client.get("/cases", {"sort": "number"}))
    assert [i["number"] for i in page["items"]] == ["J1", "P1", "R1", "Y1"]
    page = ok(client.get("/cases", {"sort": "deadline", "state": "assigned"}))
    assert [i["number"] for i in page["items"]] == ["Y1", "J1"]
    bogus = client.get("/cases", {"sort": "bogus"})
    assert bogus.status_code == 422 and bogus.json()["errors"][0]["field"] == "sort"


@FROZEN
def test_units_see_only_their_cases(cast, ledger):
    assert numbers(ok(ApiClient("yizheng").get("/cases"))) == ["J1", "Y1"]
    assert numbers(ok(ApiClient("jiceng").get("/cases"))) == ["J1"]
    assert numbers(ok(ApiClient("zhongyi").get("/cases"))) == ["R1"]
    assert ok(ApiClient("outsider").get("/cases"))["count"] == 0
    assert ok(ApiClient("viewer").get("/cases"))["count"] == 4


@pytest.fixture
def many(cast):
    with time_machine.travel(date(2026, 12, 31), tick=False):
        cases = [register(cast, on=date(2026, 3, 2), number=f"M{i:02d}") for i in range(25)]
        for case in cases[::2]:
            assign(cast, case, cast.yizheng, co_units=[cast.jiceng])
    return cases


@FROZEN
def test_pagination(cast, many):
    client = ApiClient("coordinator")
    first = ok(client.get("/cases", {"page_size": 10, "sort": "number"}))
    assert (first["count"], first["page"], first["pages"], len(first["items"])) == (25, 1, 3, 10)
    assert first["items"][0]["number"] == "M00"
    last = ok(client.get("/cases", {"page_size": 10, "page": 3, "sort": "number"}))
    assert [i["number"] for i in last["items"]] == [f"M{i}" for i in range(20, 25)]
    beyond = ok(client.get("/cases", {"page_size": 10, "page": 99}))
    assert (beyond["page"], len(beyond["items"])) == (3, 5)
    assert client.get("/cases", {"page": 0}).status_code == 422
    assert client.get("/cases", {"page": -5}).status_code == 422
    default = ok(client.get("/cases"))
    assert (len(default["items"]), default["pages"]) == (20, 2)
    assert len(ok(client.get("/cases", {"page_size": 100}))["items"]) == 25
    assert client.get("/cases", {"page_size": 1000}).status_code == 422  # at most 100
    assert client.get("/cases", {"page_size": 0}).status_code == 422
    tiny = ok(client.get("/cases", {"page_size": 1}))
    assert (len(tiny["items"]), tiny["pages"]) == (1, 25)
    response = client.get("/cases", {"page": "two"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": "页码：应为整数",
        "errors": [{"field": "page", "message": "应为整数"}],
    }


def _count_queries(client, params):
    with CaptureQueriesContext(connection) as queries:
        page = ok(client.get("/cases", params))
    return len(queries), len(page["items"])


@FROZEN
@pytest.mark.parametrize("username", ["coordinator", "yizheng"])
def test_list_queries_do_not_grow_with_the_items(cast, many, username):
    client = ApiClient(username)
    ok(client.get("/cases"))  # the token's first use is recorded once
    few = _count_queries(client, {"page_size": 5})
    lots = _count_queries(client, {"page_size": 25})
    assert few[1] == 5 and lots[1] == (25 if username == "coordinator" else 13)
    assert few[0] == lots[0]
    assert few[0] <= 6


@FROZEN
def test_each_listed_case_names_its_handler(cast, ledger):
    actions.accept_case(ledger["old"], by=cast.yizheng_head, handler=cast.yizheng_handler)
    items = ok(ApiClient("coordinator").get("/cases"))["items"]
    handlers = {item["number"]: item["handler"] for item in items}
    assert handlers == {"Y1": cast.yizheng_handler.username, "J1": None, "P1": None, "R1": None}
