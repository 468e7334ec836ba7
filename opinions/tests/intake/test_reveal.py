"""显示完整号码 (issue 16): the phone is masked on the case page and on 快速登记 for
everyone; those who answer the person reveal it with a POST (CSRF-protected), which writes
one REVEAL security event naming the case and never the number."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent, EventKind
from audit.trail import SecurityAction
from opinions import actions

pytestmark = pytest.mark.django_db
PHONE = "13912345678"
MASKED = "139****5678"


def _forwarded(cast, opinion, **kw):
    case = opinion("卫生院夜间没有医生值班", phone=PHONE, email="wang@example.com", **kw)
    actions.forward(case, by=cast.leader, lead_unit=cast.yizheng)
    return case


def _reveals():
    return AuditEvent.objects.filter(action=SecurityAction.REVEAL)


def test_the_page_masks_the_phone_and_offers_the_reveal(cast, clock, opinion, client_for):
    case = _forwarded(cast, opinion)
    for user, offered in [(cast.coordinator, True), (cast.yizheng_handler, True),
                          (cast.viewer, False), (cast.leader, False)]:  # fmt: skip
        html = client_for(user).get(f"/cases/{case.pk}/").content.decode()
        assert MASKED in html and PHONE not in html, user
        assert ("显示完整号码" in html) == offered, user
        if offered:
            form = re.search(r'<form method="post" action="([^"]+)"[^>]*hy-reveal', html)
            assert form and form.group(1) == f"/opinions/{case.pk}/reveal-phone/"
    # The e-mail stays as before: in full for whoever answers, masked for the others.
    assert (
        "wang@example.com"
        in client_for(cast.yizheng_head).get(f"/cases/{case.pk}/").content.decode()
    )
    assert "w***@example.com" in client_for(cast.viewer).get(f"/cases/{case.pk}/").content.decode()
    assert not _reveals().exists()  # reading the page reveals nothing


def test_the_reveal_shows_the_number_and_is_kept(cast, clock, opinion, client_for):
    case = _forwarded(cast, opinion)
    duplicate = opinion("卫生院晚上没人值班", phone="13800001234")
    actions.merge(duplicate, by=cast.coordinator, into=case)
    response = client_for(cast.yizheng_head).post(f"/opinions/{case.pk}/reveal-phone/")
    assert response.status_code == 200
    html = response.content.decode()
    assert PHONE in html and "13800001234" in html and "已记入安全审计" in html
    (event,) = _reveals()
    assert event.kind == EventKind.SECURITY and event.actor_id == cast.yizheng_head.pk
    assert event.subject == f"case:{case.pk}" and event.case_id is None
    assert event.details == {"field": "phone"}
    assert case.number in event.case_label
    assert PHONE not in str(event.details) and PHONE not in event.case_label


def test_refused_reveals_write_nothing(cast, clock, opinion, client_for):
    case = _forwarded(cast, opinion)
    assert client_for(cast.viewer).post(f"/opinions/{case.pk}/reveal-phone/").status_code == 403
    assert (
        client_for(cast.zhongyi_head).post(f"/opinions/{case.pk}/reveal-phone/").status_code == 404
    )
    assert client_for(cast.coordinator).get(f"/opinions/{case.pk}/reveal-phone/").status_code == 405
    assert client_for(cast.coordinator).post("/opinions/99999999/reveal-phone/").status_code == 404
    assert not _reveals().exists()


def test_the_reveal_needs_the_csrf_token(cast, clock, opinion):
    case = _forwarded(cast, opinion)
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.coordinator)
    assert client.post(f"/opinions/{case.pk}/reveal-phone/").status_code == 403
    page = client.get(f"/cases/{case.pk}/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(f"/opinions/{case.pk}/reveal-phone/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 200 and PHONE in response.content.decode()
    assert _reveals().count() == 1


def test_quick_entry_shows_phones_masked(cast, clock, client_for):
    client = client_for(cast.coordinator)
    response = client.post("/opinions/quick/", {
        "channel": "phone", "received_at": "2026-04-15 10:00", "requester": "王女士",
        "phone": PHONE, "content": "医院停车太难了",
    })  # fmt: skip
    assert response.status_code in (200, 302)
    html = client.get("/opinions/quick/").content.decode()
    assert MASKED in html and PHONE not in html


def test_the_page_costs_no_more_queries_with_more_merged(cast, clock, opinion, client_for):
    case = _forwarded(cast, opinion)
    client = client_for(cast.coordinator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/cases/{case.pk}/").status_code == 200
        return len(ctx.captured_queries)

    client.get(f"/cases/{case.pk}/")
    one = queries()
    for i in range(3):
        actions.merge(
            opinion(f"重复的意见{i}", phone=f"1380000{i:04d}"), by=cast.coordinator, into=case
        )
    client.get(f"/cases/{case.pk}/")
    assert queries() <= one + 2  # the merged list: one query, whatever its length
