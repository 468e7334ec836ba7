"""The demo's lists (cases.demo.load_demo calls this): seed 004's 履职测评问题清单 reported
to the NPC standing committee, and seed 003's 形式主义官僚主义专项整治 project list with its
quantitative targets — items in every stage: measures not started, reporting, behind,
overdue, submitted for 销号, struck off, an item struck off and one that came back."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile

from huiyin.types import User
from lists import actions, measures
from lists.actions import Indicator, ItemIn, MeasureIn
from lists.models import RectList
from orgs.models import Unit
from workdays.calendar import workdays_after

# title, category, lead unit, co-units, leader, weeks to the deadline, indicator, measures
# (text, unit, weeks), stage
Row = tuple[Any, ...]
EVALUATION: list[Row] = [
    ("部分医疗机构就医排队时间长、预约诊疗覆盖不足", "医疗服务质量", "yizheng", ["guihua"], "李建国", 20,
     None, [("推行分时段预约诊疗，二级以上医院预约时段精确到30分钟", "yizheng", 8),
            ("建设全市统一预约挂号平台", "guihua", 16)], "progress"),
    ("急救电话接听不及时，急救反应时间偏长", "医疗服务质量", "yizheng", [], "李建国", 24,
     Indicator("急救电话10秒接听率", "%", Decimal("61"), Decimal("99"), Decimal("93.5")),
     [("增加120调度席位和调度员", "yizheng", 6), ("优化急救站点布局", "guihua", 20)], "behind"),
    ("基层医疗卫生机构人才短缺、服务能力不强", "公共卫生服务", "jiceng", ["renshi"], "李建国", 30,
     None, [("实施基层卫生人才定向培养计划", "renshi", 12), ("开展基层医务人员全员轮训", "jiceng", 10),
            ("推进县域医共体建设", "jiceng", 26)], "struck"),
    ("家庭医生签约服务质量不高", "公共卫生服务", "jiceng", [], "李建国", 4,
     None, [("修订家庭医生签约服务考核办法", "jiceng", 3)], "overdue"),
    ("健康扶贫政策落实存在薄弱环节", "健康扶贫", "jiceng", ["yizheng"], "李建国", 16,
     None, [("建立因病致贫返贫动态监测机制", "jiceng", 6), ("落实先诊疗后付费政策", "yizheng", 8)], "submitted"),
    ("领导班子调查研究不够深入", "履职能力", "renshi", [], "李建国", 12,
     None, [("委领导每季度到基层蹲点调研不少于1次", "renshi", 10)], "closed"),
]  # fmt: skip
SPECIAL: list[Row] = [
    ("文山会海问题：发文和会议数量偏多", "形式主义", "renshi", [], "李建国", 26,
     Indicator("发文量比2018年减少", "%", Decimal("0"), Decimal("30"), Decimal("22")),
     [("严格发文审核，控制发文数量", "renshi", 20), ("合并同类会议，推行视频会议", "renshi", 20)], "progress"),
    ("急救反应时间偏长", "不作为不担当", "yizheng", [], "李建国", 26,
     Indicator("急救平均反应时间", "分钟", Decimal("16"), Decimal("13.6"), Decimal("14.2"), "down"),
     [("推行急救分级调度", "yizheng", 12), ("建设急救车辆定位平台", "guihua", 22)], "progress"),
    ("督查检查考核过多过频", "形式主义", "renshi", [], "李建国", 8,
     None, [("制定年度督查检查考核计划，统筹压减数量", "renshi", 6)], "reopened"),
]  # fmt: skip


def _evidence(name: str) -> ContentFile[bytes]:
    return ContentFile(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", name=name)


def _load(
    rect_list: RectList,
    rows: list[Row],
    units: dict[str, Unit],
    people: dict[str, User],
    start: date,
    now: date,
) -> int:
    office = people["coordinator"]
    heads = {code: people.get(code, office) for code in units}
    for title, category, lead, co, leader, weeks, indicator, steps, stage in rows:
        item = actions.add_item(
            rect_list,
            ItemIn(
                title=title, lead_unit=units[lead], co_units=[units[c] for c in co],
                deadline=start + timedelta(weeks=weeks), category=category, leader_name=leader,
                leader=people.get("leader"), indicator=indicator or Indicator(),
                measures=[MeasureIn(text, units[u], start + timedelta(weeks=w)) for text, u, w in steps],
                source="市人大常委会履职测评问卷调查和座谈会反映" if rect_list.reports_to else "",
            ),
            by=office, on=start,
        )  # fmt: skip
        if stage in ("overdue",):
            continue
        rows_ = list(item.list_item.measures.order_by("seq"))
        report_on = min(workdays_after(start, 5).date, now)
        for m in rows_:
            percent = 20 if stage == "behind" else 60
            measures.report_progress(item, by=heads[m.unit.code], measure_id=m.pk, on=report_on,
                                     text="已制定工作方案并召开推进会，正在落实。", percent=percent)  # fmt: skip
        if indicator is not None:
            measures.report_progress(item, by=heads[lead], text="指标当前值已更新。",
                                     value=indicator.current, on=report_on)  # fmt: skip
        if stage in ("progress", "behind"):
            continue
        done_on = min(workdays_after(report_on, 5).date, now)
        for m in rows_:
            head = heads[m.unit.code]
            measures.attach_evidence(item, by=head, upload=_evidence(f"举措{m.seq}佐证材料.pdf"),
                                     measure_id=m.pk)  # fmt: skip
            measures.submit_measure(item, by=head, measure_id=m.pk, note="已完成。", on=done_on)
            if stage != "submitted":
                measures.review_measure(item, by=office, measure_id=m.pk, approved=True, on=done_on)
        if stage in ("submitted", "struck"):
            continue
        actions.request_strike_off(item, by=heads[lead], note="整改任务全部完成。", on=done_on)
        actions.strike_off(item, by=office, approved=True, on=done_on)
        if stage == "reopened":
            actions.reopen(item, by=office, reason="回头看发现督查检查数量又有反弹。",
                           on=min(workdays_after(done_on, 3).date, now))  # fmt: skip
    return len(rows)


def load_list_demo(units: dict[str, Unit], people: dict[str, User], now: date) -> int:
    office = people["coordinator"]
    start = workdays_after(now - timedelta(weeks=10), 0).date
    evaluation = actions.create_list(
        by=office, name=f"{start.year}年市人大常委会履职测评问题清单", starts_on=start,
        origin="市人大常委会对市卫生健康委履职测评", reports_to="市人大常委会",
        description="建立问题清单，明确整改责任和整改时限，做到即知即改、立行立改。",
    )  # fmt: skip
    special = actions.create_list(
        by=office, name="形式主义官僚主义专项整治项目清单", starts_on=start, kind="projects",
        origin="委党委专项治理工作方案", reports_to="委党委",
        description="实行项目制、清单化、指标化管理，挂图作战、销号管理。",
    )  # fmt: skip
    made = _load(evaluation, EVALUATION, units, people, start, now)
    made += _load(special, SPECIAL, units, people, start, now)
    return made
