"""The units' parts (cases.models.CaseUnit, kept by cases.involvement) equal a recount
from the cases and assignments after every kind of write: each action of the workflow,
reopen, an import that creates and one that updates, the deadline recompute after a
calendar change; a rebuild writes the same rows; and the cases each user sees through
them are exactly those of DESIGN.md §4 as written before the parts existed (lead unit,
or a live assignment of one of the user's units)."""

from datetime import date

import pytest
import time_machine
from django.db.models import Q

from cases import actions, involvement
from cases.actions.handler import assign_handler
from cases.models import Assignment, Case, CaseUnit
from cases.permissions import visible_cases
from cases.tests.factories import make_user, register
from orgs.access import standing_of
from orgs.models import Role
from transfer.planning import apply_import, plan_import
from transfer.tests.helpers import basic_file, basic_row
from workdays.actions import import_year
from workflow.tables import workflow_for

pytestmark = pytest.mark.django_db

FROZEN = time_machine.travel(date(2026, 12, 31), tick=False)
GATES = {"format": True, "policy": True, "content": True, "resolution": True}
LIVE = ("pending", "accepted")


def old_visible(user) -> set[int]:
    """DESIGN.md §4 as cases.permissions wrote it before the parts: everything for the
    commission's roles, else lead unit or a live assignment of one of the user's units."""
    standing = standing_of(user)
    if standing.sees_all:
        return set(Case.objects.values_list("pk", flat=True))
    live = Assignment.objects.filter(unit_id__in=standing.unit_ids, status__in=LIVE)
    found = Case.objects.filter(
        Q(lead_unit_id__in=standing.unit_ids) | Q(pk__in=live.values("case_id"))
    )
    return set(found.values_list("pk", flat=True))


def consistent(people) -> None:
    """The parts equal a recount, a rebuild writes the same rows, and every user sees
    what the old definition says."""
    kept = involvement.stored()
    assert kept == involvement.recount()
    assert involvement.rebuild() == len(kept)
    assert involvement.stored() == kept
    for user in people:
        assert set(visible_cases(user).values_list("pk", flat=True)) == old_visible(user), user


@pytest.fixture
def people(cast):
    """Every kind of user, and one who heads a unit and handles in another."""
    both = make_user("both", (cast.jiceng, Role.HEAD), (cast.zhongyi, Role.HANDLER))
    return [
        cast.coordinator,
        cast.leader,
        cast.viewer,
        cast.yizheng_head,
        cast.yizheng_handler,
        cast.jiceng_head,
        cast.zhongyi_head,
        cast.outsider,
        both,
    ]


class Walk:
    """Actions taken one after another, the parts checked after each."""

    def __init__(self, people) -> None:
        self.people = people
        self.taken: list[str] = []

    def __call__(self, action: str, call, *args, **kwargs):
        result = call(*args, **kwargs)
        consistent(self.people)
        self.taken.append(action)
        return result


def _reply(walk: Walk, cast, case: Case, *, on: date, by=None, cls="A") -> None:
    walk(
        "submit_reply",
        actions.submit_reply,
        case,
        by=by or cast.yizheng_head,
        text="答复",
        reply_class=cls,
        contact="张",
        phone="1",
        commitments=[{"what": "年内完成", "due": date(2026, 12, 1)}] if cls == "B" else [],
        on=on,
    )


def _signed(walk: Walk, cast, case: Case, *, on: date) -> None:
    walk("review", actions.review_reply, case, by=cast.coordinator, passed=True, gates=GATES, on=on)
    walk("sign", actions.sign_reply, case, by=cast.leader, approved=True, on=on)


@FROZEN
def test_the_parts_equal_a_recount_after_every_action(cast, people):
    walk = Walk(people)
    case = walk("register", register, cast, on=date(2026, 3, 2))
    assert not CaseUnit.objects.filter(case=case).exists()  # no unit yet
    other = walk("register", register, cast, on=date(2026, 3, 2))
    on = {"on": date(2026, 3, 3)}
    walk("withdraw", actions.withdraw_case, other, by=cast.coordinator, reason="非我委职责", **on)
    walk("edit", actions.edit_case, case, by=cast.coordinator, year=2025, level="county", **on)
    # 并案 into another registered case and back: no unit yet on either, no parts.
    from similar.merging import merge_case, unmerge_case

    lead = walk("register", register, cast, on=date(2026, 3, 2))
    walk("merge", merge_case, case, by=cast.coordinator, lead_case_id=lead.pk, **on)
    walk("unmerge", unmerge_case, case, by=cast.coordinator, reason="分开办理", **on)
    # 交办 to one unit with a co-unit, 退回 (every assignment ends), 交办 to another.
    walk(
        "assign",
        actions.assign_case,
        case,
        by=cast.coordinator,
        lead_unit=cast.jiceng,
        co_units=[cast.zhongyi],
        assigned_on=date(2026, 3, 5),
    )
    assert {(p.unit_id, p.lead, p.kind, p.status) for p in CaseUnit.objects.filter(case=case)} == {
        (cast.jiceng.pk, True, "lead", "pending"),
        (cast.zhongyi.pk, False, "co", "pending"),
    }
    on = {"on": date(2026, 3, 6)}
    walk("return", actions.return_case, case, by=cast.jiceng_head, reason="不属于本处", **on)
    assert not CaseUnit.objects.filter(case=case).exists()
    walk(
        "assign",
        actions.assign_case,
        case,
        by=cast.coordinator,
        lead_unit=cast.yizheng,
        co_units=[cast.zhongyi, cast.fagaiwei],
        assigned_on=date(2026, 3, 9),
    )
    walk("accept", actions.accept_case, case, by=cast.yizheng_head, on=date(2026, 3, 10))
    on = {"on": date(2026, 3, 12)}
    walk("submit_opinion", actions.submit_opinion, case, by=cast.zhongyi_head, text="意见", **on)
    talk = {"by": cast.yizheng_head, "stage": "before", "summary": "沟通", "on": date(2026, 3, 13)}
    walk("communicate", actions.communicate, case, method="meeting", **talk)
    walk(
        "request_extension",
        actions.request_extension,
        case,
        by=cast.yizheng_head,
        until=date(2026, 7, 31),
        reason="调研未完成",
        on=date(2026, 5, 20),
    )
    on = {"on": date(2026, 5, 21)}
    walk("decide_extension", actions.decide_extension, case, by=cast.leader, approved=True, **on)
    assert CaseUnit.objects.get(case=case, lead=True).deadline == date(2026, 7, 31)
    on = {"on": date(2026, 5, 21)}
    walk(
        "urge",
        actions.urge_case,
        case,
        by=cast.coordinator,
        note="请抓紧",
        **on,
        target_on=date(2026, 6, 30),
    )
    assert CaseUnit.objects.get(case=case, lead=True).unit_deadline == date(2026, 6, 30)
    # 列入督办: a new supervision item (no unit yet); the case's parts stay as they were.
    from supervision.actions import supervise

    walk("supervise", supervise, case, by=cast.coordinator, urgency="yellow", **on)
    # 列入整改清单: a new list item (its own parts); the case's parts stay as they were.
    from lists.actions import add_to_list
    from lists.tests.factories import make_list

    rect_list = make_list(cast, on=date(2026, 3, 2))
    walk(
        "add_to_list", add_to_list, case, by=cast.coordinator, rect_list=rect_list,
        deadline=date(2026, 9, 30), lead_unit=cast.yizheng, **on,
    )  # fmt: skip
    walk(
        "assign_handler",
        assign_handler,
        case,
        by=cast.yizheng_head,
        handler=cast.yizheng_handler,
        on=date(2026, 5, 22),
    )
    assert CaseUnit.objects.get(case=case, lead=True).handler == cast.yizheng_handler
    _reply(walk, cast, case, by=cast.yizheng_handler, on=date(2026, 7, 1), cls="B")
    on = {"on": date(2026, 7, 2)}
    walk("approve_reply", actions.approve_reply, case, by=cast.yizheng_head, approved=True, **on)
    walk(
        "review",
        actions.review_reply,
        case,
        by=cast.coordinator,
        passed=False,
        comment="格式不符",
        on=date(2026, 7, 3),
    )
    _reply(walk, cast, case, on=date(2026, 7, 6), cls="B")
    _signed(walk, cast, case, on=date(2026, 7, 8))
    # 公开答复 and 撤回公开: the parts stay as they were.
    from disclosure.actions import disclose, withdraw_disclosure

    on = {"on": date(2026, 7, 8)}
    walk("disclose", disclose, case, by=cast.coordinator, mode="full", **on)
    walk("withdraw_disclosure", withdraw_disclosure, case, by=cast.coordinator, reason="误发", **on)
    walk(
        "add_outcome",
        actions.add_outcome,
        case,
        by=cast.yizheng_head,
        kind="policy",
        title="方案",
        on=date(2026, 7, 9),
    )
    walk(
        "update_commitment",
        actions.update_commitment,
        case,
        by=cast.yizheng_head,
        commitment_id=case.commitments.order_by("id").last().pk,
        status="in_progress",
        on=date(2026, 7, 10),
    )
    walk(
        "record_feedback",
        actions.record_feedback,
        case,
        by=cast.coordinator,
        result="unsatisfied",
        on=date(2026, 7, 15),
    )
    _reply(walk, cast, case, on=date(2026, 8, 1))
    _signed(walk, cast, case, on=date(2026, 8, 4))
    walk("close", actions.close_case, case, by=cast.coordinator, on=date(2026, 10, 26))
    # Closed: the units keep seeing it (their assignments stay live), now as closed parts.
    assert set(CaseUnit.objects.filter(case=case).values_list("state", flat=True)) == {"closed"}
    on = {"on": date(2026, 11, 2)}
    walk("reopen", actions.reopen_case, case, by=cast.coordinator, reason="回头看", **on)
    assert set(CaseUnit.objects.filter(case=case).values_list("state", flat=True)) == {case.state}
    workflow = workflow_for("npc_suggestion")
    every = {a for a, t in workflow.transitions.items() if not t.hidden} | {"register"}
    assert every <= set(walk.taken), every - set(walk.taken)


def _import(cast, data: bytes) -> None:
    plan = plan_import(data, "台账.xlsx", user=cast.coordinator)
    assert plan.errors == []
    apply_import(plan, user=cast.coordinator, source_name="台账.xlsx")


def test_an_import_that_creates_and_one_that_updates(cast, people):
    closed = {
        "承办处室": "医政医管处",
        "交办日期": "2026-03-05",
        "答复日期": "2026-05-20",
        "答复类别": "A",
        "满意度": "满意",
    }
    _import(cast, basic_file(basic_row("1", **closed), basic_row("2")))
    consistent(people)
    imported = Case.objects.get(number="1")
    assert CaseUnit.objects.filter(case=imported, unit=cast.yizheng, lead=True).exists()
    _import(cast, basic_file(basic_row("1", **closed | {"承办处室": "基层卫生健康处"})))
    consistent(people)
    assert set(CaseUnit.objects.filter(case=imported).values_list("unit", flat=True)) == {
        cast.jiceng.pk
    }


@time_machine.travel(date(2030, 5, 10), tick=False)
def test_the_deadline_recompute_after_a_calendar_change(cast, people):
    case = register(cast, on=date(2030, 1, 30))
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2030, 2, 1)
    )
    before = CaseUnit.objects.get(case=case).deadline
    import_year(2030, {date(2030, 5, 1): False, date(2030, 5, 2): False}, by=cast.admin)
    case.refresh_from_db()
    assert case.deadline != before
    assert CaseUnit.objects.get(case=case).deadline == case.deadline
    consistent(people)


def test_a_deleted_case_leaves_no_parts(cast):
    case = register(cast, on=date(2026, 3, 2))
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 5)
    )
    assert CaseUnit.objects.filter(case=case).exists()
    pk = case.pk
    Case.objects.filter(pk=pk).delete()
    involvement.refresh([pk])
    assert not CaseUnit.objects.filter(case_id=pk).exists()
