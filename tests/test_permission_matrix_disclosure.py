"""Role × operation → HTTP status for 公开 (issue 15): the public page and the two actions,
written out by hand like tests/test_permission_matrix_lists.py. 200/302 done, 400 allowed
but refused now, 403 "your role never may", 404 "you cannot see this" (or, on the public
page, "not published"), 401/302 "log in first", 405 a method the page does not take.

Columns (USERS): coordinator (办公室), leader, viewer, yizheng (head of the lead unit),
yizheng_clerk (its handler), jiceng (a unit with nothing to do with the cases), outsider
(no role), anonymous.

Cases, all led by 医政医管处: R replied, not decided; P published in full (its decision
{DP}); N decided 不公开 ({DN}); W published then withdrawn ({DW}); H handling (no signed
reply; 基层卫生健康处 is its co-unit)."""

from datetime import date
from typing import Any

import pytest
import time_machine
from django.test import Client

from api.tests.helpers import BASE, ApiClient

USERS = ["coordinator", "leader", "viewer", "yizheng", "yizheng_clerk", "jiceng", "outsider",
         None]  # fmt: skip
TODAY = date(2026, 6, 15)

OFFICE = [200, 403, 403, 403, 403, 404, 404, 401]
OFFICE_REFUSED = [400, 403, 403, 403, 403, 404, 404, 401]
PUBLIC = [200] * 8
NOT_PUBLISHED = [404] * 8

API: dict[str, tuple[str, str, Any, list[int]]] = {
    "disclose in full": ("post", "/cases/{R}/actions/disclose", {"mode": "full"}, OFFICE),
    "disclose a summary": (
        "post", "/cases/{R}/actions/disclose", {"mode": "summary", "summary": "摘要"}, OFFICE,
    ),
    "decide not to disclose": (
        "post", "/cases/{R}/actions/disclose", {"mode": "none", "reason": "涉及隐私"}, OFFICE,
    ),
    "decide again": ("post", "/cases/{P}/actions/disclose", {"mode": "full"}, OFFICE),
    "disclose before signing": (
        "post", "/cases/{H}/actions/disclose", {"mode": "full"},
        [400, 403, 403, 403, 403, 403, 404, 401],  # 基层卫生健康处 is H's co-unit
    ),
    "withdraw the published": (
        "post", "/cases/{P}/actions/withdraw_disclosure", {"reason": "更正"}, OFFICE,
    ),
    "withdraw when nothing is published": (
        "post", "/cases/{N}/actions/withdraw_disclosure", {"reason": "更正"}, OFFICE_REFUSED,
    ),
    "withdraw twice": (
        "post", "/cases/{W}/actions/withdraw_disclosure", {"reason": "更正"}, OFFICE_REFUSED,
    ),
}  # fmt: skip

WEB_OFFICE = [302, 403, 403, 403, 403, 404, 404, 302]
WEB: dict[str, tuple[str, str, Any, list[int]]] = {
    "public list": ("get", "/disclosure/", None, PUBLIC),
    "public search": ("get", "/disclosure/?q=医疗&year=2026&category=npc_suggestion", None, PUBLIC),
    "public list, bad filters": ("get", "/disclosure/?year=x&topic=y", None, [400] * 8),
    "published reply": ("get", "/disclosure/{DP}/", None, PUBLIC),
    "reply decided not to publish": ("get", "/disclosure/{DN}/", None, NOT_PUBLISHED),
    "withdrawn reply": ("get", "/disclosure/{DW}/", None, NOT_PUBLISHED),
    "unknown reply": ("get", "/disclosure/999999/", None, NOT_PUBLISHED),
    "post to the public list": ("post", "/disclosure/", {"q": "x"}, [405] * 8),
    "case page with the preview": (
        "get", "/cases/{R}/", None, [200, 200, 200, 200, 200, 404, 404, 302],
    ),
    "disclose on the web": ("post", "/cases/{R}/actions/disclose/", {"mode": "full"}, WEB_OFFICE),
    "withdraw on the web": (
        "post", "/cases/{P}/actions/withdraw_disclosure/", {"reason": "更正"}, WEB_OFFICE,
    ),
}  # fmt: skip


def _params(table: dict[str, tuple[str, str, Any, list[int]]]) -> list[Any]:
    return [
        pytest.param(name, user, row[-1][i], id=f"{name}-{user or 'anonymous'}")
        for name, row in table.items()
        for i, user in enumerate(USERS)
    ]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from django.db import transaction
    from django.test import override_settings

    from cases.tests.factories import Cast

    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast:
        yield _build_world(Cast())
        transaction.set_rollback(True)


def _build_world(cast: Any) -> dict[str, int]:
    from cases.tests.walks import case_in
    from disclosure import actions
    from disclosure.tests.helpers import signed

    with time_machine.travel(TODAY, tick=False):
        cases = {key: signed(cast, number=f"2026{key}") for key in "RPNW"}
        cases["H"] = case_in(cast, "handling", number="2026H")
        by = cast.coordinator
        ids = {key: case.pk for key, case in cases.items()}
        ids["DP"] = actions.disclose(cases["P"], by=by, mode="full").pk
        ids["DN"] = actions.disclose(cases["N"], by=by, mode="none", reason="涉及隐私").pk
        ids["DW"] = actions.disclose(cases["W"], by=by, mode="full").pk
        actions.withdraw_disclosure(cases["W"], by=by, reason="更正")
    return ids


@pytest.mark.parametrize(("operation", "username", "expected"), _params(API))
def test_api_permission_matrix(db, world, operation, username, expected):
    method, path, body, _ = API[operation]
    path = path.format(**world)
    with time_machine.travel(TODAY, tick=False):
        headers: dict[str, str] = {}
        client = Client()
        if username is not None:
            api = ApiClient(username)
            client, headers = api.client, {"HTTP_AUTHORIZATION": f"Bearer {api.token}"}
        response = client.post(BASE + path, body, content_type="application/json", **headers)
    assert response.status_code == expected, response.content.decode()[:300]


@pytest.mark.parametrize(("operation", "username", "expected"), _params(WEB))
def test_web_permission_matrix(db, world, operation, username, expected):
    from django.contrib.auth import get_user_model

    method, path, data, _ = WEB[operation]
    path = path.format(**world)
    client = Client()
    if username is not None:
        client.force_login(get_user_model().objects.get(username=username))
    with time_machine.travel(TODAY, tick=False):
        response = getattr(client, method)(path, *([data] if method == "post" else []))
    assert response.status_code == expected, response.content.decode()[:300]
    if response.status_code == 302 and username is None:
        assert (
            response["Location"].startswith("/accounts/login/") or "login" in response["Location"]
        )
    elif response.status_code == 302:
        assert response["Location"].startswith(f"/cases/{world['R']}/") or response[
            "Location"
        ].startswith(f"/cases/{world['P']}/")
