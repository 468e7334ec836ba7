"""The engine's edges (workflow.engine): the default action date, the dates it refuses,
transitions the table does not allow, and the register event."""

from datetime import date

import pytest
import time_machine
from django.db import transaction
from django.db.transaction import TransactionManagementError

from audit.models import AuditEvent
from cases import actions
from cases.models import Case
from cases.tests.factories import register
from cases.tests.walks import GATES, case_in
from reports.stats import year_stats
from workflow.engine import (
    apply_transition,
    check_on,
    import_states,
    lock_case,
    start_case,
    transition_for,
)
from workflow.errors import CaseError, StaleCase

TODAY = date(2026, 6, 10)
FROZEN = time_machine.travel(TODAY, tick=False)


# ── check_on: the date an action happened ───────────────────────────────────────────────


@FROZEN
def test_an_action_without_a_date_is_dated_today():
    assert check_on(None, not_before=None) == TODAY
    # Not the previous action's date: that is only a lower bound.
    assert check_on(None, not_before=date(2026, 5, 22)) == TODAY
    assert check_on(None, not_before=TODAY) == TODAY


@FROZEN
def test_a_previous_action_dated_after_today_wins_over_today():
    # The date never goes back before the previous action's, even one after today.
    assert check_on(None, not_before=date(2026, 6, 11)) == date(2026, 6, 11)


@FROZEN
def test_the_date_may_be_today_or_the_previous_actions_date():
    assert check_on(TODAY, not_before=None) == TODAY
    assert check_on(TODAY, not_before=TODAY) == TODAY
    assert check_on(date(2026, 5, 22), not_before=date(2026, 5, 22)) == date(2026, 5, 22)
    assert check_on(date(2020, 1, 1), not_before=None) == date(2020, 1, 1)


@FROZEN
def test_a_date_after_today_is_refused():
    with pytest.raises(CaseError, match="办理日期不能晚于今天") as refused:
        check_on(date(2026, 6, 11), not_before=None)
    assert refused.value.field == "on"


@FROZEN
def test_a_date_before_the_previous_action_is_refused():
    with pytest.raises(CaseError, match=r"不能早于上一步的办理日期（2026年5月22日）") as refused:
        check_on(date(2026, 5, 21), not_before=date(2026, 5, 22))
    assert refused.value.field == "on"


@pytest.mark.django_db
def test_signing_without_a_date_replies_today_and_counts_late(cast):
    """The leader signs on 06-10 without naming a date: the reply date is 06-10 (after the
    06-05 deadline, so late), not the 05-22 of the review before it."""
    with time_machine.travel(date(2026, 5, 22), tick=False):
        case = case_in(cast, "reviewing")
        actions.review_reply(case, by=cast.coordinator, passed=True, gates=GATES)
    assert case.deadline == date(2026, 6, 5)
    with FROZEN:
        actions.sign_reply(case, by=cast.leader, approved=True)
        stats = year_stats(2026)
    case = Case.objects.get(pk=case.pk)
    assert (case.replied_on, case.last_action_on) == (TODAY, TODAY)
    assert case.replies.get().signed_on == TODAY
    assert case.events.latest("id").on == TODAY
    assert (stats["replied"], stats["replied_on_time"], stats["on_time_rate"]) == (1, 0, 0.0)


@pytest.mark.django_db
def test_every_action_without_a_date_is_dated_today(cast):
    with time_machine.travel(date(2026, 3, 2), tick=False):
        case = register(cast, on=date(2026, 3, 2))
    with time_machine.travel(date(2026, 3, 4), tick=False):
        actions.assign_case(case, by=cast.coordinator, lead_unit=cast.yizheng)
    with time_machine.travel(date(2026, 3, 9), tick=False):
        actions.accept_case(case, by=cast.yizheng_head)
    assert list(case.events.values_list("action", "on")) == [
        ("register", date(2026, 3, 2)),
        ("assign", date(2026, 3, 4)),
        ("accept", date(2026, 3, 9)),
    ]
    assert Case.objects.get(pk=case.pk).assigned_on == date(2026, 3, 4)


# ── apply_transition and transition_for ─────────────────────────────────────────────────


@pytest.mark.django_db
@FROZEN
def test_apply_transition_refuses_a_target_the_table_does_not_allow(cast):
    case = case_in(cast, "assigned")
    events = AuditEvent.objects.count()
    with pytest.raises(ValueError, match="accept cannot lead to closed"):
        apply_transition(case, "accept", by=cast.yizheng_head, on=TODAY, to="closed")
    with pytest.raises(ValueError, match="edit keeps the state"):
        apply_transition(case, "edit", by=cast.coordinator, on=TODAY, to="handling")
    assert AuditEvent.objects.count() == events
    assert Case.objects.get(pk=case.pk).state == "assigned"


@pytest.mark.django_db
@FROZEN
def test_apply_transition_moves_writes_changes_and_one_event(cast):
    case = case_in(cast, "assigned")
    event = apply_transition(
        case,
        "accept",
        by=cast.yizheng_head,
        on=date(2026, 3, 6),
        to="handling",
        changes={"is_key": True},
        details={"unit": "yizheng"},
    )
    stored = Case.objects.get(pk=case.pk)
    assert (stored.state, stored.last_action_on, stored.is_key) == (
        "handling",
        date(2026, 3, 6),
        True,
    )
    assert (case.state, case.is_key) == ("handling", True)
    assert (event.action, event.from_state, event.to_state, event.on) == (
        "accept",
        "assigned",
        "handling",
        date(2026, 3, 6),
    )
    assert event.actor == cast.yizheng_head and event.details == {"unit": "yizheng"}
    # An action that keeps the state, named with its own state: allowed.
    kept = apply_transition(case, "edit", by=cast.coordinator, on=TODAY, to="handling")
    assert (kept.from_state, kept.to_state) == ("handling", "handling")


@pytest.mark.django_db
@FROZEN
def test_transition_for_refuses_an_unknown_action_and_a_wrong_state(cast):
    case = case_in(cast, "registered")
    assert transition_for(case, "assign").action == "assign"
    with pytest.raises(CaseError, match="此类办件没有“fly”操作"):
        transition_for(case, "fly")
    with pytest.raises(CaseError, match="办件当前为“已登记”，不能签发"):
        transition_for(case, "sign")
    with pytest.raises(CaseError, match="不能签发"):
        apply_transition(case, "sign", by=cast.leader, on=TODAY, to="replied")


@pytest.mark.django_db
@FROZEN
def test_a_stale_state_loses_and_writes_nothing(cast):
    case = case_in(cast, "assigned")
    stale = Case.objects.get(pk=case.pk)
    apply_transition(case, "accept", by=cast.yizheng_head, on=TODAY, to="handling")
    events = AuditEvent.objects.count()
    with pytest.raises(CaseError, match="刚被他人办理"):
        apply_transition(stale, "withdraw", by=cast.coordinator, on=TODAY, to="withdrawn")
    assert AuditEvent.objects.count() == events
    assert stale.state == "assigned"  # the object is left as it was read
    assert Case.objects.get(pk=case.pk).state == "handling"


@pytest.mark.django_db
@FROZEN
def test_lock_case_rereads_the_row_and_refuses_a_state_changed_meanwhile(cast):
    case = case_in(cast, "assigned")
    stale = Case.objects.get(pk=case.pk)
    Case.objects.filter(pk=case.pk).update(title="别人改过的标题")
    with transaction.atomic():
        assert lock_case(stale) is stale
    assert stale.title == "别人改过的标题"  # re-read under the lock
    actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 3, 6))
    with pytest.raises(StaleCase, match="刚被他人办理"), transaction.atomic():
        lock_case(stale)


@pytest.mark.django_db(transaction=True)
def test_lock_case_needs_a_transaction(cast):
    with time_machine.travel(date(2026, 3, 2), tick=False):
        case = register(cast, on=date(2026, 3, 2))
    with pytest.raises(TransactionManagementError):
        lock_case(case)


@pytest.mark.django_db
@FROZEN
def test_import_states_moves_each_case_with_its_own_event(cast):
    first = case_in(cast, "registered")
    second = case_in(cast, "registered")
    events = import_states(
        [(first, "closed", {"row": 2}), (second, "handling", {})], by=cast.coordinator, on=TODAY
    )
    assert [
        (e.case, e.actor, e.action, e.from_state, e.to_state, e.on, e.details) for e in events
    ] == [
        (first, cast.coordinator, "import", "registered", "closed", TODAY, {"row": 2}),
        (second, cast.coordinator, "import", "registered", "handling", TODAY, {}),
    ]
    assert Case.objects.get(pk=first.pk).state == "closed" and first.state == "closed"
    assert Case.objects.get(pk=second.pk).state == "handling"
    # A new case's first event comes from no state; no user: no actor.
    third = case_in(cast, "registered")
    (event,) = import_states([(third, "replied", {})], by=None, on=TODAY, new=True)
    assert (event.actor, event.from_state, event.to_state) == (None, "", "replied")


@pytest.mark.django_db
@FROZEN
def test_import_states_moves_more_cases_than_one_update_takes(cast):
    """A ledger of 1,001 new cases: every one moved and recorded, none twice."""
    template = case_in(cast, "registered")
    rows = [
        Case(
            category=template.category,
            level=template.level,
            year=2025,
            number=f"H{i:05d}",
            title="历史办件",
            mode="lead",
            state="registered",
            received_on=date(2025, 3, 1),
            last_action_on=date(2025, 3, 1),
        )
        for i in range(1001)
    ]
    cases = Case.objects.bulk_create(rows)
    events = import_states([(c, "closed", {}) for c in cases], by=None, on=TODAY, new=True)
    assert len(events) == 1001
    assert Case.objects.filter(year=2025, state="closed").count() == 1001
    assert AuditEvent.objects.filter(action="import").count() == 1001


# ── the register event ──────────────────────────────────────────────────────────────────


@pytest.mark.django_db
@FROZEN
def test_the_register_event_keeps_number_and_title(cast):
    case = register(cast, on=date(2026, 3, 2), number="20260777", title="关于建设智慧医院的建议")
    event = case.events.get()
    assert (event.action, event.from_state, event.to_state, event.on) == (
        "register",
        "",
        "registered",
        date(2026, 3, 2),
    )
    assert event.details == {"number": "20260777", "title": "关于建设智慧医院的建议"}
    assert event.actor == cast.coordinator


@pytest.mark.django_db
@FROZEN
def test_start_case_refuses_a_case_not_in_the_initial_state(cast):
    case = case_in(cast, "registered")
    case.state = "handling"
    with pytest.raises(ValueError, match="initial state"):
        start_case(case, by=cast.coordinator, on=TODAY)
    assert case.events.count() == 1
