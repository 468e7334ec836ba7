"""What the 议提案 declaration says beyond the transition table, checked where users meet
it: the state groups behind the case page's header and deadlines, and the forms' hidden
fields (mutants of proposals/spec.py that no other test killed)."""

import pytest

from cases import actions
from cases.tests.walks import FROZEN, TODAY, case_in
from proposals.spec import PROPOSALS
from web.action_cards import CardInput, action_form
from web.case_page import case_facts
from workflow.vocabulary import Action, State

pytestmark = pytest.mark.django_db


@FROZEN
@pytest.mark.parametrize(
    ("state", "runs"),
    [
        (State.ASSIGNED, True),
        (State.HANDLING, True),
        (State.UNIT_APPROVING, False),
        (State.REVIEWING, False),
        (State.SIGNING, False),
    ],
)
def test_the_unit_deadline_runs_until_the_draft_goes_up(cast, state, runs):
    case = case_in(cast, state)
    assert case.unit_deadline is not None and case.unit_deadline < TODAY
    facts = case_facts(case, TODAY)
    assert facts["unit_deadline"].late is runs
    assert facts["deadline"].late is True  # the reply deadline runs in all of them


@FROZEN
def test_the_header_shows_the_answer_of_a_finished_round_only(cast):
    case = case_in(cast, State.REPLIED)
    assert case_facts(case, TODAY)["answered"] is True
    actions.record_feedback(case, by=cast.coordinator, result="unsatisfied", on=TODAY)
    case.refresh_from_db()
    assert (case.state, case.round) == (State.HANDLING, 2)
    assert case_facts(case, TODAY)["answered"] is False  # round 2 is not answered yet
    assert case_facts(case_in(cast, State.HANDLING), TODAY)["answered"] is True  # round 1


@FROZEN
def test_the_assign_form_has_no_action_date_and_the_review_form_no_remark_fields(cast):
    registered = case_in(cast, State.REGISTERED)
    assign = action_form(
        PROPOSALS.transitions[Action.ASSIGN], CardInput(registered, cast.coordinator, TODAY)
    )
    assert "on" not in assign.field and "assigned_on" in assign.field
    # An error about the hidden action date is shown at 交办日期.
    assign.add_error("on", "办理日期不能晚于今天")
    assert assign.field["assigned_on"].error == "办理日期不能晚于今天"

    reviewing = case_in(cast, State.REVIEWING)
    review = action_form(
        PROPOSALS.transitions[Action.REVIEW], CardInput(reviewing, cast.coordinator, TODAY)
    )
    assert "gate_comments" not in review.field
    assert [f.name for f in review.fields][:3] == ["gates", "passed", "comment"]


def test_withdrawn_and_closed_are_final_and_withdrawn_is_not_counted():
    assert PROPOSALS.group("final") == {State.CLOSED, State.WITHDRAWN}
    assert PROPOSALS.group("uncounted") == {State.WITHDRAWN}
    assert PROPOSALS.closed_states == {State.REPLIED, State.CLOSED, State.WITHDRAWN}
