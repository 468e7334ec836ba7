"""An administrator's password and second factor are never reset on the web (one 安全管理员
could take over another administrator or the 审计管理员): `huiyin reset-administrator` on
the server does it. A device reset ends the user's API tokens too."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from api.actions import issue_token
from api.models import ApiToken
from audit.models import AuditEvent
from orgs.actions import OrgForbidden, reset_password
from orgs.models import Account
from security.actions import ResetForbidden, reset_device
from security.models import RecoveryCode, TotpDevice, UserSession
from security.tests.helpers import ENROL, enrol, password_step

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_the_security_admin_cannot_reset_an_administrator(cast, frozen, security_admin):
    for target in (cast.admin, cast.security, cast.auditor):
        enrol(target)
        with pytest.raises(OrgForbidden, match="reset-administrator"):
            reset_password(target, by=security_admin, password="Ku8#mQ2!zx")
        with pytest.raises(ResetForbidden, match="reset-administrator"):
            reset_device(target.pk, by=security_admin)
        target.refresh_from_db()
        assert target.check_password("pw-" + target.username)
        assert TotpDevice.objects.filter(user=target).exists()
    assert not AuditEvent.objects.filter(action__in=["password_reset", "otp_reset"]).exists()


def test_the_pages_refuse_it_with_the_command_named(cast, frozen, security_admin):
    enrol(cast.auditor)
    client = Client()
    client.force_login(security_admin)
    page = client.post(
        f"/console/users/{cast.auditor.pk}/password/",
        {"password1": "Ku8#mQ2!zx", "password2": "Ku8#mQ2!zx"},
    )
    assert page.status_code == 400 and "huiyin reset-administrator auditor" in page.content.decode()
    response = client.post(f"/security/users/{cast.auditor.pk}/", follow=True)
    assert "huiyin reset-administrator auditor" in response.content.decode()
    assert TotpDevice.objects.filter(user=cast.auditor).exists()
    cast.auditor.refresh_from_db()
    assert cast.auditor.check_password("pw-auditor")


def test_a_device_reset_revokes_the_api_tokens(cast, frozen, security_admin):
    enrol(cast.coordinator)
    issue_token(cast.coordinator)
    reset_device(cast.coordinator.pk, by=security_admin)
    assert not ApiToken.objects.filter(user=cast.coordinator).exists()
    event = AuditEvent.objects.get(action="otp_reset")
    assert (event.actor, event.details["tokens_revoked"]) == (security_admin, 1)


def test_the_command_resets_both(cast, frozen, capsys):
    enrol(cast.auditor)
    issue_token(cast.auditor)
    client = Client()
    client.force_login(cast.auditor)
    call_command("reset_administrator", "auditor")
    out = capsys.readouterr().out
    password = out.split("\n")[1].strip()
    cast.auditor.refresh_from_db()
    assert len(password) > 12 and cast.auditor.check_password(password)
    assert Account.objects.get(user=cast.auditor).must_change_password
    assert not TotpDevice.objects.filter(user=cast.auditor).exists()
    assert not RecoveryCode.objects.filter(user=cast.auditor).exists()
    assert not ApiToken.objects.filter(user=cast.auditor).exists()
    assert not UserSession.objects.filter(user=cast.auditor).exists()
    assert client.get("/console/").status_code == 302
    events = {
        e.action: e for e in AuditEvent.objects.filter(action__in=["password_reset", "otp_reset"])
    }
    assert set(events) == {"password_reset", "otp_reset"}
    for event in events.values():
        assert (event.actor_id, event.subject) == (None, "用户 auditor")
    assert password not in str(AuditEvent.objects.values_list())
    assert AuditEvent.objects.get(action="session_ended").details["reason"] == "password_reset"
    # The next login binds a new device after the new password.
    fresh = Client()
    assert fresh.post("/login/", {"username": "auditor", "password": password})["Location"] == ENROL


def test_the_command_password_or_device_only(cast, frozen, capsys):
    enrol(cast.security)
    call_command("reset_administrator", "security", "--device-only")
    assert not TotpDevice.objects.filter(user=cast.security).exists()
    cast.security.refresh_from_db()
    assert cast.security.check_password("pw-security")
    assert not AuditEvent.objects.filter(action="password_reset").exists()
    with pytest.raises(CommandError, match="尚未绑定"):
        call_command("reset_administrator", "security", "--device-only")
    enrol(cast.admin)
    call_command("reset_administrator", "admin", "--password-only")
    cast.admin.refresh_from_db()
    assert not cast.admin.check_password("pw-admin")
    assert TotpDevice.objects.filter(user=cast.admin).exists()
    assert password_step(Client(), "security") == ENROL


def test_the_command_is_for_administrators_only(cast):
    with pytest.raises(CommandError, match="不是管理员"):
        call_command("reset_administrator", "coordinator")
    with pytest.raises(CommandError, match="没有用户"):
        call_command("reset_administrator", "nobody")
    with pytest.raises(CommandError):
        call_command("reset_administrator", "admin", "--device-only", "--password-only")
    assert not AuditEvent.objects.filter(action__in=["password_reset", "otp_reset"]).exists()
