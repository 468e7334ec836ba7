"""Every console URL × role → HTTP status, written out by hand (DESIGN.md §4).

Columns: admin, coordinator, leader, viewer, yizheng (unit head), yizheng_clerk (handler),
outsider (no role), anonymous. 302 for anonymous is the login page; the calendar's own
302 for readers is the redirect to the current year.
"""

import pytest

from audit.models import AuditEvent
from cases.models import DeadlineRuleSetting
from orgs.models import Membership, Unit
from workdays.models import CalendarOverride
from workdays.tests.test_notice import NOTICE_2026

pytestmark = pytest.mark.django_db

USERS = ["admin", "coordinator", "leader", "viewer", "yizheng", "yizheng_clerk", "outsider", None]
ADMIN = [200, 403, 403, 403, 403, 403, 403, 302]
READERS = [200, 200, 200, 403, 403, 403, 403, 302]

GET = {
    "/console/": ADMIN,
    "/console/units/": ADMIN,
    "/console/units/?kind=county": ADMIN,
    "/console/units/new/": ADMIN,
    "/console/units/{unit}/": ADMIN,
    "/console/users/": ADMIN,
    "/console/users/?q=医政&role=head&status=active": ADMIN,
    "/console/users/new/": ADMIN,
    "/console/users/{user}/": ADMIN,
    "/console/rules/": ADMIN,
    "/console/rules/npc_suggestion/reply/": ADMIN,
    "/console/calendar/": [302, 302, 302, 403, 403, 403, 403, 302],
    "/console/calendar/2026/": READERS,
    "/console/calendar/2027/?day=2027-01-01": READERS,
    "/console/calendar/2026/notice/": ADMIN,
    # Only POST: an administrator is told the method is wrong; the others never get that far.
    "/console/units/{unit}/move/": [405, 403, 403, 403, 403, 403, 403, 302],
    "/console/calendar/2026/day/": [405, 403, 403, 403, 403, 403, 403, 302],
}

# What each POST carries, and the administrator's outcome (others: 403, anonymous: 302).
POST = {
    "/console/units/new/": (
        {"code": "fuyou", "name": "妇幼健康处", "kind": "department", "sort_order": "1"},
        302,
    ),
    "/console/units/{unit}/": (
        {"name": "医政医管处", "kind": "department", "sort_order": "5"},
        302,
    ),
    "/console/units/{unit}/move/": ({"parent": "{office}"}, 302),
    "/console/units/{unit}/active/": ({"active": "0"}, 302),
    "/console/users/new/": (
        {
            "username": "sun",
            "full_name": "孙红",
            "password1": "Ku8#mQ2!zx",
            "password2": "Ku8#mQ2!zx",
        },
        302,
    ),
    "/console/users/{user}/": ({"full_name": "张处长", "email": "zhang@example.org"}, 302),
    "/console/users/{user}/active/": ({"active": "0"}, 302),
    "/console/users/{user}/password/": (
        {"password1": "Ku8#mQ2!zx", "password2": "Ku8#mQ2!zx"},
        302,
    ),
    "/console/users/{user}/roles/": ({"unit": "{office}", "role": "viewer"}, 302),
    "/console/users/{user}/roles/{membership}/remove/": ({}, 302),
    "/console/rules/npc_suggestion/reply/": ({"n-municipal": "2", "kind-municipal": "months"}, 302),
    "/console/calendar/2026/day/": ({"day": "2026-12-24", "kind": "holiday", "note": ""}, 302),
    "/console/calendar/2026/notice/": ({"text": NOTICE_2026, "step": "confirm"}, 302),
}


def _fill(template: str, cast) -> str:
    membership = Membership.objects.get(user=cast.yizheng_head, unit=cast.yizheng)
    return template.format(
        unit=cast.yizheng.pk,
        user=cast.yizheng_head.pk,
        office=cast.office.pk,
        membership=membership.pk,
    )


def _client(cast, client, client_for, username):
    return client_for(getattr(cast, _ATTRS[username])) if username else client


_ATTRS = {
    "admin": "admin",
    "coordinator": "coordinator",
    "leader": "leader",
    "viewer": "viewer",
    "yizheng": "yizheng_head",
    "yizheng_clerk": "yizheng_handler",
    "outsider": "outsider",
}


@pytest.mark.parametrize("url", list(GET))
def test_get(url, cast, client, client_for):
    got = []
    for username in USERS:
        response = _client(cast, client, client_for, username).get(_fill(url, cast))
        got.append(response.status_code)
        if username is None:
            assert response["Location"].startswith("/login/?next=")
    assert got == GET[url]


@pytest.mark.parametrize("url", list(POST))
def test_post(url, cast, client, client_for):
    data, admin_status = POST[url]
    before = AuditEvent.objects.count()
    for username in USERS[1:]:
        body = {k: _fill(v, cast) for k, v in data.items()}
        response = _client(cast, client, client_for, username).post(_fill(url, cast), body)
        assert response.status_code == (302 if username is None else 403), username
        if username is None:
            assert response["Location"].startswith("/login/?next=")
    # Refused: nothing written.
    assert AuditEvent.objects.count() == before
    assert not CalendarOverride.objects.exists() and not DeadlineRuleSetting.objects.exists()
    assert not Unit.objects.filter(code="fuyou").exists()

    body = {k: _fill(v, cast) for k, v in data.items()}
    response = client_for(cast.admin).post(_fill(url, cast), body)
    assert response.status_code == admin_status
    assert AuditEvent.objects.filter(actor=cast.admin).exists()


def test_403_page_is_in_chinese(cast, client_for):
    html = client_for(cast.coordinator).get("/console/users/").content.decode()
    assert "只有系统管理员可以进入系统管理" in html and "Traceback" not in html


def test_the_nav_links_the_console_for_admins_only(cast, client_for):
    assert "系统管理" in client_for(cast.admin).get("/cases/").content.decode()
    assert 'href="/console/"' in client_for(cast.admin).get("/cases/").content.decode()
    assert 'href="/console/"' not in client_for(cast.coordinator).get("/cases/").content.decode()
