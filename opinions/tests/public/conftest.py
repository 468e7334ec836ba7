"""The public page's tests: a working day to act on (2026-09-30, a Wednesday before the
National Day holiday: an answer is due 2026-10-13), an anonymous client from a fixed
address, and helpers that submit, read the receipt and answer the challenge."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from cases.actions import accept_case
from opinions import actions
from opinions.models import Opinion
from opinions.public import challenge

DAY = date(2026, 9, 30)
SHANGHAI = ZoneInfo("Asia/Shanghai")
TEXT = "市人民医院门诊挂号排队时间太长，老人不会用手机预约，希望增加人工窗口。"
NEW = "/yijian/"


def at(day: date, hour: int = 10, minute: int = 0):
    return time_machine.travel(
        datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI), tick=False
    )


@pytest.fixture
def clock():
    with at(DAY) as traveller:
        yield traveller


@pytest.fixture
def anon(clock) -> Client:
    return Client(REMOTE_ADDR="203.0.113.7")


def form_data(**overrides) -> dict:
    data = {
        "content": TEXT,
        "requester": "张三",
        "phone": "138 1234 5678",
        "email": "",
        "area": "",
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def submit(client: Client, **overrides):
    return client.post(NEW, form_data(**overrides))


def receipt_of(client: Client, response) -> tuple[str, str]:
    """(code, private path) from the receipt the submission redirected to."""
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    code = re.search(r'id="yj-code">([A-Z0-9]+)<', html).group(1)
    path = re.search(r'id="yj-link" href="([^"]+)"', html).group(1)
    return code, path


QUESTION = re.compile(r"验证问题：(\S+?)(加|减)(\S+?)等于多少？")


def solve(html: str) -> dict[str, str]:
    """The challenge's token and its right answer, read from the page."""
    token = re.search(r'name="challenge_token" value="([^"]+)"', html).group(1)
    a, op, b = QUESTION.search(html).groups()
    x, y = challenge.parse_answer(a), challenge.parse_answer(b)
    assert x is not None and y is not None
    return {"challenge_token": token, "challenge_answer": str(x + y if op == "加" else x - y)}


def answered_case(cast, opinion: Opinion, *, result="solvable", text="已增设两个人工挂号窗口。"):
    """Forward, accept and answer the opinion as staff, on the frozen day."""
    case = opinion.case
    actions.forward(case, by=cast.leader, lead_unit=cast.yizheng)
    accept_case(case, by=cast.yizheng_head)
    kw = {}
    if result == "needs_time":
        kw = {"fix": "明年一季度上线老年人预约专线。", "fix_due": date(2027, 3, 31)}
    actions.answer(case, by=cast.yizheng_handler, text=text, result=result, **kw)
    case.refresh_from_db()
    return case
