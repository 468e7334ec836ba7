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
    else:  # an empty password is not even a login attempt
        assert response.status_code == 422
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


def test_bad_json_on_the_token_endpoint_is_422(cast):
    response = Client().post(TOKEN_URL, "{nope", content_type="application/json")
    assert response.status_code == 422
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
