"""The account policy of 等保三级 (orgs/policy.py): password expiry, no reuse of the last
passwords, inactive accounts disabled (by the daily command and at login), the demo's own
accounts exempt, and the events each writes."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from api.tests.helpers import BASE
from audit.models import AuditEvent
from cases.tests.factories import make_user
from orgs.accounts import EXPIRY_SESSION_KEY, mark_demo_accounts
from orgs.actions import OrgError, change_own_password, grant_role, set_user_active
from orgs.models import Account, PasswordHistory, Role

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def policy(settings):
    settings.HUIYIN_PASSWORD_MAX_AGE_DAYS = 90
    settings.HUIYIN_INACTIVE_DAYS = 90
    settings.HUIYIN_PASSWORD_HISTORY = 5
    settings.HUIYIN_DEMO = False
    return settings


def login(username: str, password: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:300]
    return client


def token_status(username: str, password: str) -> int:
    response = Client().post(
        f"{BASE}/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )
    return response.status_code


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_a_password_expires_after_the_max_age(policy):
    with time_machine.travel(T0, tick=False):
        user = make_user("wang")
    # A week before: the 我的待办 page warns, nothing is forced.
    with time_machine.travel(T0 + 85 * DAY, tick=False):
        client = login("wang", "pw-wang")
        assert client.session[EXPIRY_SESSION_KEY] == "2026-04-05"
        home = client.get("/")
        assert home.status_code == 200
        assert "您的密码将于 2026年4月5日 到期" in home.content.decode()
        assert token_status("wang", "pw-wang") == 200
    with time_machine.travel(T0 + 91 * DAY, tick=False):
        assert token_status("wang", "pw-wang") == 403  # the API's refusal covers expiry
        client = login("wang", "pw-wang")
        assert client.get("/cases/")["Location"] == "/account/password/"
        assert "已超过有效期" in client.get("/account/password/").content.decode()
        [expired] = events("password_expired")
        assert (expired.kind, expired.actor, expired.details["max_age_days"]) == (
            "security",
            user,
            90,
        )
        changed = client.post(
            "/account/password/",
            {
                "old_password": "pw-wang",
                "new_password": "Neu-Pass-2026",
                "new_password2": "Neu-Pass-2026",
            },
        )
        assert changed.status_code == 302
        assert client.get("/cases/").status_code == 200
        assert EXPIRY_SESSION_KEY not in client.session
        assert Account.objects.get(user=user).password_changed_at == timezone.now()
        assert token_status("wang", "Neu-Pass-2026") == 200
    # The new password's age counts from its change (inactivity aside: no login since).
    policy.HUIYIN_INACTIVE_DAYS = 0
    with time_machine.travel(T0 + 175 * DAY, tick=False):
        assert token_status("wang", "Neu-Pass-2026") == 200
    with time_machine.travel(T0 + 182 * DAY, tick=False):
        assert token_status("wang", "Neu-Pass-2026") == 403


def test_the_last_passwords_are_not_chosen_again(policy):
    from orgs.actions import create_user

    user = create_user(by=None, username="li", password="pw-li-2026", full_name="李")
    passwords = ["pw-li-2026", "Zweites-2026", "Drittes-2026", "Viertes-2026", "Fuenftes-2026"]
    for old, new in zip(passwords, passwords[1:], strict=False):
        change_own_password(user, old_password=old, new_password=new)
    assert PasswordHistory.objects.filter(user=user).count() == 5
    for reused in passwords[:-1]:
        with pytest.raises(OrgError, match="最近5次"):
            change_own_password(user, old_password=passwords[-1], new_password=reused)
    assert all("2026" not in h for h in PasswordHistory.objects.values_list("password", flat=True))
    change_own_password(user, old_password=passwords[-1], new_password="Sechstes-2026")
    # The oldest fell out of the last five: it may come back.
    change_own_password(user, old_password="Sechstes-2026", new_password="pw-li-2026")
    assert PasswordHistory.objects.filter(user=user).count() == 5
    policy.HUIYIN_PASSWORD_HISTORY = 0
    change_own_password(user, old_password="pw-li-2026", new_password="Sechstes-2026")


def test_a_first_password_set_by_an_administrator_is_changed_at_first_login(policy, cast):
    from orgs.actions import create_user

    create_user(by=cast.admin, username="newbie", password="Start-2026-x", full_name="新同事")
    client = login("newbie", "Start-2026-x")
    assert client.get("/")["Location"] == "/account/password/"
    assert "管理员设置的" in client.get("/account/password/").content.decode()


def test_the_daily_command_disables_inactive_accounts(policy):
    with time_machine.travel(T0, tick=False):
        used = make_user("used")
        idle = make_user("idle")
        never = make_user("never")  # never logged in: counts from creation
        back = make_user("back")
        admin = make_user("admin2", (make_unit_office(), Role.ADMIN))
    with time_machine.travel(T0 + 30 * DAY, tick=False):
        login("used", "pw-used")
        login("back", "pw-back")
    with time_machine.travel(T0 + 60 * DAY, tick=False):
        set_user_active(back, by=admin, active=False)
        set_user_active(back, by=admin, active=True)  # a full period from now
    with time_machine.travel(T0 + 100 * DAY, tick=False):
        out = StringIO()
        call_command("disable_inactive", stdout=out)
    assert "admin2" in out.getvalue() and "idle" in out.getvalue() and "never" in out.getvalue()
    User = get_user_model()
    active = dict(User.objects.values_list("username", "is_active"))
    assert active["used"] and active["back"]
    assert not active["idle"] and not active["never"] and not active["admin2"]
    disabled = events("account_disabled")
    assert sorted(e.details["username"] for e in disabled) == ["admin2", "idle", "never"]
    assert all(e.kind == "security" and e.actor is None for e in disabled)
    assert {e.details["source"] for e in disabled} == {"schedule"}
    with time_machine.travel(T0 + 101 * DAY, tick=False):
        call_command("disable_inactive", stdout=StringIO())  # nothing more to do
    assert len(events("account_disabled")) == 3
    del used, idle, never


def make_unit_office():
    from cases.tests.factories import make_unit
    from orgs.models import UnitKind

    return make_unit("office2", "办公室", UnitKind.OFFICE)


def test_a_login_past_the_limit_is_refused_and_disables_the_account(policy):
    with time_machine.travel(T0, tick=False):
        user = make_user("zhao")
        make_user("qian")
    with time_machine.travel(T0 + 91 * DAY, tick=False):
        wrong = Client().post("/login/", {"username": "zhao", "password": "wrong"})
        assert wrong.status_code == 200
        user.refresh_from_db()
        assert user.is_active  # a wrong password changes nothing
        refused = Client().post("/login/", {"username": "zhao", "password": "pw-zhao"})
        assert refused.status_code == 200 and "_auth_user_id" not in refused.wsgi_request.session
        user.refresh_from_db()
        assert not user.is_active
        [event] = events("account_disabled")
        assert (event.actor, event.details["source"], event.details["reason"]) == (
            user,
            "login",
            "inactive",
        )
        # The API's token goes through the same check.
        assert token_status("qian", "pw-qian") == 401
        assert not get_user_model().objects.get(username="qian").is_active


def test_the_demo_accounts_are_exempt_under_the_demo(policy):
    with time_machine.travel(T0, tick=False):
        demo = make_user("leader2")
        mark_demo_accounts([demo])
    policy.HUIYIN_DEMO = True
    with time_machine.travel(T0 + 200 * DAY, tick=False):
        call_command("disable_inactive", stdout=StringIO())
        demo.refresh_from_db()
        assert demo.is_active
        client = login("leader2", "pw-leader2")
        assert client.get("/cases/").status_code == 200  # no expiry either
        assert token_status("leader2", "pw-leader2") == 200
    # Outside the demo the same account is subject to the policy.
    policy.HUIYIN_DEMO = False
    with time_machine.travel(T0 + 400 * DAY, tick=False):
        call_command("disable_inactive", stdout=StringIO())
        demo.refresh_from_db()
        assert not demo.is_active


def test_a_role_change_ends_the_users_sessions(policy, cast):
    client = login("viewer", "pw-viewer")
    assert client.get("/cases/").status_code == 200
    grant_role(by=cast.security, user=cast.viewer, unit=cast.yizheng, role=Role.HANDLER)
    assert client.get("/cases/").status_code == 302  # logged out: log in again
    [ended] = events("session_ended")
    assert ended.details["reason"] == "roles_changed"


def test_the_scheduler_runs_the_command(monkeypatch):
    from notify import schedule

    calls = []
    monkeypatch.setattr(schedule, "call_command", lambda *args: calls.append(args))
    schedule.run_remind(datetime.date(2026, 6, 10))
    assert ("disable_inactive",) in calls
