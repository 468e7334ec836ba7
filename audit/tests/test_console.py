"""The auditor's console (/console/audit/) and the security trail's catch-all middleware."""

import io
from datetime import date

import pytest
from django.test import Client
from openpyxl import load_workbook

from audit.models import AuditEvent, EventKind, EventResult
from audit.queries import COUNT_LIMIT, PAGE
from audit.record import record_event
from audit.trail import SecurityAction, record_security_event
from cases.tests.factories import make_user
from orgs.models import Role

URL = "/console/audit/"


@pytest.fixture
def people(cast):
    cast.auditor = make_user("auditor1", (cast.office, Role.AUDITOR))
    cast.security = make_user("security1", (cast.office, Role.SECURITY))
    cast.sysadmin = make_user("sysadmin1", (cast.office, Role.ADMIN))
    return cast


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_only_the_auditor_reads_the_whole_trail(people):
    record_event(actor=people.coordinator, action="unit_created", subject="unit:x")
    page = client_for(people.auditor).get(URL)
    assert page.status_code == 200
    assert "unit:x" in page.content.decode()
    for user in (people.sysadmin, people.coordinator, people.leader, people.outsider):
        assert client_for(user).get(URL).status_code == 403


def test_the_security_officer_sees_only_the_auditors_events(people):
    record_event(actor=people.coordinator, action="unit_created", subject="unit:hidden")
    record_security_event(None, action=SecurityAction.LOGIN, actor=people.auditor)
    page = client_for(people.security).get(URL)
    assert page.status_code == 200
    rows = page.context["rows"]
    assert rows and all(event.actor_id == people.auditor.pk for event, _ in rows)
    assert "unit:hidden" not in page.content.decode()
    # Nor may the security officer export or run the verification.
    assert client_for(people.security).get(URL + "export.xlsx").status_code == 403
    assert client_for(people.security).post(URL + "verify/").status_code == 403


def test_filters_narrow_the_trail(people):
    record_event(actor=people.coordinator, action="unit_created", subject="unit:a")
    record_security_event(
        None, action=SecurityAction.LOGIN_FAILED, result=EventResult.FAILED,
        details={"username": "mallory"},
    )  # fmt: skip
    client = client_for(people.auditor)
    by_kind = client.get(URL, {"kind": EventKind.SECURITY}).context["rows"]
    assert {e.kind for e, _ in by_kind} == {EventKind.SECURITY}
    failed = client.get(URL, {"result": "failed"}).context["rows"]
    assert [e.actor_name for e, _ in failed] == ["mallory"]
    assert [label for _, label in failed] == ["登录失败"]
    text = client.get(URL, {"q": "unit:a"}).context["rows"]
    assert [e.subject for e, _ in text] == ["unit:a"]
    assert client.get(URL, {"actor": "coordinator", "action": "unit_created"}).context["rows"]
    today = date.today().isoformat()
    assert not client.get(URL, {"date_to": "2000-01-01"}).context["rows"]
    assert client.get(URL, {"date_from": today, "date_to": "2100-01-01"}).context["rows"]
    # Bad input is a form error, never a 500.
    bad = client.get(URL, {"date_from": "nonsense", "q": "a\x00b", "before": "9" * 40})
    assert bad.status_code == 200


def test_keyset_pages_newest_first(people):
    AuditEvent.objects.bulk_create(
        AuditEvent(action="register", on=date(2026, 3, 2), subject=f"s{i}") for i in range(PAGE + 5)
    )
    client = client_for(people.auditor)
    first = client.get(URL, {"kind": "action"})
    ids = [e.pk for e, _ in first.context["rows"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == PAGE
    before = first.context["page"].next_before
    assert before == ids[-1]
    second = client.get(URL, {"kind": "action", "before": before}).context["rows"]
    assert [e.pk for e, _ in second] and max(e.pk for e, _ in second) < min(ids)
    assert first.context["page"].count == AuditEvent.objects.filter(kind="action").count()
    assert COUNT_LIMIT >= 1000


def test_the_detail_shows_values_and_chain(people):
    event = record_event(
        actor=people.coordinator, action="unit_created", subject="unit:d",
        details={"old": {"name": "旧名"}, "new": {"name": "<b>新名</b>"}},
    )  # fmt: skip
    page = client_for(people.auditor).get(f"{URL}{event.pk}/")
    html = page.content.decode()
    assert event.chain in html and "旧名" in html
    assert "<b>新名</b>" not in html and "&lt;b&gt;新名" in html
    assert client_for(people.sysadmin).get(f"{URL}{event.pk}/").status_code == 403
    # The security officer cannot open an event outside the auditor's own.
    assert client_for(people.security).get(f"{URL}{event.pk}/").status_code == 404


def test_the_export_is_an_xlsx_and_an_event(people):
    record_event(actor=people.coordinator, action="unit_created", subject="=HYPERLINK(1)")
    response = client_for(people.auditor).get(URL + "export.xlsx", {"kind": "action"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "编号"
    assert any(row[8] == "'=HYPERLINK(1)" for row in rows[1:])
    exports = AuditEvent.objects.filter(action=SecurityAction.AUDIT_EXPORT)
    assert exports.count() == 1  # its own event, not the middleware's EXPORT too
    assert exports.get().actor_id == people.auditor.pk
    assert not AuditEvent.objects.filter(action=SecurityAction.EXPORT).exists()


def test_the_verify_button_reports_the_chain(people):
    record_event(actor=people.coordinator, action="unit_created", subject="unit:v")
    response = client_for(people.auditor).post(URL + "verify/", follow=True)
    assert "校验链完好" in response.content.decode()


# The middleware ---------------------------------------------------------------------


def test_a_refusal_is_one_refused_event_and_changes_nothing(people):
    client = client_for(people.sysadmin)
    before = AuditEvent.objects.count()
    response = client.get(URL, {"kind": "action"})
    assert response.status_code == 403
    event = AuditEvent.objects.get(id__gt=0, action=SecurityAction.REFUSED)
    assert AuditEvent.objects.count() == before + 1
    assert event.result == EventResult.REFUSED and event.kind == EventKind.SECURITY
    assert event.actor_id == people.sysadmin.pk and event.case_id is None
    assert event.details["url_name"] == "audit:trail"
    assert event.details["method"] == "GET" and event.details["query"] == {"kind": "action"}
    assert event.address == "127.0.0.1"


def test_an_export_elsewhere_is_an_export_event(people, monkeypatch):
    from django.http import HttpResponse

    from audit import middleware

    def view(request):
        response = HttpResponse(b"a,b", content_type="text/csv")
        response["Content-Disposition"] = "attachment; filename*=UTF-8''%E5%8A%9E%E4%BB%B6.csv"
        return response

    request = Client().get("/").wsgi_request
    request.user = people.coordinator
    request.META["QUERY_STRING"] = "x=" + "y" * 2000
    middleware.SecurityTrailMiddleware(view)(request)
    event = AuditEvent.objects.get(action=SecurityAction.EXPORT)
    assert event.details["file"] == "办件.csv"
    assert event.details["status"] == 200
    assert event.details["query"] == {"x": "y" * 100}  # bounded (audit.trail.masked_query)


def test_a_download_of_an_attachment_is_a_download_event(people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from attachments.actions import attach_file
    from cases.tests.factories import register

    case = register(people, on=date(2026, 3, 2))
    upload = SimpleUploadedFile("材料.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    attachment = attach_file(case, by=people.coordinator, upload=upload)
    response = client_for(people.coordinator).get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=SecurityAction.DOWNLOAD)
    assert event.details["file"] == "材料.pdf"
    assert event.case_id is None  # never on the case's 办理轨迹
    assert event.actor_id == people.coordinator.pk


def test_a_plain_page_writes_nothing(people, django_assert_num_queries):
    client = client_for(people.coordinator)
    client.get("/")
    before = AuditEvent.objects.count()
    assert client.get("/cases/").status_code == 200
    assert AuditEvent.objects.count() == before


def test_a_failing_trail_never_breaks_the_response(people, monkeypatch):
    from audit import middleware

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(middleware, "record_security_event", broken)
    assert client_for(people.sysadmin).get(URL).status_code == 403
