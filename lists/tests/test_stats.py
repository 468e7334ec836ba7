"""The figures of a list (lists.stats) on a hand-made list of 5 items and 9 measures, built
through the actions with frozen dates; every number worked out by hand below. Also the
command `huiyin stats --list ID [--json]`.

The list (starts 2026-03-02), as of 2026-07-15:
1 医政 leads, deadline 06-30, 医疗服务质量: m1 医政 (04-30), m2 基层 (06-30) struck off
  05-20; 申请销号 05-29, struck off 06-01 — on time.
2 基层 leads, deadline 04-30, 公共卫生服务: m3 基层 (04-30) submitted 05-10, struck off 05-12;
  申请销号 05-15, struck off 05-18 — late.
3 医政 leads, deadline 09-30, 医疗服务质量: m4 医政, m5 中医 (06-30) struck off 06-10;
  申请销号 06-12, refused 06-15, asked again 07-10 — 待销号, on time.
4 中医 leads, deadline 06-30, 健康扶贫: m6 中医 (05-31) reported 50% 05-10 and 60% 07-06,
  m7 医政 (06-30) not started — overdue, both measures overdue.
5 医政 leads, deadline 05-31, 公共卫生服务: m8 医政, m9 基层 (05-31) struck off 05-20;
  申请销号 05-22, struck off 05-25, reopened 06-10 with the deadline 08-31 — 整改中.
"""

from __future__ import annotations

import io
import json
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lists import actions, measures
from lists.actions import MeasureIn
from lists.models import Item
from lists.stats import list_figures, rate
from lists.tests.factories import make_item, make_list, pdf
from reminders.tests.conftest import frozen

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 7, 15)


def _ms(case: Any) -> list[Any]:
    return list(Item.objects.get(pk=case.pk).measures.order_by("seq"))


def _done(cast: Any, case: Any, measure: Any, by: Any, on: date) -> None:
    """Evidence, 申请销号 and 销号 of one measure on `on`."""
    with frozen(on):
        measures.attach_evidence(
            case, by=by, upload=pdf(f"佐证{measure.pk}.pdf"), measure_id=measure.pk
        )
        measures.submit_measure(case, by=by, measure_id=measure.pk)
        measures.review_measure(case, by=cast.coordinator, measure_id=measure.pk, approved=True)


def _submit(case: Any, by: Any, measure: Any, on: date) -> None:
    with frozen(on):
        measures.attach_evidence(
            case, by=by, upload=pdf(f"佐证{measure.pk}.pdf"), measure_id=measure.pk
        )
        measures.submit_measure(case, by=by, measure_id=measure.pk)


def build(cast: Any) -> SimpleNamespace:
    rect_list = make_list(cast)
    d = date
    one = make_item(
        cast, rect_list, title="急救电话接听不及时", deadline=d(2026, 6, 30),
        category="医疗服务质量",
        measures=[MeasureIn("制定急救调度改造方案", cast.yizheng, d(2026, 4, 30)),
                  MeasureIn("增加调度席位和人员", cast.jiceng, d(2026, 6, 30))],
    )  # fmt: skip
    two = make_item(
        cast, rect_list, title="基层公共卫生服务不到位", lead_unit=cast.jiceng,
        deadline=d(2026, 4, 30), category="公共卫生服务",
        measures=[MeasureIn("开展公共卫生服务督导", cast.jiceng, d(2026, 4, 30))],
    )  # fmt: skip
    three = make_item(
        cast, rect_list, title="医疗服务投诉处理慢", deadline=d(2026, 9, 30),
        category="医疗服务质量",
        measures=[MeasureIn("建立投诉限时办结制度", cast.yizheng, d(2026, 6, 30)),
                  MeasureIn("中医医院投诉专项整治", cast.zhongyi, d(2026, 6, 30))],
    )  # fmt: skip
    four = make_item(
        cast, rect_list, title="健康扶贫政策落实不到位", lead_unit=cast.zhongyi,
        deadline=d(2026, 6, 30), category="健康扶贫",
        measures=[MeasureIn("开展中医药健康扶贫", cast.zhongyi, d(2026, 5, 31)),
                  MeasureIn("组织医疗队下乡", cast.yizheng, d(2026, 6, 30))],
    )  # fmt: skip
    five = make_item(
        cast, rect_list, title="家庭医生签约服务质量不高", deadline=d(2026, 5, 31),
        category="公共卫生服务",
        measures=[MeasureIn("修订签约服务规范", cast.yizheng, d(2026, 5, 31)),
                  MeasureIn("开展签约服务考核", cast.jiceng, d(2026, 5, 31))],
    )  # fmt: skip
    m1, m2 = _ms(one)
    (m3,) = _ms(two)
    m4, m5 = _ms(three)
    m6, m7 = _ms(four)
    m8, m9 = _ms(five)
    with frozen(d(2026, 4, 15)):
        measures.report_progress(one, by=cast.yizheng_head, measure_id=m1.pk, text="方案初稿", percent=50)  # fmt: skip
    # 2: late.
    _submit(two, cast.jiceng_head, m3, d(2026, 5, 10))
    with frozen(d(2026, 5, 10)):
        measures.report_progress(four, by=cast.zhongyi_head, measure_id=m6.pk, text="已走访3个县", percent=50)  # fmt: skip
    with frozen(d(2026, 5, 12)):
        measures.review_measure(two, by=cast.coordinator, measure_id=m3.pk, approved=True)
    with frozen(d(2026, 5, 15)):
        actions.request_strike_off(two, by=cast.jiceng_head, note="整改完成")
    with frozen(d(2026, 5, 18)):
        actions.strike_off(two, by=cast.coordinator, approved=True)
    # 1 and 5: their measures on 05-20.
    _done(cast, one, m1, cast.yizheng_head, d(2026, 5, 20))
    _done(cast, one, m2, cast.jiceng_head, d(2026, 5, 20))
    _done(cast, five, m8, cast.yizheng_head, d(2026, 5, 20))
    _done(cast, five, m9, cast.jiceng_head, d(2026, 5, 20))
    with frozen(d(2026, 5, 22)):
        actions.request_strike_off(five, by=cast.yizheng_head, note="整改完成")
    with frozen(d(2026, 5, 25)):
        actions.strike_off(five, by=cast.coordinator, approved=True)
    with frozen(d(2026, 5, 29)):
        actions.request_strike_off(one, by=cast.yizheng_head, note="整改完成")
    with frozen(d(2026, 6, 1)):
        actions.strike_off(one, by=cast.coordinator, approved=True)
    # 3: refused, then asked again.
    _done(cast, three, m4, cast.yizheng_head, d(2026, 6, 10))
    _done(cast, three, m5, cast.zhongyi_head, d(2026, 6, 10))
    with frozen(d(2026, 6, 10)):
        actions.reopen(
            five, by=cast.coordinator, reason="群众反映问题反弹", deadline=d(2026, 8, 31)
        )
    with frozen(d(2026, 6, 12)):
        actions.request_strike_off(three, by=cast.yizheng_head, note="整改完成")
    with frozen(d(2026, 6, 15)):
        actions.strike_off(three, by=cast.coordinator, approved=False, comment="佐证材料不足")
    with frozen(d(2026, 7, 6)):
        measures.report_progress(four, by=cast.zhongyi_head, measure_id=m6.pk, text="已走访5个县", percent=60)  # fmt: skip
    with frozen(d(2026, 7, 10)):
        actions.request_strike_off(three, by=cast.yizheng_head, note="补充材料后再次申请")
    return SimpleNamespace(
        list=rect_list, items=[one, two, three, four, five],
        m=[m1, m2, m3, m4, m5, m6, m7, m8, m9],
    )  # fmt: skip


@pytest.fixture
def handmade(cast: Any) -> SimpleNamespace:
    return build(cast)


def test_every_figure_on_the_hand_made_list(cast, handmade):
    f = list_figures(handmade.list, AS_OF)
    assert f["as_of"] == AS_OF
    assert (f["items"], f["measures"]) == (5, 9)
    assert f["items_finished"] == 3  # 1 and 2 struck off, 3 待销号
    assert f["items_on_time"] == 2  # 1 (05-29 ≤ 06-30) and 3 (07-10 ≤ 09-30); 2 was late
    assert f["items_struck_off"] == 2
    assert f["items_submitted"] == 1
    assert f["items_in_progress"] == 2  # 4, and 5 reopened
    assert f["items_overdue"] == 1  # 4; 5's deadline moved to 08-31
    assert f["measures_struck_off"] == 7  # all but m6, m7
    assert f["measures_submitted"] == 0
    assert f["measures_overdue"] == 2  # m6 (05-31), m7 (06-30)
    assert f["completion_rate"] == 0.6
    assert f["on_time_rate"] == 0.6667
    assert f["strike_off_rate"] == 0.4

    units = f["by_unit"]
    assert list(units) == ["jiceng", "yizheng", "zhongyi"]  # the units' order (code)
    yz, jc, zy = units["yizheng"], units["jiceng"], units["zhongyi"]
    assert yz["name"] == "医政医管处"
    # 医政 leads 1, 3, 5: 1 and 3 finished on time, 1 struck off.
    assert (yz["items"], yz["items_finished"], yz["struck_off"], yz["overdue"]) == (3, 2, 1, 0)
    assert (yz["completion_rate"], yz["on_time_rate"], yz["strike_off_rate"]) == (
        0.6667, 1.0, 0.3333,
    )  # fmt: skip
    assert (jc["items"], jc["items_finished"], jc["struck_off"], jc["overdue"]) == (1, 1, 1, 0)
    assert (jc["completion_rate"], jc["on_time_rate"]) == (1.0, 0.0)
    assert (zy["items"], zy["items_finished"], zy["struck_off"], zy["overdue"]) == (1, 0, 0, 1)
    assert (zy["completion_rate"], zy["on_time_rate"], zy["strike_off_rate"]) == (0.0, None, 0.0)
    # Measures by owner unit: 医政 m1 m4 m7 m8, 基层 m2 m3 m9, 中医 m5 m6.
    assert (yz["measures"], yz["measures_struck_off"], yz["measures_overdue"]) == (4, 3, 1)
    assert (jc["measures"], jc["measures_struck_off"], jc["measures_overdue"]) == (3, 3, 0)
    assert (zy["measures"], zy["measures_struck_off"], zy["measures_overdue"]) == (2, 1, 1)

    cats = f["by_category"]
    assert list(cats) == ["医疗服务质量", "公共卫生服务", "健康扶贫"]  # by first item
    assert (cats["医疗服务质量"]["items"], cats["医疗服务质量"]["items_finished"]) == (2, 2)
    assert (cats["公共卫生服务"]["items"], cats["公共卫生服务"]["items_struck_off"]) == (2, 1)
    assert cats["健康扶贫"]["items_overdue"] == 1


def test_figures_on_a_day_in_the_past(cast, handmade):
    f = list_figures(handmade.list, date(2026, 5, 20))
    # Only 2 was finished (05-15) and struck off (05-18) by then; 1 asked on 05-29.
    assert (f["items_finished"], f["items_struck_off"], f["items_overdue"]) == (1, 1, 0)
    assert f["on_time_rate"] == 0.0
    # m1 m2 m8 m9 struck off on 05-20 itself, m3 on 05-12; m4 m5 not until 06-10.
    assert f["measures_struck_off"] == 5
    assert f["measures_overdue"] == 0  # m1 and m3 were late but done by then
    before = list_figures(handmade.list, date(2026, 6, 30))
    assert before["items_overdue"] == 0  # 4's deadline is 06-30 itself
    after = list_figures(handmade.list, date(2026, 7, 1))
    assert after["items_overdue"] == 1


def test_rates_are_null_without_a_denominator(cast):
    rect_list = make_list(cast)
    f = list_figures(rect_list, AS_OF)
    assert f["items"] == 0 and f["by_unit"] == {} and f["by_category"] == {}
    for key in ("completion_rate", "on_time_rate", "strike_off_rate"):
        assert f[key] is None
    make_item(cast, rect_list)
    f = list_figures(rect_list, AS_OF)
    assert f["completion_rate"] == 0.0 and f["on_time_rate"] is None
    assert rate(2, 3) == 0.6667 and rate(0, 0) is None


def test_a_unit_sees_the_figures_of_its_own_items(cast, handmade):
    # 基层 holds 1 (m2), 2 (lead) and 5 (m9).
    f = list_figures(handmade.list, AS_OF, user=cast.jiceng_head)
    assert f["scoped"] is True
    assert (f["items"], f["measures"], f["items_struck_off"]) == (3, 5, 2)
    assert list_figures(handmade.list, AS_OF, user=cast.leader)["items"] == 5


def test_a_fixed_number_of_queries(cast, handmade, django_assert_max_num_queries):
    with django_assert_max_num_queries(4) as small:
        list_figures(handmade.list, AS_OF, user=cast.jiceng_head)
    for n in range(6):
        make_item(cast, handmade.list, title=f"事项{n}", lead_unit=cast.zhongyi)
    with django_assert_max_num_queries(len(small.captured_queries)):
        f = list_figures(handmade.list, AS_OF, user=cast.jiceng_head)
    assert f["items"] == 9  # the 6 new items each have a 基层 measure


# ── the command ──────────────────────────────────────────────────────────────────────────

KEYS = {
    "items", "measures", "items_struck_off", "measures_struck_off", "items_overdue",
    "measures_overdue", "items_submitted", "completion_rate", "on_time_rate",
    "strike_off_rate", "by_unit", "by_category",
}  # fmt: skip


def test_the_command_prints_the_figures_as_json(cast, handmade):
    out = io.StringIO()
    with frozen(AS_OF):
        call_command("stats", "--list", str(handmade.list.pk), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert KEYS <= set(data)
    assert data["as_of"] == "2026-07-15"
    assert (data["items"], data["completion_rate"], data["on_time_rate"]) == (5, 0.6, 0.6667)
    assert data["by_unit"]["zhongyi"]["on_time_rate"] is None
    assert set(data["by_unit"]["yizheng"]) >= {
        "name", "items", "struck_off", "overdue", "completion_rate", "on_time_rate", "measures",
    }  # fmt: skip


def test_the_command_as_a_table(cast, handmade):
    out = io.StringIO()
    with frozen(AS_OF):
        call_command("stats", "--list", str(handmade.list.pk), stdout=out)
    text = out.getvalue()
    assert "整改完成率    60.0%" in text and "按期整改率    66.7%" in text
    assert "销号率        40.0%" in text and "医政医管处" in text


def test_the_command_refuses_an_unknown_list_and_other_options(cast, capsys):
    with pytest.raises(CommandError, match="没有编号为 999999 的清单"):
        call_command("stats", "--list", "999999", "--json")
    with pytest.raises(CommandError, match="--list"):
        call_command("stats", "--list", "1", "--verify")
    with pytest.raises(CommandError, match="--list"):
        call_command("stats", "--list", "1", "--category", "supervision")
    from reports.management.commands.stats import Command

    with pytest.raises(SystemExit) as exit_:
        Command().run_from_argv(["huiyin", "stats", "--list", "999999", "--json"])
    assert exit_.value.code == 1
    assert "没有编号为 999999 的清单" in capsys.readouterr().err
