"""The public_opinion workflow through its actions: deadlines on the official calendar,
same-day forwarding, 退单 window, one extension of at most 10 working days, answer,
callback (不满意 reopens), the person's own rating, 并件."""

from datetime import date

import pytest

from audit.models import AuditEvent
from cases.actions import accept_case
from cases.models import Feedback
from huiyin.errors import DomainError
from opinions import actions
from opinions.models import Opinion
from reminders.tests.conftest import frozen
from workflow.errors import ActionForbidden, CaseError
from workflow.vocabulary import State

pytestmark = pytest.mark.django_db


def _new(cast, on, **kw):
    with frozen(on):
        return actions.register_opinion(
            by=cast.coordinator,
            channel=kw.pop("channel", "phone"),
            content=kw.pop("content", "门诊挂号排队时间太长，希望增加自助挂号机。"),
            **kw,
        )


def _handling(cast, on):
    case = _new(cast, on)
    with frozen(on):
        actions.forward(case, by=cast.leader, lead_unit=cast.yizheng)
        accept_case(case, by=cast.yizheng_head)
    return case


@pytest.mark.parametrize(
    ("received", "due", "target"),
    [
        # Before the National Day holiday: 10-08, 10-09, 10-10 (make-up Saturday), 10-12, 10-13.
        (date(2026, 9, 30), date(2026, 10, 13), date(2026, 9, 30)),
        # On the make-up Sunday (a working day): the Mid-Autumn holiday 9-25..27 is skipped.
        (date(2026, 9, 20), date(2026, 9, 28), date(2026, 9, 20)),
        # On a rest day: forwarding is due the next working day.
        (date(2026, 10, 3), date(2026, 10, 13), date(2026, 10, 8)),
    ],
)
def test_deadlines_on_the_official_calendar(cast, received, due, target):
    case = _new(cast, received)
    assert case.deadline == due
    assert case.opinion.forward_target == target
    assert case.state == State.REGISTERED
    assert case.number.startswith(f"YJ{received.year}-")
    assert case.opinion.suggested_area in {c for c, _ in Opinion._meta.get_field("area").choices}


def test_same_day_forwarding_and_lateness(cast):
    on_time = _new(cast, date(2026, 9, 30))
    late = _new(cast, date(2026, 9, 30))
    with frozen(date(2026, 9, 30)):
        actions.forward(on_time, by=cast.leader, lead_unit=cast.yizheng)
    with frozen(date(2026, 10, 8)):
        actions.forward(late, by=cast.coordinator, lead_unit=cast.yizheng)
    events = {e.case_id: e.details["late"] for e in AuditEvent.objects.filter(action="forward")}
    assert events == {on_time.pk: False, late.pk: True}
    late.refresh_from_db()
    assert late.deadline == date(2026, 10, 13)  # kept: counted from receipt
    assert late.lead_unit == cast.yizheng


def test_only_coordinator_or_leader_forwards(cast):
    case = _new(cast, date(2026, 9, 30))
    with frozen(date(2026, 9, 30)), pytest.raises(ActionForbidden):
        actions.forward(case, by=cast.yizheng_head, lead_unit=cast.yizheng)


def test_return_within_two_working_days(cast):
    case = _new(cast, date(2026, 9, 30))
    with frozen(date(2026, 9, 30)):
        actions.forward(case, by=cast.leader, lead_unit=cast.yizheng)
    with frozen(date(2026, 10, 12)), pytest.raises(CaseError, match="2个工作日"):
        actions.return_opinion(case, by=cast.yizheng_head, reason="不属本处职责")
    with frozen(date(2026, 10, 9)):  # 10-08, 10-09: the second working day
        actions.return_opinion(case, by=cast.yizheng_head, reason="不属本处职责")
    case.refresh_from_db()
    assert case.state == State.REGISTERED and case.lead_unit is None
    assert case.deadline == date(2026, 10, 13)
    with frozen(date(2026, 10, 9)):
        actions.forward(case, by=cast.coordinator, lead_unit=cast.jiceng)
    case.refresh_from_db()
    assert case.lead_unit == cast.jiceng
    # The first forwarding counts for 转办及时率.
    assert Opinion.objects.get(pk=case.pk).forwarded_on == date(2026, 9, 30)


def test_one_extension_of_at_most_ten_working_days(cast):
    case = _handling(cast, date(2026, 11, 2))  # due 2026-11-09
    with frozen(date(2026, 11, 3)):
        with pytest.raises(CaseError, match="10个工作日"):
            actions.request_extension(case, by=cast.yizheng_head, days=11, reason="需调查")
        actions.request_extension(case, by=cast.yizheng_head, days=10, reason="需调查")
        actions.decide_extension(case, by=cast.leader, approved=True)
        with pytest.raises(CaseError, match="一次"):
            actions.request_extension(case, by=cast.yizheng_head, days=2, reason="再延")
    case.refresh_from_db()
    assert case.deadline == date(2026, 11, 23)


def test_answer_callback_and_reopen(cast):
    case = _handling(cast, date(2026, 11, 2))
    with frozen(date(2026, 11, 4)):
        with pytest.raises(CaseError, match="解决措施"):
            actions.answer(case, by=cast.yizheng_head, text="将增设", result="needs_time")
        actions.answer(
            case,
            by=cast.yizheng_head,
            text="将增设自助机",
            result="needs_time",
            fix="年底前增设10台",
            fix_due=date(2026, 12, 31),
        )
    case.refresh_from_db()
    assert case.state == State.REPLIED and case.replied_on == date(2026, 11, 4)
    with frozen(date(2026, 11, 5)):
        actions.callback(case, by=cast.coordinator, reached=False)
        assert case.state == State.REPLIED
        actions.callback(case, by=cast.coordinator, reached=True, rating="unsatisfied")
    case.refresh_from_db()
    assert case.state == State.HANDLING and case.round == 2
    assert case.deadline == date(2026, 11, 12)
    with frozen(date(2026, 11, 6)):
        actions.answer(case, by=cast.yizheng_head, text="已增设", result="solvable")
        actions.rate_by_requester(case, rating="satisfied", comment="谢谢")
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.feedback_result == "satisfied"
    assert Feedback.objects.filter(case=case).count() == 2
    assert Feedback.objects.get(case=case, round=2).recorded_by is None


def test_merge_links_both_ways(cast):
    main = _new(cast, date(2026, 11, 2))
    dup = _new(cast, date(2026, 11, 2))
    with frozen(date(2026, 11, 2)):
        with pytest.raises(CaseError):
            actions.merge(dup, by=cast.coordinator, into=dup)
        actions.merge(dup, by=cast.coordinator, into=main)
    dup.refresh_from_db()
    assert dup.state == State.MERGED
    assert list(main.merged_opinions.values_list("pk", flat=True)) == [dup.pk]


def test_public_registration_needs_no_user_and_staff_must_be_coordinator(cast):
    with frozen(date(2026, 11, 2)):
        case = actions.register_opinion(by=None, channel="web", content="卫生院缺医生")
        assert case.opinion.client_address is None
        with pytest.raises(ActionForbidden):
            actions.register_opinion(by=cast.yizheng_head, channel="phone", content="x")
        with pytest.raises(CaseError):
            actions.register_opinion(by=cast.coordinator, channel="fax", content="x")
        with pytest.raises(DomainError, match="控制字符"):
            actions.register_opinion(by=cast.coordinator, channel="phone", content="a\x00b")
    event = AuditEvent.objects.get(case=case)
    assert event.actor is None and event.action == "register"


def test_confirmed_areas_retrain_the_suggestion(cast, settings, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    from opinions import areas

    settings.HUIYIN_AREAS_CONFIRMED = tmp_path / "confirmed.csv"
    text = "我们科室的呼叫器坏了三个月没人修"
    assert areas.suggest_area(text) != "management"  # the sample alone thinks otherwise
    cases = [_new(cast, date(2026, 11, 2), content=f"{text}（{n}）") for n in range(40)]
    with frozen(date(2026, 11, 2)):
        for case in cases:
            actions.set_area(case, by=cast.coordinator, area="management")
    out = StringIO()
    call_command("retrain-areas", stdout=out)
    assert "人工确认 40 条" in out.getvalue()
    assert (tmp_path / "confirmed.csv").read_text(encoding="utf-8").count("management") == 40
    assert areas.suggest_area(text) == "management"
    areas.train()  # back to the sample alone for the other tests
