"""Every console URL × role → HTTP status, written out by hand (DESIGN.md §4).

Columns: admin (系统管理员), security (安全管理员), auditor (审计管理员), coordinator, leader,
viewer, yizheng (unit head), yizheng_clerk (handler), outsider (no role), anonymous. 302 for anonymous is the login page; the calendar's own
302 for readers is the redirect to the current year.
"""

import pytest

from audit.models import AuditEvent, EventKind
from cases.models import DeadlineRuleSetting
from orgs.models import Membership, Unit
from workdays.models import CalendarOverride
from workdays.tests.test_notice import NOTICE_2026

pytestmark = pytest.mark.django_db

USERS = [
    "admin",
    "security",
    "auditor",
    "coordinator",
    "leader",
    "viewer",
    "yizheng",
    "yizheng_clerk",
    "outsider",
    None,
]
# 三权分立: the 系统管理员 (admin), the 安全管理员 (security), the 审计管理员 (auditor).
ADMIN = [200, 403, 403, 403, 403, 403, 403, 403, 403, 302]
SECURITY = [403, 200, 403, 403, 403, 403, 403, 403, 403, 302]
PEOPLE = [200, 200, 403, 403, 403, 403, 403, 403, 403, 302]
CONSOLE = [200, 200, 200, 403, 403, 403, 403, 403, 403, 302]
READERS = [200, 403, 403, 200, 200, 403, 403, 403, 403, 302]

GET = {
    "/console/": CONSOLE,
    "/console/units/": ADMIN,
    "/console/units/?kind=county": ADMIN,
    "/console/units/new/": ADMIN,
    "/console/units/{unit}/": ADMIN,
    "/console/users/": PEOPLE,
    "/console/users/?q=医政&role=head&status=active": PEOPLE,
    "/console/users/new/": ADMIN,
    "/console/users/{user}/": PEOPLE,
    "/console/policy/": SECURITY,
    "/console/rules/": ADMIN,
    "/console/rules/npc_suggestion/reply/": ADMIN,
    "/console/organisation/": ADMIN,
    "/console/star-weights/": ADMIN,
    "/console/outbox/": ADMIN,
    "/console/calendar/": [302, 403, 403, 302, 302, 403, 403, 403, 403, 302],
    "/console/calendar/2026/": READERS,
    "/console/calendar/2027/?day=2027-01-01": READERS,
    "/console/calendar/2026/notice/": ADMIN,
    # Only POST: the keeper is told the method is wrong; the others never get that far.
    "/console/units/{unit}/move/": [405, 403, 403, 403, 403, 403, 403, 403, 403, 302],
    "/console/calendar/2026/day/": [405, 403, 403, 403, 403, 403, 403, 403, 403, 302],
    "/console/users/{user}/unlock/": [403, 405, 403, 403, 403, 403, 403, 403, 403, 302],
}

# What each POST carries, who may (admin or security), and their outcome (others: 403,
# anonymous: 302).
POST = {
    "/console/units/new/": (
        {"code": "fuyou", "name": "妇幼健康处", "kind": "department", "sort_order": "1"},
        "admin",
        302,
    ),
    "/console/units/{unit}/": (
        {"name": "医政医管处", "kind": "department", "sort_order": "5"},
        "admin",
        302,
    ),
    "/console/units/{unit}/move/": ({"parent": "{office}"}, "admin", 302),
    "/console/units/{unit}/active/": ({"active": "0"}, "admin", 302),
    "/console/users/new/": (
        {
            "username": "sun",
            "full_name": "孙红",
            "password1": "Ku8#mQ2!zx",
            "password2": "Ku8#mQ2!zx",
        },
        "admin",
        302,
    ),
    "/console/users/{user}/": (
        {"full_name": "张处长", "email": "zhang@example.org"},
        "admin",
        302,
    ),
    "/console/users/{user}/active/": ({"active": "0"}, "admin", 302),
    "/console/users/{user}/password/": (
        {"password1": "Ku8#mQ2!zx", "password2": "Ku8#mQ2!zx"},
        "security",
        302,
    ),
    "/console/users/{user}/unlock/": ({}, "security", 302),
    "/console/users/{user}/roles/": ({"unit": "{office}", "role": "viewer"}, "security", 302),
    "/console/users/{user}/roles/{membership}/remove/": ({}, "security", 302),
    "/console/rules/npc_suggestion/reply/": (
        {"n-municipal": "2", "kind-municipal": "months"},
        "admin",
        302,
    ),
    "/console/calendar/2026/day/": (
        {"day": "2026-12-24", "kind": "holiday", "note": ""},
        "admin",
        302,
    ),
    "/console/calendar/2026/notice/": ({"text": NOTICE_2026, "step": "confirm"}, "admin", 302),
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
    "security": "security",
    "auditor": "auditor",
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


def _actions():
    """Events of the actions (the refusals themselves are in the security trail)."""
    return AuditEvent.objects.filter(kind=EventKind.ACTION)


@pytest.mark.parametrize("url", list(POST))
def test_post(url, cast, client, client_for):
    data, keeper, keeper_status = POST[url]
    before = _actions().count()
    for username in [u for u in USERS if u != keeper]:
        body = {k: _fill(v, cast) for k, v in data.items()}
        response = _client(cast, client, client_for, username).post(_fill(url, cast), body)
        assert response.status_code == (302 if username is None else 403), username
        if username is None:
            assert response["Location"].startswith("/login/?next=")
    # Refused: nothing written.
    assert _actions().count() == before
    assert not CalendarOverride.objects.exists() and not DeadlineRuleSetting.objects.exists()
    assert not Unit.objects.filter(code="fuyou").exists()
    assert Membership.objects.filter(user=cast.yizheng_head).count() == 1

    body = {k: _fill(v, cast) for k, v in data.items()}
    actor = getattr(cast, _ATTRS[keeper])
    response = client_for(actor).post(_fill(url, cast), body)
    assert response.status_code == keeper_status
    assert AuditEvent.objects.filter(actor=actor).exclude(action="permission_refused").exists()


def test_403_page_is_in_chinese(cast, client_for):
    html = client_for(cast.coordinator).get("/console/users/").content.decode()
    assert "只有系统管理员和安全管理员可以查看用户" in html and "Traceback" not in html
    html = client_for(cast.auditor).get("/console/units/").content.decode()
    assert "只有系统管理员可以进入此页面" in html


def test_the_nav_links_the_console_for_the_three_administrators_only(cast, client_for):
    for user in (cast.admin, cast.security, cast.auditor):
        html = client_for(user).get("/cases/").content.decode()
        assert 'href="/console/"' in html and "系统管理" in html
    assert 'href="/console/"' not in client_for(cast.coordinator).get("/cases/").content.decode()


def test_each_administrator_sees_only_their_part_of_the_console(cast, client_for):
    """The console's tabs and start page (三权分立)."""
    pages = {
        u: client_for(getattr(cast, u)).get("/console/").content.decode()
        for u in ("admin", "security", "auditor")
    }
    assert 'href="/console/units/"' in pages["admin"]
    assert 'href="/console/rules/"' in pages["admin"]
    assert 'href="/console/policy/"' not in pages["admin"]
    assert 'href="/console/audit/"' not in pages["admin"]
    assert 'href="/console/users/"' in pages["security"]
    assert 'href="/console/policy/"' in pages["security"]
    assert 'href="/console/units/"' not in pages["security"]
    assert 'href="/console/rules/"' not in pages["security"]
    assert 'href="/console/audit/"' in pages["auditor"]
    for part in ("units", "users", "rules", "policy", "calendar", "organisation"):
        assert f'href="/console/{part}/' not in pages["auditor"], part
