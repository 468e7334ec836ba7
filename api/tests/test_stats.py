"""GET /api/v1/stats: the same object as `huiyin stats --json`, for those who may see it."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from api.tests.helpers import BASE, ApiClient
from reports.tests.conftest import year  # noqa: F401 (the hand-made year, a fixture)

pytestmark = pytest.mark.django_db


def cli(*args: str) -> dict:
    out = StringIO()
    call_command("stats", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("username", ["coordinator", "leader", "viewer", "admin"])
def test_the_api_and_the_command_give_the_same_object(year, username):  # noqa: F811
    api = ApiClient(username)
    response = api.get("/stats", {"year": year})
    assert response.status_code == 200
    assert response.json() == cli("--year", str(year))
    for unit in ("yizheng", "jiceng"):
        response = api.get("/stats", {"year": year, "unit": unit})
        assert response.json() == cli("--year", str(year), "--unit", unit)
    assert response.json()["total"] == 2  # jiceng's


def test_the_object_has_the_keys_of_the_design(year):  # noqa: F811
    body = ApiClient("viewer").get("/stats", {"year": year}).json()
    keys = (
        "year total by_category_level by_role leader_led replied replied_on_time on_time_rate "
        "reply_class feedback satisfaction_rate face_to_face_rate by_topic by_unit"
    ).split()
    assert set(keys) <= set(body)
    assert body["by_category_level"]["npc_suggestion"] == {
        "provincial": 0,
        "municipal": 5,
        "county": 1,
    }
    assert body["on_time_rate"] == 0.8 and body["by_role"] == {"lead": 6, "co": 1}


def test_an_empty_year_gives_zeros_and_nulls(db, cast):
    body = ApiClient("coordinator").get("/stats", {"year": 2019}).json()
    assert body["total"] == 0 and body["on_time_rate"] is None and body["by_unit"] == []
    assert body == cli("--year", "2019")


def test_a_unit_head_gets_their_own_unit(year):  # noqa: F811
    api = ApiClient("yizheng")
    mine = api.get("/stats", {"year": year})
    assert mine.status_code == 200
    assert mine.json() == cli("--year", str(year), "--unit", "yizheng")
    assert mine.json()["unit"] == "yizheng"
    assert api.get("/stats", {"year": year, "unit": "yizheng"}).json() == mine.json()
    other = api.get("/stats", {"year": year, "unit": "jiceng"})
    assert other.status_code == 403
    assert other.json() == {"detail": "处室负责人只能查看本处室的统计"}


@pytest.mark.parametrize("username", ["yizheng_clerk", "outsider"])
def test_others_may_not(cast, username):
    response = ApiClient(username).get("/stats", {"year": 2026})
    assert response.status_code == 403
    assert "统计" in response.json()["detail"]


def test_without_a_token(db):
    response = Client().get(f"{BASE}/stats", {"year": 2026})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "请填写年度"),
        ({"year": "2026年"}, "年度：应为整数"),
        ({"year": "abc"}, "年度：应为整数"),
        ({"year": "1999"}, "年度：不能小于2000"),
        ({"year": "20260"}, "年度：不能大于2100"),
        ({"year": "2026", "unit": "nosuch"}, "主办处室：没有代码为“nosuch”的单位"),
    ],
)
def test_a_bad_request_is_422_in_chinese(cast, params, message):
    response = ApiClient("coordinator").get("/stats", params)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"] == message
    assert body["errors"][0]["field"] in ("year", "unit")


def test_the_operation_is_in_the_openapi_document(cast):
    client = Client()
    client.force_login(cast.viewer)  # the description is for logged-in users
    schema = client.get(f"{BASE}/openapi.json").json()
    operation = schema["paths"]["/api/v1/stats"]["get"]
    assert operation["summary"] == "年度统计"
    assert {p["name"] for p in operation["parameters"]} == {"year", "unit"}
