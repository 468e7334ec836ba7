"""A case as a ledger row and back: what the export writes and the import compares."""

from datetime import date
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Prefetch, QuerySet

from cases.actions.importing import CaseRecord
from cases.figures import overdue_word, overdue_workdays
from cases.models import (
    Assignment,
    AssignmentKind,
    Case,
    CaseProposer,
    Category,
    FeedbackRating,
    Level,
    Mode,
    Topic,
)
from cases.permissions import LIVE_ASSIGNMENT
from proposals.spec import PROPOSAL_STATES
from workdays.calendar import WorkdaySpan

LIST_SEPARATOR = "、"


class _LedgerPrefetch(TypedDict):
    ledger_proposers: list[CaseProposer]
    ledger_topics: list[Topic]
    ledger_co_assignments: list[Assignment]
    ledger_lead_assignments: list[Assignment]


if TYPE_CHECKING:  # django-stubs-ext is a development tool, not a dependency
    from django_stubs_ext import WithAnnotations

    # A case of ledger_queryset: with its proposers, topics and live co-units prefetched.
    LedgerCase = WithAnnotations[Case, _LedgerPrefetch]


def ledger_queryset(cases: QuerySet[Case]) -> "QuerySet[LedgerCase]":
    """The cases with everything a row needs, in a fixed number of queries."""
    return cases.select_related("lead_unit").prefetch_related(
        Prefetch(
            "proposer_links",
            queryset=CaseProposer.objects.select_related("proposer").order_by("position"),
            to_attr="ledger_proposers",
        ),
        Prefetch("topics", queryset=Topic.objects.order_by("name"), to_attr="ledger_topics"),
        Prefetch(
            "assignments",
            queryset=Assignment.objects.filter(kind=AssignmentKind.CO, status__in=LIVE_ASSIGNMENT)
            .select_related("unit")
            .order_by("id"),
            to_attr="ledger_co_assignments",
        ),
        Prefetch(
            "assignments",
            queryset=Assignment.objects.filter(
                kind=AssignmentKind.LEAD, status__in=LIVE_ASSIGNMENT
            ).select_related("handler"),
            to_attr="ledger_lead_assignments",
        ),
    )


def record_of(case: "LedgerCase") -> CaseRecord:
    """The case as the import would describe it (from a ledger_queryset case)."""
    people = [link.proposer for link in case.ledger_proposers]
    lead = people[0] if people else None
    return CaseRecord(
        category=case.category,
        level=case.level,
        year=case.year,
        number=case.number,
        issuer=case.issuer,
        session=case.session,
        title=case.title,
        content=case.content,
        lead_proposer=lead.name if lead else "",
        joint_proposers=[p.name for p in people[1:]],
        delegation=lead.delegation if lead else "",
        party=lead.party if lead else "",
        topics=[t.name for t in case.ledger_topics],
        mode=case.mode,
        external_lead=case.external_lead,
        led_by=case.led_by,
        is_key=case.is_key,
        lead_unit=case.lead_unit,
        co_units=[a.unit for a in case.ledger_co_assignments],
        assigned_on=case.assigned_on,
        explicit_deadline=case.explicit_deadline,
        replied_on=case.replied_on,
        reply_class=case.reply_class,
        feedback_result=case.feedback_result,
        state=case.state,
    )


_LABELS: dict[str, dict[str, str]] = {
    "category": dict(Category.choices),
    "level": dict(Level.choices),
    "mode": dict(Mode.choices),
    "feedback_result": dict(FeedbackRating.choices),
    "state": PROPOSAL_STATES,
}


def cell_value(record: CaseRecord, key: str) -> Any:
    """The value of one column as the export writes it (dates stay dates)."""
    value = getattr(record, key)
    if key in _LABELS:
        return _LABELS[key].get(value, value)
    if key in ("joint_proposers", "topics"):
        return LIST_SEPARATOR.join(value)
    if key == "lead_unit":
        return value.name if value else ""
    if key == "co_units":
        return LIST_SEPARATOR.join(u.name for u in value)
    if key == "is_key":
        return "是" if value else "否"
    if key == "reply_class":
        return f"{value}类" if value else ""
    return value


# ── the export's computed columns (transfer.columns.COMPUTED): not imported ─────────────


def handler_name(case: "LedgerCase") -> str:
    """承办人: the handler the lead unit named (Assignment.handler), or empty."""
    for assignment in case.ledger_lead_assignments:
        if assignment.handler is not None:
            user = assignment.handler
            return user.get_full_name() or user.get_username()
    return ""


def current_state(case: Case) -> str:
    """当前状态: the state's label, with the round when handled again after 不满意."""
    label = PROPOSAL_STATES.get(case.state, case.state)
    return f"{label}（重新办理·第{case.round}轮）" if case.round > 1 else label


def computed_values(case: "LedgerCase", on: date, span: WorkdaySpan) -> dict[str, Any]:
    """The computed columns of a case as of `on`, counted as every page counts them
    (cases.figures): the deadline in force, 是否逾期 and its working days."""
    return {
        "deadline": case.deadline,
        "handler": handler_name(case),
        "overdue": overdue_word(case, on),
        "overdue_workdays": overdue_workdays(span, on, case),
        "current_state": current_state(case),
    }
