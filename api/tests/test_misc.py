"""Units, the OpenAPI document, and what a server error looks like."""

import json
import logging

import pytest
from django.test import Client

from api.tests.helpers import BASE, ApiClient, ok
from audit.record import today
from cases.tests.factories import make_unit, register
from orgs.models import Unit, UnitKind

pytestmark = pytest.mark.django_db


def test_units_in_order_with_parent_codes(cast):
    county = make_unit("county-a", "甲县卫健局", UnitKind.COUNTY)
    clinic = make_unit("county-a-clinic", "甲县中心医院", UnitKind.AFFILIATED, parent=county)
    Unit.objects.filter(pk=cast.office.pk).update(sort_order=1)
    Unit.objects.filter(pk__in=[county.pk, clinic.pk]).update(sort_order=2)
    retired = make_unit("retired", "已撤销处室")
    Unit.objects.filter(pk=retired.pk).update(is_active=False)
    units = ok(ApiClient("yizheng").get("/units"))
    assert [u["code"] for u in units] == [
        "fagaiwei",
        "jiceng",
        "yizheng",
        "zhongyi",
        "bangongshi",
        "county-a",
        "county-a-clinic",
    ]
    assert units[-1] == {
        "id": clinic.pk,
        "code": "county-a-clinic",
        "name": "甲县中心医院",
        "parent": "county-a",
    }
    assert units[0]["parent"] is None


def test_openapi_document(cast):
    client = Client()
    client.force_login(cast.viewer)  # the description is for logged-in users
    response = client.get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    doc = json.loads(response.content)
    assert doc["openapi"].startswith("3.")
    assert doc["info"] == {
        "title": "回音 Huiyin API",
        "version": "1.0",
        "description": doc["info"]["description"],
    }
    paths = doc["paths"]
    assert set(paths["/api/v1/auth/token"]) == {"post", "delete"}
    assert set(paths["/api/v1/units"]) == {"get"}
    assert set(paths["/api/v1/cases"]) == {"get", "post"}
    assert set(paths["/api/v1/cases/{case_id}"]) == {"get"}
    assert set(paths["/api/v1/cases/{case_id}/actions/{action}"]) == {"post"}
    assert "security" not in paths["/api/v1/auth/token"]["post"]
    assert paths["/api/v1/units"]["get"]["security"]
    schemes = doc["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    listed = {p["name"] for p in paths["/api/v1/cases"]["get"]["parameters"]}
    assert {
        "state",
        "category",
        "level",
        "year",
        "unit",
        "overdue",
        "q",
        "page",
        "page_size",
        "sort",
    } <= listed
    body = paths["/api/v1/cases/{case_id}/actions/{action}"]["post"]["requestBody"]
    variants = body["content"]["application/json"]["schema"]["anyOf"]
    assert any(v["title"].startswith("submit_reply") for v in variants)
    assert "$defs" not in json.dumps(variants)  # nested models are inlined
    assert client.get(f"{BASE}/docs").status_code == 200


def test_server_error_is_500_without_traceback(cast, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("api.views.cases.list_cases", broken)
    client = ApiClient("coordinator")
    with caplog.at_level(logging.ERROR, logger="api"):
        response = client.get("/cases")
    assert response.status_code == 500
    assert response.json() == {"detail": "服务器内部错误"}
    assert b"secret" not in response.content and b"Traceback" not in response.content
    assert "secret internals" in caplog.text


def test_bad_response_is_a_server_error_not_the_clients(cast, monkeypatch):
    monkeypatch.setattr("api.views.units.Unit.objects", _BadUnits())
    response = ApiClient("coordinator").get("/units")
    assert response.status_code == 500
    assert response.json() == {"detail": "服务器内部错误"}


class _BadUnits:
    """Units whose rows cannot be described by the response schema."""

    def filter(self, **kwargs):
        return self

    def select_related(self, *args):
        return self

    def order_by(self, *args):
        class Row:
            pk, code, name, parent_id, parent = "x", None, None, None, None

        return [Row()]


def test_oversized_body_is_413(cast, settings):
    case = register(cast, on=today())
    client = ApiClient("coordinator")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    big = {"reason": "很长" * 1000}
    for path in ("/cases", f"/cases/{case.pk}/actions/withdraw"):
        response = client.post(path, big)
        assert response.status_code == 413, path
        assert response.json() == {"detail": "请求体过大"}
