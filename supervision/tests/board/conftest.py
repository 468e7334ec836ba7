"""Fixtures of the board, registration and 督办单 tests: a configured commission (a placeholder one is refused a 督办单), and items to list."""

from datetime import date

import pytest

from cases import actions as case_actions
from letters.tests.conftest import configure
from reminders.tests.conftest import frozen
from supervision import actions

TODAY = date(2026, 11, 9)  # a Monday


@pytest.fixture(autouse=True)
def _organisation(request):
    if "db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
        configure()


def item(
    cast,
    *,
    title="落实急救电话10秒接听率",
    urgency="blue",
    source="leader_instruction",
    on=date(2026, 11, 2),
    unit=None,
    accept=True,
    milestones=None,
    percent=None,
    **kw,
):
    """An item registered on `on`, assigned that day to `unit` (none: left registered) and
    accepted by its head, with a progress report when `percent` is given."""  # fmt: skip
    with frozen(on):
        case = actions.register_supervision(
            by=cast.coordinator, source=source, urgency=urgency, title=title, received_on=on,
            instruction="请抓紧落实", **kw,
        )  # fmt: skip
        if unit is not None:
            actions.assign(
                case, by=cast.coordinator, lead_unit=unit, assigned_on=on,
                leader_in_charge=cast.leader, milestones=milestones,
            )  # fmt: skip
            if accept:
                head = {cast.yizheng.pk: cast.yizheng_head, cast.jiceng.pk: cast.jiceng_head}
                case_actions.accept_case(case, by=head.get(unit.pk, cast.zhongyi_head))
                if percent is not None:
                    actions.report_progress(
                        case,
                        by=head.get(unit.pk, cast.zhongyi_head),
                        text="已部署",
                        percent=percent,
                    )
    case.refresh_from_db()
    return case
