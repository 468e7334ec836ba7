"""Cases brought to any state of the 议提案 workflow through the actions, for the tests
that go over every state (test_state_table, test_visibility_ends, test_reply_rules).

Call these inside frozen time: every date is in 2026 and must not be in the future.
"""

from datetime import date
from typing import Any

import time_machine

from cases import actions
from cases.models import Case
from cases.tests.factories import Cast, register

TODAY = date(2026, 12, 31)
FROZEN = time_machine.travel(TODAY, tick=False)
GATES = {"format": True, "policy": True, "content": True, "resolution": True}

# The order a case goes through; the date each step is taken on.
WALK = ("registered", "assigned", "handling", "unit_approving", "reviewing", "signing", "replied")
DATES = {
    "registered": date(2026, 3, 2),
    "assigned": date(2026, 3, 5),
    "handling": date(2026, 3, 6),
    "unit_approving": date(2026, 5, 20),
    "reviewing": date(2026, 5, 21),
    "signing": date(2026, 5, 22),
    "replied": date(2026, 5, 25),
    "closed": date(2026, 6, 10),
    "withdrawn": date(2026, 3, 3),
}
COMMITMENT = {"what": "年内出台基层人才培养方案", "due": date(2026, 12, 1)}


def reply_kwargs(case: Case, **overrides: Any) -> dict[str, Any]:
    """A valid submit_reply: class B with one commitment (a 会办 opinion: neither)."""
    lead = case.role == "lead"
    kwargs: dict[str, Any] = {
        "text": "答复正文",
        "reply_class": "B" if lead else "",
        "contact": "赵科员",
        "phone": "12345678",
        "commitments": [dict(COMMITMENT)] if lead else [],
    }
    kwargs.update(overrides)
    return kwargs


def case_in(cast: Cast, state: str, **register_kw: Any) -> Case:
    """A case of 2026 in `state`: lead unit 医政医管处 (handler 赵科员) with co-units
    基层卫生健康处 and 市发改委 (an outside agency); the handler's class-B draft with one
    commitment goes through the unit head, review, signing and a 满意 rating."""
    case = register(cast, on=DATES["registered"], **register_kw)
    if state == "withdrawn":
        actions.withdraw_case(case, by=cast.coordinator, reason="非我委职责", on=DATES[state])
        return case
    steps = WALK[: WALK.index(state) + 1] if state in WALK else WALK + ("closed",)
    for step in steps[1:]:
        on = DATES[step]
        if step == "assigned":
            actions.assign_case(
                case,
                by=cast.coordinator,
                lead_unit=cast.yizheng,
                co_units=[cast.jiceng, cast.fagaiwei],
                handler=cast.yizheng_handler,
                assigned_on=on,
            )
        elif step == "handling":
            actions.accept_case(case, by=cast.yizheng_head, on=on)
        elif step == "unit_approving":
            actions.submit_reply(case, by=cast.yizheng_handler, on=on, **reply_kwargs(case))
        elif step == "reviewing":
            actions.approve_reply(case, by=cast.yizheng_head, approved=True, on=on)
        elif step == "signing":
            actions.review_reply(case, by=cast.coordinator, passed=True, gates=GATES, on=on)
        elif step == "replied":
            actions.sign_reply(case, by=cast.leader, approved=True, on=on)
        elif step == "closed":
            actions.record_feedback(case, by=cast.coordinator, result="satisfied", on=on)
    assert case.state == state, (case.state, state)
    return case
