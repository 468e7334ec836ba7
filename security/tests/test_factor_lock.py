"""The second factor locked after ten wrong codes in a row from any addresses (the lockout
of django-axes counts per username and address only), on the web and the API; a right code
resets the count; the 安全管理员's unlock lifts the lock."""

from datetime import timedelta

import pyotp
import pytest
from django.test import Client

from api.models import ApiToken
from audit.models import AuditEvent
from orgs.actions import unlock_account
from security.models import FAILURES_TO_LOCK, TotpDevice
from security.tests.helpers import OTP, enrol, logged_in_as, password_step

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token"


def _web_attempts(count: int, address: str, code: str = "12345x") -> list[int]:
    client = Client(REMOTE_ADDR=address)
    password_step(client, "admin")
    return [client.post(OTP, {"code": code}).status_code for _ in range(count)]


def _api(address: str, otp: str) -> int:
    body = {"username": "admin", "password": "pw-admin", "otp": otp}
    return (
        Client(REMOTE_ADDR=address).post(TOKEN, body, content_type="application/json").status_code
    )


def test_ten_wrong_codes_from_three_addresses_lock_the_factor(cast, frozen):
    secret, _ = enrol(cast.admin)
    frozen.shift(timedelta(seconds=60))
    assert _web_attempts(4, "10.0.0.1") == [400] * 4  # below django-axes' five per address
    assert _web_attempts(4, "10.0.0.2", code="abcde-fghjk") == [400] * 4  # recovery codes too
    assert _web_attempts(2, "10.0.0.3") == [400, 429]
    lockout = AuditEvent.objects.get(action="lockout")
    assert (lockout.actor, lockout.result, lockout.subject) == (cast.admin, "refused", "用户 admin")
    assert lockout.details["factor"] == "totp" and lockout.details["failures"] == FAILURES_TO_LOCK
    assert AuditEvent.objects.filter(action="otp_failed").count() == 10
    # Locked: a right code from a new address does not log in, on the web nor the API.
    client = Client(REMOTE_ADDR="10.0.0.4")
    password_step(client, "admin")
    refused = client.post(OTP, {"code": pyotp.TOTP(secret).now()})
    assert refused.status_code == 429 and "锁定30分钟" in refused.content.decode()
    assert logged_in_as(client) is None
    assert _api("10.0.0.5", pyotp.TOTP(secret).now()) == 429
    assert not ApiToken.objects.exists()
    # Thirty minutes on, the right code works (and its step is not spent by the refusals).
    frozen.shift(timedelta(minutes=30, seconds=1))
    client = Client(REMOTE_ADDR="10.0.0.6")
    password_step(client, "admin")
    assert client.post(OTP, {"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert logged_in_as(client) == str(cast.admin.pk)


def test_a_right_code_resets_the_count(cast, frozen):
    secret, codes = enrol(cast.admin)
    frozen.shift(timedelta(seconds=60))
    assert _web_attempts(4, "10.0.0.1") == [400] * 4
    assert _web_attempts(4, "10.0.0.2") == [400] * 4
    assert TotpDevice.objects.get(user=cast.admin).failures == 8
    assert _api("10.0.0.3", codes[0]) == 200  # a recovery code is a right one too
    assert TotpDevice.objects.get(user=cast.admin).failures == 0
    assert _web_attempts(4, "10.0.0.4") == [400] * 4
    assert not AuditEvent.objects.filter(action="lockout").exists()


def test_the_api_counts_and_locks_too(cast, frozen):
    secret, _ = enrol(cast.admin)
    frozen.shift(timedelta(seconds=60))
    answers = [_api(f"10.0.1.{i // 4}", "654321x") for i in range(FAILURES_TO_LOCK)]
    assert answers == [401] * 9 + [429]
    assert AuditEvent.objects.get(action="lockout").details["factor"] == "totp"
    assert _api("10.0.2.1", pyotp.TOTP(secret).now()) == 429


def test_the_security_admin_unlocks_the_factor(cast, frozen, security_admin):
    secret, _ = enrol(cast.admin)
    frozen.shift(timedelta(seconds=60))
    for i in range(FAILURES_TO_LOCK):
        _api(f"10.0.1.{i // 4}", "654321x")
    assert _api("10.0.2.1", pyotp.TOTP(secret).now()) == 429
    unlock_account(cast.admin, by=security_admin)
    unlock = AuditEvent.objects.get(action="unlock")
    assert unlock.details["factor_unlocked"] is True
    assert _api("10.0.2.2", pyotp.TOTP(secret).now()) == 200


# --- the secret under `huiyin rotate-key` -------------------------------------------------


@pytest.fixture
def key_file(tmp_path, settings, monkeypatch):
    """A data key file instead of the environment's key (what `huiyin keys init` makes)."""
    from huiyin import crypto

    monkeypatch.delenv("HUIYIN_DATA_KEY", raising=False)
    settings.HUIYIN_KEY_DIR = tmp_path / "keys"
    crypto.forget_keys()
    crypto.init_key_files()
    yield settings.HUIYIN_KEY_DIR / crypto.DATA_KEY_FILE
    crypto.forget_keys()


def _stored_secret(user) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM security_totpdevice WHERE user_id = %s", [user.pk])
        return cursor.fetchone()[0]


def test_rotation_re_encrypts_the_secret_and_the_old_key_can_go(cast, frozen, key_file, capsys):
    from django.core.management import call_command

    from huiyin import crypto

    secret, _ = enrol(cast.admin)
    old_id = crypto.data_keyring().current_id
    stored = _stored_secret(cast.admin)
    assert stored.startswith("sm4:") and crypto.text_key_id(stored) == old_id
    call_command("rotate_key", "--check")  # the secrets are among the values it counts
    assert "security.TotpDevice: 待重新加密 0 个字段值" in capsys.readouterr().out
    call_command("rotate_key")
    assert "security.TotpDevice: 已重新加密 1 个字段值" in capsys.readouterr().out
    # Drop the retired key altogether: the device still verifies a code.
    lines = key_file.read_text().splitlines()
    key_file.write_text("\n".join(line for line in lines if "retired" not in line) + "\n")
    crypto.forget_keys()
    assert old_id not in crypto.data_keyring().keys
    assert crypto.text_key_id(_stored_secret(cast.admin)) == crypto.data_keyring().current_id
    frozen.shift(timedelta(seconds=60))
    client = Client()
    password_step(client, "admin")
    assert client.post(OTP, {"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert logged_in_as(client) == str(cast.admin.pk)
