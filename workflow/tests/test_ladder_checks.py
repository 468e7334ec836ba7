"""A category's clocks and escalation ladder are checked when the workflow registers, like
its states and actors: a step naming an unknown role, clock or colour fails at start-up."""

import pytest

from workflow.tables import (
    Clock,
    Workflow,
    register_workflow,
    step,
    unregister_workflow,
    workflow_for,
)


def _none(*args):
    return []


CLOCK = Clock("reply", "答复期限", _none, _none)


def _workflow(*ladder, clocks=(CLOCK,)):
    return Workflow(
        category="laddered", initial="a", states={"a": "甲"}, clocks=clocks, ladder=ladder
    )


@pytest.fixture(autouse=True)
def _forget():
    yield
    unregister_workflow("laddered")


def test_a_sound_ladder_registers():
    ladder = (
        step("ahead", "到期前提醒", -5, "handler head", "reply"),
        step("late", "逾期汇总", 1, "coordinator", "reply", colour="red", digest=True, daily=True),
    )
    registered = register_workflow(_workflow(*ladder))
    assert workflow_for("laddered").ladder == ladder
    assert registered.clock("reply") is CLOCK


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (step("x", "某", -1, "handler janitor", "reply"), "unknown roles"),
        (step("x", "某", -1, "", "reply"), "unknown roles"),
        (step("x", "某", -1, "handler", "reply co_opinion"), "unknown clocks"),
        (step("x", "某", -1, "handler", ""), "unknown clocks"),
        (step("x", "某", -1, "handler", "reply", colour="green"), "unknown colour"),
        (step("x", "某", 400, "handler", "reply"), "working days from its deadline"),
        (step("x", "某", 1, "handler", "reply", daily=True), "must be a digest"),
    ],
)
def test_a_bad_step_is_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        register_workflow(_workflow(bad))
    with pytest.raises(LookupError):
        workflow_for("laddered")


def test_keys_are_declared_once():
    twice = step("x", "某", -1, "handler", "reply")
    with pytest.raises(ValueError, match="a ladder step is declared twice"):
        register_workflow(_workflow(twice, twice))
    with pytest.raises(ValueError, match="a clock is declared twice"):
        register_workflow(_workflow(clocks=(CLOCK, CLOCK)))


def test_a_step_fires_on_its_day_or_every_day_from_it():
    once = step("x", "某", 3, "leader", "reply")
    daily = step("y", "某", 1, "handler", "reply", digest=True, daily=True)
    assert [p for p in range(-6, 8) if once.fires(p)] == [3]
    assert [p for p in range(-6, 8) if daily.fires(p)] == [1, 2, 3, 4, 5, 6, 7]
    assert once.applies_to("reply") and not once.applies_to("feedback")


def test_the_proposal_ladder_is_the_issue_s_defaults():
    workflow = workflow_for("npc_suggestion")
    by_key = {s.key: s for s in workflow.ladder}
    assert [by_key[k].offset for k in ("ahead", "eve", "due")] == [-5, -1, 0]
    assert all(by_key[k].who == {"handler", "head"} for k in ("ahead", "eve", "due", "overdue"))
    assert by_key["overdue"].daily and by_key["overdue"].digest
    assert by_key["leader"].offset == 3 and by_key["leader"].who == {"leader"}
    assert by_key["office"].who == {"coordinator"} and by_key["office"].daily
    assert {c.key for c in workflow.clocks} == {
        "reply",
        "unit_draft",
        "co_opinion",
        "rehandling",
        "extension",
        "feedback",
        # 回头看 (issue 15): a promise's due date, running after the case closes.
        "commitment",
    }
    assert by_key["promise_ahead"].offset == -5 and by_key["promise_due"].offset == 0
    assert by_key["promise_overdue"].daily and "coordinator" in by_key["promise_overdue"].who
