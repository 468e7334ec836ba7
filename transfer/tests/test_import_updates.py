"""A case already present is updated, never duplicated; the plan says what changes."""

from datetime import date

import pytest

from audit.models import AuditEvent
from cases import actions
from cases.models import Assignment, Case, Reply
from cases.tests.factories import register
from transfer.planning import apply_import, plan_import
from transfer.tests.helpers import basic_file, basic_row
from workflow.errors import CaseError

pytestmark = pytest.mark.django_db

CLOSED = {
    "联名人": "刘洋、周敏",
    "主题": "基层卫生",
    "承办处室": "医政医管处",
    "交办日期": "2026-03-05",
    "答复日期": "2026-05-20",
    "答复类别": "A",
    "满意度": "满意",
}


def run(cast, data: bytes):
    plan = plan_import(data, "台账.xlsx", user=cast.coordinator)
    assert plan.errors == []
    return plan, apply_import(plan, user=cast.coordinator, source_name="台账.xlsx")


def test_the_same_file_twice_changes_nothing(cast):
    data = basic_file(basic_row("1", **CLOSED), basic_row("2"))
    run(cast, data)
    plan, summary = run(cast, data)
    assert [r.status for r in plan.rows] == ["unchanged", "unchanged"]
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 2)
    assert Case.objects.count() == 2
    assert AuditEvent.objects.filter(action="import").count() == 2
    assert Assignment.objects.count() == 1


def test_a_changed_row_updates_the_case_with_a_field_diff(cast):
    run(cast, basic_file(basic_row("1", **CLOSED)))
    case = Case.objects.get()
    changed = basic_row(
        "1", **CLOSED | {"联名人": "刘洋，孙丽"}, 标题="关于第1项工作的建议（修改）"
    )
    plan, summary = run(cast, basic_file(changed))
    row = plan.rows[0]
    assert (row.status, row.changed_columns) == ("changed", ["标题", "联名人"])
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 0)
    case.refresh_from_db()
    assert case.title == "关于第1项工作的建议（修改）"
    names = [link.proposer.name for link in case.proposer_links.order_by("position")]
    assert names == ["陈代表", "刘洋", "孙丽"]
    event = AuditEvent.objects.filter(action="import").last()
    assert (event.case, event.from_state, event.to_state) == (case, "closed", "closed")
    assert event.details == {
        "source": "台账.xlsx",
        "row": 2,
        "changes": {
            "title": ["关于第1项工作的建议", "关于第1项工作的建议（修改）"],
            "joint_proposers": [["刘洋", "周敏"], ["刘洋", "孙丽"]],
        },
    }
    assert Reply.objects.count() == 1 and Assignment.objects.count() == 1


def test_mess_that_normalises_to_the_same_value_is_unchanged(cast):
    run(cast, basic_file(basic_row("1", **CLOSED)))
    messy = basic_row(
        "１", **CLOSED | {"联名人": "刘洋 周敏", "答复日期": "2026年5月20日", "答复类别": "a类"}
    )
    messy["标题"] = " 关于第1项工作\n的建议"
    messy["级别"] = "市"
    plan, _ = run(cast, basic_file(messy))
    assert plan.rows[0].status == "unchanged"


def test_imported_history_may_be_corrected_by_a_later_import(cast):
    run(cast, basic_file(basic_row("1")))
    case = Case.objects.get()
    plan, summary = run(cast, basic_file(basic_row("1", **CLOSED)))
    assert plan.rows[0].changed_columns == [
        "联名人",
        "主题",
        "承办处室",
        "交办日期",
        "答复日期",
        "答复类别",
        "满意度",
        "状态",
    ]
    case.refresh_from_db()
    assert (case.state, case.lead_unit, case.deadline) == ("closed", cast.yizheng, date(2026, 6, 5))
    plan, _ = run(cast, basic_file(basic_row("1", **CLOSED | {"承办处室": "基层卫生健康处"})))
    assert plan.rows[0].changed_columns == ["承办处室"]
    case.refresh_from_db()
    assert case.lead_unit == cast.jiceng
    assert list(case.assignments.values_list("unit__code", "kind")) == [("jiceng", "lead")]
    assert case.replies.count() == 1 and case.feedbacks.count() == 1
    events = AuditEvent.objects.filter(case=case).values_list("action", "from_state", "to_state")
    assert list(events) == [
        ("import", "", "registered"),
        ("import", "registered", "closed"),
        ("import", "closed", "closed"),
    ]


def test_data_of_a_case_handled_in_the_system_may_change(cast):
    case = register(cast, on=date(2026, 3, 2), number="5", issuer="市人大常委会代表工委")
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 5)
    )
    # No 交办机关 column: the row matches the only case with that number.
    row = basic_row("5", 标题="新标题", 承办处室="医政医管处", 交办日期="2026-03-05")
    plan, summary = run(cast, basic_file(row))
    assert (plan.rows[0].status, plan.rows[0].changed_columns) == (
        "changed",
        ["标题"],
    )  # absent columns are kept
    case.refresh_from_db()
    assert (case.title, case.state, case.issuer) == ("新标题", "assigned", "市人大常委会代表工委")
    assert Case.objects.count() == 1


def test_a_row_without_handling_columns_keeps_the_handling(cast):
    case = register(cast, on=date(2026, 3, 2), number="5")
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 5)
    )
    row = basic_row("5", 标题=case.title, 联名人="刘代表、周代表", 主题="基层卫生、人才")
    plan, _ = run(cast, basic_file(row, header=None))
    assert plan.rows[0].status == "unchanged"


def test_a_plan_goes_stale_when_the_case_changes(cast):
    case = register(cast, on=date(2026, 3, 2), number="5")
    plan = plan_import(
        basic_file(basic_row("5", 标题="新标题")), "台账.xlsx", user=cast.coordinator
    )
    actions.edit_case(case, by=cast.coordinator, title="别人改的标题")
    with pytest.raises(CaseError, match="检查之后有1件办件被修改或删除（第2行）"):
        apply_import(plan, user=cast.coordinator, source_name="台账.xlsx")
    case.refresh_from_db()
    assert case.title == "别人改的标题"


def test_create_units_when_asked(cast):
    from orgs.actions import grant_role
    from orgs.models import Role, Unit

    # Only administrators create units: the importer here is both.
    grant_role(by=None, user=cast.admin, unit=cast.office, role=Role.COORDINATOR)

    data = basic_file(
        basic_row(
            "1", 承办处室="规划发展处", 交办日期="2026-03-05", 协办处室="市教育局、财务科、市发改委"
        )
    )
    plan = plan_import(data, "台账.xlsx", user=cast.admin, create_units=True)
    assert plan.errors == []
    assert [(u.name, u.kind) for u in plan.new_units] == [
        ("规划发展处", "department"),
        ("市教育局", "external"),
        ("财务科", "department"),
    ]
    assert not Unit.objects.filter(name="规划发展处").exists()
    summary = apply_import(plan, user=cast.admin, source_name="台账.xlsx")
    assert summary.units_created == ["规划发展处", "市教育局", "财务科"]
    case = Case.objects.get()
    assert case.lead_unit.name == "规划发展处"
    assert case.lead_unit.code.startswith("imp-")
    co = sorted(case.assignments.filter(kind="co").values_list("unit__name", "unit__kind"))
    assert co == [("市发改委", "external"), ("市教育局", "external"), ("财务科", "department")]
    assert AuditEvent.objects.filter(action="unit_created").count() == 3


def test_without_a_state_column_a_case_keeps_its_finer_state(cast):
    case = register(cast, on=date(2026, 3, 2), number="5")
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 5)
    )
    actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 3, 6))
    row = basic_row("5", 标题=case.title, 承办处室="医政医管处", 交办日期="2026年3月5日")
    plan, _ = run(cast, basic_file(row))
    assert plan.rows[0].status == "unchanged"
    case.refresh_from_db()
    assert case.state == "handling"


def test_a_file_without_some_handling_columns_keeps_them(cast):
    run(cast, basic_file(basic_row("1", **CLOSED, 办理期限="2026-05-30")))
    case = Case.objects.get()
    assert (case.deadline, case.explicit_deadline) == (date(2026, 5, 30), date(2026, 5, 30))
    # A later ledger without 办理期限 and 满意度 columns: those stay as imported.
    partial = {k: v for k, v in CLOSED.items() if k != "满意度"}
    plan, _ = run(cast, basic_file(basic_row("1", **partial)))
    assert plan.rows[0].status == "unchanged"
