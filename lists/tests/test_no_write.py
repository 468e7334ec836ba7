"""Reading the lists writes nothing (issue 14, as tests/test_no_write_on_read.py does for
the cases): the lists index, a list's page, the board, the 主体责任清单, an item's case page,
the report page and the exports run no INSERT, UPDATE or DELETE (nor a lock, nor a
savepoint around a statement), for every role that may see them, and send no new session
cookie."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lists import measures
from lists.models import Measure
from lists.tests.factories import make_item, make_list, pdf
from reminders.tests.conftest import frozen
from tests.test_no_write_on_read import writes

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 6, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Wednesday


@pytest.fixture
def rect_list(cast):
    """A list of two items: one with evidence and progress on its first measure, one whose
    first measure was struck off, so that every page has lights, bars and figures to show."""
    found = make_list(cast, owner=cast.viewer)
    first = make_item(cast, found, title="急救电话接听不及时")
    second = make_item(cast, found, title="基层首诊率偏低", deadline=date(2026, 4, 30))
    with frozen(date(2026, 4, 1)):
        m1 = Measure.objects.filter(item_id=first.pk).order_by("seq").first()
        assert m1 is not None
        measures.attach_evidence(first, by=cast.yizheng_head, upload=pdf(), measure_id=m1.pk)
        measures.report_progress(
            first, by=cast.yizheng_head, measure_id=m1.pk, text="方案已起草", percent=60
        )
        m2 = Measure.objects.filter(item_id=second.pk).order_by("seq").first()
        assert m2 is not None
        measures.attach_evidence(second, by=cast.yizheng_head, upload=pdf(), measure_id=m2.pk)
        measures.submit_measure(second, by=cast.yizheng_head, measure_id=m2.pk)
        measures.review_measure(second, by=cast.viewer, measure_id=m2.pk, approved=True)
    return found, first


def _paths(who: str, list_id: int, case_id: int) -> list[str]:
    unit = {"yizheng_head": "yizheng", "jiceng_head": "jiceng"}.get(who, "yizheng")
    paths = [
        "/lists/",
        f"/lists/{list_id}/",
        f"/lists/{list_id}/?page=2",
        f"/lists/{list_id}/board/",
        f"/lists/{list_id}/board/?measures=0&unit=jiceng",
        "/lists/board/",
        f"/lists/duty/{unit}/",
        f"/cases/{case_id}/",
        f"/lists/{list_id}/report/",
        f"/lists/{list_id}/export.xlsx",
        f"/lists/{list_id}/ledger.xlsx",
    ]
    if who in ("coordinator", "leader", "viewer"):
        paths += [
            "/lists/duty/",
            f"/lists/{list_id}/report.docx",
            f"/lists/{list_id}/bulletin.docx?period=2026-Q2",
        ]
    return paths


@pytest.mark.parametrize("who", ["coordinator", "leader", "viewer", "yizheng_head", "jiceng_head"])
def test_viewing_the_lists_writes_nothing(cast, rect_list, who, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    found, case = rect_list
    with time_machine.travel(NOW, tick=False) as traveller:
        client = Client()
        client.force_login(getattr(cast, who))
        traveller.shift(30)  # a session touched half a minute ago
        for path in _paths(who, found.pk, case.pk):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            assert response.status_code == 200, (who, path, response.status_code)
            assert captured.captured_queries, path  # it did read
            written = writes(captured.captured_queries)
            if response.has_header("Content-Disposition"):
                # An export writes its one access-audit row (issue 16), nothing else.
                written = [w for w in written if not w.startswith("SAVEPOINT")]  # the event's own
                assert len(written) == 1 and "audit_auditevent" in written[0], (who, path)
            else:
                assert written == [], (who, path)
            assert settings.SESSION_COOKIE_NAME not in response.cookies, path


def test_a_refused_read_writes_nothing_either(cast, rect_list):
    """A unit's 403 (another unit's 主体责任清单, the report's .docx) and an outsider's 404:
    nothing but a 403's one security event (permission refusals are audited)."""
    found, case = rect_list
    refused = [
        ("jiceng_head", "/lists/duty/yizheng/", 403),
        ("jiceng_head", f"/lists/{found.pk}/report.docx", 403),
        ("zhongyi_head", f"/lists/{found.pk}/board/", 404),
        ("zhongyi_head", f"/cases/{case.pk}/", 404),
        ("outsider", "/lists/board/", 403),
        ("coordinator", f"/lists/{found.pk}/board/?light=purple", 400),
    ]
    with time_machine.travel(NOW, tick=False) as traveller:
        for who, path, status in refused:
            client = Client()
            client.force_login(getattr(cast, who))
            traveller.shift(1)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            assert response.status_code == status, (who, path, response.status_code)
            written = writes(captured.captured_queries)
            if status == 403:  # only the refusal's one security event (issue 16)
                written = [w for w in written if not w.startswith("SAVEPOINT")]  # the event's own
                assert len(written) == 1 and "audit_auditevent" in written[0], (who, path)
            else:
                assert written == [], (who, path)
