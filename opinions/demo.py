"""The demo's public opinions (cases.demo.load_demo calls this): a suggestion-book campaign
like seed 002's (解放思想大讨论: 400 books issued, 353 returned) and a few weeks of opinions
from every channel, in every state of the workflow, entered through the actions."""

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from cases.actions import accept_case
from cases.models import Case
from huiyin.types import User
from opinions import actions
from opinions.models import Campaign
from orgs.models import Unit
from workdays.calendar import is_workday, workdays_after

# (text, the unit it goes to, channel)
OPINIONS = [
    (
        "市一院门诊挂号要排一个多小时，建议增加自助挂号机，开放更多网上预约号源。",
        "yizheng",
        "phone",
    ),
    ("村卫生室的医生年纪都大了，晚上没人值班，孩子发烧只能跑到镇上。", "jiceng", "book"),
    ("医院的App经常登录不上，检查报告也查不到，希望改进。", "guihua", "app"),
    ("建议在社区卫生服务中心开设中医理疗，老年人不用再跑大医院。", "zhongyi", "wechat"),
    ("有的小诊所没有资质还在输液，希望卫生监督部门多检查。", "jikong", "web"),
    ("护士太少了，一个护士要照顾十几个病人，呼叫铃按了很久没人来。", "yizheng", "book"),
    ("住院部停车太难，家属探视要绕好几圈，建议医院协调停车位。", "yizheng", "email"),
    ("孕妇建档要跑好几个地方，希望能一站式办理。", "fuyou", "phone"),
    ("老年人不会用智能手机预约，希望保留人工窗口。", "laoling", "visit"),
    ("基层医生待遇低，留不住人，建议提高乡镇卫生院医生补助。", "renshi", "book"),
    ("医院食堂的饭菜价格偏高，希望加强管理。", "yizheng", "book"),
    ("希望区里的疫苗接种点周末也开放。", "jikong", "web"),
]
CAMPAIGN = "解放思想大讨论"


def load_opinion_demo(units: dict[str, Unit], people: dict[str, User], now: date) -> int:
    rng = random.Random(20261206)
    campaign = Campaign.objects.create(
        name=CAMPAIGN,
        starts_on=now - timedelta(days=60),
        ends_on=now + timedelta(days=30),
        channels=["book", "web", "phone"],
        books_issued=400,
        books_returned=353,
        note="在委机关和直属医院发放意见簿，收集群众意见建议",
    )
    made = 0
    for round_ in range(3):
        for i, (text, unit_code, channel) in enumerate(OPINIONS):
            back = 2 + round_ * 9 + i % 7
            received = _workday_back(now, back)
            case = _opinion(
                text, channel, received, people, campaign if channel == "book" else None, rng
            )
            _advance(case, units[unit_code], people, received, now, stage=(i + round_) % 6)
            made += 1
    return made


def _workday_back(now: date, days: int) -> date:
    day = now - timedelta(days=days)
    while not is_workday(day):
        day -= timedelta(days=1)
    return day


def _opinion(
    text: str, channel: str, on: date, people: dict[str, User], campaign: Any, rng: random.Random
) -> Case:
    at = timezone.make_aware(datetime.combine(on, time(8 + rng.randrange(9), rng.randrange(60))))
    phone = f"13{rng.randrange(10**8, 10**9)}" if channel in ("phone", "visit", "wechat") else ""
    return actions.register_opinion(
        by=people["coordinator"],
        channel=channel,
        content=text,
        received_at=at,
        requester=rng.choice(["王女士", "李先生", "张大爷", "", "刘女士"]),
        phone=phone,
        campaign=campaign,
    )


def _advance(
    case: Case, unit: Unit, people: dict[str, User], received: date, now: date, *, stage: int
) -> None:
    """Stage 0 waits to be forwarded; 1 forwarded; 2 handled; 3 answered; 4 closed after a
    callback; 5 answered "needs time" and closed, its promise still open."""
    if stage == 0:
        return
    head = people[unit.code]
    day = received
    actions.forward(case, by=people["leader"], lead_unit=unit, on=day)
    if stage == 1:
        return
    day = min(workdays_after(received, 1).date, now)
    accept_case(case, by=head, on=day)
    if stage == 2:
        return
    day = min(workdays_after(received, 3).date, now)
    if stage == 5:
        actions.answer(
            case,
            by=head,
            text="您反映的问题属实，我们已列入今年工作计划，将分步解决。",
            result="needs_time",
            fix="年内完成整改并向社会公布",
            fix_due=now + timedelta(days=45),
            on=day,
        )
    else:
        actions.answer(
            case,
            by=head,
            text="感谢您的意见，已责成相关单位整改，现已解决。",
            result="solvable",
            on=day,
        )
    if stage in (4, 5):
        actions.callback(case, by=people["coordinator"], reached=True, rating="satisfied", on=day)
