"""群众意见建议 in 我的待办: each category's sections list and count only its own cases."""

from datetime import date

import pytest

from cases import actions as case_actions
from cases.tests.factories import register
from cases.todo import todo_for
from opinions import actions
from reminders.tests.conftest import frozen

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 4)


def _sections(user):
    return {s.key: (s.total, [r.case.pk for r in s.rows]) for s in todo_for(user, DAY).sections}


def test_each_category_counts_its_own(cast):
    with frozen(DAY):
        proposal = register(cast, on=DAY)
        case_actions.assign_case(proposal, by=cast.coordinator, lead_unit=cast.yizheng)
        opinion = actions.register_opinion(by=cast.coordinator, channel="phone", content="挂号难")
        waiting = actions.register_opinion(by=cast.coordinator, channel="web", content="停车难")
        actions.forward(opinion, by=cast.leader, lead_unit=cast.yizheng)
    head = _sections(cast.yizheng_head)
    assert head["to_accept"] == (1, [proposal.pk])
    assert head["opinion_to_accept"] == (1, [opinion.pk])
    assert head["opinion_to_answer"] == (0, [])
    office = _sections(cast.coordinator)
    assert office["opinion_to_forward"] == (1, [waiting.pk])
    assert office["to_assign"] == (0, [])
    leader = _sections(cast.leader)
    assert leader["opinion_to_forward"] == (1, [waiting.pk])
    with frozen(DAY):
        case_actions.accept_case(opinion, by=cast.yizheng_head)
    assert _sections(cast.yizheng_head)["opinion_to_answer"] == (1, [opinion.pk])
