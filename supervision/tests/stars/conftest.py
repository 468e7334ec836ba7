"""A hand-made quarter of 督办 items (2026-Q2), built through supervision.actions with the
clock frozen at AS_OF (Monday 2026-07-06) and every action dated in the past with `on=`.

Every item of the quarter is registered on 05-20, assigned on 06-01 with the stated
deadline 06-15 (Monday) and accepted the same day; its completion report is dated:
06-10 提前 (3 working days before: 11, 12, 15), 06-12 按时, 06-16 逾期; checked the next day,
rated the day after.

  医政医管处 (yizheng) 4: 提前 优秀, 按时 优秀, 按时 良好, 逾期 一般        → closed 4
      quality (100+100+80+60)/4 = 85, efficiency (100+90+90+40)/4 = 80, 按时办结率 3/4
  基层卫生健康处 (jiceng) 4: 提前 良好, 提前 良好, 按时 良好, 部分完成 (not rated)
      → closed 3; quality 80, efficiency (100+100+90+60)/4 = 87.5, 按时办结率 3/4
  中医药管理处 (zhongyi) 2: 提前 优秀 ×2 → closed 2; quality 100, efficiency 100, 2/2
      (below the minimum of 3)

Quantity: 4 is the most closed → 100, 75, 50. Composite with 0.3 / 0.4 / 0.3:
  yizheng 30 + 34 + 24 = 88; jiceng 22.5 + 32 + 26.25 = 80.75; zhongyi 15 + 40 + 30 = 85.
Stars: 综合 yizheng, 优秀 yizheng, 数量 yizheng, 效率 yizheng and jiceng tied at 3/4.

Beside them, not counted in the quarter's ratings: one yizheng item checked on 03-31 (Q1),
one checked on 07-02 (Q3, registered 06-25), one whose report was sent back (jiceng), one
zhongyi item overdue since 06-30 and one registered on 06-03 and never assigned.
"""

from datetime import date

import pytest

from cases.actions import accept_case
from reminders.tests.conftest import frozen
from supervision import actions
from tests.browser.conftest import (  # noqa: F401 (the Playwright fixtures, for test_browser.py)
    browser,
    chromium_path,
    page,
    phone_page,
    pytest_runtest_makereport,
    screenshot,
)

AS_OF = date(2026, 7, 6)
QUARTER = "2026-Q2"
RECEIVED = date(2026, 5, 20)
ASSIGNED = date(2026, 6, 1)
DEADLINE = date(2026, 6, 15)
EARLY, ON_TIME, LATE = date(2026, 6, 10), date(2026, 6, 12), date(2026, 6, 16)


def register(cast, received=RECEIVED, *, source="leader_instruction", urgency="yellow"):
    return actions.register_supervision(
        by=cast.coordinator, source=source, urgency=urgency, title="落实急救站点布局",
        received_on=received, instruction="请抓紧落实",
    )  # fmt: skip


def assigned(cast, unit, head, *, received=RECEIVED, on=ASSIGNED, deadline=DEADLINE, **kw):
    case = register(cast, received, **kw)
    actions.assign(
        case, by=cast.coordinator, lead_unit=unit, assigned_on=on, deadline=deadline,
        leader_in_charge=cast.leader,
    )  # fmt: skip
    accept_case(case, by=head, on=on)
    return case


def done(cast, unit, head, completed, quality, *, partial=False, **kw):
    """An item completed on `completed`, checked the next day, rated (unless partial or
    `quality` is None) the day after."""
    from datetime import timedelta

    case = assigned(cast, unit, head, **kw)
    actions.submit_completion(case, by=head, report="已办结", partial=partial, on=completed)
    actions.check_completion(
        case, by=cast.coordinator, approved=True, on=completed + timedelta(days=1)
    )
    if quality and not partial:
        actions.rate(case, by=cast.leader, quality=quality, on=completed + timedelta(days=2))
    case.refresh_from_db()
    return case


@pytest.fixture
def quarter(cast):
    y, j, z = (
        (cast.yizheng, cast.yizheng_head),
        (cast.jiceng, cast.jiceng_head),
        (
            cast.zhongyi,
            cast.zhongyi_head,
        ),
    )
    with frozen(AS_OF):
        items = {
            "y1": done(cast, *y, EARLY, "excellent", source="meeting", urgency="red"),
            "y2": done(cast, *y, ON_TIME, "excellent", source="meeting"),
            "y3": done(cast, *y, ON_TIME, "good"),
            "y4": done(cast, *y, LATE, "fair", source="public_concern", urgency="blue"),
            "j1": done(cast, *j, EARLY, "good"),
            "j2": done(cast, *j, EARLY, "good"),
            "j3": done(cast, *j, ON_TIME, "good", urgency="green"),
            "j4": done(cast, *j, date(2026, 6, 11), None, partial=True),
            "z1": done(cast, *z, EARLY, "excellent", urgency="red"),
            "z2": done(cast, *z, EARLY, "excellent"),
            # Outside the quarter's ratings:
            "q1": done(
                cast, *y, date(2026, 3, 30), "poor", received=date(2026, 3, 2),
                on=date(2026, 3, 2), deadline=date(2026, 3, 31),
            ),
            "q3": done(
                cast, *y, date(2026, 7, 1), "poor", received=date(2026, 6, 25),
                on=date(2026, 6, 25), deadline=date(2026, 7, 10),
            ),
        }  # fmt: skip
        back = assigned(cast, *j)
        actions.submit_completion(back, by=cast.jiceng_head, report="已办结", on=ON_TIME)
        actions.check_completion(
            back, by=cast.coordinator, approved=False, comment="材料不全", on=LATE
        )
        items["back"] = back
        items["overdue"] = assigned(
            cast, *z, received=date(2026, 6, 22), on=date(2026, 6, 22),
            deadline=date(2026, 6, 30), urgency="red",
        )  # fmt: skip
        items["waiting"] = register(cast, date(2026, 6, 3), source="office_supervision")
    return items
