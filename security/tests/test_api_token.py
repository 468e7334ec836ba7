"""POST /api/v1/auth/token with a second factor: 401 with otp_required when it is missing
or wrong (a wrong one counts toward the lockout), a token for the right one."""

from datetime import timedelta

import pyotp
import pytest
from django.test import Client

from api.models import ApiToken
from audit.models import AuditEvent
from security.tests.helpers import enrol

pytestmark = pytest.mark.django_db
URL = "/api/v1/auth/token"


def ask(body: dict):
    return Client().post(URL, body, content_type="application/json")


def test_not_enrolled_is_told_to_enrol_on_the_web(cast):
    response = ask({"username": "admin", "password": "pw-admin"})
    assert response.status_code == 401
    assert response.json()["otp_required"] is True and "网页" in response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_token_with_without_and_with_a_wrong_code(cast, frozen):
    secret, codes = enrol(cast.admin)
    frozen.shift(timedelta(seconds=30))
    missing = ask({"username": "admin", "password": "pw-admin"})
    assert missing.status_code == 401 and missing.json()["otp_required"] is True
    wrong = ask({"username": "admin", "password": "pw-admin", "otp": "000000"})
    if pyotp.TOTP(secret).now() != "000000":
        assert wrong.status_code == 401 and wrong.json()["otp_required"] is True
    assert not ApiToken.objects.exists()
    right = ask({"username": "admin", "password": "pw-admin", "otp": pyotp.TOTP(secret).now()})
    assert right.status_code == 200 and right.json()["token"]
    replay = ask({"username": "admin", "password": "pw-admin", "otp": pyotp.TOTP(secret).now()})
    assert replay.status_code == 401
    recovery = ask({"username": "admin", "password": "pw-admin", "otp": codes[3]})
    assert recovery.status_code == 200
    assert ApiToken.objects.count() == 2
    issued = AuditEvent.objects.filter(action="token_issue")
    assert issued.count() == 2 and {e.kind for e in issued} == {"security"}
    assert AuditEvent.objects.filter(action="otp_failed", actor=cast.admin).count() >= 2
    # A wrong password is still the plain answer, whoever the user.
    assert ask({"username": "admin", "password": "nope"}).json() == {"detail": "用户名或密码错误"}


def test_wrong_codes_lock_the_token_login(cast, frozen):
    secret, _ = enrol(cast.admin)
    frozen.shift(timedelta(seconds=60))
    answers = [
        ask({"username": "admin", "password": "pw-admin", "otp": "abc"}).status_code
        for _ in range(5)
    ]
    assert answers == [401, 401, 401, 401, 429]
    right = ask({"username": "admin", "password": "pw-admin", "otp": pyotp.TOTP(secret).now()})
    assert right.status_code == 429 and not ApiToken.objects.exists()


def test_a_user_without_the_requirement_needs_no_code(cast):
    assert ask({"username": "coordinator", "password": "pw-coordinator"}).status_code == 200
