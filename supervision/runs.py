"""From a validated payload to the action of supervision.actions (named in spec.py), and the
availability checks the case page's cards share with the actions."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from cases import actions as case_actions
from cases.dispatch import unit_by_code, user_by_name
from cases.models import Case
from cases.payloads import (
    AcceptPayload,
    DecisionPayload,
    ExtensionRequestPayload,
)
from supervision import actions
from supervision.payloads import (
    CheckPayload,
    CompletionPayload,
    ProgressPayload,
    RatePayload,
    SupervisePayload,
    SupervisionAssignPayload,
    SuspendPayload,
)

if TYPE_CHECKING:
    from huiyin.types import User
else:
    User = Any


def assign(case: Case, by: User, p: SupervisionAssignPayload) -> Any:
    return actions.assign(
        case,
        by=by,
        on=p.on,
        assigned_on=p.assigned_on,
        lead_unit=unit_by_code(p.lead_unit, "lead_unit"),
        co_units=[u for c in p.co_units if (u := unit_by_code(c, "co_units")) is not None],
        leader_in_charge=user_by_name(p.leader_in_charge, "leader_in_charge"),
        deadline=p.deadline,
        milestones=[(m.title, m.due) for m in p.milestones],
    )


def accept(case: Case, by: User, p: AcceptPayload) -> Any:
    return case_actions.accept_case(case, by=by, on=p.on)


def report_progress(case: Case, by: User, p: ProgressPayload) -> Any:
    return actions.report_progress(
        case, by=by, text=p.text, percent=p.percent, milestone=p.milestone, on=p.on
    )


def submit_completion(case: Case, by: User, p: CompletionPayload) -> Any:
    return actions.submit_completion(case, by=by, report=p.report, partial=p.partial, on=p.on)


def check_completion(case: Case, by: User, p: CheckPayload) -> Any:
    return actions.check_completion(case, by=by, approved=p.approved, comment=p.comment, on=p.on)


def rate(case: Case, by: User, p: RatePayload) -> Any:
    return actions.rate(case, by=by, quality=p.quality, comment=p.comment, on=p.on)


def suspend(case: Case, by: User, p: SuspendPayload) -> Any:
    return actions.suspend(case, by=by, reason=p.reason, on=p.on)


def resume(case: Case, by: User, p: Any) -> Any:
    return actions.resume(case, by=by, on=p.on)


def request_extension(case: Case, by: User, p: ExtensionRequestPayload) -> Any:
    return case_actions.request_extension(case, by=by, until=p.until, reason=p.reason, on=p.on)


def decide_extension(case: Case, by: User, p: DecisionPayload) -> Any:
    return case_actions.decide_extension(
        case, by=by, approved=p.approved, comment=p.comment, on=p.on
    )


def supervise(case: Case, by: User, p: SupervisePayload) -> Any:
    """列入督办, declared in the other categories' specs (proposals, opinions)."""
    return actions.supervise(
        case, by=by, urgency=p.urgency, source=p.source, instruction=p.instruction, on=p.on
    )


def has_pending_extension(case: Case, today: date, mine: set[str]) -> bool:
    return case.extension_requests.filter(approved__isnull=True).exists()


def not_supervised(case: Case, today: date, mine: set[str]) -> bool:
    """No open supervision item of the case yet (from the case page's prefetched rows)."""
    from huiyin.prefetch import prefetched
    from supervision.models import Supervision
    from workflow.vocabulary import State

    items = prefetched(case, "supervisions")
    if items is None:
        items = list(Supervision.objects.filter(linked_case=case).select_related("case"))
    return all(item.case.state == State.CLOSED for item in items)
