"""/livez: public, plain "ok", and the floor of a request: no query even with a session
cookie (the session is neither loaded nor renewed), whatever the session holds. /healthz:
the database, the worker's heartbeat and the disk, 200 or 503 with what failed."""

import datetime
from collections import namedtuple

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from orgs.accounts import MUST_CHANGE_SESSION_KEY

pytestmark = pytest.mark.django_db


def test_anonymous_gets_ok_without_a_query():
    client = Client()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/livez")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert response["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in response
    assert ctx.captured_queries == []


def test_a_logged_in_session_is_not_loaded_nor_renewed(cast):
    client = Client()
    client.force_login(cast.coordinator)
    session = client.session
    session[MUST_CHANGE_SESSION_KEY] = True  # would send any page to the password form
    session.save()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/livez")
    assert response.status_code == 200 and response.content == b"ok"
    assert ctx.captured_queries == []
    assert "sessionid" not in response.cookies
    # The session still holds the user to the password form everywhere else.
    assert client.get("/cases/")["Location"] == "/account/password/"


def test_only_get():
    assert Client().post("/livez").status_code == 405


@pytest.fixture
def _worker_beat(db):
    from ops.heartbeat import beat

    beat()


def test_healthz_is_ok_with_the_database_a_fresh_heartbeat_and_disk(_worker_beat):
    with CaptureQueriesContext(connection) as ctx:
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "worker": "ok", "disk": "ok"},
    }
    assert response["Cache-Control"] == "no-store"
    assert len(ctx.captured_queries) == 2  # SELECT 1, the heartbeat
    assert "sessionid" not in response.cookies


def test_healthz_is_503_without_a_heartbeat():
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail" and "从未报到" in body["checks"]["worker"]
    assert body["checks"]["database"] == "ok"


def test_healthz_is_503_when_the_worker_stopped_beating(_worker_beat):
    with time_machine.travel(datetime.timedelta(minutes=6)):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert "分钟未报到" in response.json()["checks"]["worker"]
    with time_machine.travel(datetime.timedelta(minutes=4)):
        assert Client().get("/healthz").status_code == 200


def test_healthz_is_503_when_a_disk_is_nearly_full(_worker_beat, settings, monkeypatch, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # not made yet: its disk is looked at
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr("shutil.disk_usage", lambda path: usage(10**9, 10**9 - 10**6, 10**6))
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert "仅剩 0 MB" in response.json()["checks"]["disk"]


def test_healthz_is_503_when_the_database_fails(_worker_beat, monkeypatch):
    from django.db import OperationalError

    from huiyin import health

    def broken():
        raise OperationalError("connection refused")

    monkeypatch.setattr(health.connection, "cursor", broken)
    response = Client().get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert "数据库无法连接" in checks["database"] and checks["worker"].startswith("未检查")


def test_the_scheduler_tick_has_the_worker_beat(db):
    from notify.management.commands.scheduler import _sweep_and_beat
    from ops.heartbeat import last_beat

    assert last_beat() is None
    _sweep_and_beat()  # the immediate backend runs the task where it is enqueued
    assert last_beat() is not None
