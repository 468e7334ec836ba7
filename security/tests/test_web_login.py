"""The web login's second step: enrolment at the first login, a code, a replayed code,
recovery codes, the pending step's expiry, the lockout, `next`, the forced password
change; and who needs the factor."""

from datetime import timedelta

import pyotp
import pytest
from django.db.models import TextField
from django.db.models.functions import Cast
from django.test import Client

from audit.models import AuditEvent
from orgs.accounts import require_password_change
from security.models import RecoveryCode, TotpDevice
from security.policy import requires_second_factor
from security.tests.helpers import ENROL, OTP, enrol, logged_in_as, password_step

pytestmark = pytest.mark.django_db


def test_who_needs_a_second_factor(cast, settings, security_admin, auditor):
    settings.HUIYIN_2FA_ROLES = []
    needs = {
        u.username
        for u in [
            cast.admin,
            security_admin,
            auditor,
            cast.leader,
            cast.coordinator,
            cast.yizheng_head,
            cast.outsider,
        ]
        if requires_second_factor(u)
    }
    assert needs == {"admin", "anquan", "shenji"}
    settings.HUIYIN_2FA_ROLES = ["leader", "head"]
    fresh = [type(cast.leader).objects.get(pk=u.pk) for u in (cast.leader, cast.yizheng_head)]
    assert all(requires_second_factor(u) for u in fresh)
    assert not requires_second_factor(type(cast.viewer).objects.get(pk=cast.viewer.pk))


def test_a_user_without_the_requirement_logs_in_with_the_password(cast):
    client = Client()
    assert password_step(client, "coordinator") == "/"
    assert logged_in_as(client) == str(cast.coordinator.pk)
    login = AuditEvent.objects.get(action="login")
    assert (login.kind, login.actor, login.address, login.result) == (
        "security",
        cast.coordinator,
        "127.0.0.1",
        "ok",
    )
    assert login.details == {"factor": "password"}


def test_first_login_enrols_then_shows_the_recovery_codes_once(cast, frozen):
    client = Client()
    assert password_step(client, "admin", next_url="/cases/") == ENROL
    assert logged_in_as(client) is None
    # Nothing but the second step is open meanwhile.
    assert client.get("/cases/")["Location"].startswith("/login/")
    page = client.get(ENROL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "<script" not in html.split("<main")[1].split("</main>")[0]
    device = TotpDevice.objects.get(user=cast.admin)
    secret = __import__("security.actions", fromlist=["x"]).secret_of(device)
    stored = TotpDevice.objects.annotate(raw=Cast("secret", TextField())).get(pk=device.pk).raw
    assert stored.startswith("sm4:") and secret not in stored
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html
    # The same secret on a reload, until confirmed.
    assert client.get(ENROL).content.decode().count(secret[:4]) >= 1
    assert TotpDevice.objects.count() == 1
    wrong = client.post(
        ENROL, {"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"}
    )
    assert wrong.status_code == 400 and logged_in_as(client) is None
    done = client.post(ENROL, {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    assert logged_in_as(client) == str(cast.admin.pk)
    shown = done.content.decode()
    assert 'href="/cases/"' in shown and "打印" in shown
    assert RecoveryCode.objects.filter(user=cast.admin, used_at=None).count() == 10
    actions = list(AuditEvent.objects.filter(kind="security").values_list("action", "result"))
    assert ("otp_failed", "failed") in actions
    assert {"otp_enrol", "recovery_codes_issued", "login"} <= {a for a, _ in actions}
    # The codes are stored as digests only.
    for code in shown.split('id="recovery-codes"')[1].split("</ul>")[0].split("<li>")[1:]:
        plain = code.split("</li>")[0]
        assert len(plain) == 11
        assert not RecoveryCode.objects.filter(digest__contains=plain.replace("-", "")).exists()


def test_login_with_a_code_and_no_replay(cast, frozen):
    secret, _ = enrol(cast.admin)
    frozen.shift(timedelta(seconds=30))
    client = Client()
    assert password_step(client, "admin", next_url="/cases/") == OTP
    code = pyotp.TOTP(secret).now()
    response = client.post(OTP, {"code": code})
    assert response.status_code == 302 and response["Location"] == "/cases/"
    assert logged_in_as(client) == str(cast.admin.pk)
    assert AuditEvent.objects.filter(action="login", details__factor="totp").count() == 1
    # The same code again, within its step, from another browser: refused.
    other = Client()
    assert password_step(other, "admin") == OTP
    replay = other.post(OTP, {"code": code})
    assert replay.status_code == 400 and logged_in_as(other) is None
    assert "不正确或已使用" in replay.content.decode()
    failed = AuditEvent.objects.filter(action="otp_failed").latest("pk")
    assert (failed.actor, failed.result, failed.address) == (cast.admin, "failed", "127.0.0.1")
    # The next step's code works.
    frozen.shift(timedelta(seconds=30))
    assert other.post(OTP, {"code": pyotp.TOTP(secret).now()}).status_code == 302


def test_a_recovery_code_works_once(cast, frozen):
    _, codes = enrol(cast.admin)
    client = Client()
    password_step(client, "admin")
    assert client.post(OTP, {"code": codes[0].upper()}).status_code == 302
    assert RecoveryCode.objects.filter(user=cast.admin, used_at__isnull=False).count() == 1
    used = AuditEvent.objects.get(action="recovery_code_used")
    assert used.details == {"left": 9}
    again = Client()
    password_step(again, "admin")
    assert again.post(OTP, {"code": codes[0]}).status_code == 400
    assert logged_in_as(again) is None


def test_the_pending_step_expires_after_five_minutes(cast, frozen):
    secret, _ = enrol(cast.admin)
    client = Client()
    password_step(client, "admin")
    frozen.shift(timedelta(minutes=5, seconds=1))
    response = client.post(OTP, {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert logged_in_as(client) is None
    nothing = client.get(OTP)  # the expired login is gone: none is waiting now
    assert (
        nothing.status_code == 400 and "当前没有等待输入动态口令的登录" in nothing.content.decode()
    )
    assert 'href="/login/"' in nothing.content.decode()


def test_the_second_step_with_no_login_waiting_says_so(cast):
    response = Client().get(OTP)
    html = response.content.decode()
    assert response.status_code == 400 and "当前没有等待输入动态口令的登录" in html
    assert "超过5分钟" not in html and 'href="/login/"' in html
    client = Client()
    client.force_login(cast.coordinator)
    assert client.get(OTP)["Location"] == "/security/account/"


def test_five_wrong_codes_lock_the_account(cast, frozen):
    secret, _ = enrol(cast.admin)
    frozen.shift(timedelta(seconds=60))
    client = Client()
    password_step(client, "admin")
    for attempt in range(4):
        assert client.post(OTP, {"code": "12345x"}).status_code == 400, attempt
    fifth = client.post(OTP, {"code": "99999"})
    assert fifth.status_code == 429 and "锁定" in fifth.content.decode()
    assert AuditEvent.objects.filter(action="otp_failed").count() == 5
    lockout = AuditEvent.objects.get(action="lockout")
    assert (lockout.result, lockout.details["username"]) == ("refused", "admin")
    # Locked: even the password and a right code do not log in now.
    fresh = Client()
    refused = fresh.post("/login/", {"username": "admin", "password": "pw-admin"})
    assert refused.status_code == 429 and logged_in_as(fresh) is None


def test_a_forced_password_change_still_comes_after_the_code(cast, frozen):
    secret, _ = enrol(cast.admin)
    require_password_change(cast.admin)
    frozen.shift(timedelta(seconds=30))
    client = Client()
    password_step(client, "admin")
    assert client.post(OTP, {"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert client.get("/cases/")["Location"] == "/account/password/"


def test_a_failed_password_is_in_the_trail_without_the_password(cast):
    Client().post("/login/", {"username": "coordinator", "password": "wrong-secret"})
    event = AuditEvent.objects.get(action="login_failed")
    assert (event.actor, event.actor_name, event.result) == (None, "coordinator", "failed")
    assert event.details == {"username": "coordinator"}
    assert "wrong-secret" not in str(AuditEvent.objects.values_list())


def test_logout_is_recorded(cast):
    client = Client()
    password_step(client, "coordinator")
    assert client.post("/logout/").status_code == 302
    event = AuditEvent.objects.get(action="logout")
    assert (event.actor, event.address) == (cast.coordinator, "127.0.0.1")


def test_optional_enrolment_and_new_recovery_codes_from_the_account_page(cast, frozen):
    client = Client()
    client.force_login(cast.coordinator)
    page = client.get("/security/account/")
    assert page.status_code == 200 and "未绑定" in page.content.decode()
    client.get(ENROL)
    secret = __import__("security.actions", fromlist=["x"]).secret_of(
        TotpDevice.objects.get(user=cast.coordinator)
    )
    assert client.post(ENROL, {"code": pyotp.TOTP(secret).now()}).status_code == 200
    old = set(RecoveryCode.objects.values_list("digest", flat=True))
    # The code just used cannot make new recovery codes; the next one can.
    assert client.post("/security/account/", {"code": pyotp.TOTP(secret).now()}).status_code == 400
    frozen.shift(timedelta(seconds=30))
    renewed = client.post("/security/account/", {"code": pyotp.TOTP(secret).now()})
    assert renewed.status_code == 200 and "recovery-codes" in renewed.content.decode()
    assert not old & set(RecoveryCode.objects.values_list("digest", flat=True))
    # Enrolled: the next login asks for the code, though the role does not require it.
    assert password_step(Client(), "coordinator") == OTP


def test_the_console_leads_the_security_admin_to_the_factor_management(cast, security_admin):
    client = Client()
    client.force_login(security_admin)
    html = client.get("/console/").content.decode()
    assert html.count('href="/security/"') == 2  # the menu and the start page
    assert "动态口令管理" in html
    for other in (cast.admin, cast.auditor):
        viewer = Client()
        viewer.force_login(other)
        assert 'href="/security/"' not in viewer.get("/console/").content.decode()
