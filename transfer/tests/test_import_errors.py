"""Every kind of bad row: listed by row (as in Excel) and column, quoting the value;
a plan with an error imports nothing."""

from datetime import date

import pytest

from cases import actions
from cases.models import Case
from cases.tests.factories import register
from transfer.planning import apply_import, plan_import
from transfer.tests.helpers import BASIC, basic_file, basic_row, table, xlsx
from workflow.errors import CaseError

pytestmark = pytest.mark.django_db


def errors_of(cast, data: bytes, **kwargs) -> list[str]:
    plan = plan_import(data, "台账.xlsx", user=cast.coordinator, **kwargs)
    return [str(e) for e in plan.errors]


def test_missing_required_column(cast):
    data = xlsx(table(["类别", "级别", "年度", "编号", "标题"], basic_row()))
    assert errors_of(cast, data) == ["第1行「领衔人」：缺少必填列“领衔人”"]


def test_duplicate_column(cast):
    data = xlsx(table(BASIC + ["提案人"], basic_row(提案人="李四")))
    assert errors_of(cast, data) == ["第1行「提案人」：与“领衔人”列重复"]


def test_unknown_category(cast):
    data = basic_file(basic_row(类别="群众意见建议"))
    assert errors_of(cast, data) == [
        "第2行「类别」：“群众意见建议”不是议提案类别（应为人大代表建议或政协提案）"
    ]


def test_other_categories_are_not_of_this_ledger(cast):
    data = basic_file(basic_row("1", 类别="人大议案"), basic_row("2", 类别="督办事项"))
    assert errors_of(cast, data) == [
        "第2行「类别」：“人大议案”不是议提案类别（应为人大代表建议或政协提案）",
        "第3行「类别」：“督办事项”不是议提案类别（应为人大代表建议或政协提案）",
    ]


def test_unparseable_date(cast):
    data = basic_file(basic_row(交办日期="三月五日", 承办处室="医政医管处"))
    assert errors_of(cast, data) == [
        "第2行「交办日期」：无法识别的日期“三月五日”（应为2022年3月5日、2022-3-5、2022/03/05或2022.03.05）"
    ]


def test_impossible_date(cast):
    data = basic_file(basic_row(答复日期="2026年2月30日"))
    assert errors_of(cast, data) == ["第2行「答复日期」：日期“2026年2月30日”不存在"]


def test_duplicate_number_in_file(cast):
    data = basic_file(basic_row("7"), basic_row("8"), basic_row("７"))
    assert errors_of(cast, data) == [
        "第4行「编号」：与第2行重复（同一类别、级别、交办机关、年度的编号“7”）"
    ]


def test_same_number_of_another_level_is_no_duplicate(cast):
    data = basic_file(basic_row("7"), basic_row("7", 级别="省级"))
    assert errors_of(cast, data) == []


def test_unknown_unit(cast):
    data = basic_file(
        basic_row(承办处室="规划处", 交办日期="2026-03-05", 协办处室="医政医管处、市教育局")
    )
    assert errors_of(cast, data) == [
        "第2行「承办处室」：系统中没有单位“规划处”",
        "第2行「协办处室」：系统中没有单位“市教育局”",
    ]


def test_bad_reply_class(cast):
    data = basic_file(
        basic_row(
            承办处室="医政医管处", 交办日期="2026-03-05", 答复日期="2026-05-05", 答复类别="E类"
        )
    )
    assert errors_of(cast, data) == [
        "第2行「答复类别」：无法识别的答复类别“E类”（应为A、B、C或D类）"
    ]


def test_bad_level_year_rating_state_and_flag(cast):
    data = basic_file(
        basic_row(级别="中央", 年度="去年", 满意度="很满意", 状态="已归档", 是否重点="也许")
    )
    assert errors_of(cast, data) == [
        "第2行「级别」：无法识别的级别“中央”（应为省级、市级或县级）",
        "第2行「年度」：无法识别的年度“去年”（应为2022或2022年）",
        "第2行「满意度」：无法识别的满意度“很满意”（应为满意、基本满意或不满意）",
        "第2行「状态」：无法识别的状态“已归档”（应为已登记、已交办、办理中、处室审核中、审核中、待签发、已答复、已办结、已撤回之一）",
        "第2行「是否重点」：无法识别的“也许”（应为是或否）",
    ]


def test_year_out_of_range_uses_the_register_rule(cast):
    data = basic_file(basic_row(年度="1999年"))
    assert errors_of(cast, data) == ["第2行「年度」：年度“1999”无效"]


def test_empty_required_values(cast):
    data = basic_file(basic_row(编号="", 标题=" ", 领衔人=None))
    assert errors_of(cast, data) == [
        "第2行「编号」：不能为空",
        "第2行「标题」：不能为空",
        "第2行「领衔人」：不能为空",
    ]


def test_bad_mode_and_co_without_lead_agency(cast):
    data = basic_file(basic_row("1", 办理方式="督办"), basic_row("2", 办理方式="会办"))
    assert errors_of(cast, data) == [
        "第2行「办理方式」：无法识别的办理方式“督办”（应为主办、承办、分办或会办）",
        "第3行「主办单位」：会办件请填写主办单位",
    ]


def test_state_that_needs_a_draft_cannot_be_imported(cast):
    data = basic_file(basic_row(承办处室="医政医管处", 交办日期="2026-03-05", 状态="审核中"))
    assert errors_of(cast, data) == [
        "第2行「状态」：“审核中”的办件不能导入（答复稿须在系统中提交），可导入为“办理中”"
    ]


def test_closed_row_without_dates_and_class(cast):
    data = basic_file(basic_row(状态="已办结", 满意度="满意"))
    assert errors_of(cast, data) == [
        "第2行「承办处室」：状态为“已办结”的办件请填写承办处室",
        "第2行「交办日期」：状态为“已办结”的办件请填写交办日期",
        "第2行「答复日期」：状态为“已办结”的办件请填写答复日期",
        "第2行「答复类别」：请填写答复类别（A、B、C、D）",
    ]


def test_contradicting_state(cast):
    data = basic_file(
        basic_row("1", 状态="已登记", 承办处室="医政医管处"),
        basic_row(
            "2", 状态="办理中", 承办处室="医政医管处", 交办日期="2026-03-05", 答复日期="2026-04-01"
        ),
        basic_row(
            "3",
            状态="已答复",
            承办处室="医政医管处",
            交办日期="2026-03-05",
            答复日期="2026-04-01",
            答复类别="A",
            满意度="满意",
        ),
    )
    assert errors_of(cast, data) == [
        "第2行「承办处室」：状态为“已登记”的办件不应填写承办处室",
        "第3行「答复日期」：状态为“办理中”的办件不应填写答复日期",
        "第4行「满意度」：状态为“已答复”的办件不应填写满意度",
    ]


def test_dates_out_of_order_or_in_the_future(cast):
    data = basic_file(
        basic_row("1", 承办处室="医政医管处", 交办日期="2027-01-05"),
        basic_row(
            "2", 承办处室="医政医管处", 交办日期="2026-03-05", 答复日期="2026-03-01", 答复类别="A"
        ),
        basic_row("3", 承办处室="医政医管处", 交办日期="2026-03-05", 办理期限="2026-03-05"),
    )
    assert errors_of(cast, data) == [
        "第2行「交办日期」：交办日期不能晚于今天",
        "第3行「答复日期」：答复日期不能早于交办日期",
        "第4行「办理期限」：办理期限须晚于交办日期",
    ]


def test_unit_rules_of_assign(cast):
    data = basic_file(
        basic_row("1", 承办处室="市发改委", 交办日期="2026-03-05"),
        basic_row("2", 承办处室="医政医管处", 协办处室="医政医管处", 交办日期="2026-03-05"),
        basic_row(
            "3", 承办处室="医政医管处", 协办处室="jiceng、基层卫生健康处", 交办日期="2026-03-05"
        ),
    )
    assert errors_of(cast, data) == [
        "第2行「承办处室」：市发改委不能作为主办处室",
        "第3行「协办处室」：协办处室不能与主办处室相同",
        "第4行「协办处室」：协办处室有重复",
    ]


def test_co_case_has_no_class_nor_rating(cast):
    data = basic_file(
        basic_row(
            办理方式="会办",
            主办单位="市教育局",
            承办处室="医政医管处",
            交办日期="2026-03-05",
            答复日期="2026-04-01",
            答复类别="A",
            满意度="满意",
        )
    )
    assert errors_of(cast, data) == [
        "第2行「答复类别」：会办意见不分答复类别",
        "第2行「满意度」：会办件由主办单位征询评价，不应填写满意度",
    ]


def test_too_long_values(cast):
    data = basic_file(basic_row(标题="长" * 301, 编号="9" * 41))
    assert errors_of(cast, data) == [
        "第2行「编号」：超过40字（41字）",
        "第2行「标题」：超过300字（301字）",
    ]


def test_errors_quote_the_header_as_written(cast):
    data = xlsx(
        table(
            ["类别", "级别", "年度", "建议号", "题目", "提案人", "承办单位"],
            {
                "类别": "代表建议",
                "级别": "市级",
                "年度": 2026,
                "建议号": "1",
                "题目": "关于……的建议",
                "提案人": "陈代表",
                "承办单位": "规划处",
            },
        )
    )
    assert errors_of(cast, data) == [
        "第2行「承办单位」：系统中没有单位“规划处”",
    ]


def test_ambiguous_match_without_issuer(cast):
    for issuer in ("市人大常委会代表工委", "市政府督查室"):
        register(cast, on=date(2026, 3, 2), number="5", issuer=issuer)
    data = basic_file(basic_row("5"))
    assert errors_of(cast, data) == [
        "第2行「交办机关」：系统中有多件编号“5”的同类办件（交办机关：市人大常委会代表工委、市政府督查室），请填写交办机关"
    ]


def test_history_handled_in_the_system_is_not_rewritten(cast):
    case = register(cast, on=date(2026, 3, 2), number="5", lead_proposer="陈代表")
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 5)
    )
    row = basic_row("5", 标题=case.title, 承办处室="基层卫生健康处", 交办日期="2026-03-05")
    assert errors_of(cast, basic_file(row)) == [
        "第2行「承办处室」：该件已在系统中办理（当前“已交办”），导入不能修改其承办处室；"
        "请在办件页面操作，或在表中保留系统中的值"
    ]


def test_nothing_is_written_when_any_row_is_wrong(cast):
    data = basic_file(basic_row("1"), basic_row("2", 答复类别="E"), basic_row("3"))
    plan = plan_import(data, "台账.xlsx", user=cast.coordinator)
    assert [r.status for r in plan.rows] == ["new", "error", "new"]
    assert plan.summary() == "共3行：新增2件，更新0件，无变化0件，错误1处（1行）"
    with pytest.raises(CaseError, match="导入文件有1处错误，未导入任何数据"):
        apply_import(plan, user=cast.coordinator, source_name="台账.xlsx")
    assert not Case.objects.exists()


def test_a_failure_while_writing_leaves_nothing(cast, monkeypatch):
    from cases.actions import importing

    data = basic_file(*(basic_row(str(n)) for n in range(1, 1200)))
    plan = plan_import(data, "台账.xlsx", user=cast.coordinator)
    calls = []

    def progress(done, total):
        calls.append((done, total))
        if done >= 1000:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        apply_import(plan, user=cast.coordinator, source_name="台账.xlsx", progress=progress)
    assert calls == [(500, 1199), (1000, 1199)]
    assert importing.CHUNK == 500
    assert not Case.objects.exists()
