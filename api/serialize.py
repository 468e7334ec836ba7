"""Cases as JSON-ready dicts. The detail is loaded with a fixed number of queries,
however many assignments, replies or events the case has."""

from datetime import date
from typing import Any

from django.db.models import Prefetch

from audit.models import AuditEvent
from cases.dispatch import available_actions
from cases.figures import is_overdue
from cases.models import (
    Assignment,
    AssignmentKind,
    Case,
    CaseProposer,
    Communication,
)
from cases.permissions import LIVE_ASSIGNMENT
from huiyin.types import User
from workflow.tables import workflow_for

DETAIL_PREFETCH = (
    "topics",
    Prefetch(
        "proposer_links",
        queryset=CaseProposer.objects.select_related("proposer").order_by("position"),
    ),
    Prefetch(
        "assignments",
        queryset=Assignment.objects.select_related("unit", "handler").order_by("kind", "id"),
    ),
    "replies",
    Prefetch("communications", queryset=Communication.objects.select_related("recorded_by")),
    "feedbacks",
    "commitments",
    "outcomes",
    "extension_requests",
    Prefetch("events", queryset=AuditEvent.objects.select_related("actor").order_by("id")),
)


def load_for_detail(pk: int) -> Case:
    """The case with everything the detail shows. Callers have checked visibility."""
    return (
        Case.objects.select_related("lead_unit", "leader_in_charge", "opinion")
        .prefetch_related(*DETAIL_PREFETCH)
        .get(pk=pk)
    )


def username_of(user: User | None) -> str | None:
    return user.get_username() if user is not None else None


def case_item(case: Case, on: date, handler: str | None = None) -> dict[str, Any]:
    """A row of the list; `handler` is the 承办人's username (read for the page at once)."""
    unit = case.lead_unit
    return {
        "id": case.pk,
        "category": case.category,
        "level": case.level,
        "year": case.year,
        "number": case.number,
        "title": case.title,
        "state": case.state,
        "state_label": workflow_for(case.category).state_label(case.state),
        "mode": case.mode,
        "role": case.role,
        "lead_unit": unit.code if unit else None,
        "lead_unit_name": unit.name if unit else None,
        "deadline": case.deadline,
        "deadline_provisional": case.deadline_provisional,
        "overdue": is_overdue(case, on),
        "reply_class": case.reply_class or None,
        "handler": handler,
    }


def _handler(case: Case) -> str | None:
    """The live lead unit's 承办人 (from the prefetched assignments)."""
    for a in case.assignments.all():
        if a.kind == AssignmentKind.LEAD and a.status in LIVE_ASSIGNMENT:
            return username_of(a.handler)
    return None


def _assignment(a: Assignment) -> dict[str, Any]:
    return {
        "unit": a.unit.code,
        "unit_name": a.unit.name,
        "kind": a.kind,
        "status": a.status,
        # The lead unit's is the case's reply deadline (stored once, on the case).
        "deadline": a.due,
        "deadline_provisional": a.due_provisional,
        "handler": username_of(a.handler),
        "accepted_on": a.accepted_on,
        "returned_on": a.returned_on,
        "return_reason": a.return_reason,
        "opinion": a.opinion,
        "opinion_on": a.opinion_on,
    }


def _related(case: Case) -> dict[str, list[dict[str, Any]]]:
    return {
        "assignments": [_assignment(a) for a in case.assignments.all()],
        "replies": [
            {
                "id": r.pk,
                "round": r.round,
                "status": r.status,
                "reply_class": r.reply_class or None,
                "text": r.text,
                "contact": r.contact,
                "phone": r.phone,
                "submitted_on": r.submitted_on,
                "signed_on": r.signed_on,
                # keyed by the step: approve_reply / review / sign
                **dict(review=r.review),
            }
            for r in case.replies.all()
        ],
        "communications": [
            {
                "id": c.pk,
                "round": c.round,
                "stage": c.stage,
                "method": c.method,
                "on": c.on,
                "participants": c.participants,
                "summary": c.summary,
                "recorded_by": username_of(c.recorded_by),
            }
            for c in case.communications.all()
        ],
        "feedbacks": [
            {
                "id": f.pk,
                "round": f.round,
                "result": f.result,
                "attitude": f.attitude or None,
                "comment": f.comment,
                "on": f.on,
            }
            for f in case.feedbacks.all()
        ],
        "commitments": [
            {"id": c.pk, "what": c.what, "due": c.due, "status": c.status, "note": c.note}
            for c in case.commitments.all()
        ],
        "outcomes": [
            {"id": o.pk, "kind": o.kind, "title": o.title, "on": o.on} for o in case.outcomes.all()
        ],
        "extensions": [
            {
                "id": e.pk,
                "until": e.until,
                "reason": e.reason,
                "requested_on": e.requested_on,
                "approved": e.approved,
                "comment": e.comment,
                "decided_on": e.decided_on,
            }
            for e in case.extension_requests.all()
        ],
        "timeline": [
            {
                "action": e.action,
                "actor": username_of(e.actor),
                "on": e.on,
                "at": e.at,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "details": e.details,
            }
            for e in case.events.all()
        ],
    }


def case_detail(case: Case, user: User, on: date) -> dict[str, Any]:
    """The case page as data: `case` comes from load_for_detail."""
    links = list(case.proposer_links.all())
    lead = next((link.proposer.name for link in links if link.position == 0), None)
    return {
        **case_item(case, on),
        "issuer": case.issuer,
        "session": case.session,
        "content": case.content,
        "external_lead": case.external_lead,
        "topics": [t.name for t in case.topics.all()],
        "led_by": case.led_by,
        "is_key": case.is_key,
        "leader_in_charge": username_of(case.leader_in_charge),
        "lead_proposer": lead,
        "joint_proposers": [link.proposer.name for link in links if link.position > 0],
        "received_on": case.received_on,
        "assigned_on": case.assigned_on,
        "unit_deadline": case.unit_deadline,
        "unit_deadline_provisional": case.unit_deadline_provisional,
        "replied_on": case.replied_on,
        "feedback_result": case.feedback_result or None,
        "round": case.round,
        "handler": _handler(case),
        **_related(case),
        "available_actions": available_actions(user, case, on),
        **_category_fields(case, user),
    }


def _category_fields(case: Case, user: User) -> dict[str, Any]:
    """What a category carries beside the shared columns (a public opinion's channel,
    area, person and answer): its workflow's `fields`."""
    own = workflow_for(case.category).fields
    return own(case, user) if own is not None else {}
