"""Role × operation → HTTP status for 群众意见建议 (issue 12): every API operation and web URL
of the category, written out by hand like tests/test_permission_matrix.py (same columns:
admin, coordinator, leader, viewer, yizheng (head of the lead unit), yizheng_clerk (its
handler), jiceng (head of the co-unit), zhongyi (an unrelated unit), anonymous).

Opinions: R received (待转办), A forwarded to 医政医管处 with 基层卫生健康处 as co-unit,
H handling, P answered (待回访), N answered "needs time" and closed (a promise open).
"""

from datetime import date

import pytest
import time_machine
from django.test import Client

from api.tests.helpers import BASE, ApiClient
from cases.actions import accept_case
from tests.test_permission_matrix import USERS, _params

TODAY = date(2026, 6, 10)


def _opinion_body():
    return {
        "category": "public_opinion",
        "channel": "phone",
        "title": "卫生院夜间无人值班",
        "content": "乡镇卫生院夜间没有医生值班，希望解决。",
        "received_on": "2026-06-10",
        "phone": "13900001111",
    }


API = {
    "register opinion": ("post", "/cases", "OPINION", [403, 201, 403, 403, 403, 403, 403, 403, 401]),
    "GET received opinion": ("get", "/cases/{R}", None, [200, 200, 200, 200, 404, 404, 404, 404, 401]),
    "GET forwarded opinion": ("get", "/cases/{A}", None, [200, 200, 200, 200, 200, 200, 200, 404, 401]),
    "list opinions by text": (
        "get", "/cases?category=public_opinion&q=夜间", None, [200, 200, 200, 200, 200, 200, 200, 200, 401],
    ),
    "forward": (
        "post", "/cases/{R}/actions/forward", {"lead_unit": "zhongyi"},
        [403, 200, 200, 403, 404, 404, 404, 404, 401],
    ),
    "accept opinion": ("post", "/cases/{A}/actions/accept", {}, [403, 403, 403, 403, 200, 200, 403, 404, 401]),
    "return opinion": (
        "post", "/cases/{A}/actions/return", {"reason": "不属本处职责"},
        [403, 403, 403, 403, 200, 200, 403, 404, 401],
    ),
    "answer": (
        "post", "/cases/{H}/actions/answer", {"text": "已安排值班", "result": "solvable"},
        [403, 403, 403, 403, 200, 200, 403, 404, 401],
    ),
    "request extension of an opinion": (
        "post", "/cases/{H}/actions/request_extension", {"days": 3, "reason": "需要调查"},
        [403, 403, 403, 403, 200, 200, 403, 404, 401],
    ),
    "set area": (
        "post", "/cases/{H}/actions/set_area", {"area": "primary"},
        [403, 200, 403, 403, 200, 200, 403, 404, 401],
    ),
    "merge": (
        "post", "/cases/{H}/actions/merge", {"into": "{A}"},
        [403, 200, 403, 403, 403, 403, 403, 404, 401],
    ),
    "callback": (
        "post", "/cases/{P}/actions/callback", {"reached": True, "rating": "satisfied"},
        [403, 200, 403, 403, 403, 403, 403, 404, 401],
    ),
    "close opinion": ("post", "/cases/{P}/actions/close", {}, [403, 200, 403, 403, 403, 403, 403, 404, 401]),
    "complete fix": (
        "post", "/cases/{N}/actions/complete_fix", {"note": "已完成"},
        [403, 200, 403, 403, 200, 200, 403, 404, 401],
    ),
}  # fmt: skip

WEB = {
    "received opinion page": ("get", "/cases/{R}/", None, [200, 200, 200, 200, 404, 404, 404, 404, 302]),
    "forwarded opinion page": ("get", "/cases/{A}/", None, [200, 200, 200, 200, 200, 200, 200, 404, 302]),
    "forward on the web": (
        "post", "/cases/{R}/actions/forward/", {"lead_unit": "zhongyi"},
        [403, 302, 302, 403, 404, 404, 404, 404, 302],
    ),
    # The public page: no login, the same for everyone.
    "public form": ("get", "/yijian/", None, [200] * 9),
    "public lookup": ("get", "/yijian/query/", None, [200] * 9),
    "public receipt without its note": ("get", "/yijian/ok/", None, [404] * 9),
    "public link with a wrong token": ("get", "/yijian/t/ABCDEFGHJK/wrong/", None, [404] * 9),
    # Statistics: as the 议提案 dashboard (unit heads their own units), the bulletin the office's.
    "opinion statistics": (
        "get", "/opinions/stats/", None, [200, 200, 200, 200, 200, 403, 200, 200, 302],
    ),
    "opinion statistics, xlsx": (
        "get", "/opinions/stats.xlsx", None, [200, 200, 200, 200, 200, 403, 200, 200, 302],
    ),
    "weekly bulletin": (
        "get", "/opinions/bulletin.docx", None, [200, 200, 200, 200, 403, 403, 403, 403, 302],
    ),
    "answer on the web": (
        "post", "/cases/{H}/actions/answer/", {"text": "已安排", "result": "solvable"},
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
    from opinions import actions

    def new(content="卫生院夜间没有医生值班"):
        return actions.register_opinion(
            by=cast.coordinator, channel="phone", content=content, phone="13900001111"
        )

    def forwarded():
        case = new()
        actions.forward(case, by=cast.leader, lead_unit=cast.yizheng, co_units=[cast.jiceng])
        return case

    def handling():
        case = forwarded()
        accept_case(case, by=cast.yizheng_head)
        return case

    with time_machine.travel(TODAY, tick=False):
        cases = {"R": new(), "A": forwarded(), "H": handling(), "P": handling(), "N": handling()}
        actions.answer(cases["P"], by=cast.yizheng_head, text="已安排", result="solvable")
        actions.answer(
            cases["N"],
            by=cast.yizheng_head,
            text="将增派医生",
            result="needs_time",
            fix="下半年招聘",
            fix_due=date(2026, 12, 31),
        )
        actions.close(cases["N"], by=cast.coordinator)
    return {key: case.pk for key, case in cases.items()}


def _fill(value, ids):
    if isinstance(value, str):
        return int(value.format(**ids)) if value == "{A}" else value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize(("operation", "username", "expected"), _params(API))
def test_api_permission_matrix(db, world, operation, username, expected):
    method, path, body, _ = API[operation]
    path = _fill(path, world)
    body = _opinion_body() if body == "OPINION" else _fill(body, world)
    with time_machine.travel(TODAY, tick=False):
        if username is None:
            client = Client()
            response = getattr(client, method)(
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
            _fill(path, world), *([data] if method == "post" else [])
        )
    assert response.status_code == expected, response.content.decode()[:300]


@pytest.mark.parametrize("username", [u for u in USERS if u])
def test_nobody_but_the_answering_side_sees_the_full_phone(db, world, username):
    answering = username in {"coordinator", "yizheng", "yizheng_clerk", "jiceng"}
    with time_machine.travel(TODAY, tick=False):
        client = ApiClient(username)
        body = client.get(f"/cases/{world['A']}").content.decode()
        revealed = client.post(f"/cases/{world['A']}/reveal", {})
    # Masked for everyone in the case itself; in full only through the recorded reveal, and
    # only for the answering side (issue 16).
    assert "13900001111" not in body, username
    assert (revealed.status_code == 200) == answering, (username, revealed.status_code)
    assert ("13900001111" in revealed.content.decode()) == answering, username
