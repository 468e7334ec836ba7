"""What the review of issue 12 found, kept fixed: the tracking code only for the office; a
phone written into the text masked for those who do not answer the person (title, text,
e-mail); a new "needs time" promise never born done; extension requests that lapse with
the answer, a 退单 or a merge; received times out of range refused, not a 500."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from api.tests.helpers import ApiClient, ok
from audit.models import AuditEvent
from cases.actions import accept_case
from opinions import actions
from opinions.models import Opinion
from reminders.tests.conftest import frozen
from workflow.errors import CaseError

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 4)
TEXT = "我家门口诊所乱收费，请回电13987654321，谢谢。"


def _forwarded(cast, **kw):
    with frozen(DAY):
        case = actions.register_opinion(
            by=cast.coordinator, channel="phone", content=kw.pop("content", TEXT), **kw
        )
        actions.forward(case, by=cast.leader, lead_unit=cast.yizheng)
    return case


def test_the_code_is_the_offices_and_never_in_the_timeline(cast):
    case = _forwarded(cast, email="wang@example.com")
    code = Opinion.objects.get(pk=case.pk).code
    with frozen(DAY):
        office = ok(ApiClient("coordinator").get(f"/cases/{case.pk}"))
        unit = ok(ApiClient("yizheng").get(f"/cases/{case.pk}"))
        viewer = ok(ApiClient("viewer").get(f"/cases/{case.pk}"))
    assert office["opinion"]["code"] == code
    assert unit["opinion"]["code"] is None and viewer["opinion"]["code"] is None
    assert not any(code in str(e.details) for e in AuditEvent.objects.filter(case=case))
    # The unit answers the person: the text in full, the phone and e-mail masked as on the
    # page (in full only through POST /cases/{id}/reveal, recorded); the viewer neither.
    assert "13987654321" in unit["content"] and unit["opinion"]["email"] == "w***@example.com"
    with frozen(DAY):
        revealed = ok(ApiClient("yizheng").post(f"/cases/{case.pk}/reveal"))
    assert revealed["email"] == "wang@example.com"
    assert "13987654321" not in str(viewer) and "139****4321" in viewer["content"]
    assert viewer["opinion"]["email"] == "w***@example.com"


def test_a_phone_in_the_text_is_masked_in_the_title(cast):
    case = _forwarded(cast, content="13987654321 这个号码打不通，医院电话总占线")
    assert case.title.startswith("139****4321")


def test_a_new_needs_time_promise_is_not_born_done(cast):
    case = _forwarded(cast)
    with frozen(DAY):
        accept_case(case, by=cast.yizheng_head)
        actions.answer(case, by=cast.yizheng_head, text="分步", result="needs_time",
                       fix="增设", fix_due=date(2026, 12, 31))  # fmt: skip
        actions.complete_fix(case, by=cast.yizheng_head, note="已增设")
        actions.callback(case, by=cast.coordinator, reached=True, rating="unsatisfied")
        actions.answer(case, by=cast.yizheng_head, text="再改", result="needs_time",
                       fix="再增设", fix_due=date(2027, 1, 31))  # fmt: skip
    assert actions.fix_pending(case)


def test_a_waiting_extension_lapses_with_the_answer_and_the_return(cast):
    case = _forwarded(cast)
    with frozen(DAY):
        accept_case(case, by=cast.yizheng_head)
        actions.request_extension(case, by=cast.yizheng_head, days=5, reason="调查")
        actions.answer(case, by=cast.yizheng_head, text="已处理", result="solvable")
    (request,) = case.extension_requests.all()
    assert request.approved is False and "自动失效" in request.comment
    other = _forwarded(cast)
    with frozen(DAY):
        actions.request_extension(other, by=cast.yizheng_head, days=5, reason="调查")
        actions.return_opinion(other, by=cast.yizheng_head, reason="不属本处")
        actions.forward(other, by=cast.coordinator, lead_unit=cast.jiceng)
        # The new unit may ask once of its own; the lapsed request cannot be approved.
        with pytest.raises(CaseError):
            actions.decide_extension(other, by=cast.leader, approved=True)
        actions.request_extension(other, by=cast.jiceng_head, days=3, reason="需现场核实")


@pytest.mark.parametrize(
    ("received_at", "message"),
    [
        (datetime(1, 1, 1, 0, 0), "超出|须在"),
        (datetime(9999, 12, 31, 23, 59, tzinfo=ZoneInfo("Etc/GMT+12")), "超出|须在"),
        (datetime(2026, 11, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), "晚于现在"),
    ],
)
def test_received_times_out_of_range_are_refused(cast, received_at, message):
    from huiyin.errors import DomainError

    with frozen(DAY), pytest.raises(DomainError, match=message):
        actions.register_opinion(
            by=cast.coordinator, channel="phone", content="x", received_at=received_at
        )


def test_received_time_and_date_must_agree(cast):
    at = datetime(2026, 11, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with frozen(DAY), pytest.raises(CaseError, match="同一天"):
        actions.register_opinion(
            by=cast.coordinator, channel="phone", content="x", received_at=at,
            received_on=date(2026, 11, 2),
        )  # fmt: skip


def test_the_api_answers_a_far_received_time_with_a_400(cast):
    body = {
        "category": "public_opinion", "channel": "phone", "title": "t", "content": "x",
        "received_on": "2026-11-04", "received_at": "9999-12-31T23:59:59-12:00",
    }  # fmt: skip
    with frozen(DAY):
        response = ApiClient("coordinator").post("/cases", body)
    assert response.status_code in (400, 422), response.content
