"""The whole 议提案 walk through the API, each step by the person whose job it is."""

from datetime import date

import pytest
import time_machine

from api.tests.helpers import ApiClient, ok, register_body

pytestmark = pytest.mark.django_db

GATES = {"format": True, "policy": True, "content": True, "resolution": True}


@time_machine.travel(date(2026, 12, 31), tick=False)
def test_full_walk_with_rehandling(cast):
    coordinator, leader = ApiClient("coordinator"), ApiClient("leader")
    head, clerk = ApiClient("yizheng"), ApiClient("yizheng_clerk")

    case = ok(coordinator.post("/cases", register_body()), 201)
    cid = case["id"]
    assert (case["state"], case["round"], case["deadline"]) == ("registered", 1, None)
    assert case["lead_proposer"] == "陈代表" and case["joint_proposers"] == ["刘代表", "周代表"]
    assert case["topics"] == ["人才", "基层卫生"]
    assert case["available_actions"] == ["assign", "withdraw", "edit", "supervise", "merge"]

    case = ok(
        coordinator.act(
            cid,
            "assign",
            {
                "lead_unit": "yizheng",
                "co_units": ["jiceng"],
                "assigned_on": "2026-03-05",
                "handler": "yizheng_clerk",
                "leader_in_charge": "leader",
            },
        )
    )
    assert (case["state"], case["deadline"], case["unit_deadline"]) == (
        "assigned",
        "2026-06-05",
        "2026-05-22",
    )
    assert (case["lead_unit"], case["lead_unit_name"]) == ("yizheng", "医政医管处")
    assert case["leader_in_charge"] == "leader"
    assert [(a["unit"], a["kind"], a["handler"]) for a in case["assignments"]] == [
        ("jiceng", "co", None),
        ("yizheng", "lead", "yizheng_clerk"),
    ]

    case = ok(clerk.act(cid, "accept", {"on": "2026-03-06"}))
    assert case["state"] == "handling"
    case = ok(
        clerk.act(
            cid,
            "communicate",
            {
                "stage": "before",
                "method": "face_to_face",
                "summary": "与陈代表面商",
                "on": "2026-03-25",
            },
        )
    )
    assert case["communications"][0]["recorded_by"] == "yizheng_clerk"

    case = ok(
        clerk.act(
            cid,
            "submit_reply",
            {
                "text": "答复正文",
                "reply_class": "B",
                "contact": "赵科员",
                "phone": "12345678",
                "commitments": [{"what": "年内出台培养方案", "due": "2026-12-01"}],
                "on": "2026-05-20",
            },
        )
    )
    assert case["state"] == "unit_approving"  # a handler's draft goes to the unit head first
    case = ok(head.act(cid, "approve_reply", {"approved": True, "on": "2026-05-21"}))
    assert case["state"] == "reviewing"

    # The four gates: a failed gate cannot be passed on to signing.
    refused = coordinator.act(
        cid, "review", {"passed": True, "gates": {**GATES, "policy": False}, "on": "2026-05-22"}
    )
    assert refused.status_code == 400
    assert refused.json() == {"detail": "“政策法规”未通过，不能送签发", "field": "gates"}
    case = ok(
        coordinator.act(
            cid,
            "review",
            {"passed": True, "comment": "四关均通过", "gates": GATES, "on": "2026-05-22"},
        )
    )
    assert case["state"] == "signing"
    assert case["replies"][0]["review"]["review"]["gates"] == GATES
    # The B-class draft's promise: the office may follow it up too (issue 15).
    assert case["available_actions"] == [
        "assign_handler",
        "edit",
        "update_commitment",
        "supervise",
    ]
    assert ok(leader.get(f"/cases/{cid}"))["available_actions"] == ["sign"]

    case = ok(leader.act(cid, "sign", {"approved": True, "on": "2026-05-25"}))
    assert (case["state"], case["replied_on"], case["reply_class"]) == (
        "replied",
        "2026-05-25",
        "B",
    )
    assert case["replies"][0]["signed_on"] == "2026-05-25"
    assert case["commitments"][0]["what"] == "年内出台培养方案"

    case = ok(
        coordinator.act(
            cid,
            "record_feedback",
            {"result": "unsatisfied", "attitude": "satisfied", "on": "2026-06-10"},
        )
    )
    assert (case["state"], case["round"], case["deadline"]) == ("handling", 2, "2026-07-10")
    assert case["feedback_result"] == "unsatisfied"

    case = ok(
        head.act(
            cid,
            "submit_reply",
            {
                "text": "再次答复",
                "reply_class": "A",
                "contact": "张处长",
                "phone": "12345678",
                "on": "2026-07-01",
            },
        )
    )
    assert case["state"] == "reviewing"  # the unit head's own draft skips unit approval
    ok(coordinator.act(cid, "review", {"passed": True, "gates": GATES, "on": "2026-07-02"}))
    ok(leader.act(cid, "sign", {"approved": True, "on": "2026-07-03"}))
    case = ok(coordinator.act(cid, "record_feedback", {"result": "satisfied", "on": "2026-07-10"}))

    assert (case["state"], case["state_label"], case["round"]) == ("closed", "已办结", 2)
    assert (case["reply_class"], case["replied_on"], case["feedback_result"]) == (
        "A",
        "2026-07-03",
        "satisfied",
    )
    assert case["overdue"] is False
    assert [(r["round"], r["status"]) for r in case["replies"]] == [(1, "signed"), (2, "signed")]
    assert [(f["round"], f["result"]) for f in case["feedbacks"]] == [
        (1, "unsatisfied"),
        (2, "satisfied"),
    ]
    timeline = case["timeline"]
    assert [e["action"] for e in timeline] == [
        "register",
        "assign",
        "accept",
        "communicate",
        "submit_reply",
        "approve_reply",
        "review",
        "sign",
        "record_feedback",
        "submit_reply",
        "review",
        "sign",
        "record_feedback",
    ]
    assert timeline[0] == {
        "action": "register",
        "actor": "coordinator",
        "on": "2026-03-02",
        "at": timeline[0]["at"],
        "from_state": "",
        "to_state": "registered",
        "details": {"number": "20260001", "title": "关于加强基层医疗卫生人才队伍建设的建议"},
    }
    assert [e["actor"] for e in timeline][1:5] == [
        "coordinator",
        "yizheng_clerk",
        "yizheng_clerk",
        "yizheng_clerk",
    ]
    assert timeline[8]["details"]["deadline"] == "2026-07-10"
    assert (timeline[-1]["from_state"], timeline[-1]["to_state"]) == ("replied", "closed")
    # Closed: 重新办理, the B-class promise's follow-up, 公开 (issue 15).
    assert case["available_actions"] == ["reopen", "update_commitment", "disclose"]
    # What the API answered is what a fresh read says.
    assert ok(coordinator.get(f"/cases/{cid}")) == case
