"""Validating a posted action builds only what validation needs: the sign POST does not
build the letter preview, the draft or the rest of the page before it redirects."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import actions
from cases.tests.factories import register

pytestmark = pytest.mark.django_db

FROZEN = time_machine.travel(
    datetime(2026, 5, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
)
# Measured the same way (savepoints included): 25 before the workflow spec, when the whole
# card, letter preview included, was built to validate the post; 19 now: the session, the
# user and their roles, the case, the row lock, the draft read and written, the case's
# compare-and-set update, the audit event, the re-read for the answer and the session save.
# 26 with the letter number taken at 签发 (issue 9): its savepoint, the year's counter
# made if missing, locked, advanced, the series' 代字 and the number's register row.
# 23 with no session save any more (its savepoint, update and release: a session is saved
# when it changed or its idle deadline moves by more than a minute, huiyin.sessions).
# 34 with the rows kept beside the case in the same transaction (issue 10, audit.signals):
# the units' involvement (its rows deleted and written again: 2) and the statistics'
# summaries (the case's contribution locked, the case, its meetings, topics and outcomes
# read, the cells it leaves and joins updated, its contribution saved: 9).
# 37 with 并案 (issue 15): the signing and the merged cases' following it are one
# transaction (a savepoint around both: 2), and the cases merged into it are looked for (1).
# With the audit chain (issue 16) the event is written after the chain's head is read under
# its lock: measured 41 on PostgreSQL (the advisory lock, the head's read, and a savepoint's
# two statements around them) and 38 on SQLite (the head's read).
SIGN_POST_QUERIES = 41


def _signing_case(cast):
    case = register(cast, on=date(2026, 3, 2))
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 5)
    )
    actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 3, 6))
    actions.submit_reply(
        case,
        by=cast.yizheng_head,
        text="答复",
        reply_class="A",
        contact="张",
        phone="1",
        on=date(2026, 3, 20),
    )
    gates = {"format": True, "policy": True, "content": True, "resolution": True}
    actions.review_reply(case, by=cast.coordinator, passed=True, gates=gates, on=date(2026, 3, 21))
    return case


@FROZEN
def test_a_sign_post_runs_a_bounded_number_of_queries(cast, client_for):
    case = _signing_case(cast)
    leader = client_for(cast.leader)
    with CaptureQueriesContext(connection) as queries:
        response = leader.post(f"/cases/{case.pk}/actions/sign/", {"approved": "1"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "replied"
    assert len(queries) <= SIGN_POST_QUERIES, "\n".join(q["sql"] for q in queries)


@FROZEN
def test_a_refused_sign_post_shows_the_whole_card_again(cast, client_for):
    case = _signing_case(cast)
    leader = client_for(cast.leader)
    response = leader.post(f"/cases/{case.pk}/actions/sign/", {"comment": "再看看"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "此项必填" in html  # the decision
    assert "答复" in html and "同意签发" in html  # the draft and the letter's card, rebuilt
