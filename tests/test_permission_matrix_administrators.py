"""三权分立 (issue 16) in the permission matrix: the 系统管理员 (admin), the 安全管理员
(security) and the 审计管理员 (auditor) on every console URL and a few case URLs, beside the
coordinator (who sees cases) and a user with no role. Written out by hand (DESIGN.md §4).

Security and auditor see no cases: a case page is 404 as for any user who cannot see it,
a list is empty, a case action 403/404 as the main matrix has it for roles that never may.
The admin keeps seeing cases read-only (it did before; not changed here).

Columns: admin, security, auditor, coordinator, outsider, anonymous.
"""

from datetime import date

import pytest
import time_machine
from django.test import Client

from api.models import ApiToken
from api.tests.helpers import BASE
from cases.tests.factories import register

pytestmark = pytest.mark.django_db

USERS = ["admin", "security", "auditor", "coordinator", "outsider", None]
TODAY = date(2026, 6, 10)

WEB = {
    # The console: each administrator their part.
    "console": ("get", "/console/", [200, 200, 200, 403, 403, 302]),
    "units": ("get", "/console/units/", [200, 403, 403, 403, 403, 302]),
    "unit page": ("get", "/console/units/{unit}/", [200, 403, 403, 403, 403, 302]),
    "new unit": ("get", "/console/units/new/", [200, 403, 403, 403, 403, 302]),
    "users": ("get", "/console/users/", [200, 200, 403, 403, 403, 302]),
    "new user": ("get", "/console/users/new/", [200, 403, 403, 403, 403, 302]),
    "user page": ("get", "/console/users/{user}/", [200, 200, 403, 403, 403, 302]),
    "policy": ("get", "/console/policy/", [403, 200, 403, 403, 403, 302]),
    "rules": ("get", "/console/rules/", [200, 403, 403, 403, 403, 302]),
    "rule": ("get", "/console/rules/npc_suggestion/reply/", [200, 403, 403, 403, 403, 302]),
    "calendar": ("get", "/console/calendar/2026/", [200, 403, 403, 200, 403, 302]),
    "calendar notice": ("get", "/console/calendar/2026/notice/", [200, 403, 403, 403, 403, 302]),
    "发文设置": ("get", "/console/organisation/", [200, 403, 403, 403, 403, 302]),
    "督办评星": ("get", "/console/star-weights/", [200, 403, 403, 403, 403, 302]),
    "failed messages": ("get", "/console/outbox/", [200, 403, 403, 403, 403, 302]),
    # The audit trail (audit.views): the 审计管理员's; never the 系统管理员's.
    "audit trail": ("get", "/console/audit/", [403, 200, 200, 403, 403, 302]),
    "audit export": ("get", "/console/audit/export.xlsx", [403, 403, 200, 403, 403, 302]),
    # Writes of each part, refused to the others.
    "edit user": ("post", "/console/users/{user}/", [302, 403, 403, 403, 403, 302]),
    "deactivate user": ("post", "/console/users/{user}/active/", [302, 403, 403, 403, 403, 302]),
    "grant role": ("post", "/console/users/{user}/roles/", [403, 302, 403, 403, 403, 302]),
    "reset password": ("post", "/console/users/{user}/password/", [403, 302, 403, 403, 403, 302]),
    "unlock": ("post", "/console/users/{user}/unlock/", [403, 302, 403, 403, 403, 302]),
    "grant own role": ("post", "/console/users/{self}/roles/", [403, 403, 403, 403, 403, 302]),
    # Cases: the security and audit administrators see none.
    "case list": ("get", "/cases/", [200, 200, 200, 200, 200, 302]),
    "case page": ("get", "/cases/{case}/", [200, 404, 404, 200, 404, 302]),
    "print view": ("get", "/cases/{case}/print/", [200, 404, 404, 200, 404, 302]),
    "register form": ("get", "/cases/new/", [403, 403, 403, 200, 403, 302]),
    "assign": ("post", "/cases/{case}/actions/assign/", [403, 404, 404, 302, 404, 302]),
}

BODIES = {
    "edit user": {"full_name": "赵科员", "email": "zhao@example.org"},
    "deactivate user": {"active": "0"},
    "grant role": {"unit": "{office}", "role": "viewer"},
    "reset password": {"password1": "Ku8#mQ2!zx", "password2": "Ku8#mQ2!zx"},
    "unlock": {},
    "grant own role": {"unit": "{office}", "role": "viewer"},
    "assign": {"lead_unit": "zhongyi", "assigned_on": "2026-06-10"},
}

API = {
    "GET list": ("/cases", [200, 200, 200, 200, 200, 401]),
    "GET case": ("/cases/{case}", [200, 404, 404, 200, 404, 401]),
    "GET units": ("/units", [200, 200, 200, 200, 200, 401]),
}


def _params(table):
    return [
        pytest.param(name, user, row[-1][i], id=f"{name}-{user or 'anonymous'}")
        for name, row in table.items()
        for i, user in enumerate(USERS)
    ]


def _ids(cast, username, case):
    return {
        "unit": cast.yizheng.pk,
        "user": cast.yizheng_handler.pk,
        "self": getattr(cast, username).pk if username else 0,
        "office": cast.office.pk,
        "case": case.pk,
    }


@pytest.mark.parametrize(("operation", "username", "expected"), _params(WEB))
def test_web(cast, operation, username, expected):
    method, path, _ = WEB[operation]
    with time_machine.travel(TODAY, tick=False):
        case = register(cast, on=date(2026, 6, 1))
        ids = _ids(cast, username, case)
        client = Client()
        if username is not None:
            client.force_login(getattr(cast, username))
        if method == "get":
            response = client.get(path.format(**ids))
        else:
            body = {k: v.format(**ids) for k, v in BODIES[operation].items()}
            response = client.post(path.format(**ids), body)
    assert response.status_code == expected, response.content.decode()[:300]


@pytest.mark.parametrize(("operation", "username", "expected"), _params(API))
def test_api(cast, operation, username, expected):
    path, _ = API[operation]
    with time_machine.travel(TODAY, tick=False):
        case = register(cast, on=date(2026, 6, 1))
        headers = {}
        if username is not None:
            # The token as the login would give it (the second factor is tested elsewhere).
            _, key = ApiToken.objects.issue(getattr(cast, username))
            headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        response = Client().get(BASE + path.format(case=case.pk), **headers)
    assert response.status_code == expected, response.content.decode()[:300]
