"""Demo data: a small commission and about 60 cases of the current year in every state,
made by calling the actions (so the demo's history is one the system could have written)."""

import random
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from audit.record import today
from cases import actions
from cases.models import Case
from huiyin.types import User
from letters.actions import configure_organisation
from letters.models import LetterKind
from notify.actions import set_preference
from orgs.actions import create_unit, create_user
from orgs.models import Role, Unit, UnitKind
from workdays.calendar import is_workday, workdays_after
from workflow.vocabulary import Action as A
from workflow.vocabulary import State as S

DEMO_PASSWORD = "huiyin-demo"
# Addresses nobody receives mail at (a real SMTP server under `make run` will bounce them).
DEMO_MAIL_DOMAIN = "demo.huiyin.local"

# The demo's commission (invented): its letters read 江卫函〔2026〕1号 and so on.
DEMO_COMMISSION = "江城市卫生健康委员会"
DEMO_CODES = {LetterKind.REPLY.value: "江卫函"}
DEMO_COPY_TO = {
    "npc_suggestion": ["江城市人大常委会代表工作委员会", "江城市人民政府督查室"],
    "cppcc_proposal": ["政协江城市委员会提案委员会", "江城市人民政府督查室"],
    "co": [],
}

UNITS = [
    ("bangongshi", "办公室", UnitKind.OFFICE),
    ("yizheng", "医政医管处", UnitKind.DEPARTMENT),
    ("jiceng", "基层卫生健康处", UnitKind.DEPARTMENT),
    ("zhongyi", "中医药管理处", UnitKind.DEPARTMENT),
    ("jikong", "疾病预防控制处", UnitKind.DEPARTMENT),
    ("fuyou", "妇幼健康处", UnitKind.DEPARTMENT),
    ("laoling", "老龄健康处", UnitKind.DEPARTMENT),
    ("guihua", "规划发展与信息化处", UnitKind.DEPARTMENT),
    ("renshi", "人事处", UnitKind.DEPARTMENT),
    ("shiyiyuan", "市第一人民医院", UnitKind.AFFILIATED),
    ("dongqu", "东城区卫生健康局", UnitKind.COUNTY),
    ("fagaiwei", "市发展和改革委员会", UnitKind.EXTERNAL),
    ("jiaoyuju", "市教育局", UnitKind.EXTERNAL),
    ("yibaoju", "市医疗保障局", UnitKind.EXTERNAL),
]

# username, full name, unit code, role
PEOPLE = [
    # 三权分立 (issue 16): three administrators, three people.
    ("admin", "系统管理员", "bangongshi", Role.ADMIN),
    ("security", "安全管理员", "bangongshi", Role.SECURITY),
    ("auditor", "审计管理员", "bangongshi", Role.AUDITOR),
    ("coordinator", "王晓梅", "bangongshi", Role.COORDINATOR),
    ("leader", "李建国", "bangongshi", Role.LEADER),
    ("viewer", "陈静", "bangongshi", Role.VIEWER),
    ("yizheng", "张伟", "yizheng", Role.HEAD),
    ("jiceng", "刘洋", "jiceng", Role.HEAD),
    ("zhongyi", "赵敏", "zhongyi", Role.HEAD),
    ("yizheng_staff", "孙丽", "yizheng", Role.HANDLER),
    ("jiceng_staff", "周强", "jiceng", Role.HANDLER),
    ("zhongyi_staff", "吴芳", "zhongyi", Role.HANDLER),
    ("jikong", "钱海", "jikong", Role.HEAD),
    ("fuyou", "孙红", "fuyou", Role.HEAD),
    ("laoling", "朱文", "laoling", Role.HEAD),
    ("guihua", "胡斌", "guihua", Role.HEAD),
    ("renshi", "马丽", "renshi", Role.HEAD),
]

SUBJECTS = [
    ("关于加强基层医疗卫生人才队伍建设的建议", "基层卫生", "jiceng"),
    ("关于推进紧密型县域医共体建设的建议", "基层卫生", "jiceng"),
    ("关于完善乡村医生养老保障的提案", "基层卫生", "jiceng"),
    ("关于提升社区卫生服务中心诊疗能力的建议", "基层卫生", "jiceng"),
    ("关于健全乡村医疗卫生体系的提案", "基层卫生", "jiceng"),
    ("关于优化门诊预约挂号流程的建议", "医疗服务", "yizheng"),
    ("关于推进检查检验结果互认的提案", "医疗服务", "yizheng"),
    ("关于加强急诊急救体系建设的建议", "医疗服务", "yizheng"),
    ("关于推动优质医疗资源扩容下沉的提案", "医疗服务", "yizheng"),
    ("关于改善住院患者陪护服务的建议", "医疗服务", "yizheng"),
    ("关于加快国家区域医疗中心建设的提案", "医疗服务", "yizheng"),
    ("关于规范互联网医院管理的建议", "医疗服务", "yizheng"),
    ("关于促进中医药传承创新发展的提案", "中医药", "zhongyi"),
    ("关于建设智慧共享中药房的建议", "中医药", "zhongyi"),
    ("关于支持中医医院制剂研发的提案", "中医药", "zhongyi"),
    ("关于推广中医适宜技术进基层的建议", "中医药", "zhongyi"),
    ("关于加强心理健康服务体系建设的提案", "心理健康", "jikong"),
    ("关于做好重大传染病防控的建议", "疾病防控", "jikong"),
    ("关于推进慢性病综合防控的提案", "疾病防控", "jikong"),
    ("关于发展普惠托育服务的建议", "托育服务", "fuyou"),
    ("关于完善0-3岁婴幼儿照护体系的建议", "托育服务", "fuyou"),
    ("关于加强出生缺陷综合防治的提案", "妇幼健康", "fuyou"),
    ("关于推进医养结合发展的建议", "医养结合", "laoling"),
    ("关于加强老年友善医疗机构建设的提案", "医养结合", "laoling"),
    ("关于推进全民健康信息平台建设的建议", "数字化建设", "guihua"),
    ("关于推广电子健康卡应用的提案", "数字化建设", "guihua"),
    ("关于引进培养高层次卫生人才的建议", "人才队伍", "renshi"),
    ("关于提高基层医务人员薪酬待遇的提案", "人才队伍", "renshi"),
]

PEOPLE_NAMES = [
    "陈光明",
    "邵建波",
    "林海燕",
    "黄志强",
    "杨柳",
    "郑红梅",
    "何文斌",
    "罗晓东",
    "高峰",
    "梁秀英",
    "宋卫国",
    "谢丽华",
    "韩冰",
    "唐志远",
    "冯雪",
]
COLLECTIVES = ["农工党市委会", "民盟市委会", "九三学社市委会", "医药卫生界", "市政协教科卫体委员会"]

# Target state → how many steps of the walk below to take.
PLAN = (
    [S.REGISTERED] * 5
    + [S.ASSIGNED] * 5
    + [S.HANDLING] * 12
    + [S.UNIT_APPROVING] * 3
    + [S.REVIEWING] * 4
    + [S.SIGNING] * 4
    + [S.REPLIED] * 6
    + [S.CLOSED] * 17
    + [S.WITHDRAWN] * 2
    + ["rehandling"] * 2
)
STEPS = [
    A.ASSIGN,
    A.ACCEPT,
    A.COMMUNICATE,
    A.SUBMIT_REPLY,
    A.APPROVE_REPLY,
    A.REVIEW,
    A.SIGN,
    A.RECORD_FEEDBACK,
]
# Handling cases given an upstream 办理期限 this many working days from today, so that the
# reminders fall due today (5 and 1 working days before, on the day) and pages show 即将到期.
DUE_SOON = {14: 0, 15: 1, 18: 5, 19: 3}
# 催办 sent today: (case index, by the coordinator or the lead unit's head, note, a new target
# date this many working days from today).
DEMO_URGES = [
    (12, "coordinator", "此件已超过答复期限，请于三个工作日内报送答复稿。", None),
    (18, "coordinator", "请抓紧与代表沟通，按新的目标日期报送答复稿。", 2),
    (15, "head", "明日到期，请今天完成答复稿并报处室审核。", None),
]
STOP_AFTER = {
    S.REGISTERED: 0,
    S.ASSIGNED: 1,
    S.HANDLING: 3,
    S.UNIT_APPROVING: 4,
    S.REVIEWING: 5,
    S.SIGNING: 6,
    S.REPLIED: 7,
    S.CLOSED: 8,
    "rehandling": 8,
}


def demo_is_loaded() -> bool:
    return Case.objects.exists()


@transaction.atomic
def load_demo() -> dict[str, Any]:
    rng = random.Random(20260301)
    configure_organisation(
        by=None,
        name=DEMO_COMMISSION,
        codes=DEMO_CODES,
        copy_to=DEMO_COPY_TO,
        contact="王晓梅",
        phone="0571-87000000",
    )
    units = {
        code: create_unit(by=None, code=code, name=name, kind=kind, sort_order=i)
        for i, (code, name, kind) in enumerate(UNITS)
    }
    people: dict[str, User] = {}
    for username, full_name, unit_code, role in PEOPLE:
        people[username] = create_user(
            by=None,
            username=username,
            password=DEMO_PASSWORD,
            full_name=full_name,
            email=f"{username}@{DEMO_MAIL_DOMAIN}",
            roles=[(units[unit_code], role)],
            check_password=False,
        )
        set_preference(people[username], email=True, digest=False)
    now = today()
    made = [_demo_case(i, target, rng, units, people, now) for i, target in enumerate(PLAN)]
    for index, sender, note, target_in in DEMO_URGES:
        case = made[index]
        by = people["coordinator"] if sender == "coordinator" else _head_of(case, people)
        target_on = workdays_after(now, target_in).date if target_in is not None else None
        actions.urge_case(case, by=by, note=note, target_on=target_on)
    from opinions.demo import load_opinion_demo  # the opinions are a category of cases

    opinions = load_opinion_demo(units, people, now)
    from supervision.demo import load_supervision_demo

    open_proposal = next((c for c in made if c.state == S.HANDLING), None)
    supervised = load_supervision_demo(units, people, now, open_proposal)
    from lists.demo import load_list_demo  # list items are a category of cases

    listed = load_list_demo(units, people, now)
    from portal.demo import load_proposer_side_demo  # 回头看, 公开, 并案, a proposer's link

    proposer_side = load_proposer_side_demo(units, people, now, made)
    reminded = _morning_run(now)
    return {
        "units": len(units),
        "users": len(people),
        "cases": Case.objects.count(),
        "opinions": opinions,
        "supervision": supervised,
        "list_items": listed,
        "proposer_side": proposer_side,
        "reminders": reminded,
    }


def _head_of(case: Case, people: dict[str, User]) -> User:
    assert case.lead_unit is not None
    return people[case.lead_unit.code]


def _morning_run(day: date) -> Any:
    """The reminders of the latest working morning (reminders.run, the morning run of
    `huiyin remind`), so that the bell shows something also when the demo is loaded on a
    weekend or a holiday, when a real morning run sends nothing."""
    from reminders.run import morning_run  # reminders reads the cases this module writes

    while not is_workday(day):
        day -= timedelta(days=1)
    return morning_run(day)


def _demo_case(
    i: int,
    target: str,
    rng: random.Random,
    units: dict[str, Unit],
    people: dict[str, User],
    now: date,
) -> Case:
    title, topic, unit_code = SUBJECTS[i % len(SUBJECTS)]
    if target == S.UNIT_APPROVING:  # a handler's draft waits for the unit head
        title, topic, unit_code = SUBJECTS[(i % 3) * 7 + 1]
    is_npc = "建议" in title[-3:]
    category = "npc_suggestion" if is_npc else "cppcc_proposal"
    steps = STOP_AFTER.get(target, 0)
    span = 6 + steps * 12 + (40 if target in (S.CLOSED, "rehandling") else 0)
    if target == S.HANDLING and i % 4 == 0:
        span += 100  # overdue: assigned more than three months ago
    received = now - timedelta(days=span + rng.randint(0, 20))
    level = "provincial" if i % 11 == 0 else "municipal"
    lead = rng.choice(COLLECTIVES) if (not is_npc and i % 4 == 0) else rng.choice(PEOPLE_NAMES)
    mode = (
        "co"
        if i % 9 == 4 and target != "rehandling"
        else rng.choice(["lead", "lead", "lead", "undertake", "split"])
    )
    coordinator, leader = people["coordinator"], people["leader"]
    case = actions.register_case(
        by=coordinator,
        category=category,
        level=level,
        year=now.year,
        session="市十五届人大五次会议" if is_npc else "市政协十四届五次会议",
        issuer="市人大常委会代表工委" if is_npc else "市政协提案委",
        number=f"{now.year}{i + 1:04d}",
        title=title,
        content=f"{title[2:-3]}事关群众切身利益。建议：一是加大投入；二是完善机制；三是强化考核。",
        lead_proposer=lead,
        joint_proposers=rng.sample(PEOPLE_NAMES, k=rng.randint(0, 3)),
        mode=mode,
        external_lead="市发展和改革委员会" if mode == "co" else "",
        topics=[topic],
        led_by="市人大常委会副主任" if i == 7 else "",
        is_key=i % 7 == 0,
        received_on=received,
    )
    if target == S.WITHDRAWN:
        actions.withdraw_case(
            case,
            by=coordinator,
            reason="经核实不属于我委职责，已退回交办机关",
            on=received + timedelta(days=2),
        )
        return case
    head = people.get(unit_code)
    staff = people.get(f"{unit_code}_staff")
    day = received
    reply_class = "A" if mode == "co" else rng.choice(["A", "A", "A", "B", "B", "C"])

    def next_day(gap: int) -> date:
        nonlocal day
        day = min(day + timedelta(days=gap), now)
        return day

    for step in STEPS[:steps]:
        if step == A.ASSIGN:
            co = (
                [units["fagaiwei"]]
                if i % 5 == 0
                else ([units["jiceng"]] if unit_code == "yizheng" else [])
            )
            actions.assign_case(
                case,
                by=coordinator,
                lead_unit=units[unit_code],
                co_units=co,
                assigned_on=next_day(2),
                leader_in_charge=leader,
                # Mostly 由处室签收后确定: the head names the handler at 签收.
                handler=staff if i % 3 == 0 else None,
                deadline=workdays_after(now, DUE_SOON[i]).date
                if target == S.HANDLING and i in DUE_SOON
                else None,
            )
        elif step == A.ACCEPT:
            if head and staff and i % 3:
                # A few handling cases wait for the head to name their handler.
                named = None if target == S.HANDLING and i % 4 == 1 else staff
                actions.accept_case(case, by=head, handler=named, on=next_day(2))
            else:
                actions.accept_case(case, by=staff or head or coordinator, on=next_day(2))
        elif step == A.COMMUNICATE and head:
            actions.communicate(
                case,
                by=head,
                stage="before",
                method=rng.choice(["face_to_face", "phone", "meeting"]),
                summary="与提出人沟通办理思路，听取意见建议",
                participants="处室负责人、承办人",
                on=next_day(10),
            )
        elif step == A.SUBMIT_REPLY:
            if head is None:
                return case
            submitter = staff if target != S.REVIEWING and staff else head
            commitments = (
                [{"what": "年内出台实施方案并组织落实", "due": date(now.year, 12, 31)}]
                if reply_class in ("B", "C")
                else []
            )
            actions.submit_reply(
                case,
                by=submitter,
                text=f"您提出的《{title}》收悉。经认真研究，现答复如下：……",
                reply_class="" if mode == "co" else reply_class,
                contact=submitter.first_name,
                phone="0571-8700" + f"{i:04d}",
                commitments=commitments,
                on=next_day(14),
            )
        elif step == A.APPROVE_REPLY and case.state == S.UNIT_APPROVING and head:
            actions.approve_reply(case, by=head, approved=True, comment="同意", on=next_day(2))
        elif step == A.REVIEW:
            actions.review_reply(
                case,
                by=coordinator,
                passed=True,
                comment="四关审核通过",
                gates={"format": True, "policy": True, "content": True, "resolution": True},
                on=next_day(3),
            )
        elif step == A.SIGN:
            actions.sign_reply(case, by=leader, approved=True, comment="同意", on=next_day(2))
        elif step == A.RECORD_FEEDBACK and case.state == S.REPLIED:
            result = (
                "unsatisfied"
                if target == "rehandling"
                else rng.choice(["satisfied", "satisfied", "satisfied", "basically_satisfied"])
            )
            actions.record_feedback(
                case, by=coordinator, result=result, attitude="satisfied", on=next_day(10)
            )
    return case
