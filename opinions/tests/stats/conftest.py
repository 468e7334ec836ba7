"""Hand-made opinions for the statistics, built through opinions.actions with the clock
frozen at AS_OF (2026-11-20) and every action dated in the past with `on=`.

The week of Monday 2026-11-02 (no holiday in November 2026; an answer received on 11-02 is
due 11-09, one received on 11-03 is due 11-10):

  A 11-02 phone  service  → 医政 11-02 (on time), answered 11-05 solvable, 满意 → closed
  B 11-02 web    service  → 医政 11-03 (late), answered 11-10 (late) needs_time, 基本满意 → closed
  C 11-02 email  digital  → 基层 11-02, extension +3 (due 11-12) approved, answered 11-11
                            not_solvable (on time thanks to the extension), not rated yet
  D 11-03 wechat primary  → 基层 11-03, answered 11-04 unfounded, 不满意 on 11-06 → handled
                            again, due 11-13: not answered now, overdue on 11-20
  E 11-03 phone  management  never forwarded: 转办超时 and overdue on 11-20
  F 11-04 phone  management  a duplicate of E, merged into it
  G 11-04 book   (suggested area) → 中医 11-04, accepted, never answered: overdue
and, outside the week, X received 11-01 (the Sunday before) and Y 11-09 (the Monday after).

`campaign`: seed 002's campaign — 8 batches, 22 forwarded opinions, 17 answered (2 solvable,
1 not solvable, 14 needing time), books 400 issued / 353 returned, 3 suggestions from the
books; and one opinion of another campaign and one of none beside it.
"""

from datetime import date, timedelta

import pytest

from cases.actions import accept_case
from opinions import actions
from opinions.models import Campaign
from reminders.tests.conftest import frozen
from tests.browser.conftest import (  # noqa: F401 (the Playwright fixtures, for test_browser.py)
    browser,
    chromium_path,
    page,
    phone_page,
    pytest_runtest_makereport,
    screenshot,
)

AS_OF = date(2026, 11, 20)
MONDAY = date(2026, 11, 2)
SUNDAY = date(2026, 11, 8)


def new(cast, received: date, channel: str = "phone", area: str = "", **kw):
    return actions.register_opinion(
        by=cast.coordinator,
        channel=channel,
        content=kw.pop("content", "电话13812341234：门诊挂号排队时间太长，希望增加自助挂号机。"),
        received_on=received,
        area=area,
        **kw,
    )


def handled(cast, case, unit, head, on: date):
    actions.forward(case, by=cast.leader, lead_unit=unit, on=on)
    accept_case(case, by=head, on=on)
    return case


def answered(case, head, on: date, result: str):
    extra = {"fix": "纳入明年计划", "fix_due": date(2026, 12, 31)} if result == "needs_time" else {}
    actions.answer(case, by=head, text="已研究办理。", result=result, on=on, **extra)
    return case


@pytest.fixture
def week(cast):
    """The opinions A–G (and X, Y outside the week), as described above."""
    with frozen(AS_OF):
        a = handled(
            cast, new(cast, MONDAY, "phone", "service"), cast.yizheng, cast.yizheng_head, MONDAY
        )
        answered(a, cast.yizheng_head, date(2026, 11, 5), "solvable")
        actions.callback(
            a, by=cast.coordinator, reached=True, rating="satisfied", on=date(2026, 11, 6)
        )

        b = handled(
            cast,
            new(cast, MONDAY, "web", "service"),
            cast.yizheng,
            cast.yizheng_head,
            date(2026, 11, 3),
        )
        answered(b, cast.yizheng_head, date(2026, 11, 10), "needs_time")
        actions.callback(
            b,
            by=cast.coordinator,
            reached=True,
            rating="basically_satisfied",
            on=date(2026, 11, 11),
        )

        c = handled(
            cast, new(cast, MONDAY, "email", "digital"), cast.jiceng, cast.jiceng_head, MONDAY
        )
        actions.request_extension(
            c, by=cast.jiceng_head, days=3, reason="需现场核实", on=date(2026, 11, 5)
        )
        actions.decide_extension(c, by=cast.leader, approved=True, on=date(2026, 11, 5))
        answered(c, cast.jiceng_head, date(2026, 11, 11), "not_solvable")

        d = handled(
            cast,
            new(cast, date(2026, 11, 3), "wechat", "primary"),
            cast.jiceng,
            cast.jiceng_head,
            date(2026, 11, 3),
        )
        answered(d, cast.jiceng_head, date(2026, 11, 4), "unfounded")
        actions.callback(
            d, by=cast.coordinator, reached=True, rating="unsatisfied", on=date(2026, 11, 6)
        )

        e = new(cast, date(2026, 11, 3), "phone", "management")
        f = new(cast, date(2026, 11, 4), "phone", "management")
        actions.merge(f, by=cast.coordinator, into=e, on=date(2026, 11, 4))

        g = handled(
            cast,
            new(cast, date(2026, 11, 4), "book"),
            cast.zhongyi,
            cast.zhongyi_head,
            date(2026, 11, 4),
        )

        x = handled(
            cast,
            new(cast, date(2026, 11, 1), "phone", "service"),
            cast.yizheng,
            cast.yizheng_head,
            date(2026, 11, 2),
        )
        y = new(cast, date(2026, 11, 9), "web", "service")
    return {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f, "G": g, "X": x, "Y": y}


# 8 batches (期) of 22 opinions on 8 working days of October–November 2026.
BATCHES = [
    (date(2026, 10, 12), 3),
    (date(2026, 10, 14), 3),
    (date(2026, 10, 16), 2),
    (date(2026, 10, 20), 3),
    (date(2026, 10, 23), 3),
    (date(2026, 10, 27), 3),
    (date(2026, 10, 30), 3),
    (date(2026, 11, 3), 2),
]
RESULTS = ["solvable"] * 2 + ["not_solvable"] + ["needs_time"] * 14  # 17 answered


@pytest.fixture
def campaign(cast):
    drive = Campaign.objects.create(
        name="解放思想大讨论",
        starts_on=date(2026, 10, 1),
        ends_on=date(2026, 11, 30),
        channels=["forwarded", "book"],
        books_issued=400,
        books_returned=353,
    )
    other = Campaign.objects.create(name="另一活动", starts_on=date(2026, 10, 1))
    units = [(cast.yizheng, cast.yizheng_head), (cast.jiceng, cast.jiceng_head)]
    with frozen(AS_OF):
        opinions = []
        for day, n in BATCHES:
            for _ in range(n):
                opinions.append(new(cast, day, "forwarded", "service", campaign=drive))
        assert len(opinions) == 22
        for i, (case, result) in enumerate(zip(opinions, RESULTS, strict=False)):
            unit, head = units[i % 2]
            received = case.received_on
            handled(cast, case, unit, head, received)
            answered(case, head, received + timedelta(days=1), result)
        for case in opinions[17:]:  # forwarded, not answered yet
            unit, head = units[0]
            handled(cast, case, unit, head, case.received_on)
        # Suggestions entered from the campaign's books, and one opinion of another campaign.
        for day in (date(2026, 10, 21), date(2026, 10, 22), date(2026, 10, 22)):
            new(cast, day, "book", "talent", campaign=drive)
        new(cast, date(2026, 10, 21), "forwarded", "talent", campaign=other)
        new(cast, date(2026, 10, 21), "phone", "talent")
    return drive
