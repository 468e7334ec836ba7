"""SQLite while another connection holds the write lock (a long import): a writer that cannot
get the lock in time is told "系统正忙，请稍后重试" (503) and nothing is written; a page view
is served even though its session could not be renewed (point 10)."""

import json
import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path
from unittest.mock import patch

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client

from cases import actions
from cases.tests.factories import register
from huiyin.middleware import BUSY, is_database_busy

# Run in a separate process against a copy of the test database in a file: the test
# database itself is in memory, where a second connection cannot hold a lock the same way.
SCRIPT = r"""
import json, os, sqlite3, sys, time

import django
from django.conf import settings

django.setup()

from django.contrib.auth import get_user_model
from django.test import Client

from api.models import ApiToken
from audit.record import today
from cases.models import Communication

case_id = int(sys.argv[1])
head = get_user_model().objects.get(username="yizheng")
_, token = ApiToken.objects.issue(head)
web = Client()
web.force_login(head)
before = web.get(f"/cases/{case_id}/").status_code

# Another connection (the import) takes the write lock and keeps it.
holder = sqlite3.connect(settings.DATABASES["default"]["NAME"], isolation_level=None)
holder.execute("BEGIN IMMEDIATE")
holder.execute("UPDATE cases_case SET title = title WHERE id = ?", [case_id])

data = {"stage": "during", "method": "phone", "on": today().isoformat(), "summary": "电话沟通"}
start = time.monotonic()
posted = web.post(f"/cases/{case_id}/actions/communicate/", data)
write_seconds = time.monotonic() - start
start = time.monotonic()
page = web.get(f"/cases/{case_id}/")
page_seconds = time.monotonic() - start
api = Client().post(
    f"/api/v1/cases/{case_id}/actions/communicate",
    json.dumps(data),
    content_type="application/json",
    HTTP_AUTHORIZATION=f"Bearer {token}",
)
holder.execute("ROLLBACK")
holder.close()
after = web.post(f"/cases/{case_id}/actions/communicate/", data)
print(json.dumps({
    "before": before,
    "web_status": posted.status_code,
    "web_body": posted.content.decode(),
    "web_retry_after": posted.get("Retry-After"),
    "page_status": page.status_code,
    "write_seconds": write_seconds,
    "page_seconds": page_seconds,
    "api_status": api.status_code,
    "api_body": api.json(),
    "after_status": after.status_code,
    "communications": Communication.objects.filter(case_id=case_id).count(),
}, ensure_ascii=False))
"""


def _copy_test_database(target: Path) -> None:
    connection.ensure_connection()
    source = connection.connection
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="SQLite's single write lock",
)
@pytest.mark.django_db(transaction=True)
def test_a_writer_that_cannot_get_the_lock_gets_503_and_nothing_half_done(cast, tmp_path):
    case = register(cast, on=date(2026, 9, 1))
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 9, 30)
    )
    actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 10, 9))
    database = tmp_path / "busy.sqlite3"
    _copy_test_database(database)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "huiyin.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "HUIYIN_VAR_DIR": str(tmp_path),
        # Every request renews the session, so that the page view below is one that
        # tries to write while the lock is held.
        "HUIYIN_SESSION_TOUCH_SECONDS": "0",
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(case.pk)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["before"] == 200
    # The web writer: the Chinese busy page, 503, nothing written.
    assert result["web_status"] == 503
    assert BUSY in result["web_body"]
    assert result["web_retry_after"]
    # It waited for the lock (busy_timeout, 5 s) before giving up.
    assert result["write_seconds"] >= 4.5
    # A page view whose session could not be renewed is still served (it was a 400), and
    # without waiting the 5 s for a renewal.
    assert result["page_status"] == 200
    assert result["page_seconds"] < 3
    # The API writer: JSON.
    assert result["api_status"] == 503
    assert result["api_body"] == {"detail": BUSY}
    # Once the lock is free the same write goes through, exactly once in all.
    assert result["after_status"] == 302
    assert result["communications"] == 1


def test_only_sqlites_lock_message_counts_as_busy():
    assert is_database_busy(OperationalError("database is locked"))
    wrapped = RuntimeError("outer")
    wrapped.__cause__ = OperationalError("database table is locked")
    assert is_database_busy(wrapped)
    assert not is_database_busy(OperationalError("no such table: cases_case"))
    assert not is_database_busy(ValueError("database is locked"))


@pytest.mark.django_db
def test_a_busy_database_in_a_view_is_a_503_page_not_a_500(cast):
    client = Client(raise_request_exception=False)
    client.force_login(cast.coordinator)
    with patch("web.views.cases.case_for_user", side_effect=OperationalError("database is locked")):
        response = client.get("/cases/1/")
    assert response.status_code == 503
    assert BUSY in response.content.decode()
    assert response["Cache-Control"] == "no-store"


def test_the_import_preview_says_how_long_the_database_will_be_busy():
    from transfer.jobs import busy_note

    note = busy_note(20_000)
    if connection.vendor != "sqlite":
        assert note == ""  # PostgreSQL locks rows, not the database
        return
    assert "约需15秒" in note and "系统正忙" in note
    assert busy_note(100) == ""  # too short to notice
