"""Role × operation → HTTP status for similar cases, 并案 and the routing page (issue 15),
written out by hand like tests/test_permission_matrix.py (same columns: admin,
coordinator, leader, viewer, yizheng (head of the lead unit), yizheng_clerk (its handler),
jiceng (head of the co-unit), zhongyi (an unrelated unit), anonymous).

Cases: A assigned to 医政医管处 with 基层卫生健康处 as co-unit; B and C assigned the same way,
C already merged into A.
"""

from datetime import date

import pytest
import time_machine
from django.test import Client

from api.tests.helpers import BASE, ApiClient
from tests.test_permission_matrix import _params

TODAY = date(2026, 6, 10)
LONG = "长" * 301

API = {
    "similar cases": (
        "get", "/cases/similar?title=乡村医生待遇", None, [200, 200, 200, 200, 200, 200, 200, 200, 401],
    ),
    "similar cases, too long": (
        "get", f"/cases/similar?title={LONG}", None, [422, 422, 422, 422, 422, 422, 422, 422, 401],
    ),
    "similar cases, bad limit": (
        "get", "/cases/similar?title=x&limit=abc", None, [422, 422, 422, 422, 422, 422, 422, 422, 401],
    ),
    "merge": (
        "post", "/cases/{B}/actions/merge", {"lead_case_id": "{A}"},
        [403, 200, 403, 403, 403, 403, 403, 404, 401],
    ),
    "unmerge": (
        "post", "/cases/{C}/actions/unmerge", {"reason": "内容不同"},
        [403, 200, 403, 403, 403, 403, 403, 404, 401],
    ),
    # C follows A: its lead unit may not return it on its own (400, "已并入…").
    "return a following case": (
        "post", "/cases/{C}/actions/return", {"reason": "不属本处职责"},
        [403, 403, 403, 403, 400, 400, 403, 404, 401],
    ),
}  # fmt: skip

WEB = {
    "similar while registering": (
        "get", "/similar/register-panel/?title=乡村医生", None, [200, 200, 200, 200, 200, 200, 200, 200, 302],
    ),
    "similar while registering, posted": (
        "post", "/similar/register-panel/", {"title": "乡村医生", "content": "长" * 5000},
        [200, 200, 200, 200, 200, 200, 200, 200, 302],
    ),
    "similar while registering, NUL": (
        "get", "/similar/register-panel/?title=a%00b", None, [400, 400, 400, 400, 400, 400, 400, 400, 302],
    ),
    "routing acceptance": (
        "get", "/similar/routing/?year=2026", None, [403, 200, 200, 403, 403, 403, 403, 403, 302],
    ),
    "merge on the web": (
        "post", "/cases/{B}/actions/merge/", {"lead_case_id": "{A}"},
        [403, 302, 403, 403, 403, 403, 403, 404, 302],
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from django.db import transaction
    from django.test import override_settings

    from cases.tests.factories import Cast
    from similar import index

    index.reset()
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast:
        yield _build_world(Cast())
        transaction.set_rollback(True)
    index.reset()


def _build_world(cast):
    from cases.actions import assign_case
    from cases.tests.factories import register
    from similar.merging import merge_case

    with time_machine.travel(TODAY, tick=False):
        cases = {}
        for key, title in (
            ("A", "关于提高乡村医生待遇的建议"),
            ("B", "关于稳定村医队伍的建议"),
            ("C", "关于村医养老的建议"),
        ):
            cases[key] = register(cast, on=TODAY, title=title)
            assign_case(
                cases[key], by=cast.coordinator, lead_unit=cast.yizheng, co_units=[cast.jiceng]
            )
        merge_case(cases["C"], by=cast.coordinator, lead_case_id=cases["A"].pk)
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
    body = _fill(body, world)
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
            _fill(path, world), *([_fill(data, world)] if method == "post" else [])
        )
    assert response.status_code == expected, response.content.decode()[:300]
