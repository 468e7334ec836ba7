"""proposals/rows.py answers the same from the case page's rows as from the database, and
asks the database nothing when the rows are there."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import actions
from cases.models import AssignmentKind, Case
from cases.tests.factories import register
from proposals.rows import live_assignments, open_extension, replies_newest_first
from web.case_page import load_case_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def handling(cast):
    case = register(cast, on=date(2026, 3, 2))
    actions.assign_case(
        case,
        by=cast.coordinator,
        lead_unit=cast.yizheng,
        co_units=[cast.jiceng, cast.fagaiwei],
        assigned_on=date(2026, 3, 5),
        handler=cast.yizheng_handler,
    )
    actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 3, 6))
    actions.request_extension(
        case,
        by=cast.yizheng_head,
        until=date(2026, 8, 31),
        reason="需开展专题调研",
        on=date(2026, 3, 9),
    )
    return case


def _answers(case: Case) -> tuple:
    replies = replies_newest_first(case)
    return (
        [(a.pk, a.unit.code, a.handler) for a in live_assignments(case, AssignmentKind.LEAD)],
        [(a.pk, a.unit.code) for a in live_assignments(case, AssignmentKind.CO)],
        open_extension(case),
        None if replies is None else [r.pk for r in replies],
    )


def test_the_page_rows_give_the_database_answers_without_a_query(handling, cast):
    actions.submit_reply(
        handling,
        by=cast.yizheng_head,
        text="答复正文。",
        reply_class="A",
        contact="张处长",
        phone="0571-1234567",
        on=date(2026, 3, 10),
    )
    from_db = _answers(Case.objects.get(pk=handling.pk))
    case = Case.objects.get(pk=handling.pk)
    load_case_rows(case)
    with CaptureQueriesContext(connection) as ctx:
        from_rows = _answers(case)
    assert ctx.captured_queries == []
    assert from_rows[:3] == from_db[:3]
    lead, co, pending, _ = from_rows
    assert len(lead) == 1 and lead[0][2] is not None  # the handler named at 交办
    assert [code for _, code in co] == ["jiceng", "fagaiwei"]
    assert pending is not None and pending.approved is None
    assert from_db[3] is None  # without the rows the caller asks for the one it needs
    assert from_rows[3] == list(case.replies.order_by("-id").values_list("id", flat=True))


def test_rows_read_before_an_action_are_not_taken_for_the_rows_after_it(handling, cast):
    case = Case.objects.get(pk=handling.pk)
    load_case_rows(case)
    assert open_extension(case) is not None
    actions.decide_extension(case, by=cast.leader, approved=True, on=date(2026, 3, 11))
    case.refresh_from_db()  # what every entry point does after an action (cases.dispatch)
    assert open_extension(case) is None
