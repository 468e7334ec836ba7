"""Who may open the second factor's pages (issue 16), written out by hand: anonymous, each
role. /security/otp/ and /security/enrol/ without a pending login send to the login page
(a logged-in user may enrol from 账号安全: 200, or 302 when already enrolled)."""

import pytest
from django.test import Client

from cases.tests.factories import make_user
from orgs.models import Role

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "admin",
    "security",
    "auditor",
    "coordinator",
    "leader",
    "viewer",
    "head",
    "handler",
    "outsider",
]
# url → expected status per role in ROLES order
MATRIX = {
    "/security/": [302, 403, 200, 403, 403, 403, 403, 403, 403, 403],
    "/security/users/{admin}/": [302, 403, 200, 403, 403, 403, 403, 403, 403, 403],
    "/security/users/999999/": [302, 403, 404, 403, 403, 403, 403, 403, 403, 403],
    "/security/account/": [302, 200, 200, 200, 200, 200, 200, 200, 200, 200],
    "/security/enrol/": [302, 200, 200, 200, 200, 200, 200, 200, 200, 200],
    "/security/otp/": [400, 302, 302, 302, 302, 302, 302, 302, 302, 302],
}


@pytest.fixture
def people(cast):
    return {
        "anonymous": None,
        "admin": cast.admin,
        "security": make_user("anquan", (cast.office, Role.SECURITY)),
        "auditor": make_user("shenji", (cast.office, Role.AUDITOR)),
        "coordinator": cast.coordinator,
        "leader": cast.leader,
        "viewer": cast.viewer,
        "head": cast.yizheng_head,
        "handler": cast.yizheng_handler,
        "outsider": cast.outsider,
    }


@pytest.mark.parametrize("url", list(MATRIX))
def test_get(people, cast, url):
    target = url.format(admin=cast.admin.pk)
    got = []
    for role in ROLES:
        client = Client()
        if people[role] is not None:
            client.force_login(people[role])
        got.append(client.get(target).status_code)
    assert got == MATRIX[url]


def test_only_the_security_admin_resets(people, cast):
    from security.tests.helpers import enrol

    enrol(cast.leader)
    for role in ROLES:
        client = Client()
        if people[role] is not None:
            client.force_login(people[role])
        response = client.post(f"/security/users/{cast.leader.pk}/")
        expected = {"anonymous": 302, "security": 302}.get(role, 403)
        assert response.status_code == expected, role
    from security.models import TotpDevice

    assert not TotpDevice.objects.filter(user=cast.leader).exists()
