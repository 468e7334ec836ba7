"""The unit page's "该单位目前有 N 件在办办件": the unit's live assignments on cases not yet
final (办结 or 撤回), so that an administrator deactivating a unit knows what is open."""

import re
from datetime import date

import pytest

from cases import actions
from cases.tests.walks import FROZEN, case_in

pytestmark = pytest.mark.django_db


def in_hand(client, unit) -> int:
    html = client.get(f"/console/units/{unit.pk}/").content.decode()
    found = re.search(r"该单位目前有 (\d+) 件在办办件", html)
    return int(found.group(1)) if found else 0


@FROZEN
def test_cases_in_hand_leave_out_closed_and_withdrawn_ones(cast, client_for):
    client = client_for(cast.admin)
    assert in_hand(client, cast.yizheng) == 0
    for state in ("assigned", "handling", "replied"):
        case_in(cast, state)
    assert in_hand(client, cast.yizheng) == 3
    assert in_hand(client, cast.jiceng) == 3  # the co-unit of each
    case_in(cast, "closed")
    withdrawn = case_in(cast, "assigned")
    actions.withdraw_case(withdrawn, by=cast.coordinator, reason="改办", on=date(2026, 3, 6))
    assert in_hand(client, cast.yizheng) == 3
    assert in_hand(client, cast.jiceng) == 3
