"""The UX review's findings on the proposer's link (issue 15): whose act the page words as
the proposer's own, the correction's note, confirmation before voiding a link, the ended
link's contact, the 办理轨迹 and the ratings on the staff page, the earlier rounds' letters
and the promises' 逾期 and reasons."""

from datetime import date, timedelta

import time_machine
from django.test import Client

from audit.models import AuditEvent
from cases.models import Commitment, CommitmentStatus
from letters.tests.conftest import configure
from portal.actions import check_communication, issue_link, open_link, revoke_link
from portal.links import link_path
from portal.models import ProposerLink
from portal.tests.conftest import open_page, proposers, staff_page
from web.resubmit import stale_notice
from workflow.vocabulary import Event, State


def _rate(token, **data):
    body = {"result": "unsatisfied", "attitude": "basically_satisfied", "comment": "再加力度"}
    body.update(data)
    return Client().post(f"{link_path(token)}rate/", body)


def _coordinator(cast):
    client = Client()
    client.force_login(cast.coordinator)
    return client


def _timeline(page):
    return page.split("办理轨迹", 1)[1]


# 1 ── only the rater's own acts say 您 ────────────────────────────────────────────────────


def test_the_joint_page_words_the_leads_unsatisfied_as_the_leads(replied, cast):
    lead, joint = proposers(replied)[:2]
    _, lead_token = issue_link(replied, by=cast.coordinator)
    _, joint_token = issue_link(replied, by=cast.coordinator, proposer=joint)
    assert _rate(lead_token).status_code == 302
    replied.refresh_from_db()
    assert replied.round == 2 and replied.state == State.HANDLING
    joint_page = open_page(joint_token).content.decode()
    assert "您对上次答复不满意" not in joint_page
    assert "领衔人对上次答复不满意（统计以领衔人的评价为准），医政医管处正在重新办理" in joint_page
    assert "第1轮答复 · 领衔人的评价" in joint_page and "计入统计" in joint_page
    lead_page = open_page(lead_token).content.decode()
    assert "您对上次答复不满意，医政医管处正在重新办理" in lead_page
    assert "领衔人对上次答复" not in lead_page


def test_a_reopened_case_blames_nobody(replied, cast):
    from cases import actions

    _, token = issue_link(replied, by=cast.coordinator)
    actions.record_feedback(replied, by=cast.coordinator, result="satisfied", attitude="satisfied")
    actions.reopen_case(replied, by=cast.coordinator, reason="领导批示再办")
    page = open_page(token).content.decode()
    assert "此件已重新办理" in page and "不满意" not in page.split("办理进度")[1][:200]


# 2 ── the correction's note: required, and said so ────────────────────────────────────────


def test_the_note_is_labelled_required_and_the_choices_stack(replied, lead_link, cast):
    from cases.models import Communication

    _, token = lead_link
    talk = Communication.objects.get(case=replied)
    page = open_page(token).content.decode()
    form = page.split(f'id="talk-{talk.pk}"')[1].split("</form>")[0]
    assert "（选“情况有出入”时必填）" in form and "（选填）" not in form
    assert "yj-choices pt-stack" in form  # one full-width option a line
    url = f"{link_path(token)}talks/{talk.pk}/"
    refused = Client().post(url, {"check": "corrected", "note": "  "})
    assert refused.status_code == 400
    assert "请说明哪些情况有出入" in refused.content.decode()
    assert Client().post(url, {"check": "confirmed", "note": ""}).status_code == 302


# 3 ── voiding a link is confirmed first ───────────────────────────────────────────────────


def test_issuing_over_a_live_link_asks_first(replied, lead_link, cast, only_our_panels):
    old, old_token = lead_link
    page = staff_page(cast.coordinator, replied)
    assert "陈代表已有有效链接" in page and 'id="proposer-link-live-note"' in page
    client = _coordinator(cast)
    url = f"/portal/cases/{replied.pk}/links/"
    asked = client.post(url, {"proposer": old.proposer_id})
    assert asked.status_code == 200
    body = asked.content.decode()
    assert "原链接立即作废" in body and 'name="confirm" value="1"' in body
    assert ProposerLink.objects.filter(case=replied).count() == 1  # nothing issued yet
    assert open_page(old_token).status_code == 200
    done = client.post(url, {"proposer": old.proposer_id, "confirm": "1"})
    assert done.status_code == 302
    assert open_page(old_token).status_code == 410
    # A proposer with no live link is issued at once.
    joint = proposers(replied)[1]
    assert client.post(url, {"proposer": joint.pk}).status_code == 302


def test_the_revoke_button_asks_first(replied, lead_link, cast, only_our_panels):
    page = staff_page(cast.coordinator, replied)
    revoke = page.split("/revoke/")[1].split(">")[0]
    assert 'data-confirm="作废陈代表的征询链接？' in revoke


# 4 ── an ended link says whom to call ─────────────────────────────────────────────────────


def test_the_ended_page_gives_the_commissions_contact_and_phone(lead_link, cast):
    link, token = lead_link
    configure(contact="办公室王老师", phone="0571-87000000")
    revoke_link(link, by=cast.coordinator)
    response = open_page(token)
    assert response.status_code == 410
    body = response.content.decode()
    assert "此链接已作废" in body and "办公室王老师" in body
    assert 'href="tel:057187000000"' in body and "0571-87000000" in body


def test_the_ended_page_without_a_configured_phone_still_says_whom(lead_link):
    link, token = lead_link
    with time_machine.travel(link.expires_on + timedelta(days=1), tick=False):
        body = open_page(token).content.decode()
    assert "此链接已过有效期" in body and "交办机关" in body and "tel:" not in body


# 5 ── the 办理轨迹 ───────────────────────────────────────────────────────────────────────


def test_openings_are_audited_but_not_on_the_timeline(replied, lead_link, cast, only_our_panels):
    link, token = lead_link
    for _ in range(3):
        assert open_page(token).status_code == 200
    assert AuditEvent.objects.filter(case=replied, action=Event.OPEN_LINK).count() == 3
    page = staff_page(cast.coordinator, replied)
    assert "代表委员查看" not in _timeline(page)
    assert "使用3次" in page and "最近一次2026年12月31日" in page
    assert "T" not in page.split("最近一次")[1][:20]  # no ISO datetime


def test_an_opening_does_not_make_the_staff_form_stale(replied, lead_link):
    seen = AuditEvent.objects.filter(case=replied).order_by("-id").first().pk
    open_link(lead_link[0])
    assert stale_notice(replied, str(seen)) is None


def test_the_timeline_names_the_proposer_and_what_they_said(replied, lead_link, cast):
    from cases.models import Communication
    from web.timeline import timeline
    from workflow.tables import workflow_for

    link, token = lead_link
    talk = Communication.objects.get(case=replied)
    check_communication(link, communication_id=talk.pk, check="corrected", note="没有面谈")
    revoke_link(link, by=cast.coordinator)
    entries = timeline(replied.events.order_by("id"), workflow_for(replied.category))
    by_action = {e.action: e for e in entries}
    issued = dict(by_action[Event.ISSUE_LINK].details)
    assert issued["代表委员"] == "陈代表" and "有效期至" in issued
    checked = by_action[Event.CONFIRM_COMMUNICATION]
    assert checked.actor == "代表委员 陈代表（通过征询链接）"
    rows = dict(checked.details)
    assert rows["确认"] == "有出入" and rows["意见"] == "没有面谈"
    assert dict(by_action[Event.REVOKE_LINK].details)["代表委员"] == "陈代表"


def test_a_joint_rating_reads_as_theirs_and_not_counted(replied, cast):
    from web.timeline import timeline
    from workflow.tables import workflow_for

    joint = proposers(replied)[1]
    _, token = issue_link(replied, by=cast.coordinator, proposer=joint)
    assert _rate(token).status_code == 302
    entries = timeline(replied.events.order_by("id"), workflow_for(replied.category))
    rated = entries[-1]
    assert rated.action == Event.PROPOSER_RATING
    assert rated.actor == "代表委员 刘代表（通过征询链接）"
    assert dict(rated.details)["统计"] == "不计入，供参考"


# 6 ── the staff page names who rated ──────────────────────────────────────────────────────


def test_the_counted_rating_shows_once_with_who(replied, lead_link, cast, only_our_panels):
    assert _rate(lead_link[1], result="satisfied").status_code == 302
    page = staff_page(cast.viewer, replied)
    assert "陈代表通过征询链接评价" in page
    assert 'id="proposer-ratings"' not in page  # no second list for the same rating


# 7 ── the link page: copy, and print only the card ────────────────────────────────────────


def test_the_link_page_copies_and_prints_without_the_staff_chrome(replied, cast):
    client = _coordinator(cast)
    response = client.post(f"/portal/cases/{replied.pk}/links/", {})
    body = client.get(response["Location"]).content.decode()
    assert 'data-copy="proposer-link-url"' in body and "复制链接" in body
    assert "portal/link.css" in body
    from django.contrib.staticfiles import finders

    css = open(finders.find("portal/link.css"), encoding="utf-8").read()
    assert "@media print" in css and ".hy-topbar" in css and ".d-print-none" in css
    js = open(finders.find("portal/link.js"), encoding="utf-8").read()
    assert "navigator.clipboard" in js and "textContent" in js and "innerHTML" not in js


# 8 ── steps, earlier letters, promises ────────────────────────────────────────────────────


def test_round_two_still_offers_the_signed_letter_of_round_one(replied, lead_link):
    _, token = lead_link
    assert _rate(token).status_code == 302
    page = open_page(token).content.decode()
    assert "上一次答复" in page and "下载答复函（Word）" in page
    assert f"{link_path(token)}letter.docx?round=1" in page
    letter = Client().get(f"{link_path(token)}letter.docx?round=1")
    assert letter.status_code == 200 and letter.content[:2] == b"PK"
    assert AuditEvent.objects.filter(action=Event.OPEN_LINK).last().details["round"] == 1
    # Round 2 has no signed reply yet; nonsense is no letter either.
    for bad in ("2", "abc", "99999"):
        assert Client().get(f"{link_path(token)}letter.docx?round={bad}").status_code == 404


def test_a_promise_late_or_settled_short_says_so(replied, lead_link):
    _, token = lead_link
    promise = Commitment.objects.get(case=replied)
    Commitment.objects.filter(pk=promise.pk).update(
        status=CommitmentStatus.OPEN, due=date(2026, 12, 1)
    )
    page = open_page(token).content.decode()
    assert 'data-late="1"' in page and "已逾期" in page
    Commitment.objects.filter(pk=promise.pk).update(
        status=CommitmentStatus.PARTIAL, reason="医保政策尚未出台"
    )
    page = open_page(token).content.decode()
    assert "已逾期" not in page and "原因：医保政策尚未出台" in page
