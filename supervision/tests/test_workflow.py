"""督查督办 through its actions and the API: deadlines by colour on the 2026 calendar, the
light as the clock runs and milestones pass, the completion timing at each boundary, the
check and the leader's rating (销号), 中止/恢复, and 列入督办 of a 议提案."""

from datetime import date

import pytest

from api.tests.helpers import ApiClient, ok
from cases import actions as case_actions
from cases.tests.factories import register
from reminders.tests.conftest import frozen
from supervision import actions
from supervision.light import case_light, timing_of
from supervision.models import Supervision
from workflow.errors import ActionForbidden, CaseError
from workflow.vocabulary import State

pytestmark = pytest.mark.django_db


def _item(cast, urgency="red", on=date(2026, 9, 28), **kw):
    with frozen(on):
        return actions.register_supervision(
            by=cast.coordinator, source="leader_instruction", urgency=urgency,
            title="落实急救电话10秒接听率", received_on=on, instruction="请医政处抓紧落实", **kw,
        )  # fmt: skip


def _assigned(cast, urgency, assigned_on, **kw):
    case = _item(cast, urgency, assigned_on)
    with frozen(assigned_on):
        actions.assign(
            case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=assigned_on,
            leader_in_charge=cast.leader, **kw,
        )  # fmt: skip
    case.refresh_from_db()
    return case


@pytest.mark.parametrize(
    ("urgency", "assigned_on", "due"),
    [
        # The third working day after 09-30 is the make-up Saturday 10-10, past 国庆.
        ("red", date(2026, 9, 30), date(2026, 10, 10)),
        # 15 days end on Saturday 04-04, inside 清明 04-04..06: rolled to Tuesday 04-07.
        ("blue", date(2026, 3, 20), date(2026, 4, 7)),
        ("yellow", date(2026, 11, 2), date(2026, 11, 9)),
        ("green", date(2026, 11, 2), date(2026, 12, 2)),
    ],
)
def test_deadlines_by_colour(cast, urgency, assigned_on, due):
    case = _assigned(cast, urgency, assigned_on)
    assert case.deadline == due
    assert Supervision.objects.get(pk=case.pk).notice_number == 1


def test_a_stated_deadline_wins_and_milestones_must_fit(cast):
    case = _item(cast, "green", date(2026, 11, 2))
    with frozen(date(2026, 11, 2)), pytest.raises(CaseError, match="阶段性目标"):
        actions.assign(
            case, by=cast.coordinator, lead_unit=cast.yizheng, deadline=date(2026, 11, 20),
            milestones=[("方案", date(2026, 11, 30))],
        )  # fmt: skip
    case = _assigned(cast, "green", date(2026, 11, 2), deadline=date(2026, 11, 20))
    assert case.deadline == date(2026, 11, 20)


def test_the_light_follows_the_clock_and_the_milestones(cast):
    case = _assigned(
        cast, "blue", date(2026, 11, 2), milestones=[("制定方案", date(2026, 11, 6))]
    )  # due 11-17
    with frozen(date(2026, 11, 3)):
        case_actions.accept_case(case, by=cast.yizheng_head)
        actions.report_progress(case, by=cast.yizheng_head, text="已开会部署", percent=10)
    case.refresh_from_db()
    assert case_light(case, date(2026, 11, 4)) == "none"
    assert case_light(case, date(2026, 11, 9)) == "yellow"  # the milestone of 11-06 missed
    milestone = case.milestones.get()
    with frozen(date(2026, 11, 9)):
        actions.report_progress(
            case, by=cast.yizheng_head, text="方案已印发", percent=60, milestone=milestone.pk
        )
    assert case_light(case, date(2026, 11, 10)) == "none"
    assert case_light(case, date(2026, 11, 13)) == "blue"  # 2 working days left
    assert case_light(case, date(2026, 11, 18)) == "red"


@pytest.mark.parametrize(
    ("completed", "partial", "timing"),
    [
        (date(2026, 11, 12), False, "early"),  # 3 working days before 11-17
        (date(2026, 11, 13), False, "on_time"),
        (date(2026, 11, 17), False, "on_time"),
        (date(2026, 11, 18), False, "late"),
        (date(2026, 11, 10), True, "partial"),
    ],
)
def test_timing_at_each_boundary(completed, partial, timing):
    assert timing_of(completed, date(2026, 11, 17), partial=partial) == timing


def test_complete_check_rate_and_close(cast):
    case = _assigned(cast, "red", date(2026, 11, 2))  # due 11-05
    with frozen(date(2026, 11, 4)):
        case_actions.accept_case(case, by=cast.yizheng_head)
        actions.submit_completion(case, by=cast.yizheng_head, report="已全部落实")
        with pytest.raises(CaseError, match="理由"):
            actions.check_completion(case, by=cast.coordinator, approved=False)
        actions.check_completion(case, by=cast.coordinator, approved=True)
        with pytest.raises(ActionForbidden):
            actions.rate(case, by=cast.coordinator, quality="good")
        actions.rate(case, by=cast.leader, quality="excellent", comment="落实有力")
    case.refresh_from_db()
    item = Supervision.objects.get(pk=case.pk)
    assert (case.state, item.timing, item.quality) == (State.CLOSED, "on_time", "excellent")


def test_suspend_stops_the_clock(cast):
    case = _assigned(cast, "yellow", date(2026, 11, 2))  # due 11-09
    with frozen(date(2026, 11, 3)):
        actions.suspend(case, by=cast.coordinator, reason="等待上级政策")
    with frozen(date(2026, 11, 6)):  # 11-04, 05, 06: three working days stood
        actions.resume(case, by=cast.coordinator)
    case.refresh_from_db()
    assert case.deadline == date(2026, 11, 12) and case.state == State.HANDLING


def test_a_proposal_put_under_supervision(cast):
    with frozen(date(2026, 11, 2)):
        proposal = register(cast, on=date(2026, 11, 2))
        item = actions.supervise(proposal, by=cast.coordinator, urgency="yellow")
        with pytest.raises(CaseError, match="已列入督办"):
            actions.supervise(proposal, by=cast.coordinator, urgency="red")
    assert Supervision.objects.get(pk=item.pk).linked_case == proposal
    assert item.state == State.REGISTERED and item.title.startswith("督办：")


def test_through_the_api(cast):
    body = {
        "category": "supervision", "source": "meeting", "urgency": "red",
        "title": "委交班会议定：优化急救调度", "received_on": "2026-11-02",
        "document_number": "交班会纪要〔2026〕12号",
    }  # fmt: skip
    with frozen(date(2026, 11, 2)):
        office = ApiClient("coordinator")
        case = ok(office.post("/cases", body), 201)
        assert (case["state"], case["urgency"], case["light"]) == ("registered", "red", "none")
        case = ok(
            office.act(case["id"], "assign", {"lead_unit": "yizheng", "assigned_on": "2026-11-02"})
        )
        assert case["deadline"] == "2026-11-05" and case["supervision"]["notice_number"] == 1
        assert office.post("/cases", body | {"urgency": "purple"}).status_code == 422
        assert ApiClient("yizheng").post("/cases", body).status_code == 403
    with frozen(date(2026, 11, 6)):  # a token of its own: the first one has expired
        assert ok(ApiClient("leader").get(f"/cases/{case['id']}"))["light"] == "red"
