"""The statistics' summary rows (reports.tally) equal a full recount after every kind of
write: each action of the workflow, an import that creates and one that updates, the
deadline recompute after a calendar change, the demo loader; and the set-based rebuild
gives exactly the rows that refresh kept, write by write."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from cases import actions
from cases.actions.handler import assign_handler
from cases.models import Case
from cases.tests.factories import register
from reports.dashboard import month_counts
from reports.models import CaseTally, TallyCell, TallyMonth, TallyTopic
from reports.recount import rebuild, stored, verify
from reports.stats import year_stats
from reports.tally import refresh
from reports.tests.conftest import bulk_cases
from transfer.planning import apply_import, plan_import
from transfer.tests.helpers import basic_file, basic_row
from workdays.actions import import_year
from workflow.tables import workflow_for

pytestmark = pytest.mark.django_db

FROZEN = time_machine.travel(date(2026, 12, 31), tick=False)
GATES = {"format": True, "policy": True, "content": True, "resolution": True}


def consistent() -> None:
    """The summary rows equal a recount from the cases, and a rebuild writes the same rows
    (and the same contribution per case) as refresh kept."""
    differences = verify()
    assert not differences, [str(d) for d in differences[:5]]
    refreshed = stored()
    contributions = _contributions()
    rebuild()
    assert stored() == refreshed
    assert _contributions() == contributions


def _contributions() -> dict[int, tuple]:
    rows = CaseTally.objects.values_list()
    return {row[0]: row for row in sorted(rows)}


class Walk:
    """Actions taken one after another, the summaries checked after each."""

    def __init__(self) -> None:
        self.taken: list[str] = []

    def __call__(self, action: str, call, *args, **kwargs):
        result = call(*args, **kwargs)
        consistent()
        self.taken.append(action)
        return result


def _reply(walk: Walk, cast, case: Case, *, on: date, by=None, cls="A", commitments=()):
    walk(
        "submit_reply",
        actions.submit_reply,
        case,
        by=by or cast.yizheng_head,
        text="答复",
        reply_class=cls,
        contact="张",
        phone="1",
        commitments=list(commitments),
        on=on,
    )


@FROZEN
def test_the_summaries_equal_a_recount_after_every_action(cast):
    walk = Walk()
    case = walk(
        "register",
        register,
        cast,
        on=date(2026, 3, 2),
        topics=["基层卫生", "人才"],
        led_by="市人大常委会副主任",
    )
    assert (year_stats(2026)["total"], year_stats(2026)["leader_led"]) == (1, 1)
    other = walk("register", register, cast, on=date(2026, 3, 2))
    # 并案 into the other case and back (issue 15): each case is counted, merged or not.
    from similar.merging import merge_case, unmerge_case

    on = {"on": date(2026, 3, 2)}
    walk("merge", merge_case, case, by=cast.coordinator, lead_case_id=other.pk, **on)
    assert year_stats(2026)["total"] == 2
    walk("unmerge", unmerge_case, case, by=cast.coordinator, reason="分开办理", **on)
    walk(
        "withdraw",
        actions.withdraw_case,
        other,
        by=cast.coordinator,
        reason="非我委职责",
        on=date(2026, 3, 3),
    )
    assert year_stats(2026)["total"] == 1
    # 修改: topics, year and level move the case to other rows; then back to 2026.
    walk(
        "edit",
        actions.edit_case,
        case,
        by=cast.coordinator,
        topics=["中医药"],
        year=2025,
        level="provincial",
        on=date(2026, 3, 3),
    )
    assert (year_stats(2026)["total"], year_stats(2025)["by_topic"]) == (0, {"中医药": 1})
    walk(
        "edit",
        actions.edit_case,
        case,
        by=cast.coordinator,
        year=2026,
        led_by="",
        on=date(2026, 3, 4),
    )
    # 交办 to one unit, 退回, 交办 to another: the case moves between the units' rows.
    walk(
        "assign",
        actions.assign_case,
        case,
        by=cast.coordinator,
        lead_unit=cast.jiceng,
        assigned_on=date(2026, 3, 5),
    )
    assert [u["unit"] for u in year_stats(2026)["by_unit"]] == ["jiceng"]
    walk(
        "return",
        actions.return_case,
        case,
        by=cast.jiceng_head,
        reason="不属于本处职责",
        on=date(2026, 3, 6),
    )
    walk(
        "assign",
        actions.assign_case,
        case,
        by=cast.coordinator,
        lead_unit=cast.yizheng,
        co_units=[cast.zhongyi],
        assigned_on=date(2026, 3, 9),
    )
    assert [u["unit"] for u in year_stats(2026)["by_unit"]] == ["yizheng"]
    walk("accept", actions.accept_case, case, by=cast.yizheng_head, on=date(2026, 3, 10))
    walk(
        "submit_opinion",
        actions.submit_opinion,
        case,
        by=cast.zhongyi_head,
        text="会办意见",
        on=date(2026, 3, 12),
    )
    talk = {"by": cast.yizheng_head, "stage": "before", "summary": "沟通"}
    walk("communicate", actions.communicate, case, method="phone", on=date(2026, 3, 13), **talk)
    assert year_stats(2026)["face_to_face"] == 0
    walk("communicate", actions.communicate, case, method="meeting", on=date(2026, 3, 16), **talk)
    assert year_stats(2026)["face_to_face"] == 1
    walk(
        "request_extension",
        actions.request_extension,
        case,
        by=cast.yizheng_head,
        until=date(2026, 7, 31),
        reason="调研未完成",
        on=date(2026, 5, 20),
    )
    walk(
        "decide_extension",
        actions.decide_extension,
        case,
        by=cast.leader,
        approved=True,
        on=date(2026, 5, 21),
    )
    walk(
        "assign_handler",
        assign_handler,
        case,
        by=cast.yizheng_head,
        handler=cast.yizheng_handler,
        on=date(2026, 5, 22),
    )
    walk("urge", actions.urge_case, case, by=cast.coordinator, note="请抓紧", on=date(2026, 5, 22))
    from supervision.actions import supervise  # 列入督办: a new item, not counted as a 议提案

    walk("supervise", supervise, case, by=cast.coordinator, urgency="red", on=date(2026, 5, 22))
    from lists.actions import add_to_list  # 列入整改清单: a list item, not counted either
    from lists.tests.factories import make_list

    rect_list = make_list(cast, on=date(2026, 3, 2))
    walk(
        "add_to_list", add_to_list, case, by=cast.coordinator, rect_list=rect_list,
        deadline=date(2026, 9, 30), lead_unit=cast.yizheng, on=date(2026, 5, 22),
    )  # fmt: skip
    promise = [{"what": "年内完成", "due": date(2026, 12, 1)}]
    _reply(
        walk, cast, case, by=cast.yizheng_handler, on=date(2026, 7, 1), cls="B", commitments=promise
    )
    walk(
        "approve_reply",
        actions.approve_reply,
        case,
        by=cast.yizheng_head,
        approved=True,
        on=date(2026, 7, 2),
    )
    walk(
        "review",
        actions.review_reply,
        case,
        by=cast.coordinator,
        passed=False,
        comment="格式不符",
        on=date(2026, 7, 3),
    )
    _reply(walk, cast, case, on=date(2026, 7, 6), cls="B", commitments=promise)
    walk(
        "review",
        actions.review_reply,
        case,
        by=cast.coordinator,
        passed=True,
        gates=GATES,
        on=date(2026, 7, 7),
    )
    walk("sign", actions.sign_reply, case, by=cast.leader, approved=True, on=date(2026, 7, 8))
    # 公开答复 and 撤回公开 (issue 15) change no figure.
    from disclosure.actions import disclose, withdraw_disclosure

    on = {"on": date(2026, 7, 8)}
    walk("disclose", disclose, case, by=cast.coordinator, mode="full", **on)
    walk("withdraw_disclosure", withdraw_disclosure, case, by=cast.coordinator, reason="误发", **on)
    s = year_stats(2026)
    # Replied on 7-08: late for the first deadline (6-09), on time for the extended one.
    assert (s["replied"], s["replied_on_time"], s["reply_class"]["B"]) == (1, 1, 1)
    walk(
        "add_outcome",
        actions.add_outcome,
        case,
        by=cast.yizheng_head,
        kind="policy",
        title="基层人才方案",
        on=date(2026, 7, 9),
    )
    assert year_stats(2026)["outcomes"] == 1
    walk(
        "update_commitment",
        actions.update_commitment,
        case,
        by=cast.yizheng_head,
        commitment_id=case.commitments.order_by("id").last().pk,
        status="in_progress",
        on=date(2026, 7, 10),
    )
    # 不满意: handled again (round 2), still replied, rated unsatisfied until answered again.
    walk(
        "record_feedback",
        actions.record_feedback,
        case,
        by=cast.coordinator,
        result="unsatisfied",
        on=date(2026, 7, 15),
    )
    s = year_stats(2026)
    assert (s["replied"], s["feedback"]["unsatisfied"]) == (1, 1)
    _reply(walk, cast, case, on=date(2026, 8, 1), cls="A")
    walk(
        "review",
        actions.review_reply,
        case,
        by=cast.coordinator,
        passed=True,
        gates=GATES,
        on=date(2026, 8, 3),
    )
    walk("sign", actions.sign_reply, case, by=cast.leader, approved=True, on=date(2026, 8, 4))
    walk(
        "record_feedback",
        actions.record_feedback,
        case,
        by=cast.coordinator,
        result="satisfied",
        on=date(2026, 8, 10),
    )
    assert year_stats(2026)["feedback"]["satisfied"] == 1
    walk(
        "reopen",
        actions.reopen_case,
        case,
        by=cast.coordinator,
        reason="回头看",
        on=date(2026, 9, 1),
    )
    _reply(walk, cast, case, on=date(2026, 9, 10), cls="A")
    walk(
        "review",
        actions.review_reply,
        case,
        by=cast.coordinator,
        passed=True,
        gates=GATES,
        on=date(2026, 9, 11),
    )
    walk("sign", actions.sign_reply, case, by=cast.leader, approved=True, on=date(2026, 9, 14))
    walk("close", actions.close_case, case, by=cast.coordinator, on=date(2026, 10, 26))
    s = year_stats(2026)
    assert (s["total"], s["replied"], s["feedback"]["none"], s["outcomes"]) == (1, 1, 1, 1)
    # The monthly flow: received in March, answered (the last reply) in September; the
    # withdrawn case has its rows, not counted.
    months = {key: n for key, n in month_counts(2026, None).items() if n}
    assert months == {"received_3": 1, "answered_9": 1}
    assert TallyMonth.objects.filter(state="withdrawn", n=1).exists()
    workflow = workflow_for("npc_suggestion")
    every = {a for a, t in workflow.transitions.items() if not t.hidden} | {"register"}
    assert set(walk.taken) == every


def test_an_import_that_creates_and_one_that_updates(cast):
    closed = {
        "主题": "基层卫生、中医药",
        "承办处室": "医政医管处",
        "交办日期": "2026-03-05",
        "答复日期": "2026-05-20",
        "答复类别": "A",
        "满意度": "满意",
    }
    rows = [basic_row("1", **closed), basic_row("2"), basic_row("3", 年度=2025)]
    _import(cast, basic_file(*rows))
    consistent()
    s = year_stats(2026)
    assert (s["total"], s["replied"], s["by_topic"]) == (2, 1, {"中医药": 1, "基层卫生": 1})
    changed = {**closed, "主题": "托育服务", "答复类别": "B", "满意度": "基本满意"}
    rows = [basic_row("1", **changed), basic_row("2", **closed), basic_row("3", 年度=2025)]
    _import(cast, basic_file(*rows))
    consistent()
    s = year_stats(2026)
    assert s["by_topic"] == {"基层卫生": 1, "中医药": 1, "托育服务": 1}
    assert (s["reply_class"], s["feedback"]["basically_satisfied"]) == (
        {"A": 1, "B": 1, "C": 0, "D": 0},
        1,
    )


def _import(cast, data: bytes) -> None:
    plan = plan_import(data, "台账.xlsx", user=cast.coordinator)
    assert plan.errors == []
    apply_import(plan, user=cast.coordinator, source_name="台账.xlsx")


@time_machine.travel(date(2030, 5, 10), tick=False)
def test_the_deadline_recompute_after_a_calendar_change(cast):
    case = register(cast, on=date(2030, 1, 30))
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2030, 2, 1)
    )
    actions.accept_case(case, by=cast.yizheng_head, on=date(2030, 2, 2))
    walk = Walk()
    _reply(walk, cast, case, on=date(2030, 5, 2))
    actions.review_reply(case, by=cast.coordinator, passed=True, gates=GATES, on=date(2030, 5, 2))
    actions.sign_reply(case, by=cast.leader, approved=True, on=date(2030, 5, 3))
    # 2030 has no confirmed calendar: the deadline 5-01 is provisional, the reply late.
    assert year_stats(2030)["replied_on_time"] == 0
    holidays = {date(2030, 5, 1): False, date(2030, 5, 2): False, date(2030, 5, 3): False}
    import_year(2030, holidays, by=cast.admin)
    case.refresh_from_db()
    assert case.deadline == date(2030, 5, 6)
    assert AuditEvent.objects.filter(case=case, action="recompute_deadlines").exists()
    assert year_stats(2030)["replied_on_time"] == 1
    consistent()


def test_the_demo_is_counted(db):
    from cases.demo import load_demo

    with FROZEN:
        load_demo()
    assert TallyCell.objects.exists()
    consistent()


def test_rows_written_directly_are_counted_by_refresh_and_by_rebuild(cast):
    bulk_cases(cast, 60, 2026)  # rows, then refresh (reports/tests/conftest.py)
    bulk_cases(cast, 30, 2025, seed=9, prefix="P")
    assert TallyTopic.objects.filter(year=2025).exists()
    consistent()


def test_a_case_of_another_category_adds_nothing(cast):
    case = register(cast, on=date(2026, 3, 2))
    Case.objects.filter(pk=case.pk).update(category="supervision")
    assert refresh([case.pk]) == 1  # counted before: taken out
    assert not CaseTally.objects.exists()
    assert not TallyCell.objects.exclude(n=0).exists()
    consistent()
    assert refresh([case.pk]) == 0


def test_a_case_that_did_not_change_writes_nothing(cast):
    case = register(cast, on=date(2026, 3, 2))
    with CaptureQueriesContext(connection) as captured:
        assert refresh([case.pk]) == 0
    statements = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    # The stored contribution, the case, its meetings, topics, outcomes and promises:
    # no write.
    assert len(statements) == 6
    assert all(sql.startswith("SELECT") for sql in statements), statements


def test_an_action_adds_a_fixed_number_of_statements(cast):
    case = register(cast, on=date(2026, 3, 2), topics=["中医药"])
    with CaptureQueriesContext(connection) as captured:
        refresh([case.pk])  # nothing changed
    with CaptureQueriesContext(connection) as moved:
        Case.objects.filter(pk=case.pk).update(year=2025)
        refresh([case.pk])
    # Five reads; the cells, the months, the topics (no outcomes) and the case's own row.
    assert len(moved) - 1 == len(captured) + 4


def test_verify_names_what_differs(cast):
    register(cast, on=date(2026, 3, 2), topics=["中医药"])
    assert verify() == []
    TallyTopic.objects.update(n=2)
    (difference,) = verify()
    assert (difference.table, difference.stored, difference.counted) == ("topics", 2, 1)
    assert difference.key["year"] == 2026
    assert "topics:" in str(difference) and "stored 2, recounted 1" in str(difference)
