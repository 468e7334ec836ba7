"""/healthz: public, plain "ok", and the floor of a request: no query even with a session
cookie (the session is neither loaded nor renewed), whatever the session holds."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from orgs.accounts import MUST_CHANGE_SESSION_KEY

pytestmark = pytest.mark.django_db


def test_anonymous_gets_ok_without_a_query():
    client = Client()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/healthz")
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
        response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"
    assert ctx.captured_queries == []
    assert "sessionid" not in response.cookies
    # The session still holds the user to the password form everywhere else.
    assert client.get("/cases/")["Location"] == "/account/password/"


def test_only_get():
    assert Client().post("/healthz").status_code == 405
