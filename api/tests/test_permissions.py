"""Role × API operation → status (DESIGN.md §4): one table for every operation.

The case is the lead unit yizheng's, just assigned; jiceng and outsider have nothing to do
with it, so for them it does not exist (404, not 403)."""

from datetime import date

import pytest
import time_machine
from django.test import Client

from api.tests.helpers import BASE, ApiClient, register_body
from cases import actions
from cases.tests.factories import register

pytestmark = pytest.mark.django_db

USERS = [
    "admin",
    "coordinator",
    "leader",
    "viewer",
    "yizheng",
    "yizheng_clerk",
    "jiceng",
    "outsider",
    None,  # no token
]
# operation: (method, path, body), then the status for each of USERS in order.
TABLE = {
    "units": (("get", "/units", None), [200, 200, 200, 200, 200, 200, 200, 200, 401]),
    "list": (("get", "/cases", None), [200, 200, 200, 200, 200, 200, 200, 200, 401]),
    "detail": (("get", "/cases/{assigned}", None), [200, 200, 200, 200, 200, 200, 404, 404, 401]),
    "register": (
        ("post", "/cases", register_body(number="T-1")),
        [403, 201, 403, 403, 403, 403, 403, 403, 401],
    ),
    "assign": (
        ("post", "/cases/{registered}/actions/assign", {"lead_unit": "jiceng"}),
        [403, 200, 403, 403, 404, 404, 404, 404, 401],
    ),
    "accept": (
        ("post", "/cases/{assigned}/actions/accept", {}),
        [403, 403, 403, 403, 200, 200, 404, 404, 401],
    ),
    "return": (
        ("post", "/cases/{assigned}/actions/return", {"reason": "不属于本处职责"}),
        [403, 403, 403, 403, 200, 200, 404, 404, 401],
    ),
    "withdraw": (
        ("post", "/cases/{assigned}/actions/withdraw", {"reason": "改办"}),
        [403, 200, 403, 403, 403, 403, 404, 404, 401],
    ),
    "sign (not now)": (
        ("post", "/cases/{assigned}/actions/sign", {"approved": True}),
        [403, 403, 400, 403, 403, 403, 404, 404, 401],
    ),
    # 催办 before a handler is named: the office reaches the unit head; the head has no
    # handler to urge (400).
    "urge": (
        ("post", "/cases/{assigned}/actions/urge", {"note": "请抓紧办理"}),
        [403, 200, 403, 403, 400, 403, 404, 404, 401],
    ),
    "urge, target after the reply deadline": (
        ("post", "/cases/{assigned}/actions/urge", {"note": "请抓紧", "target_on": "2026-12-31"}),
        [403, 400, 403, 403, 400, 403, 404, 404, 401],
    ),
    "unknown action": (
        ("post", "/cases/{assigned}/actions/approve_all", {}),
        [404, 404, 404, 404, 404, 404, 404, 404, 401],
    ),
}
CASES = [
    pytest.param(op, user, status, id=f"{op}-{user or 'anonymous'}")
    for op, (_, statuses) in TABLE.items()
    for user, status in zip(USERS, statuses, strict=True)
]


@time_machine.travel(date(2026, 3, 6), tick=False)
@pytest.mark.parametrize(("operation", "username", "status"), CASES)
def test_permission_table(cast, operation, username, status):
    registered = register(cast, on=date(2026, 3, 2))
    assigned = register(cast, on=date(2026, 3, 2))
    actions.assign_case(
        assigned, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 5)
    )
    (method, path, body), _ = TABLE[operation]
    path = path.format(registered=registered.pk, assigned=assigned.pk)
    if username is None:
        client = Client()
        response = (
            client.get(BASE + path)
            if method == "get"
            else client.post(BASE + path, body, content_type="application/json")
        )
    else:
        client = ApiClient(username)
        response = client.get(path) if method == "get" else client.post(path, body)
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"].startswith("application/json")
    if status >= 400:
        assert set(response.json()) <= {"detail", "field"}
        assert not response.json()["detail"].isascii()  # a Chinese sentence
