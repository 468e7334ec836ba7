"""A merged case B while it follows its lead case A: it goes back with A's 申请退回 and is
assigned with A's next 交办; it is un-merged when A is withdrawn; the actions it does not
take on its own are refused by the actions themselves (through the API), not only hidden;
a 并案 locks both rows, the lower id first, before it checks the lead; the case page names
only the merged cases the user may see; the routing rate counts each case once."""

import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, connections, transaction

from api.tests.helpers import ApiClient, ok
from audit.models import AuditEvent
from cases.models import Assignment, AssignmentStatus, Case
from cases.permissions import LIVE_ASSIGNMENT
from cases.tests.factories import register
from similar import routing
from similar.merging import LEAD_WITHDRAWN, Follow, merge_case
from similar.models import RoutingSuggestion
from similar.tests.test_merging import REPLY, TODAY, events
from workflow.errors import CaseError
from workflow.vocabulary import Action, State


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
    names = ("coordinator", "leader", "yizheng", "jiceng", "zhongyi")
    return {name: ApiClient(name) for name in names}


def live_units(case):
    return sorted(
        Assignment.objects.filter(case=case, status__in=LIVE_ASSIGNMENT).values_list(
            "unit__code", flat=True
        )
    )


# --- 1. B follows A's 申请退回 and A's 撤回 -----------------------------------------------


@pytest.mark.django_db
def test_b_goes_back_with_the_lead_and_is_assigned_with_it_again(pair, api):
    a, b = pair
    ok(api["coordinator"].act(b.pk, "merge", {"lead_case_id": a.pk}))
    ok(api["coordinator"].act(a.pk, "assign", {"lead_unit": "yizheng", "co_units": ["jiceng"]}))
    ok(api["yizheng"].act(a.pk, "return", {"reason": "属基层卫生健康处职责"}))

    b.refresh_from_db()
    assert b.state == State.REGISTERED and b.merged_into_id == a.pk
    assert b.lead_unit_id is None and b.deadline is None and b.assigned_on is None
    assert live_units(b) == []
    assert set(Assignment.objects.filter(case=b).values_list("status", flat=True)) == {
        AssignmentStatus.CANCELLED
    }
    assert events(b)[-1] == Follow.RETURN
    back = AuditEvent.objects.get(case=b, action=Follow.RETURN)
    assert back.details["reason"] == "属基层卫生健康处职责"
    assert back.details["lead_case"] == a.pk and sorted(back.details["units"]) == [
        "jiceng",
        "yizheng",
    ]
    assert back.actor.username == "yizheng"

    # A's next 交办 takes B with it, to the new unit, which accepts both.
    ok(api["coordinator"].act(a.pk, "assign", {"lead_unit": "zhongyi"}))
    b.refresh_from_db()
    assert b.state == State.ASSIGNED and b.lead_unit.code == "zhongyi"
    assert live_units(b) == ["zhongyi"]
    ok(api["zhongyi"].act(a.pk, "accept", {}))
    b.refresh_from_db()
    assert b.state == State.HANDLING
    assert list(Assignment.objects.filter(case=b, status=AssignmentStatus.ACCEPTED)) == list(
        Assignment.objects.filter(case=b, unit__code="zhongyi")
    )
    assert events(b)[-3:] == [Follow.RETURN, Follow.ASSIGN, Follow.ACCEPT]


@pytest.mark.django_db
@pytest.mark.parametrize("assigned", [False, True])
def test_withdrawing_the_lead_unmerges_its_followers(pair, api, assigned):
    a, b = pair
    ok(api["coordinator"].act(b.pk, "merge", {"lead_case_id": a.pk}))
    if assigned:
        ok(api["coordinator"].act(a.pk, "assign", {"lead_unit": "yizheng"}))
    ok(api["coordinator"].act(a.pk, "withdraw", {"reason": "退回交办机关"}))

    b.refresh_from_db()
    assert b.merged_into_id is None
    assert b.state == (State.ASSIGNED if assigned else State.REGISTERED)
    unmerged = AuditEvent.objects.get(case=b, action=Action.UNMERGE)
    assert unmerged.details["reason"] == LEAD_WITHDRAWN and unmerged.details["lead_case"] == a.pk
    assert unmerged.actor.username == "coordinator"
    # Handled on its own from where it stands.
    if assigned:
        ok(api["yizheng"].act(b.pk, "accept", {}))
    else:
        ok(api["coordinator"].act(b.pk, "assign", {"lead_unit": "yizheng"}))


# --- 2. the actions refuse a following case themselves ----------------------------------


def _extension(b):
    return {"until": (b.deadline + timedelta(days=10)).isoformat(), "reason": "需调研"}


REFUSED = {
    # action: (who, how far A goes, payload)
    "return": ("yizheng", "assigned", lambda b: {"reason": "不属本处职责"}),
    "submit_opinion": ("jiceng", "assigned", lambda b: {"text": "同意主办处室意见"}),
    "urge": ("coordinator", "assigned", lambda b: {"note": "请抓紧办理"}),
    "request_extension": ("yizheng", "accepted", _extension),
    "submit_reply": ("yizheng", "accepted", lambda b: REPLY),
    "accept": ("yizheng", "assigned", lambda b: {}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("action", REFUSED)
def test_a_following_case_refuses_what_it_does_not_take_on_its_own(pair, api, action):
    a, b = pair
    who, stage, payload = REFUSED[action]
    ok(api["coordinator"].act(b.pk, "merge", {"lead_case_id": a.pk}))
    ok(api["coordinator"].act(a.pk, "assign", {"lead_unit": "yizheng", "co_units": ["jiceng"]}))
    if stage == "accepted":
        ok(api["yizheng"].act(a.pk, "accept", {}))
    b.refresh_from_db()
    before = AuditEvent.objects.filter(case=b).count()

    refused = api[who].act(b.pk, action, payload(b))
    assert refused.status_code == 400, refused.content
    assert "已并入" in refused.json()["detail"]
    assert AuditEvent.objects.filter(case=b).count() == before

    # The same call, once B is handled on its own, is taken: the refusal was the 并案's.
    ok(api["coordinator"].act(b.pk, "unmerge", {"reason": "内容不同"}))
    b.refresh_from_db()
    ok(api[who].act(b.pk, action, payload(b)))


# --- 4. 并案 locks the lead before it checks it ------------------------------------------


def parallel(test):
    test = pytest.mark.django_db(transaction=True)(test)
    return pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs real parallel connections (PostgreSQL)"
    )(test)


def _in_thread(call):
    """Start `call()` on its own connection; returns (thread, results)."""
    results: list[object] = []

    def run() -> None:
        try:
            results.append(call())
        except BaseException as exc:  # noqa: BLE001 (the test reads it)
            results.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, results


@parallel
@pytest.mark.parametrize("lead_first", [True, False])
def test_a_lead_merged_meanwhile_is_seen(cast, lead_first):
    c = register(cast, on=TODAY, title="关于村医养老保障的建议")
    one = register(cast, on=TODAY, title="关于提高乡村医生待遇的建议")
    two = register(cast, on=TODAY, title="关于稳定乡村医生队伍的建议")
    a, b = (one, two) if lead_first else (two, one)  # A's id below B's, or above
    with transaction.atomic():
        # Another 并案 holds A (A into C) while B is being merged into A.
        Case.objects.select_for_update().get(pk=a.pk)
        thread, results = _in_thread(
            lambda: merge_case(Case.objects.get(pk=b.pk), by=cast.coordinator, lead_case_id=a.pk)
        )
        time.sleep(0.5)
        merge_case(a, by=cast.coordinator, lead_case_id=c.pk)
    thread.join(timeout=30)
    assert not thread.is_alive()
    [found] = results
    assert isinstance(found, CaseError) and "主件本身已并入他件" in found.message, found
    assert Case.objects.get(pk=b.pk).merged_into_id is None


@parallel
def test_two_crossed_merges_do_not_deadlock(cast):
    a = register(cast, on=TODAY, title="关于提高乡村医生待遇的建议")
    b = register(cast, on=TODAY, title="关于稳定乡村医生队伍的建议")
    for _ in range(5):
        Case.objects.filter(pk__in=[a.pk, b.pk]).update(merged_into=None)
        barrier = threading.Barrier(2)

        def merge(case: Case, lead: Case, barrier: threading.Barrier = barrier):
            def call() -> object:
                mine = Case.objects.get(pk=case.pk)
                barrier.wait(timeout=10)
                return merge_case(mine, by=cast.coordinator, lead_case_id=lead.pk)

            return call

        runs = [_in_thread(merge(a, b)), _in_thread(merge(b, a))]
        for thread, _ in runs:
            thread.join(timeout=30)
        found = [r for _, results in runs for r in results]
        assert len(found) == 2
        refused = [r for r in found if isinstance(r, BaseException)]
        assert len(refused) == 1 and isinstance(refused[0], CaseError), refused


# --- 5. the case page names only the merged cases the user may see -----------------------


@pytest.mark.django_db
def test_the_panel_names_only_the_merged_cases_the_user_may_see(pair, api, cast, client_for):
    a, b = pair
    # A with a co-unit (基层卫生健康处 sees A), B without (it does not see B).
    ok(api["coordinator"].act(a.pk, "assign", {"lead_unit": "yizheng", "co_units": ["jiceng"]}))
    ok(api["coordinator"].act(b.pk, "assign", {"lead_unit": "yizheng"}))
    ok(api["coordinator"].act(b.pk, "merge", {"lead_case_id": a.pk}))

    page = client_for(cast.jiceng_head).get(f"/cases/{a.pk}/").content.decode()
    assert "并入此件的（1件）" in page and "另有1件您无权查看" in page
    assert b.title not in page and f"/cases/{b.pk}/" not in page

    page = client_for(cast.yizheng_head).get(f"/cases/{a.pk}/").content.decode()
    assert b.title in page and "无权查看" not in page


@pytest.mark.django_db
def test_a_lead_the_user_may_not_see_is_not_named(pair, api, cast, client_for):
    a, b = pair
    # B with a co-unit (基层卫生健康处 sees B), its lead A without.
    ok(api["coordinator"].act(a.pk, "assign", {"lead_unit": "yizheng"}))
    ok(api["coordinator"].act(b.pk, "assign", {"lead_unit": "yizheng", "co_units": ["jiceng"]}))
    ok(api["coordinator"].act(b.pk, "merge", {"lead_case_id": a.pk}))

    page = client_for(cast.jiceng_head).get(f"/cases/{b.pk}/").content.decode()
    assert "已并入另一办件（您无权查看）办理" in page
    assert a.title not in page and f"/cases/{a.pk}/" not in page
    page = client_for(cast.coordinator).get(f"/cases/{b.pk}/").content.decode()
    assert a.title in page and "无权查看" not in page


# --- 6. the routing rate counts each case once --------------------------------------------


@pytest.mark.django_db
def test_a_case_assigned_again_counts_once_by_its_latest_assignment(cast, api):
    earlier = register(cast, on=TODAY.replace(year=2025), year=2025, title="关于提高村医待遇的建议")
    ok(api["coordinator"].act(earlier.pk, "assign", {"lead_unit": "jiceng"}))
    case = register(cast, on=TODAY, title="关于提高村医待遇的建议")
    ok(api["coordinator"].act(case.pk, "assign", {"lead_unit": "yizheng"}))  # not taken
    ok(api["yizheng"].act(case.pk, "return", {"reason": "属基层卫生健康处职责"}))
    ok(api["coordinator"].act(case.pk, "assign", {"lead_unit": "jiceng"}))  # taken
    rows = RoutingSuggestion.objects.filter(case=case).order_by("id")
    assert [r.taken for r in rows] == [False, True]

    found = routing.acceptance(2026)
    assert (found["assigned"], found["suggested"], found["taken"], found["missed"]) == (1, 1, 1, 0)
    assert found["rate"] == 1.0 and found["misses"] == []
