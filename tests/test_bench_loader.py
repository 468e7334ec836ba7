"""bench/load_cases.py writes cases the application reads as its own: after a load over the
demo, the demo accounts keep their passwords and open every page of their day, the figures
of each case agree with its state, and a second load replaces the first."""

import importlib.util
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from audit.chain import verify_chain
from audit.models import AuditEvent
from cases.demo import DEMO_PASSWORD, load_demo
from cases.models import Assignment, Case, CaseProposer, Communication, Feedback, Reply
from letters.models import LetterCounter, LetterNumber
from orgs.models import Unit
from workflow.vocabulary import Event, State

LOADER = Path(__file__).resolve().parent.parent / "bench" / "load_cases.py"
TODAY = date(2026, 6, 15)


def loader():
    spec = importlib.util.spec_from_file_location("load_cases", LOADER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def loaded(db, settings):
    settings.HUIYIN_DEMO = True
    load_demo()
    # The events of units and users, and one for each unit the loader adds.
    kept = AuditEvent.objects.filter(case__isnull=True, case_label="").count()
    kept += 20 - Unit.objects.count()
    rows = loader().load(200, today=TODAY)
    return rows, kept


def test_the_load_has_the_shape_of_the_issue(loaded):
    rows, kept = loaded
    assert Case.objects.count() == rows["cases_case"] == 200
    assert Unit.objects.count() == 20
    assert get_user_model().objects.count() == 50
    # The events of units and users stay (and record the units added); every case's
    # events are new.
    assert AuditEvent.objects.filter(case__isnull=True).count() == kept
    assert AuditEvent.objects.filter(case__isnull=False).count() == rows["audit_auditevent"]
    per_case = rows["audit_auditevent"] / 200
    assert 7.5 <= per_case <= 10, per_case
    assert 1.1 <= Assignment.objects.count() / 200 <= 1.5
    assert 1.25 <= CaseProposer.objects.count() / 200 <= 1.55
    assert 0.7 <= Communication.objects.count() / 200 <= 1.1
    assert 0.85 <= Reply.objects.count() / 200 <= 1.1
    states = Counter(Case.objects.values_list("state", flat=True))
    assert 0.82 <= states[State.CLOSED] / 200 <= 0.95, states
    assert set(states) <= set(State.values)
    years = set(Case.objects.values_list("year", flat=True))
    assert years == {2024, 2025, 2026}
    # Proposers are shared across cases, as deputies are.
    assert CaseProposer.objects.values("proposer").distinct().count() < CaseProposer.objects.count()
    # The written events are linked into the audit chain, after the kept ones (issue 16).
    report = verify_chain()
    assert report.ok, report
    assert report.checked == AuditEvent.objects.count()


def test_each_case_agrees_with_its_state(loaded):
    closed = Case.objects.filter(state=State.CLOSED)
    assert closed.exists()
    # A closed case: a signed reply with its 文号 in the register, a rating, the summary
    # columns filled from them, and its dates in order, none after today.
    assert not closed.filter(
        Q(replied_on__isnull=True) | Q(reply_class="") | Q(feedback_result="")
    ).exists()
    signed = Reply.objects.filter(status="signed")
    assert signed.filter(case__state=State.CLOSED).values("case").distinct().count() == (
        closed.count()
    )
    assert LetterNumber.objects.filter(reply__in=signed).count() == signed.count()
    # The 答复函's counters (the 催办通知单 of the demo's 催办 count in a sequence of their own).
    for year, last in LetterCounter.objects.filter(kind="reply").values_list("year", "last"):
        assert LetterNumber.objects.filter(kind="reply", year=year).count() == last
    assert Feedback.objects.filter(case__in=closed).count() == closed.count()
    for case in closed.only("received_on", "assigned_on", "replied_on", "last_action_on"):
        assert case.received_on <= case.assigned_on <= case.replied_on <= case.last_action_on
        assert case.last_action_on < TODAY
    # Not yet replied: no reply date, no class; a live lead assignment once assigned.
    waiting = Case.objects.filter(state__in=[State.HANDLING, State.ASSIGNED])
    assert not waiting.filter(replied_on__isnull=False).exists()
    assert (
        not waiting.annotate(
            live=Count(
                "assignments",
                filter=Q(assignments__kind="lead", assignments__status__in=["pending", "accepted"]),
            )
        )
        .exclude(live=1)
        .exists()
    )
    assert not Case.objects.filter(state=State.REGISTERED, lead_unit__isnull=False).exists()
    # Every case starts with its registration, and its events follow its story.
    assert AuditEvent.objects.filter(action=Event.REGISTER, case__isnull=False).count() == 200
    assert not AuditEvent.objects.filter(case__isnull=True).exclude(case_label="").exists()


def test_the_demo_accounts_still_log_in_and_open_their_pages(loaded, client):
    for username in ("coordinator", "yizheng"):
        # The login form, as a person signs in: the demo password still works.
        response = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, (username, response.status_code)
        head_cases = client.get("/cases/")
        assert head_cases.status_code == 200
        case = Case.objects.filter(lead_unit__code="yizheng").order_by("-id").first()
        assert case is not None
        for url in (
            "/",
            "/cases/?unit=yizheng&state=handling",
            f"/cases/{case.pk}/",
            "/dashboard/?year=2026",
        ):
            response = client.get(url)
            assert response.status_code == 200, (username, url, response.status_code)
        client.logout()


def test_a_second_load_replaces_the_first(loaded):
    rows = loader().load(30, today=TODAY)
    assert Case.objects.count() == 30
    assert verify_chain().ok
    assert AuditEvent.objects.filter(case__isnull=False).count() == rows["audit_auditevent"]
    assert not AuditEvent.objects.filter(case__isnull=True).exclude(case_label="").exists()
    assert Unit.objects.count() == 20
    assert get_user_model().objects.count() == 50
    # New rows take ids after the loaded ones: the sequences follow the load.
    case = Case.objects.order_by("-id").first()
    assert case is not None
    created = Case.objects.create(
        category=case.category,
        level=case.level,
        year=case.year,
        number="extra-1",
        title="新件",
        mode=case.mode,
        state=State.REGISTERED,
        received_on=TODAY,
        last_action_on=TODAY,
    )
    assert created.pk > case.pk
    # An action after the load links to the loaded chain.
    from audit.record import record_event

    record_event(actor=None, action="calendar_override_set", subject="after-load")
    assert verify_chain().ok
