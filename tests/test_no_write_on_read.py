"""A read writes nothing to the database (issue 10): viewing 我的待办, the ledger, a case,
the dashboard or the proposers runs no INSERT, UPDATE or DELETE, for every role; the
session is saved only when its idle deadline would move by more than
HUIYIN_SESSION_TOUCH_SECONDS, and 30 idle minutes still end it."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases import actions
from cases.actions.handler import assign_handler
from cases.tests.factories import register
from workflow.vocabulary import State

pytestmark = pytest.mark.django_db

START = datetime(2026, 5, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|ALTER|DROP|TRUNCATE)\b", re.I)
_SAVEPOINT = re.compile(r'^\s*SAVEPOINT\s+"?(\w+)"?', re.I)
_CLOSE = re.compile(r'^\s*(RELEASE|ROLLBACK TO)\s+(SAVEPOINT\s+)?"?(\w+)"?', re.I)


def writes(captured: list[dict[str, str]]) -> list[str]:
    """The statements that write or lock, and the savepoints that wrap any statement (a
    get_or_create, an atomic block around a write); an empty SAVEPOINT … RELEASE is not."""
    sql = [q["sql"] for q in captured]
    found = [s for s in sql if _WRITE.match(s) or re.search(r"\bFOR\s+UPDATE\b", s, re.I)]
    for i, statement in enumerate(sql):
        opened = _SAVEPOINT.match(statement)
        if opened is None:
            continue
        closed = _CLOSE.match(sql[i + 1]) if i + 1 < len(sql) else None
        if closed is None or closed.group(3) != opened.group(1):
            found.append(statement)
    return found


def test_the_write_detector_sees_writes_and_wrapped_savepoints():
    assert writes([{"sql": 'UPDATE "django_session" SET x = 1'}])
    assert writes([{"sql": "insert into audit_auditevent values (1)"}])
    assert writes([{"sql": 'SELECT 1 FROM "cases_case" FOR UPDATE'}])
    assert writes(
        [{"sql": 'SAVEPOINT "s1_x1"'}, {"sql": "SELECT 1"}, {"sql": 'RELEASE SAVEPOINT "s1_x1"'}]
    )
    assert not writes([{"sql": 'SAVEPOINT "s1_x1"'}, {"sql": 'RELEASE SAVEPOINT "s1_x1"'}])
    assert not writes([{"sql": 'SELECT "x"."updated_at" FROM "x" WHERE "x"."deleted" = 0'}])


@pytest.fixture
def cases(cast):
    """A registered case, and one with 医政医管处 that its handler is working on."""
    register(cast, on=date(2026, 3, 2), issuer="市人大常委会代表工委")
    case = register(cast, on=date(2026, 3, 2), issuer="市政协提案委", title="关于中医药的建议")
    actions.assign_case(
        case,
        by=cast.coordinator,
        lead_unit=cast.yizheng,
        co_units=[cast.jiceng],
        assigned_on=date(2026, 3, 5),
    )
    actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 3, 6))
    assign_handler(case, by=cast.yizheng_head, handler=cast.yizheng_handler, on=date(2026, 3, 6))
    return case


ROLES = ["coordinator", "leader", "yizheng_head", "yizheng_handler", "viewer"]


@pytest.mark.parametrize("who", ROLES)
def test_viewing_pages_writes_nothing(cast, cases, who):
    unit_and_state = f"/cases/?unit={cast.yizheng.code}&state={State.HANDLING}"
    paths = ["/", "/cases/", unit_and_state, f"/cases/{cases.pk}/", "/dashboard/", "/proposers/"]
    # A closed action card's form, fetched when opened (one each role may or may not take).
    paths.append(f"/cases/{cases.pk}/actions/communicate/form/")
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        client.force_login(getattr(cast, who))
        traveller.shift(30)  # a session touched half a minute ago
        for path in paths:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            # A handler sees no statistics; a refusal writes only its one security event
            # (issue 16: permission refusals are audited), nothing else.
            expected = 403 if (who, path) == ("yizheng_handler", "/dashboard/") else 200
            assert response.status_code == expected, (who, path, response.status_code)
            assert captured.captured_queries, path  # it did read
            written = writes(captured.captured_queries)
            if expected == 403:
                written = [w for w in written if not w.startswith("SAVEPOINT")]  # the event's own
                assert len(written) == 1 and "audit_auditevent" in written[0], written
                assert "'permission_refused'" in written[0] or "permission_refused" in str(
                    captured.captured_queries
                )
            else:
                assert written == [], (who, path)
            assert settings.SESSION_COOKIE_NAME not in response.cookies, path


def _expiry(client: Client) -> datetime:
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    return Session.objects.get(session_key=key).expire_date


def test_the_session_is_renewed_only_after_the_touch_interval(cast):
    age = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        client.force_login(cast.coordinator)
        assert _expiry(client) == START + age
        traveller.shift(59)
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/cases/")
        assert response.status_code == 200
        assert writes(captured.captured_queries) == []
        assert settings.SESSION_COOKIE_NAME not in response.cookies
        assert _expiry(client) == START + age

        traveller.shift(2)  # 61 s after the last save: the idle deadline moves
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/cases/")
        assert response.status_code == 200
        renewal = writes(captured.captured_queries)
        assert renewal and all("django_session" in s for s in renewal if _WRITE.match(s))
        assert _expiry(client) == START + timedelta(seconds=61) + age
        # The cookie still ends with the browser (SESSION_EXPIRE_AT_BROWSER_CLOSE): no
        # expiry of its own that could end the session before the stored one.
        cookie = response.cookies[settings.SESSION_COOKIE_NAME]
        assert (cookie["max-age"], cookie["expires"]) == ("", "")

        traveller.shift(30)  # and the next view is a read again
        with CaptureQueriesContext(connection) as captured:
            client.get("/cases/")
        assert writes(captured.captured_queries) == []


def test_thirty_idle_minutes_still_end_the_session(cast):
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        client.force_login(cast.coordinator)
        traveller.shift(59)
        assert client.get("/cases/").status_code == 200  # read, not saved
        traveller.shift(29 * 60)  # 29 idle minutes: still logged in, and renewed
        assert client.get("/cases/").status_code == 200
        traveller.shift(29 * 60 + 59)
        assert client.get("/cases/").status_code == 200
        traveller.shift(31 * 60)  # 31 idle minutes
        response = client.get("/cases/")
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_the_idle_timeout_errs_by_at_most_the_touch_interval(cast):
    """The last save's expiry decides: a user whose last request came 59 s after the save
    (so saved nothing) is logged out 29 min 2 s after that request, within a minute short
    of the 30."""
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        client.force_login(cast.coordinator)
        traveller.shift(59)
        assert client.get("/cases/").status_code == 200
        traveller.shift(settings.SESSION_COOKIE_AGE - 58)
        assert client.get("/").status_code == 302


def test_a_login_and_a_logout_still_write_the_session(cast):
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                "/login/", {"username": "coordinator", "password": "pw-coordinator"}
            )
        assert response.status_code == 302
        assert any("django_session" in s for s in writes(captured.captured_queries))
        traveller.shift(5)
        assert client.post("/logout/").status_code == 302
        assert not Session.objects.exists()
        assert client.get("/cases/").status_code == 302
