"""The proposer's word on a communication; the office's pages (panel, issue, revoke, the
form with the QR code); the API's proposer-link."""

import io
import re
import zipfile
from datetime import date

import pytest
from django.test import Client

from api.tests.helpers import ApiClient
from audit.models import AuditEvent
from cases.models import Communication
from portal.actions import issue_link
from portal.links import link_path
from portal.models import CommunicationCheck, ProposerLink
from portal.tests.conftest import open_page, proposers, staff_page, talk
from portal.views import SESSION_KEY
from workflow.vocabulary import Event


def _check(token, talk_id, **data):
    return Client().post(f"{link_path(token)}talks/{talk_id}/", data)


# ── the proposer's word on a communication ───────────────────────────────────────────────


def test_the_proposer_confirms_a_communication(replied, lead_link, cast, only_our_panels):
    _, token = lead_link
    record = Communication.objects.get(case=replied)
    response = _check(token, record.pk, check="confirmed")
    assert response.status_code == 302
    word = CommunicationCheck.objects.get(communication=record)
    assert (word.proposer.name, word.verdict, word.note) == ("陈代表", "confirmed", "")
    assert word.on is not None
    event = AuditEvent.objects.get(action=Event.CONFIRM_COMMUNICATION)
    assert event.actor is None and event.details["communication"] == record.pk
    assert event.details["check"] == "confirmed"
    assert "陈代表：已确认" in staff_page(cast.coordinator, replied)
    assert "您已确认" in open_page(token).content.decode()
    # Said again, the later word replaces the earlier one.
    assert _check(token, record.pk, check="corrected", note="其实是电话").status_code == 302
    word = CommunicationCheck.objects.get(communication=record)
    assert (word.verdict, word.note) == ("corrected", "其实是电话")


def test_a_correction_needs_its_note_and_shows_to_staff(replied, lead_link, cast, only_our_panels):
    _, token = lead_link
    record = Communication.objects.get(case=replied)
    response = _check(token, record.pk, check="corrected", note="")
    assert response.status_code == 400
    assert "请说明哪些情况有出入" in response.content.decode()
    assert not AuditEvent.objects.filter(action=Event.CONFIRM_COMMUNICATION).exists()
    assert _check(token, record.pk, check="corrected", note="只通了电话").status_code == 302
    word = CommunicationCheck.objects.get(communication=record)
    assert (word.verdict, word.note) == ("corrected", "只通了电话")
    assert "陈代表：有出入——只通了电话" in staff_page(cast.yizheng_head, replied)


def test_each_proposer_has_their_own_word_and_sees_only_it(
    replied, lead_link, cast, only_our_panels
):
    _, lead_token = lead_link
    joint = proposers(replied)[1]
    _, joint_token = issue_link(replied, by=cast.coordinator, proposer=joint)
    record = Communication.objects.get(case=replied)
    assert _check(lead_token, record.pk, check="confirmed").status_code == 302
    assert _check(joint_token, record.pk, check="corrected", note="只通了电话").status_code == 302
    words = CommunicationCheck.objects.filter(communication=record).order_by("id")
    assert [(w.proposer.name, w.verdict) for w in words] == [
        ("陈代表", "confirmed"),
        ("刘代表", "corrected"),
    ]
    assert AuditEvent.objects.filter(action=Event.CONFIRM_COMMUNICATION).count() == 2
    lead_page = open_page(lead_token).content.decode()
    joint_page = open_page(joint_token).content.decode()
    assert "办理单位已与我沟通" in lead_page and "只通了电话" not in lead_page
    assert "只通了电话" in joint_page
    # The third proposer has said nothing: their page offers the check, shows no one's word.
    _, third_token = issue_link(replied, by=cast.coordinator, proposer=proposers(replied)[2])
    third_page = open_page(third_token).content.decode()
    assert "您已确认" not in third_page and "只通了电话" not in third_page
    assert "确认此次沟通" in third_page
    staff = staff_page(cast.coordinator, replied)
    assert "陈代表：已确认" in staff and "刘代表：有出入——只通了电话" in staff


def test_the_staff_badges_are_read_in_one_query(replied, cast, only_our_panels):
    """The badges cost one query however many records and words there are."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    links = [issue_link(replied, by=cast.coordinator, proposer=p)[1] for p in proposers(replied)]

    def queries() -> int:
        client = Client()
        client.force_login(cast.coordinator)  # a login writes (its trail, the session limit)
        with CaptureQueriesContext(connection) as seen:
            assert client.get(f"/cases/{replied.pk}/").status_code == 200
        return len(seen)

    talk(replied, cast.yizheng_handler, on=date(2026, 12, 1))
    queries()  # warm: the first page of a session reads a little more
    first = queries()
    for record in Communication.objects.filter(case=replied):
        for token in links:
            assert _check(token, record.pk, check="confirmed").status_code == 302
    for i in range(3):
        record = talk(replied, cast.yizheng_handler, on=date(2026, 12, 2 + i))
        assert _check(links[1], record.pk, check="corrected", note=f"有出入{i}").status_code == 302
    assert CommunicationCheck.objects.filter(communication__case=replied).count() == 9
    page = staff_page(cast.coordinator, replied)
    assert page.count("：已确认") == 6 and "刘代表：有出入——有出入2" in page
    assert queries() == first


def test_another_cases_communication_is_a_404(replied, lead_link, cast):
    from cases.tests.walks import case_in

    other = case_in(cast, "handling")
    record = talk(other, cast.yizheng_handler)
    assert _check(lead_link[1], record.pk, check="confirmed").status_code == 404
    assert _check(lead_link[1], 99999999999, check="confirmed").status_code == 404
    assert _check(lead_link[1], record.pk, check="maybe").status_code == 400


# ── the office's pages ───────────────────────────────────────────────────────────────────


def test_the_panel_issues_shows_once_and_revokes(replied, cast, only_our_panels):
    page = staff_page(cast.coordinator, replied)
    assert "代表委员征询链接" in page and "生成链接" in page
    assert "代表委员征询链接" not in staff_page(cast.yizheng_head, replied)
    client = Client()
    client.force_login(cast.coordinator)
    joint = proposers(replied)[1]
    response = client.post(f"/portal/cases/{replied.pk}/links/", {"proposer": joint.pk})
    assert response.status_code == 302
    link = ProposerLink.objects.get(case=replied)
    assert link.proposer == joint
    # Until it is shown, the token waits in the session; shown once, it leaves it.
    token = client.session[SESSION_KEY][str(link.pk)]
    shown = client.get(response["Location"])
    body = shown.content.decode()
    assert f"/p/{token}/" in body and 'src="data:image/svg+xml' in body
    assert "链接只显示这一次" in body
    assert SESSION_KEY not in client.session
    again = client.get(response["Location"]).content.decode()
    assert token not in again and "data:image/svg+xml" not in again
    assert "链接只在生成后显示一次" in again
    assert open_page(token).status_code == 200
    # Another coordinator's session does not see the token.
    from cases.tests.factories import make_user
    from orgs.models import Role

    other = Client()
    other.force_login(make_user("coordinator2", (cast.office, Role.COORDINATOR)))
    assert token not in other.get(response["Location"]).content.decode()
    # 作废
    response = client.post(f"/portal/cases/{replied.pk}/links/{link.pk}/revoke/")
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_on is not None
    assert open_page(token).status_code == 410


def test_the_token_leaves_the_session_when_shown_and_only_its_own(replied, cast):
    """Two links issued before either page is shown: showing one takes only its token."""
    client = Client()
    client.force_login(cast.coordinator)
    lead, joint = proposers(replied)[:2]
    first = client.post(f"/portal/cases/{replied.pk}/links/", {"proposer": lead.pk})
    second = client.post(f"/portal/cases/{replied.pk}/links/", {"proposer": joint.pk})
    assert len(client.session[SESSION_KEY]) == 2
    client.get(first["Location"])
    kept = client.session[SESSION_KEY]
    joint_link = ProposerLink.objects.get(case=replied, proposer=joint)
    assert list(kept) == [str(joint_link.pk)]
    assert kept[str(joint_link.pk)] in client.get(second["Location"]).content.decode()
    assert SESSION_KEY not in client.session


def test_the_print_button_says_it_revokes_the_link_sent(replied, cast, only_our_panels):
    page = staff_page(cast.coordinator, replied)
    assert "打印将生成新链接，原链接作废" in page
    assert 'data-confirm="打印将生成新链接' not in page  # no link sent yet: nothing to lose
    issue_link(replied, by=cast.coordinator)
    page = staff_page(cast.coordinator, replied)
    assert 'data-confirm="打印将生成新链接，原链接作废：已发给陈代表的链接' in page


def test_the_feedback_form_prints_the_qr_code_of_a_new_link(replied, cast):
    client = Client()
    client.force_login(cast.coordinator)
    old, old_token = issue_link(replied, by=cast.coordinator)
    response = client.post(f"/portal/cases/{replied.pk}/feedback-form.docx")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as docx:
        names = docx.namelist()
        xml = docx.read("word/document.xml").decode()
    assert any(n.startswith("word/media/") and n.endswith(".png") for n in names)
    new = ProposerLink.objects.get(case=replied, revoked_on__isnull=True)
    found = re.search(r"/p/([A-Za-z0-9_-]{43})/", xml)
    assert found is not None
    token = found.group(1)
    assert open_page(token).status_code == 200
    # The form carries the token; the session keeps none of it.
    assert SESSION_KEY not in client.session
    assert new.proposer.name == "陈代表" and new.pk != old.pk
    assert open_page(old_token).status_code == 410
    # The plain form (the case page's button) issues nothing and prints no code.
    plain = client.get(f"/cases/{replied.pk}/feedback-form.docx")
    with zipfile.ZipFile(io.BytesIO(plain.content)) as docx:
        assert not any(n.startswith("word/media/") for n in docx.namelist())
    assert ProposerLink.objects.filter(case=replied).count() == 2


@pytest.mark.parametrize("who", ["leader", "viewer", "yizheng_head", "jiceng_head"])
def test_other_roles_cannot_issue_on_the_web(replied, cast, who):
    client = Client()
    client.force_login(getattr(cast, who))
    assert client.post(f"/portal/cases/{replied.pk}/links/").status_code == 403
    assert not ProposerLink.objects.exists()


# ── the API ──────────────────────────────────────────────────────────────────────────────


def test_api_issues_a_link_whose_url_opens_without_cookies(replied, cast):
    response = ApiClient("coordinator").post(f"/cases/{replied.pk}/proposer-link")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["expires_on"] == "2027-03-31"
    assert data["url"].startswith("http://testserver/p/")
    page = Client().get(data["url"].removeprefix("http://testserver"))
    assert page.status_code == 200 and replied.title in page.content.decode()
    assert data["proposer_name"] == "陈代表"
    url = data["url"]
    token = url.rstrip("/").rsplit("/", 1)[1]
    for i in (0, len(token) // 2, len(token) - 1):
        swapped = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
        assert Client().get(link_path(swapped)).status_code == 404


def test_api_for_a_joint_proposer_and_on_the_public_url(replied, cast, settings):
    settings.HUIYIN_PUBLIC_URL = "https://huiyin.example.cn"
    joint = proposers(replied)[2]
    response = ApiClient("coordinator").post(
        f"/cases/{replied.pk}/proposer-link", {"proposer_id": joint.pk}
    )
    assert response.status_code == 200
    assert response.json()["url"].startswith("https://huiyin.example.cn/p/")
    assert response.json()["proposer_name"] == "周代表"


def test_api_refusals(replied, cast):
    from cases.tests.walks import case_in

    api = ApiClient("coordinator")
    path = f"/cases/{replied.pk}/proposer-link"
    assert api.post(path, {"proposer_id": "x"}).status_code == 422
    assert api.post(path, {"who": 1}).status_code == 422
    assert api.post(path, raw="{").status_code == 422
    assert api.post(path, {"proposer_id": 99999999}).status_code == 400
    stranger = proposers(case_in(cast, "handling", lead_proposer="外人代表"))[0]
    response = api.post(path, {"proposer_id": stranger.pk})
    assert response.status_code == 400 and response.json()["field"] == "proposer_id"
    assert api.post("/cases/99999999/proposer-link").status_code == 404
    replied.proposer_links.all().delete()
    assert api.post(path).status_code == 400
