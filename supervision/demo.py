"""The demo's supervision items (cases.demo.load_demo calls this): seed 003's kinds of
督办件 — a leader's instruction, a meeting's decision, the city's supervision, a public
concern — in every stage: to assign, red and late, behind its milestone, reporting
progress, to check, to rate, closed with each timing, one put under supervision from a
议提案."""

from datetime import date, timedelta

from cases.actions import accept_case
from cases.models import Case
from huiyin.types import User
from orgs.models import Unit
from supervision import actions
from workdays.calendar import is_workday, workdays_after

ITEMS = [
    # title, source, urgency, unit, stage, instruction
    ("急救电话10秒接听率提升至99%以上", "leader_instruction", "red", "yizheng", "late", "请医政医管处牵头，限期整改到位。"),
    ("急救反应时间缩短至13分钟以内", "meeting", "yellow", "yizheng", "behind", ""),
    ("精简会议文件，发文量比上年减少30%", "superior_decision", "green", "renshi", "progress", ""),
    ("基层医疗机构药品配备情况专项督查", "office_supervision", "blue", "jiceng", "check", "市政府办公厅督查事项，请按时报送。"),
    ("解决群众反映的社区卫生服务中心排队问题", "public_concern", "yellow", "jiceng", "rate", ""),
    ("落实家庭医生签约服务考核", "meeting", "blue", "jiceng", "closed_early", ""),
    ("推进医疗机构信息系统互联互通", "superior_instruction", "green", "guihua", "closed_late", ""),
    ("开展医疗卫生行风专项整治", "leader_instruction", "blue", "renshi", "registered", "请人事处会同相关处室制定方案。"),
]  # fmt: skip


def _back(now: date, workdays: int) -> date:
    day = now
    for _ in range(workdays):
        day -= timedelta(days=1)
        while not is_workday(day):
            day -= timedelta(days=1)
    return day


def load_supervision_demo(
    units: dict[str, Unit], people: dict[str, User], now: date, proposal: Case | None
) -> int:
    office, leader = people["coordinator"], people["leader"]
    made = 0
    for title, source, urgency, unit_code, stage, instruction in ITEMS:
        start = _back(
            now, {"late": 8, "behind": 4, "closed_late": 40, "closed_early": 30}.get(stage, 6)
        )
        case = actions.register_supervision(
            by=office, source=source, urgency=urgency, title=title, received_on=start,
            instruction=instruction, document_number=f"督办〔{start.year}〕{made + 1}号",
        )  # fmt: skip
        made += 1
        if stage == "registered":
            continue
        milestones = [("制定工作方案", workdays_after(start, 2).date)] if stage == "behind" else []
        actions.assign(case, by=office, lead_unit=units[unit_code], leader_in_charge=leader,
                       assigned_on=start, milestones=milestones)  # fmt: skip
        head = people.get(unit_code, office)
        accept_case(case, by=head, on=start)
        case.refresh_from_db()
        if stage in ("late", "behind"):
            continue
        actions.report_progress(case, by=head, text="已召开专题会议部署，正在推进。", percent=50,
                                on=min(workdays_after(start, 1).date, now))  # fmt: skip
        if stage == "progress":
            continue
        assert case.deadline is not None
        done = {
            "closed_early": _back(case.deadline, 4),
            "closed_late": workdays_after(case.deadline, 2).date,
        }
        completed = min(done.get(stage, min(case.deadline, now)), now)
        actions.submit_completion(case, by=head, report="已按要求完成，详见附件。", on=completed)
        if stage == "check":
            continue
        actions.check_completion(case, by=office, approved=True, on=completed)
        if stage == "rate":
            continue
        actions.rate(case, by=leader, quality="excellent" if stage == "closed_early" else "fair",
                     on=completed)  # fmt: skip
    if proposal is not None:
        actions.supervise(proposal, by=office, urgency="yellow", instruction="列入委重点督办事项。")
        made += 1
    return made
