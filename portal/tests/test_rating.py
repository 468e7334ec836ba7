"""Rating through the link: the same action as the coordinator's, and the joint proposers."""

import pytest
from django.test import Client

from audit.models import AuditEvent
from cases import actions
from cases.models import Feedback
from cases.tests.walks import case_in
from portal.actions import issue_link, rate_through_link
from portal.links import link_path
from portal.models import ProposerRating
from portal.tests.conftest import open_page, proposers, staff_page
from workflow.errors import CaseError
from workflow.vocabulary import Action, Event, State


def _rate(token, **data):
    body = {"result": "unsatisfied", "attitude": "basically_satisfied", "comment": "希望再加力度"}
    body.update(data)
    return Client().post(f"{link_path(token)}rate/", body)


def _last_event(case):
    return AuditEvent.objects.filter(case=case).order_by("-id").first()


@pytest.mark.parametrize("result", ["unsatisfied", "satisfied"])
def test_a_link_rating_has_the_coordinators_effect_and_audit(cast, result):
    by_office = case_in(cast, "replied")
    by_link = case_in(cast, "replied")
    actions.record_feedback(
        by_office, by=cast.coordinator, result=result, attitude="satisfied", comment="意见"
    )
    link, token = issue_link(by_link, by=cast.coordinator)
    response = _rate(token, result=result, attitude="satisfied", comment="意见")
    assert response.status_code == 302
    assert response["Location"].endswith("?rated=1#ratings")
    by_office.refresh_from_db()
    by_link.refresh_from_db()
    for name in ("state", "round", "deadline", "unit_deadline", "feedback_result"):
        assert getattr(by_link, name) == getattr(by_office, name), name
    office_fb, link_fb = Feedback.objects.get(case=by_office), Feedback.objects.get(case=by_link)
    for name in ("round", "result", "attitude", "comment", "on"):
        assert getattr(link_fb, name) == getattr(office_fb, name), name
    assert link_fb.proposer == link.proposer and link_fb.recorded_by is None
    office_event, link_event = _last_event(by_office), _last_event(by_link)
    assert link_event.action == office_event.action == Action.RECORD_FEEDBACK
    assert (link_event.from_state, link_event.to_state) == (
        office_event.from_state,
        office_event.to_state,
    )
    assert link_event.actor is None
    assert link_event.details == {
        **office_event.details,
        "proposer": link.proposer_id,
        "proposer_name": "陈代表",
        "via": "link",
    }
    rating = ProposerRating.objects.get(case=by_link)
    assert rating.counted and rating.round == 1 and rating.result == result


def test_unsatisfied_through_the_link_starts_round_two(replied, lead_link):
    _, token = lead_link
    assert _rate(token).status_code == 302
    replied.refresh_from_db()
    assert replied.state == State.HANDLING and replied.round == 2
    event = _last_event(replied)
    assert event.to_state == State.HANDLING and "deadline" in event.details
    page = Client().get(f"{link_path(token)}?rated=1").content.decode()
    assert "已收到评价" in page and "重新办理" in page
    assert "请您评价" not in page  # nothing to rate until the next reply
    assert "上一次答复" in page


def test_the_timeline_says_who_rated_through_the_link(replied, lead_link, cast):
    from web.timeline import timeline
    from workflow.tables import workflow_for

    _rate(lead_link[1])
    entries = timeline(replied.events.order_by("id"), workflow_for(replied.category))
    rated = entries[-1]
    assert rated.action == Action.RECORD_FEEDBACK  # the page's opening is not on it
    assert rated.actor == "代表委员 陈代表（通过征询链接）"  # not 系统
    rows = dict(rated.details)
    assert rows["办理结果评价"] == "不满意" and "答复期限" in rows
    assert "评价人" not in rows  # said once, as the actor


def test_a_joint_rating_is_kept_but_not_counted(replied, cast, only_our_panels):
    lead, joint = proposers(replied)[:2]
    _, joint_token = issue_link(replied, by=cast.coordinator, proposer=joint)
    page = open_page(joint_token).content.decode()
    assert "统计以领衔人的评价为准" in page
    assert _rate(joint_token).status_code == 302
    replied.refresh_from_db()
    assert replied.state == State.REPLIED and replied.round == 1
    assert not Feedback.objects.filter(case=replied).exists()
    rating = ProposerRating.objects.get(case=replied, proposer=joint)
    assert not rating.counted and rating.result == "unsatisfied"
    event = _last_event(replied)
    assert event.action == Event.PROPOSER_RATING and event.actor is None
    assert event.details["proposer_name"] == "刘代表" and event.details["round"] == 1
    # Once: the same proposer cannot rate this round again.
    assert _rate(joint_token).status_code == 400
    # The lead's rating still counts.
    _, lead_token = issue_link(replied, by=cast.coordinator, proposer=lead)
    assert _rate(lead_token, result="satisfied").status_code == 302
    replied.refresh_from_db()
    assert replied.state == State.CLOSED
    assert Feedback.objects.get(case=replied).proposer == lead
    # The staff page shows each once: the counted one with who rated (代表委员评价), the
    # joint proposer's apart, for reference.
    staff = staff_page(cast.viewer, replied)
    assert "陈代表通过征询链接评价" in staff
    assert "统计以领衔人的评价为准" in staff and "供参考" in staff
    ratings_panel = staff.split('id="proposer-ratings"')[1].split("</section>")[0]
    assert "刘代表" in ratings_panel and "陈代表" not in ratings_panel


def test_under_any_the_first_proposer_to_rate_counts(replied, cast, settings):
    settings.HUIYIN_COUNTED_RATING = "any"
    joint = proposers(replied)[2]
    link, token = issue_link(replied, by=cast.coordinator, proposer=joint)
    assert _rate(token, result="satisfied").status_code == 302
    replied.refresh_from_db()
    assert replied.state == State.CLOSED
    assert Feedback.objects.get(case=replied).proposer == joint
    assert ProposerRating.objects.get(case=replied).counted


def test_record_feedback_refuses_a_joint_proposer_under_lead(replied):
    joint = proposers(replied)[1]
    with pytest.raises(CaseError, match="领衔人"):
        actions.record_feedback(replied, by=None, proposer=joint, result="satisfied")
    with pytest.raises(ValueError):
        actions.record_feedback(replied, by=None, result="satisfied")


def test_rating_needs_both_ratings_and_takes_no_control_characters(lead_link, replied):
    _, token = lead_link
    response = _rate(token, attitude="")
    assert response.status_code == 400 and "请选择办理态度评价" in response.content.decode()
    assert _rate(token, result="great").status_code == 400
    assert _rate(token, comment="坏\x00字").status_code == 400
    assert _rate(token, comment="长" * 2001).status_code == 400
    assert not Feedback.objects.filter(case=replied).exists()


def test_no_rating_before_the_reply_or_after_the_link_ends(cast, lead_link, replied):
    handling = case_in(cast, "handling")
    _, token = issue_link(handling, by=cast.coordinator)
    assert "请您评价" not in open_page(token).content.decode()
    response = _rate(token)
    assert response.status_code == 400 and not Feedback.objects.filter(case=handling).exists()
    from portal.actions import revoke_link

    link, lead_token = lead_link
    revoke_link(link, by=cast.coordinator)
    assert _rate(lead_token).status_code == 410
    with pytest.raises(CaseError):
        rate_through_link(link, result="satisfied", attitude="satisfied")


def test_a_joint_proposer_rates_after_the_lead_closed_the_case(replied, cast, only_our_panels):
    """The lead's counted 满意 closes the case; the joint proposer may still rate the reply
    they are shown: stored, not counted, the case stays closed."""
    lead, joint = proposers(replied)[:2]
    _, lead_token = issue_link(replied, by=cast.coordinator, proposer=lead)
    _, joint_token = issue_link(replied, by=cast.coordinator, proposer=joint)
    assert _rate(lead_token, result="satisfied", attitude="satisfied").status_code == 302
    replied.refresh_from_db()
    assert replied.state == State.CLOSED
    page = open_page(joint_token).content.decode()
    assert "请您评价" in page and "将交承办单位重新办理" not in page
    response = _rate(joint_token, result="unsatisfied", comment="落实不到位")
    assert response.status_code == 302, response.content.decode()[:500]
    replied.refresh_from_db()
    assert replied.state == State.CLOSED and replied.round == 1
    assert Feedback.objects.get(case=replied).proposer == lead
    rating = ProposerRating.objects.get(case=replied, proposer=joint)
    assert (rating.round, rating.result, rating.counted) == (1, "unsatisfied", False)
    event = _last_event(replied)
    assert event.action == Event.PROPOSER_RATING and event.details["round"] == 1
    after = Client().get(f"{link_path(joint_token)}?rated=1").content.decode()
    assert "您的评价已转交承办单位" in after and "请您评价" not in after
    assert "重新办理" not in after
    # Once per round.
    assert _rate(joint_token, result="satisfied").status_code == 400
    assert ProposerRating.objects.filter(case=replied, proposer=joint).count() == 1


def test_a_joint_proposer_rates_the_reply_shown_during_round_two(replied, cast):
    """The lead's 不满意 starts round 2; the joint proposer, shown round 1's reply, rates
    round 1 (not counted) and the case stays in round 2's handling."""
    lead, joint = proposers(replied)[:2]
    _, lead_token = issue_link(replied, by=cast.coordinator, proposer=lead)
    _, joint_token = issue_link(replied, by=cast.coordinator, proposer=joint)
    assert _rate(lead_token).status_code == 302
    replied.refresh_from_db()
    assert (replied.state, replied.round) == (State.HANDLING, 2)
    assert "请您评价" not in open_page(lead_token).content.decode()
    assert _rate(joint_token, result="satisfied").status_code == 302
    replied.refresh_from_db()
    assert (replied.state, replied.round) == (State.HANDLING, 2)
    rating = ProposerRating.objects.get(case=replied, proposer=joint)
    assert (rating.round, rating.counted) == (1, False)


def test_no_rating_without_a_signed_reply_even_for_a_joint_proposer(cast):
    case = case_in(cast, "handling")
    joint = proposers(case)[1]
    link, _ = issue_link(case, by=cast.coordinator, proposer=joint)
    with pytest.raises(CaseError, match="答复签发后才能评价"):
        rate_through_link(link, result="satisfied", attitude="satisfied")
    assert not ProposerRating.objects.exists()
