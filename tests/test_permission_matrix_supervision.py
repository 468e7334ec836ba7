"""Role × operation → HTTP status for 督查督办 (issue 13): every API operation of the
category, written out by hand like tests/test_permission_matrix.py (same columns: admin,
coordinator, leader, viewer, yizheng (head of the lead unit), yizheng_clerk (its handler),
jiceng (head of the co-unit), zhongyi (an unrelated unit), anonymous).

Items: R registered, A assigned to 医政医管处 with 基层卫生健康处 as co-unit and the leader in
charge `leader`, H handling, V completion report to check, P checked (to rate), S suspended;
X a registered 议提案 to put under supervision.
"""

from datetime import date

import pytest
import time_machine
from django.test import Client

from api.tests.helpers import BASE, ApiClient
from cases.actions import accept_case
from tests.test_permission_matrix import _params

TODAY = date(2026, 6, 10)
OWN = [403, 403, 403, 403, 200, 200, 403, 404, 401]  # the lead unit's head and handler
OFFICE = [403, 200, 403, 403, 403, 403, 403, 404, 401]  # the coordinator (督查室)

API = {
    "register supervision": ("post", "/cases", "ITEM", [403, 201, 403, 403, 403, 403, 403, 403, 401]),
    "GET registered item": ("get", "/cases/{R}", None, [200, 200, 200, 200, 404, 404, 404, 404, 401]),
    "GET assigned item": ("get", "/cases/{A}", None, [200, 200, 200, 200, 200, 200, 200, 404, 401]),
    "assign item": (
        "post", "/cases/{R}/actions/assign", {"lead_unit": "zhongyi"},
        [403, 200, 403, 403, 404, 404, 404, 404, 401],
    ),
    "accept item": ("post", "/cases/{A}/actions/accept", {}, OWN),
    "report progress": ("post", "/cases/{H}/actions/report_progress", {"text": "已部署", "percent": 40}, OWN),
    "submit completion": ("post", "/cases/{H}/actions/submit_completion", {"report": "已完成"}, OWN),
    "request extension of an item": (
        "post", "/cases/{H}/actions/request_extension", {"until": "2026-08-31", "reason": "需协调"}, OWN,
    ),
    "check completion": ("post", "/cases/{V}/actions/check_completion", {"approved": True}, OFFICE),
    "rate quality": (
        "post", "/cases/{P}/actions/rate", {"quality": "good"},
        [403, 403, 200, 403, 403, 403, 403, 404, 401],
    ),
    "suspend": ("post", "/cases/{H}/actions/suspend", {"reason": "等待上级政策"}, OFFICE),
    "resume": ("post", "/cases/{S}/actions/resume", {}, OFFICE),
    "put a proposal under supervision": (
        "post", "/cases/{X}/actions/supervise", {"urgency": "yellow"},
        [403, 200, 403, 403, 404, 404, 404, 404, 401],
    ),
}  # fmt: skip

WEB = {
    "item page": ("get", "/cases/{A}/", None, [200, 200, 200, 200, 200, 200, 200, 404, 302]),
    "report progress on the web": (
        "post", "/cases/{H}/actions/report_progress/", {"text": "已部署"},
        [403, 403, 403, 403, 302, 302, 403, 404, 302],
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from django.db import transaction
    from django.test import override_settings

    from cases.tests.factories import Cast

    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast:
        yield _build_world(Cast())
        transaction.set_rollback(True)


def _build_world(cast):
    from cases.tests.factories import register
    from supervision import actions

    def new():
        return actions.register_supervision(
            by=cast.coordinator, source="leader_instruction", urgency="green",
            title="落实急救电话接听率", received_on=TODAY,
        )  # fmt: skip

    def assigned():
        case = new()
        actions.assign(case, by=cast.coordinator, lead_unit=cast.yizheng, co_units=[cast.jiceng],
                       leader_in_charge=cast.leader)  # fmt: skip
        return case

    def handling():
        case = assigned()
        accept_case(case, by=cast.yizheng_head)
        return case

    with time_machine.travel(TODAY, tick=False):
        cases = {"R": new(), "A": assigned(), "H": handling(), "V": handling(), "P": handling()}
        cases["S"] = handling()
        for key in ("V", "P"):
            actions.submit_completion(cases[key], by=cast.yizheng_head, report="完成")
        actions.check_completion(cases["P"], by=cast.coordinator, approved=True)
        actions.suspend(cases["S"], by=cast.coordinator, reason="等待")
        cases["X"] = register(cast, on=TODAY)
    return {key: case.pk for key, case in cases.items()}


def _body():
    return {
        "category": "supervision", "source": "meeting", "urgency": "red",
        "title": "委交班会议定事项", "received_on": TODAY.isoformat(),
    }  # fmt: skip


@pytest.mark.parametrize(("operation", "username", "expected"), _params(API))
def test_api_permission_matrix(db, world, operation, username, expected):
    method, path, body, _ = API[operation]
    path = path.format(**world)
    body = _body() if body == "ITEM" else body
    with time_machine.travel(TODAY, tick=False):
        if username is None:
            response = getattr(Client(), method)(
                BASE + path,
                *([body] if method == "post" else []),
                **({"content_type": "application/json"} if method == "post" else {}),
            )
        else:
            api = ApiClient(username)
            response = api.get(path) if method == "get" else api.post(path, body)
    assert response.status_code == expected, response.content.decode()[:300]


@pytest.mark.parametrize(("operation", "username", "expected"), _params(WEB))
def test_web_permission_matrix(db, world, operation, username, expected):
    from django.contrib.auth import get_user_model

    method, path, data, _ = WEB[operation]
    client = Client()
    if username is not None:
        client.force_login(get_user_model().objects.get(username=username))
    with time_machine.travel(TODAY, tick=False):
        response = getattr(client, method)(
            path.format(**world), *([data] if method == "post" else [])
        )
    assert response.status_code == expected, response.content.decode()[:300]
