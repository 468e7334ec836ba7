"""The proposer's link: issuing, opening, expiry, revocation, tampering, what it shows."""

from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client

from audit.models import AuditEvent
from portal.actions import issue_link, revoke_link
from portal.links import TOKEN_LENGTH, hash_token, link_path
from portal.models import ProposerLink
from portal.tests.conftest import INTERNAL, open_page, proposers
from workflow.errors import ActionForbidden, CaseError
from workflow.vocabulary import Event

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def test_a_link_opens_the_lead_proposers_page_without_login(lead_link, replied):
    link, token = lead_link
    assert len(token) == TOKEN_LENGTH
    assert link.token_hash == hash_token(token) and token not in link.token_hash
    assert link.proposer.name == "陈代表"
    assert link.expires_on == date(2026, 12, 31) + timedelta(days=90)
    response = open_page(token)
    assert response.status_code == 200
    page = response.content.decode()
    assert replied.title in page and f"第{replied.number}号" in page
    assert "陈代表、刘代表、周代表" in page
    assert "<dt>承办单位</dt><dd>医政医管处</dd>" in page  # the unit's name is shown
    # ... under the steps: a step's label is one short line on a phone (已交办, no unit).
    assert "已交办给" not in page and ">已交办<" in page
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    assert not response.cookies.get("sessionid")


def test_the_token_itself_is_never_stored(lead_link):
    link, token = lead_link
    stored = ProposerLink.objects.filter(pk=link.pk).values()[0]
    assert token not in str(stored)
    event = AuditEvent.objects.get(action=Event.ISSUE_LINK)
    assert token not in str(event.details)
    assert event.details["link"] == link.pk and event.details["proposer_name"] == "陈代表"


@pytest.mark.parametrize("position", range(TOKEN_LENGTH))
def test_any_character_changed_is_a_404(lead_link, position):
    _, token = lead_link
    other = ALPHABET[(ALPHABET.index(token[position]) + 1) % len(ALPHABET)]
    tampered = token[:position] + other + token[position + 1 :]
    response = Client().get(link_path(tampered))
    assert response.status_code == 404
    assert "办理进度" not in response.content.decode()


@pytest.mark.parametrize(
    "bad",
    ["short", "x" * 42, "x" * 44, "x" * 42 + "!", "x" * 42 + "=", "%00" * 14 + "x", "é" * 43],
)
def test_bad_lengths_and_characters_are_a_404(lead_link, bad):
    assert Client().get(f"/p/{bad}/").status_code == 404


def test_expiry_the_last_day_works_the_next_is_410(lead_link, replied):
    link, token = lead_link
    with time_machine.travel(link.expires_on, tick=False):
        assert open_page(token).status_code == 200
    with time_machine.travel(link.expires_on + timedelta(days=1), tick=False):
        response = open_page(token)
        assert response.status_code == 410
        body = response.content.decode()
        assert "已过有效期" in body
        assert replied.title not in body and "陈代表" not in body
        opens = AuditEvent.objects.filter(action=Event.OPEN_LINK).count()
    assert opens == 1  # the expired open is no use of the link


def test_the_expiry_is_configurable(replied, cast, settings):
    settings.HUIYIN_PROPOSER_LINK_DAYS = 30
    link, _ = issue_link(replied, by=cast.coordinator)
    assert link.expires_on == date(2026, 12, 31) + timedelta(days=30)


def test_revocation_ends_the_link(lead_link, replied, cast):
    link, token = lead_link
    revoke_link(link, by=cast.coordinator)
    response = open_page(token)
    assert response.status_code == 410
    assert "已作废" in response.content.decode()
    assert replied.title not in response.content.decode()
    event = AuditEvent.objects.get(action=Event.REVOKE_LINK)
    assert event.actor == cast.coordinator and event.details["link"] == link.pk
    with pytest.raises(CaseError):
        revoke_link(link, by=cast.coordinator)


def test_issuing_anew_revokes_the_earlier_link(lead_link, replied, cast):
    old, old_token = lead_link
    new, new_token = issue_link(replied, by=cast.coordinator)
    old.refresh_from_db()
    assert old.revoked_on == date(2026, 12, 31) and old.revoked_by == cast.coordinator
    assert open_page(old_token).status_code == 410
    assert open_page(new_token).status_code == 200
    assert ProposerLink.objects.filter(case=replied, revoked_on__isnull=True).count() == 1
    # A joint proposer's link lives beside the lead's.
    joint = proposers(replied)[1]
    issue_link(replied, by=cast.coordinator, proposer=joint)
    assert ProposerLink.objects.filter(case=replied, revoked_on__isnull=True).count() == 2


def test_only_the_coordinator_issues_and_revokes(replied, cast, lead_link):
    for user in (cast.leader, cast.viewer, cast.yizheng_head, cast.admin):
        with pytest.raises(ActionForbidden):
            issue_link(replied, by=user)
        with pytest.raises(ActionForbidden):
            revoke_link(lead_link[0], by=user)


def test_a_case_without_a_proposer_has_no_link(replied, cast):
    replied.proposer_links.all().delete()
    with pytest.raises(CaseError, match="没有登记提出人"):
        issue_link(replied, by=cast.coordinator)


def test_every_use_is_counted_and_audited(lead_link):
    link, token = lead_link
    for _ in range(3):
        assert open_page(token).status_code == 200
    link.refresh_from_db()
    assert link.uses == 3 and link.last_used_at is not None
    events = AuditEvent.objects.filter(action=Event.OPEN_LINK)
    assert events.count() == 3
    event = events.first()
    assert event.actor is None and event.case_id == link.case_id
    assert event.details == {
        "link": link.pk,
        "proposer": link.proposer_id,
        "proposer_name": "陈代表",
        "what": "page",
    }


def test_the_letter_downloads_through_the_link_and_is_audited(lead_link):
    link, token = lead_link
    response = Client().get(f"{link_path(token)}letter.docx")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.get(action=Event.OPEN_LINK).details["what"] == "letter"


def test_the_page_hides_internal_data(lead_link, replied):
    _, token = lead_link
    page = open_page(token).content.decode()
    assert "面商" in page and "答复正文" in page  # the talk's way, the reply's text
    assert "年内出台基层人才培养方案" in page  # the promise
    for word in INTERNAL:
        assert word not in page, word


def test_a_joint_proposer_does_not_read_the_leads_comment(replied, cast):
    from portal.actions import rate_through_link

    lead, joint = proposers(replied)[:2]
    lead_link, _ = issue_link(replied, by=cast.coordinator, proposer=lead)
    _, joint_token = issue_link(replied, by=cast.coordinator, proposer=joint)
    rate_through_link(
        lead_link, result="satisfied", attitude="satisfied", comment="领衔人的私下意见"
    )
    page = open_page(joint_token).content.decode()
    assert "领衔人的私下意见" not in page
    assert "满意" in page and "领衔人" in page
