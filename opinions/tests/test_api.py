"""群众意见建议 through the API (the Contract of issue 12): registration with its deadline,
area suggestion and similar opinions; the actions by the case's own category; the phone
and e-mail masked for everyone, in full only through the recorded reveal, for those who
answer the person; the keyword finds an opinion by its text."""

from datetime import date

import pytest
import time_machine

from api.tests.helpers import ApiClient, ok
from audit.models import AuditEvent
from audit.trail import SecurityAction

pytestmark = pytest.mark.django_db

AREAS = {"talent", "primary", "digital", "service", "management", "enforcement", "other"}


def _body(**over):
    body = {
        "category": "public_opinion",
        "channel": "phone",
        "title": "挂号难",
        "content": "市医院门诊挂号排队一个多小时，希望增加自助挂号机和网上预约号源。",
        "received_on": "2026-09-30",
        "requester": "王女士",
        "phone": "13812341234",
    }
    return body | over


@time_machine.travel(date(2026, 10, 13), tick=False)
def test_register_forward_answer_callback(cast):
    coordinator, leader = ApiClient("coordinator"), ApiClient("leader")
    head, viewer = ApiClient("yizheng"), ApiClient("viewer")

    case = ok(coordinator.post("/cases", _body()), 201)
    cid = case["id"]
    assert case["deadline"] == "2026-10-13"
    assert case["suggested_area"] in AREAS
    assert case["channel"] == "phone" and case["similar"] == []
    # Masked even for the coordinator, who answers the person: the full one is a reveal.
    assert case["opinion"]["phone"] == "138****1234"
    assert case["available_actions"][0] == "forward"

    again = ok(coordinator.post("/cases", _body(content="同一个人再次来电反映挂号难。")), 201)
    assert again["similar"] == [cid]  # same phone: flagged, not refused

    seen = ok(viewer.get(f"/cases/{cid}"))
    assert seen["opinion"]["phone"] == "138****1234"
    assert "13812341234" not in viewer.get(f"/cases/{cid}").content.decode()

    case = ok(leader.act(cid, "forward", {"lead_unit": "yizheng", "on": "2026-09-30"}))
    assert case["state"] == "assigned" and case["deadline"] == "2026-10-13"
    assert ok(head.get(f"/cases/{cid}"))["opinion"]["phone"] == "138****1234"
    assert "13812341234" not in head.get(f"/cases/{cid}").content.decode()
    # 退单 takes this category's payload (a reason), like 申请退回 of the 议提案.
    bad = head.act(cid, "return", {})
    assert bad.status_code == 422
    ok(head.act(cid, "accept", {"on": "2026-10-08"}))
    case = ok(
        head.act(cid, "answer", {"text": "已增设自助机", "result": "solvable", "on": "2026-10-09"})
    )
    assert case["state"] == "replied" and case["opinion"]["result"] == "solvable"
    case = ok(coordinator.act(cid, "callback", {"reached": True, "rating": "satisfied"}))
    assert case["state"] == "closed" and case["feedback_result"] == "satisfied"


@time_machine.travel(date(2026, 10, 13), tick=False)
def test_registration_rules(cast):
    coordinator = ApiClient("coordinator")
    assert coordinator.post("/cases", _body(channel="fax")).status_code == 422
    assert coordinator.post("/cases", _body(content="")).status_code == 422
    assert coordinator.post("/cases", _body(received_on="2026-10-14")).status_code == 400
    assert ApiClient("yizheng").post("/cases", _body()).status_code == 403
    case = ok(coordinator.post("/cases", _body(area="service")), 201)
    assert case["area"] == "service"


@time_machine.travel(date(2026, 10, 13), tick=False)
def test_keyword_finds_an_opinion_by_its_text(cast):
    coordinator = ApiClient("coordinator")
    cid = ok(coordinator.post("/cases", _body(title="来电")), 201)["id"]
    found = ok(coordinator.get("/cases", {"category": "public_opinion", "q": "网上预约"}))
    assert [item["id"] for item in found["items"]] == [cid]
    assert (
        ok(coordinator.get("/cases", {"category": "public_opinion", "q": "不存在的词"}))["count"]
        == 0
    )


@time_machine.travel(date(2026, 10, 13), tick=False)
def test_the_reveal_gives_phone_and_email_in_full_and_is_recorded(cast):
    coordinator, leader = ApiClient("coordinator"), ApiClient("leader")
    head, viewer = ApiClient("yizheng"), ApiClient("viewer")
    body = _body(email="wang.private@example.com")
    cid = ok(coordinator.post("/cases", body), 201)["id"]
    detail = ok(coordinator.get(f"/cases/{cid}"))["opinion"]
    assert detail["phone"] == "138****1234" and "wang.private" not in detail["email"]
    assert detail["email"] and "@" in detail["email"]

    def reveals():
        return AuditEvent.objects.filter(action=SecurityAction.REVEAL)

    answer = ok(coordinator.post(f"/cases/{cid}/reveal"))
    assert (answer["phone"], answer["email"]) == ("13812341234", "wang.private@example.com")
    assert answer["case_id"] == cid and answer["requester"] == "王女士"
    assert answer["merged"] == []
    event = reveals().get()
    assert event.details == {"field": "phone,email"} and event.subject == f"case:{cid}"
    assert event.case_id is None  # a security event, not on the case's 办理轨迹
    assert "13812341234" not in str(event.details) + event.subject

    # Not yet forwarded: the unit has no live assignment, the case is not theirs to see.
    assert head.post(f"/cases/{cid}/reveal").status_code == 404
    ok(leader.act(cid, "forward", {"lead_unit": "yizheng", "on": "2026-09-30"}))
    assert ok(head.post(f"/cases/{cid}/reveal"))["phone"] == "13812341234"
    refused = viewer.post(f"/cases/{cid}/reveal")
    assert refused.status_code == 403 and "13812341234" not in refused.content.decode()
    assert refused.json()["detail"]
    assert coordinator.post("/cases/999999/reveal").status_code == 404
    assert reveals().count() == 2  # the coordinator's and the head's; refusals write none
