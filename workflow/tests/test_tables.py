import pytest

from proposals.spec import PROPOSAL_STATES, PROPOSAL_TRANSITIONS
from workflow.tables import Workflow, all_actions, all_workflows, register_workflow, t, workflow_for


def test_every_action_has_a_payload_and_an_action_function():
    for workflow in all_workflows():
        for spec in workflow.offered():
            assert spec.payload is not None and spec.run is not None, spec.action
    # Every offered 议提案 action; hidden ones (a merged case following its lead) are not.
    offered = {tr.action for tr in PROPOSAL_TRANSITIONS if not tr.hidden}
    assert offered <= set(all_actions())


def test_every_opinion_state_is_reachable_from_received():
    from opinions.spec import OPINION_STATES, TRANSITIONS

    reached, frontier = {"registered"}, ["registered"]
    while frontier:
        state = frontier.pop()
        for tr in TRANSITIONS:
            if state in tr.sources:
                for target in tr.targets - reached:
                    reached.add(target)
                    frontier.append(target)
    assert reached == set(OPINION_STATES)


def test_every_state_is_reachable_from_registered():
    reached, frontier = {"registered"}, ["registered"]
    while frontier:
        state = frontier.pop()
        for tr in PROPOSAL_TRANSITIONS:
            if state in tr.sources:
                for target in tr.targets - reached:
                    reached.add(target)
                    frontier.append(target)
    assert reached == set(PROPOSAL_STATES)


def test_both_proposal_categories_share_the_table():
    assert workflow_for("npc_suggestion").transitions == workflow_for("cppcc_proposal").transitions


def test_a_table_naming_an_unknown_state_is_refused():
    with pytest.raises(ValueError, match="unknown states"):
        register_workflow(
            Workflow(
                category="bad",
                initial="a",
                states={"a": "甲"},
                transitions={"go": t("go", "走", "a", "b", "coordinator")},
            )
        )
    with pytest.raises(LookupError):
        workflow_for("bad")
