"""A category declared in one module (this test module) appears, with no edit anywhere
else, in the API (available_actions, POST …/actions/{name}), on the case page as an
action card, on the timeline and in a 待办 queue: the promise of workflow.tables."""

from datetime import date

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from pydantic import BaseModel, ConfigDict, Field

from api.models import ApiToken
from cases.models import Case
from cases.todo import Section, asc, todo_for
from workflow.engine import apply_transition, start_case
from workflow.tables import (
    Form,
    Queue,
    Wording,
    Workflow,
    register_workflow,
    t,
    unregister_workflow,
    workflow_for,
)

TODAY = date(2026, 6, 1)


class NotePayload(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    on: date | None = Field(None, title="办理日期")
    note: str = Field(title="核查情况", min_length=1)


@transaction.atomic
def _check_out(case, by, p: NotePayload):
    return apply_transition(
        case, "check_out", by=by, on=p.on or TODAY, to="checked", details={"note": p.note}
    )


def _checked_words(details, names):
    return [("核查", "已到现场")]


def _to_check(b) -> Section:
    return b.section(
        b.visible.filter(state="waiting"),
        Section("to_check", "待核查", "bi-search", "check_out", "核查", "收到日期", {}),
        order=(asc("received_on"),),
        due=lambda c: c.received_on,
    )


TOY = Workflow(
    category="toy_matter",
    label="试验件",
    initial="waiting",
    states={"waiting": "待核查", "checked": "已核查"},
    transitions={
        "check_out": t(
            "check_out",
            "现场核查",
            "waiting",
            "checked",
            "coordinator",
            payload=NotePayload,
            run=_check_out,
            form=Form(on_label="核查日期", labels={"note": ("核查情况", "写明核查结果")}),
            wording=Wording(head=_checked_words),
        )
    },
    groups={"running": frozenset({"waiting"})},
    colors={"waiting": "info", "checked": "success"},
    queues=(Queue("coordinator", "to_check", _to_check, "check_out"),),
)


@pytest.fixture
def toy(cast):
    register_workflow(TOY)
    case = Case.objects.create(
        category="toy_matter",
        level="municipal",
        year=2026,
        number="T-1",
        title="试验件一号",
        mode="lead",
        state="waiting",
        received_on=date(2026, 5, 20),
        last_action_on=date(2026, 5, 20),
    )
    start_case(case, by=cast.coordinator, on=date(2026, 5, 20))
    yield case
    unregister_workflow("toy_matter")


def test_a_misspelled_actor_or_state_fails_at_registration():
    bad_actor = Workflow(
        category="typo",
        initial="a",
        states={"a": "甲", "b": "乙"},
        transitions={"go": t("go", "走", "a", "b", "cordinator")},
    )
    with pytest.raises(ValueError, match="unknown actors"):
        register_workflow(bad_actor)
    bad_state = Workflow(
        category="typo",
        initial="a",
        states={"a": "甲"},
        transitions={"go": t("go", "走", "a", "bb", "coordinator")},
    )
    with pytest.raises(ValueError, match="unknown states"):
        register_workflow(bad_state)
    bad_queue = Workflow(
        category="typo",
        initial="a",
        states={"a": "甲"},
        queues=(Queue("coordinater", "x", _to_check),),
    )
    with pytest.raises(ValueError, match="unknown role"):
        register_workflow(bad_queue)
    with pytest.raises(LookupError):
        workflow_for("typo")


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_the_api_offers_and_performs_the_new_action(cast, toy):
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.objects.issue(cast.coordinator)[1]}"}
    detail = client.get(f"/api/v1/cases/{toy.pk}", **headers)
    assert detail.status_code == 200, detail.content
    assert detail.json()["available_actions"] == ["check_out"]
    assert detail.json()["state_label"] == "待核查"
    refused = client.post(
        f"/api/v1/cases/{toy.pk}/actions/check_out",
        data={"note": ""},
        content_type="application/json",
        **headers,
    )
    assert refused.status_code in (400, 422)
    done = client.post(
        f"/api/v1/cases/{toy.pk}/actions/check_out",
        data={"note": "现场查看，情况属实"},
        content_type="application/json",
        **headers,
    )
    assert done.status_code == 200, done.content
    toy.refresh_from_db()
    assert toy.state == "checked"


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_the_case_page_shows_the_card_and_the_timeline_reads_the_wording(cast, toy):
    client = Client()
    client.force_login(cast.coordinator)
    page = client.get(f"/cases/{toy.pk}/").content.decode()
    assert 'id="action-check_out"' in page
    assert "现场核查" in page and "核查日期" in page and "写明核查结果" in page
    posted = client.post(f"/cases/{toy.pk}/actions/check_out/", {"note": "现场查看，情况属实"})
    assert posted.status_code == 302
    page = client.get(f"/cases/{toy.pk}/").content.decode()
    assert "已核查" in page  # the state's label, and the timeline's move
    assert "已到现场" in page  # the action's own wording
    assert "现场查看，情况属实" in page  # the common note row
    assert 'id="action-check_out"' not in page  # done: no card any more
    # A role the spec does not name may not act: 403, as for every action.
    viewer = Client()
    viewer.force_login(cast.viewer)
    assert viewer.post(f"/cases/{toy.pk}/actions/check_out/", {"note": "x"}).status_code == 403


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_the_new_queue_appears_in_the_coordinators_todo(cast, toy):
    todo = todo_for(cast.coordinator, TODAY)
    sections = {s.key: s for s in todo.sections}
    assert [row.case.pk for row in sections["to_check"].rows] == [toy.pk]
    assert sections["to_check"].action == "check_out"
    # The 议提案 queues do not list it, and the leader's page has no such section.
    assert toy.pk not in [
        row.case.pk for s in todo.sections if s.key != "to_check" for row in s.rows
    ]
    assert "to_check" not in {s.key for s in todo_for(cast.leader, TODAY).sections}
