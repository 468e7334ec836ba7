"""Sessions end after 30 idle minutes; activity keeps them alive."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

pytestmark = pytest.mark.django_db
START = datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_idle_session_expires_after_thirty_minutes(cast):
    client = Client()
    with time_machine.travel(START, tick=False):
        client.force_login(cast.coordinator)
        assert client.get("/cases/").status_code == 200
    with time_machine.travel(START + timedelta(minutes=29), tick=False):
        assert client.get("/cases/").status_code == 200  # activity renews the session
    with time_machine.travel(START + timedelta(minutes=58), tick=False):
        assert client.get("/cases/").status_code == 200
    with time_machine.travel(START + timedelta(minutes=89), tick=False):
        response = client.get("/cases/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_login_is_locked_after_five_failures_for_that_user_and_address(cast):
    client = Client(REMOTE_ADDR="10.1.2.3")
    for _ in range(5):
        client.post("/login/", {"username": "coordinator", "password": "wrong"})
    response = client.post("/login/", {"username": "coordinator", "password": "pw-coordinator"})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode() or "锁定" in response.content.decode()
    other_user = Client(REMOTE_ADDR="10.1.2.3").post(
        "/login/", {"username": "leader", "password": "pw-leader"}
    )
    assert other_user.status_code == 302  # the shared address is not locked for everybody
