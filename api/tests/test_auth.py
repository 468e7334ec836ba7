"""Tokens: issued for a username and password, counted by django-axes, checked on every call."""

import hashlib
import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from api.models import ApiToken
from api.tests.helpers import BASE, token_for

pytestmark = pytest.mark.django_db

TOKEN_URL = f"{BASE}/auth/token"
LOCKED = "登录失败次数过多，请30分钟后再试"
START = datetime(2026, 12, 31, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def login(client: Client, username: str, password: str):
    return client.post(
        TOKEN_URL, {"username": username, "password": password}, content_type="application/json"
    )


def test_token_for_a_right_password_is_stored_only_as_its_hash(cast):
    client = Client(enforce_csrf_checks=True)  # no CSRF token needed, no session made
    response = login(client, "coordinator", "pw-coordinator")
    assert response.status_code == 200
    token = response.json()["token"]
    assert "sessionid" not in response.cookies
    stored = ApiToken.objects.get(user=cast.coordinator)
    assert stored.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not ApiToken.objects.filter(key_hash=token).exists()
    assert stored.expires_at > stored.created_at


@pytest.mark.parametrize(
    ("username", "password"),
    [("coordinator", "wrong"), ("nobody", "pw-nobody"), ("coordinator", "")],
)
def test_wrong_credentials_are_401_in_chinese(cast, username, password):
    response = login(Client(), username, password)
    if password:
        assert response.status_code == 401
        assert response.json() == {"detail": "用户名或密码错误"}
    else:  # a malformed request: 400, and it counts as a failure (below)
        assert response.status_code == 400
        assert response.json()["errors"] == [{"field": "password", "message": "不能为空"}]


def test_inactive_user_gets_no_token(cast):
    cast.viewer.is_active = False
    cast.viewer.save()
    assert login(Client(), "viewer", "pw-viewer").status_code == 401


def test_five_failures_lock_the_username_at_this_address(cast):
    client = Client()
    statuses = [login(client, "yizheng", "wrong").status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    sixth = login(client, "yizheng", "pw-yizheng")
    assert sixth.status_code == 429
    assert sixth["Content-Type"].startswith("application/json")
    assert sixth.json() == {"detail": LOCKED}
    assert not ApiToken.objects.filter(user=cast.yizheng_head).exists()
    # The commission shares one address: other people there may still log in …
    assert login(client, "jiceng", "pw-jiceng").status_code == 200
    # … and the same username from another address too.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert login(other, "yizheng", "pw-yizheng").status_code == 200


def test_the_lock_ends_after_thirty_minutes(cast):
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        for _ in range(5):
            login(client, "yizheng", "wrong")
        assert login(client, "yizheng", "pw-yizheng").status_code == 429
        traveller.shift(timedelta(minutes=31))
        assert login(client, "yizheng", "pw-yizheng").status_code == 200


def test_success_resets_the_failure_count(cast):
    client = Client()
    for _ in range(4):
        assert login(client, "yizheng", "wrong").status_code == 401
    assert login(client, "yizheng", "pw-yizheng").status_code == 200
    for _ in range(4):
        assert login(client, "yizheng", "wrong").status_code == 401
    assert login(client, "yizheng", "pw-yizheng").status_code == 200


def test_bad_json_on_the_token_endpoint_is_400(cast):
    response = Client().post(TOKEN_URL, "{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == "请求体不是有效的 JSON"


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer not-a-token", "Token {token}", "Basic {token}"],
)
def test_missing_or_bad_token_is_401(cast, header):
    token = token_for("coordinator")
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header.format(token=token)}
    for path in ("/units", "/cases", "/cases/1"):
        response = Client().get(BASE + path, **extra)
        assert response.status_code == 401, path
        assert "令牌" in response.json()["detail"]
    response = Client().post(
        f"{BASE}/cases/1/actions/accept", "{}", content_type="application/json", **extra
    )
    assert response.status_code == 401


def test_token_expires_and_dies_with_its_user(cast, settings):
    settings.HUIYIN_TOKEN_SECONDS = 3600
    with time_machine.travel(START, tick=False) as traveller:
        token = token_for("viewer")
        auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        assert Client().get(f"{BASE}/units", **auth).status_code == 200
        assert ApiToken.objects.get().last_used_at == START
        traveller.shift(timedelta(minutes=59))
        assert Client().get(f"{BASE}/units", **auth).status_code == 200
        traveller.shift(timedelta(minutes=2))
        assert Client().get(f"{BASE}/units", **auth).status_code == 401
        # A new token drops the user's expired ones.
        fresh = token_for("viewer")
        assert ApiToken.objects.count() == 1
    cast.viewer.is_active = False
    cast.viewer.save()
    with time_machine.travel(START + timedelta(hours=1, minutes=5), tick=False):
        response = Client().get(f"{BASE}/units", HTTP_AUTHORIZATION=f"Bearer {fresh}")
        assert response.status_code == 401


@time_machine.travel(date(2026, 12, 31), tick=False)
def test_token_belongs_to_its_user(cast):
    token = token_for("jiceng")
    response = Client().get(f"{BASE}/cases", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert json.loads(response.content)["count"] == 0


# Point 14: every failed login counts, whatever the Content-Type claims.

BROKEN_TYPE = "multipart/form-data"  # no boundary: Django cannot parse it as a form


def login_as(client: Client, body: str, content_type: str = BROKEN_TYPE):
    return client.post(TOKEN_URL, body, content_type=content_type)


def credentials(username: str, password: str) -> str:
    return json.dumps({"username": username, "password": password})


def test_the_body_is_json_whatever_the_content_type(cast):
    for content_type in (BROKEN_TYPE, "text/plain", "application/x-www-form-urlencoded"):
        response = login_as(Client(), credentials("coordinator", "pw-coordinator"), content_type)
        assert response.status_code == 200, (content_type, response.content)
        assert response.json()["token"].startswith("hy_")


def test_eight_wrong_passwords_with_a_broken_content_type_then_the_right_one_is_refused(cast):
    client = Client()
    statuses = [
        login_as(client, credentials("yizheng", f"wrong-{i}")).status_code for i in range(8)
    ]
    # Counted like any failure: never a 500 that would tell a right password from a wrong one.
    assert statuses == [401, 401, 401, 401, 429, 429, 429, 429]
    right = login_as(client, credentials("yizheng", "pw-yizheng"))
    assert right.status_code == 429
    assert right.json() == {"detail": LOCKED}
    assert "token" not in right.json()
    # Nor with a proper Content-Type.
    assert login(client, "yizheng", "pw-yizheng").status_code == 429
    assert not ApiToken.objects.filter(user=cast.yizheng_head).exists()


@pytest.mark.parametrize(
    "body",
    [
        '{"username": "yizheng"}',  # no password
        '{"username": "yizheng", "password": 12345678}',  # not text
        '{"username": "yizheng", "password": "x", "extra": ',  # not JSON
        '["yizheng", "x"]',  # not an object
    ],
)
def test_a_malformed_request_is_400_and_counts_as_a_failure(cast, body):
    client = Client()
    for _ in range(4):
        assert login(client, "yizheng", "wrong").status_code == 401
    response = login_as(client, body, "application/json")
    if body.startswith('{"username": "yizheng"') and body.endswith("}"):
        # Its username can be read: the fifth failure for it locks it.
        assert response.status_code == 429
        assert login(client, "yizheng", "pw-yizheng").status_code == 429
    else:
        assert response.status_code == 400
        assert response.json()["detail"]
        # Counted too, for the username it could not name; yizheng is not locked by it.
        assert login(client, "yizheng", "pw-yizheng").status_code == 200


def test_five_malformed_requests_lock_the_username(cast):
    client = Client()
    statuses = [login_as(client, '{"username": "jiceng"}').status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    assert login(client, "jiceng", "pw-jiceng").status_code == 429


# Point 12: tokens are revoked with logout, a password reset, a deactivation.


def test_delete_token_revokes_the_callers_token_only(cast):
    mine = token_for("coordinator")
    other = token_for("coordinator")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {mine}"}
    assert Client().get(f"{BASE}/units", **auth).status_code == 200
    response = Client().delete(TOKEN_URL, **auth)
    assert response.status_code == 204
    assert Client().get(f"{BASE}/units", **auth).status_code == 401
    assert Client().delete(TOKEN_URL, **auth).status_code == 401
    # The user's other token (another client) is untouched.
    assert Client().get(f"{BASE}/units", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 200


def test_issuing_and_revoking_a_token_are_audited(cast):
    from audit.models import AuditEvent

    token = token_for("coordinator")
    issued = AuditEvent.objects.get(action="token_issue")
    assert (issued.actor, issued.subject) == (cast.coordinator, "用户 coordinator")
    assert (issued.kind, issued.address, issued.case_id) == ("security", "127.0.0.1", None)
    Client().delete(TOKEN_URL, HTTP_AUTHORIZATION=f"Bearer {token}")
    revoked = AuditEvent.objects.get(action="token_revoke")
    assert revoked.actor == cast.coordinator
    assert revoked.details["token"] == issued.details["token"]


def test_delete_token_without_a_token_is_401(cast):
    assert Client().delete(TOKEN_URL).status_code == 401


def _still_valid(token: str) -> bool:
    response = Client().get(f"{BASE}/units", HTTP_AUTHORIZATION=f"Bearer {token}")
    return response.status_code == 200


def test_a_password_reset_or_deactivation_revokes_the_users_tokens(cast):
    from orgs.actions import reset_password, set_user_active

    admin = cast.admin
    token = token_for("viewer")
    kept = token_for("leader")
    reset_password(cast.viewer, by=cast.security, password="Neues-Passwort-2026")
    assert not _still_valid(token)
    assert not ApiToken.objects.filter(user=cast.viewer).exists()
    token = token_for("jiceng")
    set_user_active(cast.jiceng_head, by=admin, active=False)
    assert not ApiToken.objects.filter(user=cast.jiceng_head).exists()
    assert _still_valid(kept)


def test_a_password_set_by_an_administrator_gets_no_token_until_changed(cast):
    from orgs.actions import change_own_password, reset_password

    reset_password(cast.viewer, by=cast.security, password="Temp-Passwort-1")
    response = login(Client(), "viewer", "Temp-Passwort-1")
    assert response.status_code == 403
    assert "修改" in response.json()["detail"]
    change_own_password(cast.viewer, old_password="Temp-Passwort-1", new_password="Mein-Passwort-2")
    assert login(Client(), "viewer", "Mein-Passwort-2").status_code == 200


def test_the_api_docs_need_a_login(cast):
    for path in ("/docs", "/openapi.json"):
        response = Client().get(BASE + path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/login/")
    client = Client()
    client.force_login(cast.viewer)
    assert client.get(f"{BASE}/docs").status_code == 200
    assert client.get(f"{BASE}/openapi.json").status_code == 200
    # A client of the API may read the description with its token.
    token = token_for("viewer")
    described = Client().get(f"{BASE}/openapi.json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert described.status_code == 200
    assert Client().get(f"{BASE}/openapi.json", HTTP_AUTHORIZATION="Bearer nope").status_code == 302
