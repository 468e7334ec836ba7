"""The sessions: an absolute lifetime, a limit per user, all of a user's ended, and the
reset of a device by the 安全管理员."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from audit.models import AuditEvent
from security.actions import SecondFactorError, reset_device
from security.models import TotpDevice, UserSession
from security.sessions import LOGIN_AT_KEY, end_user_sessions
from security.tests.helpers import ENROL, OTP, enrol, logged_in_as, password_step

pytestmark = pytest.mark.django_db


def test_a_session_ends_after_its_absolute_lifetime(cast, settings, frozen):
    settings.HUIYIN_SESSION_ABSOLUTE_SECONDS = 3600
    settings.SESSION_COOKIE_AGE = 7200
    client = Client()
    password_step(client, "coordinator")
    frozen.shift(timedelta(minutes=59))
    assert client.get("/cases/").status_code == 200
    frozen.shift(timedelta(minutes=2))
    response = client.get("/cases/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/cases/"
    assert logged_in_as(client) is None
    ended = AuditEvent.objects.get(action="session_ended")
    assert (ended.actor, ended.details["reason"]) == (cast.coordinator, "absolute_lifetime")
    assert not AuditEvent.objects.filter(action="logout").exists()
    assert not UserSession.objects.exists()


def test_an_ordinary_request_writes_nothing_and_queries_no_more(cast, django_assert_num_queries):
    client = Client()
    client.force_login(cast.coordinator)
    client.get("/cases/")
    events = AuditEvent.objects.count()
    rows = UserSession.objects.count()
    client.get("/cases/")
    assert (AuditEvent.objects.count(), UserSession.objects.count()) == (events, rows)


def test_beyond_the_limit_the_oldest_sessions_end(cast, settings, frozen):
    settings.HUIYIN_MAX_SESSIONS = 2
    clients = []
    for _ in range(3):
        client = Client()
        password_step(client, "coordinator")
        clients.append(client)
        frozen.shift(timedelta(seconds=5))
    assert UserSession.objects.filter(user=cast.coordinator).count() == 2
    assert clients[0].get("/cases/").status_code == 302
    assert clients[1].get("/cases/").status_code == 200
    assert clients[2].get("/cases/").status_code == 200
    ended = AuditEvent.objects.get(action="session_ended")
    assert ended.details["reason"] == "session_limit" and ended.details["sessions"] == 1


def test_logout_leaves_the_registry(cast):
    client = Client()
    password_step(client, "coordinator")
    assert UserSession.objects.count() == 1
    client.post("/logout/")
    assert not UserSession.objects.exists()


def test_end_user_sessions_ends_every_session_of_the_user(cast):
    a, b, other = Client(), Client(), Client()
    password_step(a, "coordinator")
    b.force_login(cast.coordinator)
    password_step(other, "leader")
    assert end_user_sessions(cast.coordinator, reason="roles_changed") == 2
    assert a.get("/cases/").status_code == 302 and b.get("/cases/").status_code == 302
    assert other.get("/cases/").status_code == 200
    event = AuditEvent.objects.get(action="session_ended")
    assert event.details == {
        "user": cast.coordinator.pk,
        "username": "coordinator",
        "reason": "roles_changed",
        "sessions": 2,
    }
    assert event.case_id is None
    assert end_user_sessions(cast.coordinator, reason="roles_changed") == 0
    assert Session.objects.count() == 1


def test_a_password_change_keeps_the_session_registered(cast):
    client = Client()
    password_step(client, "coordinator")
    response = client.post(
        "/account/password/",
        {
            "old_password": "pw-coordinator",
            "new_password": "Neu-Passwort1",
            "new_password2": "Neu-Passwort1",
        },
    )
    assert response.status_code == 302
    client.get("/cases/")  # the row follows the cycled key
    assert list(UserSession.objects.values_list("session_key", flat=True)) == [
        client.session.session_key
    ]
    assert end_user_sessions(cast.coordinator, reason="test") == 1
    assert client.get("/cases/").status_code == 302


def test_the_security_admin_resets_a_device(cast, frozen, security_admin, settings):
    settings.HUIYIN_2FA_ROLES = ["coordinator"]
    enrol(cast.coordinator)
    user_client = Client()
    user_client.force_login(cast.coordinator)
    client = Client()
    client.force_login(security_admin)
    page = client.get(f"/security/users/{cast.coordinator.pk}/")
    assert page.status_code == 200 and "已绑定" in page.content.decode()
    response = client.post(f"/security/users/{cast.coordinator.pk}/")
    assert response.status_code == 302
    assert not TotpDevice.objects.filter(user=cast.coordinator).exists()
    reset = AuditEvent.objects.get(action="otp_reset")
    assert (reset.actor, reset.subject, reset.case_id) == (
        security_admin,
        "用户 coordinator",
        None,
    )
    assert reset.details["old"]["confirmed"] is True
    assert user_client.get("/cases/").status_code == 302  # their sessions ended
    assert password_step(Client(), "coordinator") == ENROL  # and they enrol again
    with pytest.raises(SecondFactorError):
        reset_device(security_admin.pk, by=security_admin)
    with pytest.raises(SecondFactorError):
        reset_device(cast.coordinator.pk, by=cast.admin)


def test_a_session_from_before_the_upgrade_is_logged_out(cast):
    client = Client()
    client.force_login(cast.coordinator)
    assert LOGIN_AT_KEY in client.session  # force_login goes through user_logged_in
    assert client.get("/cases/").status_code == 200
    session = client.session
    del session[LOGIN_AT_KEY]
    session.save()
    response = client.get("/cases/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/cases/"
    assert logged_in_as(client) is None
    ended = AuditEvent.objects.get(action="session_ended")
    assert (ended.actor, ended.details) == (cast.coordinator, {"reason": "upgrade"})
    assert "系统已升级安全措施" in client.get("/login/").content.decode()
    api = Client()
    api.force_login(cast.coordinator)
    session = api.session
    del session[LOGIN_AT_KEY]
    session.save()
    assert api.get("/api/v1/cases").status_code == 401


def test_the_security_list_shows_who_needs_the_factor(cast, frozen, security_admin):
    enrol(cast.admin)
    client = Client()
    client.force_login(security_admin)
    html = client.get("/security/").content.decode()
    rows = {
        user.username: next(r for r in html.split("</tr>") if f"/security/users/{user.pk}/" in r)
        for user in (cast.admin, cast.coordinator)
    }
    assert "<td>是</td>" in rows["admin"] and "2026-03-02" in rows["admin"]
    assert "<td>否</td>" in rows["coordinator"] and "未绑定" in rows["coordinator"]
    assert password_step(Client(), "admin") == OTP
