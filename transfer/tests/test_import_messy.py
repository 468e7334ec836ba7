"""A messy, realistic ledger imports into exactly the cases it describes."""

from datetime import date, datetime

import pytest

from audit.models import AuditEvent
from cases.models import Assignment, Case, Feedback, Proposer, Reply
from transfer.planning import apply_import, plan_import
from transfer.tests.helpers import xlsx
from workflow.errors import ActionForbidden

pytestmark = pytest.mark.django_db

HEADER = [
    "序号",
    "类 别",
    "级别",
    "年度",
    "届次",
    "建议号",
    "题目",
    "提案人",
    "联名人",
    "代表团/界别",
    "党派",
    "内容",
    "主题",
    "办理方式",
    "主办单位",
    "承办单位",
    "会办单位",
    "领办领导",
    "是否重点",
    "交办日期",
    "办理期限",
    "答复日期",
    "答复类别（A/B/C/D）",
    "满意度",
    "状态",
    "备注",
]
SERIAL_2026_06_10 = (date(2026, 6, 10) - date(1899, 12, 30)).days


def messy_ledger() -> bytes:
    rows = [
        # A closed case with its history: full-width year and number, line breaks,
        # a name padded with spaces, mixed list separators, 2026年3月5日 and 2026/05/20.
        [
            1,
            "人大代表建议",
            "市级",
            "２０２６年",
            "市十五届人大\n五次会议",
            " ０００１ ",
            "关于加强基层医疗卫生\n人才队伍建设的建议 ",
            "陈　 明",
            "刘洋、周敏，李华;王芳",
            "城关区代表团",
            "",
            "建议加大培养力度。\r\n\r\n一是扩大定向培养。  ",
            "基层卫生 人才",
            "主办",
            "",
            "医政医管处\n",
            "基层卫生健康处，市发改委",
            "李主任",
            "是",
            "2026年3月5日",
            "",
            "2026/05/20",
            "A类",
            "满意",
            "已办结",
            "按期办结",
        ],
        # 代表建议 at province level (省), an int number, 2026-3-20, an Excel serial
        # reply date, b for B, 基本满意, no 状态: closed by its rating.
        [
            2,
            "代表建议",
            "省",
            2026,
            "省十四届人大四次会议",
            12,
            "关于中医药传承创新发展的建议",
            "赵刚",
            "",
            "",
            "",
            "",
            "中医药",
            "承办",
            "",
            "中医药管理处",
            "",
            "",
            "",
            "2026-3-20",
            "",
            SERIAL_2026_06_10,
            "b",
            "基本满意",
            "",
            "",
        ],
        # 政协委员提案, county, 第３号, a real date cell, 2026.06.30 as 办理期限, 办理中.
        [
            3,
            "政协委员提案",
            "县级",
            "2026",
            "县十届政协五次会议",
            "第３号",
            "关于完善村医养老保障的提案",
            "民革县委会",
            "",
            "",
            "民革",
            "",
            "基层卫生、乡村医生",
            "分办",
            "",
            "基层卫生健康处",
            "",
            "",
            "否",
            datetime(2026, 4, 1),
            "2026.06.30",
            "",
            "",
            "",
            "办理中",
            "",
        ],
        # 政协提案 at district level (区), a 会办 case: our opinion to an outside lead,
        # answered 20260430 (yyyymmdd), closed without class or rating.
        [
            4,
            "政协提案",
            "区级",
            "2026年",
            "",
            "Ａ-7",
            "关于推进校园卫生室建设的提案",
            "教育界别",
            "孙丽 吴强",
            "教育界",
            "",
            "",
            "",
            "会办",
            "市教育局",
            "医政医管处",
            "",
            "",
            "",
            "2026.04.02",
            "",
            "20260430",
            "",
            "",
            "",
            "",
        ],
        # Last year's registered case: nothing about handling.
        [
            5,
            "人大代表建议、批评和意见",
            "市",
            "2025年",
            "",
            "88",
            "关于发展普惠托育服务的建议",
            "钱进",
            "",
            "",
            "",
            "",
            "托育服务；医养结合",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        # Assigned: 承办处室 and 交办日期 only; the deadline is computed as assign_case does.
        [
            6,
            "人大代表建议",
            "市级",
            2026,
            "",
            "  0089",
            "关于加强院前急救体系建设的建议",
            "郑  华",
            "",
            "",
            "",
            "",
            "",
            "主办",
            "",
            "基层卫生健康处",
            "",
            "",
            "",
            "2026-09-01",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        # Full-width Ａ for the class, 已答复 without a rating yet.
        [
            7,
            "人大代表建议",
            "市级",
            2026,
            "",
            "90",
            "关于规范民营医院诊疗行为的建议",
            "冯雪",
            "",
            "",
            "",
            "",
            "",
            "主办",
            "",
            "医政医管处",
            "",
            "",
            "",
            "2026-06-01",
            "",
            "2026-08-20",
            "Ａ",
            "",
            "已答复",
            "",
        ],
    ]
    return xlsx([HEADER, *rows], above=[["2026年议提案办理台账"]])


def _case(number: str) -> Case:
    return Case.objects.get(number=number)


def _import(cast) -> None:
    plan = plan_import(messy_ledger(), "台账.xlsx", user=cast.coordinator)
    assert plan.errors == []
    assert [r.status for r in plan.rows] == ["new"] * 7
    assert [r.row for r in plan.rows] == [3, 4, 5, 6, 7, 8, 9]
    assert plan.ignored_columns == ["序号", "备注"]
    summary = apply_import(plan, user=cast.coordinator, source_name="台账.xlsx")
    assert (summary.created, summary.updated, summary.unchanged) == (7, 0, 0)


def test_closed_row_imports_with_its_history(cast):
    _import(cast)
    case = _case("0001")
    assert (case.category, case.level, case.year, case.issuer) == (
        "npc_suggestion",
        "municipal",
        2026,
        "",
    )
    assert case.session == "市十五届人大五次会议"
    assert case.title == "关于加强基层医疗卫生人才队伍建设的建议"
    assert case.content == "建议加大培养力度。\n\n一是扩大定向培养。"
    links = list(case.proposer_links.order_by("position"))
    assert [link.proposer.name for link in links] == ["陈明", "刘洋", "周敏", "李华", "王芳"]
    assert links[0].proposer.kind == "deputy"
    assert links[0].proposer.delegation == "城关区代表团"
    assert sorted(case.topics.values_list("name", flat=True)) == ["人才", "基层卫生"]
    assert (case.mode, case.role, case.led_by, case.is_key) == ("lead", "lead", "李主任", True)
    assert case.state == "closed"
    assert case.lead_unit == cast.yizheng
    assert case.assigned_on == date(2026, 3, 5)
    assert case.received_on == date(2026, 3, 5)
    assert (case.deadline, case.deadline_provisional) == (date(2026, 6, 5), False)
    assert case.unit_deadline == date(2026, 5, 22)
    assert case.explicit_deadline is None
    assert (case.replied_on, case.reply_class, case.feedback_result) == (
        date(2026, 5, 20),
        "A",
        "satisfied",
    )
    assert case.last_action_on == date(2026, 5, 20)
    co = sorted(case.assignments.filter(kind="co"), key=lambda a: a.unit.code)
    lead = case.assignments.get(kind="lead")
    assert (lead.unit, lead.status, lead.accepted_on, lead.deadline) == (
        cast.yizheng,
        "accepted",
        date(2026, 3, 5),
        date(2026, 6, 5),
    )
    assert [(a.unit, a.status, a.deadline) for a in co] == [
        (cast.fagaiwei, "pending", date(2026, 4, 7)),
        (cast.jiceng, "pending", date(2026, 4, 7)),
    ]
    reply = case.replies.get()
    assert (reply.round, reply.status, reply.signed_on, reply.reply_class, reply.text) == (
        1,
        "signed",
        date(2026, 5, 20),
        "A",
        "",
    )
    feedback = case.feedbacks.get()
    assert (feedback.round, feedback.result, feedback.on, feedback.recorded_by) == (
        1,
        "satisfied",
        date(2026, 5, 20),
        cast.coordinator,
    )


def test_every_other_row_field_by_field(cast):
    _import(cast)
    province = _case("12")
    assert (province.category, province.level, province.mode, province.state) == (
        "npc_suggestion",
        "provincial",
        "undertake",
        "closed",
    )
    assert province.lead_unit == cast.zhongyi
    assert province.assigned_on == date(2026, 3, 20)
    assert province.deadline == date(2026, 6, 22)  # DESIGN.md §3: 端午 rolls it
    assert (province.replied_on, province.reply_class, province.feedback_result) == (
        date(2026, 6, 10),
        "B",
        "basically_satisfied",
    )
    assert province.feedbacks.get().result == "basically_satisfied"

    county = _case("3")
    assert (county.category, county.level, county.mode, county.state) == (
        "cppcc_proposal",
        "county",
        "split",
        "handling",
    )
    assert county.assigned_on == date(2026, 4, 1)
    assert county.explicit_deadline == date(2026, 6, 30)
    assert county.deadline == date(2026, 6, 30)
    assert county.deadline_rule == {"explicit": "2026-06-30"}
    assert county.is_key is False
    assert county.assignments.get().status == "accepted"
    assert not county.replies.exists() and county.replied_on is None
    collective = county.proposer_links.get().proposer
    assert (collective.name, collective.kind, collective.party) == ("民革县委会", "party", "民革")
    assert sorted(county.topics.values_list("name", flat=True)) == ["乡村医生", "基层卫生"]

    co = _case("A-7")
    assert (co.category, co.level, co.mode, co.role, co.state) == (
        "cppcc_proposal",
        "county",
        "co",
        "co",
        "closed",
    )
    assert co.external_lead == "市教育局"
    assert co.deadline == date(2026, 5, 6)  # 1 month from 04-02 = 05-02, 五一 → 05-06
    assert (co.replied_on, co.reply_class, co.feedback_result) == (date(2026, 4, 30), "", "")
    assert co.replies.get().signed_on == date(2026, 4, 30)
    assert not co.feedbacks.exists()
    people = [link.proposer for link in co.proposer_links.order_by("position")]
    assert [(p.name, p.kind) for p in people] == [
        ("教育界别", "sector"),
        ("孙丽", "member"),
        ("吴强", "member"),
    ]
    assert people[0].delegation == "教育界"

    last_year = _case("88")
    assert (last_year.year, last_year.level, last_year.state, last_year.mode) == (
        2025,
        "municipal",
        "registered",
        "lead",
    )
    assert last_year.lead_unit is None and last_year.deadline is None
    assert last_year.received_on == date(2026, 12, 31)
    assert not last_year.assignments.exists()
    assert sorted(last_year.topics.values_list("name", flat=True)) == ["医养结合", "托育服务"]

    assigned = _case("0089")
    assert assigned.state == "assigned"
    assert assigned.proposer_links.get().proposer.name == "郑华"
    assert (assigned.deadline, assigned.unit_deadline) == (date(2026, 12, 1), date(2026, 11, 17))
    assignment = assigned.assignments.get()
    assert (assignment.unit, assignment.status, assignment.accepted_on) == (
        cast.jiceng,
        "pending",
        None,
    )

    replied = _case("90")
    assert (replied.state, replied.reply_class, replied.replied_on) == (
        "replied",
        "A",
        date(2026, 8, 20),
    )
    assert not replied.feedbacks.exists()


def test_history_rows_and_events(cast):
    _import(cast)
    assert Case.objects.count() == 7
    assert Assignment.objects.count() == 8
    assert Reply.objects.count() == 4
    assert Feedback.objects.count() == 2
    assert Proposer.objects.filter(name="陈明").count() == 1
    events = AuditEvent.objects.filter(action="import")
    assert events.count() == 7
    first = events.get(case__number="0001")
    assert (first.actor, first.on, first.from_state, first.to_state) == (
        cast.coordinator,
        date(2026, 12, 31),
        "",
        "closed",
    )
    assert first.details == {"source": "台账.xlsx", "row": 3, "changes": {}}
    assert not AuditEvent.objects.exclude(action="import").filter(case__isnull=False).exists()


def test_imported_history_counts_in_statistics(cast):
    from reports.stats import year_stats

    _import(cast)
    stats = year_stats(2026)
    assert stats["total"] == 6
    assert stats["replied"] == 4
    assert stats["replied_on_time"] == 4
    assert stats["reply_class"] == {"A": 2, "B": 1, "C": 0, "D": 0}
    assert stats["feedback"]["satisfied"] == 1
    assert stats["feedback"]["basically_satisfied"] == 1
    assert stats["by_role"] == {"lead": 5, "co": 1}
    assert stats["leader_led"] == 1


def test_a_non_coordinator_may_not_plan_or_apply(cast):
    for user in (cast.yizheng_head, cast.leader, cast.viewer, cast.outsider):
        with pytest.raises(ActionForbidden, match="只有议提案管理员可以导入台账"):
            plan_import(messy_ledger(), "台账.xlsx", user=user)
    plan = plan_import(messy_ledger(), "台账.xlsx", user=cast.coordinator)
    with pytest.raises(ActionForbidden):
        apply_import(plan, user=cast.yizheng_head, source_name="台账.xlsx")
    assert not Case.objects.exists()
