"""The two downloads: who may fetch them, and what comes back."""

from datetime import date
from urllib.parse import quote

import pytest
import time_machine
from django.shortcuts import resolve_url
from django.urls import reverse

from cases.tests.factories import register
from letters.build import DOCX_CONTENT_TYPE
from letters.tests.helpers import Docx, walk

pytestmark = [pytest.mark.django_db, pytest.mark.urls("letters.tests.urls")]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(date(2026, 12, 31), tick=False):
        yield


@pytest.fixture
def case(cast):
    return walk(cast, lead_proposer={"name": "陈光明", "kind": "deputy"})


def test_url_names():
    assert reverse("reply-letter", args=[7]) == "/cases/7/reply.docx"
    assert reverse("feedback-form", args=[7]) == "/cases/7/feedback-form.docx"


@pytest.mark.parametrize(
    ("name", "filename"),
    [("reply-letter", "号建议答复函.docx"), ("feedback-form", "号建议征询意见表.docx")],
)
def test_coordinator_downloads(client, cast, case, name, filename):
    client.force_login(cast.coordinator)
    response = client.get(reverse(name, args=[case.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_CONTENT_TYPE
    full = f"第{case.number}{filename}"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    assert f"filename*=UTF-8''{quote(full)}" in disposition
    assert response["Cache-Control"] == "private, no-store"
    assert "word/document.xml" in Docx(response.content).names


def test_lead_unit_downloads_but_another_unit_gets_404(client, cast, case):
    client.force_login(cast.yizheng_handler)
    assert client.get(reverse("reply-letter", args=[case.pk])).status_code == 200
    client.force_login(cast.jiceng_head)
    assert client.get(reverse("reply-letter", args=[case.pk])).status_code == 404
    assert client.get(reverse("feedback-form", args=[case.pk])).status_code == 404
    assert client.get(reverse("reply-letter", args=[999999])).status_code == 404


def test_case_without_reply_is_a_400_page(client, cast):
    bare = register(cast, on=date(2026, 3, 2))
    client.force_login(cast.coordinator)
    for name in ("reply-letter", "feedback-form"):
        response = client.get(reverse(name, args=[bare.pk]))
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        page = response.content.decode()
        assert "此办件尚无答复，不能生成答复函" in page
        assert reverse("case-detail", args=[bare.pk]) in page


def test_login_required(client, case, settings):
    response = client.get(reverse("reply-letter", args=[case.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL) + "?next=")
    response = client.get(reverse("feedback-form", args=[case.pk]))
    assert response.status_code == 302


def test_only_get(client, cast, case):
    client.force_login(cast.coordinator)
    assert client.post(reverse("reply-letter", args=[case.pk])).status_code == 405
