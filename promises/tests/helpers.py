"""Cases with promises, built through the actions: registered, assigned to a unit, answered
B or C with the promises given, signed and rated 满意 (closed)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine

from cases import actions
from cases.models import Case
from cases.tests.factories import register

GATES = {"format": True, "policy": True, "content": True, "resolution": True}


def frozen(day: date):
    return time_machine.travel(
        datetime(day.year, day.month, day.day, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    )


def promised_case(
    cast,
    *,
    year: int,
    promises: list[tuple[str, date]],
    reply_class: str = "B",
    unit=None,
    head=None,
    handler=None,
    close: bool = True,
    **kw,
) -> Case:
    """A case of `year` answered on 04-15 of that year with `promises`; closed on 05-06."""
    unit, head = unit or cast.yizheng, head or cast.yizheng_head
    with frozen(date(year, 6, 1)):
        case = register(cast, on=date(year, 3, 2), year=year, **kw)
        actions.assign_case(
            case,
            by=cast.coordinator,
            lead_unit=unit,
            assigned_on=date(year, 3, 3),
            handler=handler,
        )
        actions.accept_case(case, by=head, on=date(year, 3, 4))
        actions.submit_reply(
            case,
            by=head,
            text="答复如下。",
            reply_class=reply_class,
            contact="张",
            phone="027-1",
            commitments=[{"what": what, "due": due} for what, due in promises],
            on=date(year, 4, 14),
        )
        actions.review_reply(
            case, by=cast.coordinator, passed=True, gates=GATES, on=date(year, 4, 14)
        )
        actions.sign_reply(case, by=cast.leader, approved=True, on=date(year, 4, 15))
        if close:
            actions.record_feedback(
                case, by=cast.coordinator, result="satisfied", on=date(year, 5, 6)
            )
    case.refresh_from_db()
    return case
