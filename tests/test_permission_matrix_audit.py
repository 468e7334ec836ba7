"""Role × audit-console URL → HTTP status (issue 16, 三权分立), written out by hand.

Columns: auditor (审计管理员: the whole trail, its export and its verification), security
(安全管理员: the auditor's own events only), sysadmin (系统管理员: never), coordinator,
leader, outsider (no role), anonymous (sent to the login page). `{A}` is an event of the
auditor's own, `{C}` one of the coordinator's."""

import pytest
from django.test import Client

from audit.record import record_event
from audit.trail import SecurityAction, record_security_event
from cases.tests.factories import make_user
from orgs.models import Role

USERS = ["auditor", "security", "sysadmin", "coordinator", "leader", "outsider", None]

MATRIX = [
    ("GET", "/console/audit/", [200, 200, 403, 403, 403, 403, 302]),
    ("GET", "/console/audit/?kind=security&result=ok", [200, 200, 403, 403, 403, 403, 302]),
    ("GET", "/console/audit/{A}/", [200, 200, 403, 403, 403, 403, 302]),
    ("GET", "/console/audit/{C}/", [200, 404, 403, 403, 403, 403, 302]),
    ("GET", "/console/audit/999999/", [404, 404, 403, 403, 403, 403, 302]),
    ("GET", "/console/audit/export.xlsx", [200, 403, 403, 403, 403, 403, 302]),
    ("POST", "/console/audit/verify/", [302, 403, 403, 403, 403, 403, 302]),
    ("GET", "/console/audit/verify/", [405, 405, 405, 405, 405, 405, 302]),
]


@pytest.fixture
def world(cast):
    users = {
        "auditor": make_user("auditor_m", (cast.office, Role.AUDITOR)),
        "security": make_user("security_m", (cast.office, Role.SECURITY)),
        "sysadmin": make_user("sysadmin_m", (cast.office, Role.ADMIN)),
        "coordinator": cast.coordinator,
        "leader": cast.leader,
        "outsider": cast.outsider,
    }
    own = record_security_event(None, action=SecurityAction.LOGIN, actor=users["auditor"])
    other = record_event(actor=cast.coordinator, action="unit_created", subject="unit:m")
    return users, {"A": own.pk, "C": other.pk}


@pytest.mark.parametrize(("method", "path", "expected"), MATRIX)
def test_matrix(world, method, path, expected):
    users, ids = world
    url = path.format(**ids)
    got = []
    for name in USERS:
        client = Client()
        if name is not None:
            client.force_login(users[name])
        response = client.get(url) if method == "GET" else client.post(url)
        got.append(response.status_code)
        if name is None and response.status_code == 302:
            assert "/login/" in response["Location"]
    assert got == expected, (method, url, got)
