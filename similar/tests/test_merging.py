"""并案: B follows its lead case A through 交办, 签收 and 签发 (each by a hidden action with
its own audit event), gets its own signed reply, 文号 and promises, is rated on its own;
statistics count both; 取消并案 until A's reply is signed; the guards."""

from datetime import date

import pytest
import time_machine

from api.tests.helpers import ApiClient, ok
from audit.models import AuditEvent
from cases.models import Assignment, AssignmentStatus, Case, Reply, ReplyStatus
from cases.tests.factories import register
from reports.stats import year_stats
from similar.merging import Follow
from workflow.vocabulary import Action, State

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 10)
GATES = {"format": True, "policy": True, "content": True, "resolution": True}
REPLY = {
    "text": "您提出的关于乡村医生待遇的建议收悉，现答复如下：我委将提高村医补助。",
    "reply_class": "B",
    "contact": "张处长",
    "phone": "0571-88886666",
    "commitments": [{"what": "2026年底前提高乡村医生补助标准", "due": "2026-12-31"}],
}


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.fixture
def pair(cast):
    a = register(cast, on=TODAY, title="关于提高乡村医生待遇的建议", lead_proposer="陈代表")
    b = register(cast, on=TODAY, title="关于稳定乡村医生队伍的建议", lead_proposer="林代表")
    return a, b


@pytest.fixture
def api(cast):
    return {
        name: ApiClient(name)
        for name in ("coordinator", "leader", "yizheng", "jiceng", "yizheng_clerk")
    }


def events(case):
    return list(
        AuditEvent.objects.filter(case=case).order_by("id").values_list("action", flat=True)
    )


def available(api, who, case):
    return ok(api[who].get(f"/cases/{case.pk}"))["available_actions"]


def sign_a(api, a):
    ok(api["coordinator"].act(a.pk, "assign", {"lead_unit": "yizheng", "co_units": ["jiceng"]}))
    ok(api["yizheng"].act(a.pk, "accept", {}))
    ok(api["yizheng"].act(a.pk, "submit_reply", REPLY))
    ok(api["coordinator"].act(a.pk, "review", {"passed": True, "gates": GATES}))
    ok(api["leader"].act(a.pk, "sign", {"approved": True}))


def test_merge_then_b_follows_a_to_its_own_signed_reply(pair, api):
    a, b = pair
    ok(api["coordinator"].act(b.pk, "merge", {"lead_case_id": a.pk, "reason": "内容相同"}))
    b.refresh_from_db()
    assert b.merged_into_id == a.pk and b.state == State.REGISTERED
    # While it follows, B is not assigned, accepted or answered on its own.
    assert Action.ASSIGN not in available(api, "coordinator", b)
    assert Action.UNMERGE in available(api, "coordinator", b)
    refused = api["coordinator"].act(b.pk, "assign", {"lead_unit": "jiceng"})
    assert refused.status_code == 400 and "并入" in refused.json()["detail"]

    ok(api["coordinator"].act(a.pk, "assign", {"lead_unit": "yizheng", "co_units": ["jiceng"]}))
    b.refresh_from_db()
    assert b.state == State.ASSIGNED and b.lead_unit.code == "yizheng"
    assert b.deadline is not None and b.assigned_on == TODAY
    assert sorted(Assignment.objects.filter(case=b).values_list("unit__code", flat=True)) == [
        "jiceng",
        "yizheng",
    ]
    assert Action.ACCEPT not in available(api, "yizheng", b)

    ok(api["yizheng"].act(a.pk, "accept", {}))
    b.refresh_from_db()
    assert b.state == State.HANDLING
    assert Assignment.objects.get(case=b, unit__code="yizheng").status == AssignmentStatus.ACCEPTED
    assert Action.SUBMIT_REPLY not in available(api, "yizheng", b)
    refused = api["yizheng"].act(b.pk, "submit_reply", REPLY)
    assert refused.status_code == 400

    ok(api["yizheng"].act(a.pk, "submit_reply", REPLY))
    ok(api["coordinator"].act(a.pk, "review", {"passed": True, "gates": GATES}))
    b.refresh_from_db()
    assert b.state == State.HANDLING  # waits for A's signing
    ok(api["leader"].act(a.pk, "sign", {"approved": True}))

    a.refresh_from_db()
    b.refresh_from_db()
    assert a.state == b.state == State.REPLIED
    assert b.replied_on == TODAY and b.reply_class == "B"
    mine = Reply.objects.get(case=b)
    theirs = Reply.objects.get(case=a, status=ReplyStatus.SIGNED)
    assert mine.status == ReplyStatus.SIGNED and mine.text == theirs.text
    # Its own 文号, taken from the register as signing takes one.
    assert mine.letter_number.number == theirs.letter_number.number + 1
    assert list(b.commitments.values_list("what", "unit__code")) == [
        ("2026年底前提高乡村医生补助标准", "yizheng")
    ]
    # One event per step on B: merged, then its three steps after A.
    assert events(b) == [
        "register",
        Action.MERGE,
        Follow.ASSIGN,
        Follow.ACCEPT,
        Follow.SIGN,
    ]
    merge = AuditEvent.objects.get(case=b, action=Action.MERGE)
    assert merge.details["lead_case"] == a.pk and merge.details["lead_number"] == a.number
    assert merge.actor.username == "coordinator"
    # A's own history is its own: nothing about B on it.
    assert Follow.SIGN not in events(a)


def test_b_is_rated_on_its_own_and_unsatisfied_handled_on_its_own(pair, api):
    a, b = pair
    ok(api["coordinator"].act(b.pk, "merge", {"lead_case_id": a.pk}))
    sign_a(api, a)
    ok(api["coordinator"].act(a.pk, "record_feedback", {"result": "satisfied"}))
    ok(api["coordinator"].act(b.pk, "record_feedback", {"result": "unsatisfied"}))
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.state == State.CLOSED
    assert b.state == State.HANDLING and b.round == 2
    # Round 2 is B's own: its unit drafts its own reply.
    assert Action.SUBMIT_REPLY in available(api, "yizheng", b)
    ok(api["yizheng"].act(b.pk, "submit_reply", {**REPLY, "text": "第二轮答复"}))


def test_statistics_count_each_case(pair, api, cast):
    a, b = pair
    c = register(cast, on=TODAY, title="关于加强职业病防治的建议")
    ok(api["coordinator"].act(b.pk, "merge", {"lead_case_id": a.pk}))
    sign_a(api, a)
    stats = year_stats(2026)
    assert stats["total"] == 3
    assert stats["replied"] == 2
    assert stats["replied_on_time"] == 2
    assert stats["reply_class"]["B"] == 2
    assert c.pk not in {a.pk, b.pk}


def test_a_late_merge_catches_up_with_the_lead(pair, api):
    a, b = pair
    ok(api["coordinator"].act(a.pk, "assign", {"lead_unit": "yizheng"}))
    ok(api["yizheng"].act(a.pk, "accept", {}))
    ok(api["coordinator"].act(b.pk, "merge", {"lead_case_id": a.pk}))
    b.refresh_from_db()
    assert b.state == State.HANDLING and b.lead_unit.code == "yizheng"
    assert events(b)[-3:] == [Action.MERGE, Follow.ASSIGN, Follow.ACCEPT]


def test_unmerge_until_the_lead_is_signed(pair, api):
    a, b = pair
    ok(api["coordinator"].act(b.pk, "merge", {"lead_case_id": a.pk}))
    ok(api["coordinator"].act(a.pk, "assign", {"lead_unit": "yizheng"}))
    ok(api["coordinator"].act(b.pk, "unmerge", {"reason": "内容不同"}))
    b.refresh_from_db()
    assert b.merged_into_id is None and b.state == State.ASSIGNED  # its units stay
    assert Action.ACCEPT in available(api, "yizheng", b)
    # Signed: no more 取消并案.
    ok(api["coordinator"].act(b.pk, "merge", {"lead_case_id": a.pk}))
    ok(api["yizheng"].act(a.pk, "accept", {}))
    ok(api["yizheng"].act(a.pk, "submit_reply", REPLY))
    ok(api["coordinator"].act(a.pk, "review", {"passed": True, "gates": GATES}))
    ok(api["leader"].act(a.pk, "sign", {"approved": True}))
    assert Action.UNMERGE not in available(api, "coordinator", b)
    assert api["coordinator"].act(b.pk, "unmerge", {}).status_code == 400


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("self", "不能并入本件"),
        ("missing", "没有找到主件"),
        ("lead_merged", "主件本身已并入他件"),
        ("lead_replied", "已答复或办结"),
        ("different_unit", "主办处室不同"),
    ],
)
def test_merge_guards(pair, api, cast, setup, message):
    a, b = pair
    target = a.pk
    if setup == "self":
        target = b.pk
    elif setup == "missing":
        target = 999_999
    elif setup == "lead_merged":
        c = register(cast, on=TODAY, title="关于村医养老保障的建议")
        ok(api["coordinator"].act(a.pk, "merge", {"lead_case_id": c.pk}))
    elif setup == "lead_replied":
        sign_a(api, a)
    elif setup == "different_unit":
        ok(api["coordinator"].act(a.pk, "assign", {"lead_unit": "yizheng"}))
        ok(api["coordinator"].act(b.pk, "assign", {"lead_unit": "jiceng"}))
    before = AuditEvent.objects.filter(case=b).count()
    refused = api["coordinator"].act(b.pk, "merge", {"lead_case_id": target})
    assert refused.status_code == 400, refused.content
    assert message in refused.json()["detail"]
    assert AuditEvent.objects.filter(case=b).count() == before  # refused: nothing written
    assert Case.objects.get(pk=b.pk).merged_into_id is None


def test_only_the_coordinator_merges_and_a_lead_is_not_merged(pair, api):
    a, b = pair
    assert api["yizheng"].act(b.pk, "merge", {"lead_case_id": a.pk}).status_code in (403, 404)
    ok(api["coordinator"].act(b.pk, "merge", {"lead_case_id": a.pk}))
    # A now leads B: A is not offered 并案 itself.
    assert Action.MERGE not in available(api, "coordinator", a)
    assert api["coordinator"].act(a.pk, "merge", {"lead_case_id": b.pk}).status_code == 400


def test_the_case_pages_say_both_ways(pair, api, cast, client_for):
    a, b = pair
    ok(api["coordinator"].act(b.pk, "merge", {"lead_case_id": a.pk}))
    page_b = client_for(cast.coordinator).get(f"/cases/{b.pk}/").content.decode()
    assert "已并入" in page_b and a.title in page_b
    page_a = client_for(cast.coordinator).get(f"/cases/{a.pk}/").content.decode()
    assert "并入此件的" in page_a and b.title in page_a
