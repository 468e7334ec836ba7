"""What the case page and its print view show: the case's facts, its history by round, and
the action cards of the user. Read-only; the views stay thin.

The case's rows are read once, a query per table, as prefetches on the case object
(`load_case_rows`): the helpers the page calls afterwards that ask `case.replies.exists()`
or `case.commitments.all()` (letters.build, the workflow's guards, the cards' choices) are
answered from them instead of asking the database again. Each query orders by the child
table's own columns: the models' default ordering starts with "case", which would join
the cases table and sort by its columns for nothing.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from audit.models import AuditEvent
from cases.dispatch import available_actions
from cases.figures import SOON_WORKDAYS, soon_end
from cases.models import (
    Assignment,
    AssignmentKind,
    Case,
    CaseProposer,
    Commitment,
    CommitmentNote,
    Communication,
    ExtensionRequest,
    Feedback,
    Outcome,
    Reply,
    ReplyClass,
    Topic,
)
from cases.permissions import LIVE_ASSIGNMENT
from huiyin.prepared import Prepared, cache_rows
from huiyin.types import User
from letters.build import feedback_form_available, letter_available
from portal.models import CommunicationCheck
from web.action_cards import ActionCard, CardInput, build_card, card_header, review_steps
from web.forms import ChoiceSource
from web.timeline import timeline
from workflow.tables import Workflow, workflow_for
from workflow.vocabulary import Action


@dataclass
class DeadlineStatus:
    day: date | None
    provisional: bool
    late: bool = False
    soon: bool = False


@dataclass
class Round:
    number: int
    replies: list[Reply] = field(default_factory=list)  # oldest first
    feedbacks: list[Feedback] = field(default_factory=list)
    current: bool = False
    deadline: date | None = None  # of the current round, when it has no reply yet

    @property
    def final(self) -> Reply | None:
        return self.replies[-1] if self.replies else None

    @property
    def earlier(self) -> list[Reply]:
        return self.replies[:-1]


def deadline_status(
    day: date | None, provisional: bool, running: bool, today: date, soon_limit: date
) -> DeadlineStatus:
    if day is None:
        return DeadlineStatus(None, provisional)
    return DeadlineStatus(
        day,
        provisional,
        late=running and day < today,
        soon=running and today <= day <= soon_limit,
    )


def _card_order(workflow: Workflow, action: str) -> tuple[int, int]:
    """The step that moves the case on first, then the recording ones, edit, and the
    actions that take it back or away last; the workflow table's order within each."""
    return workflow.transitions[action].card_group, list(workflow.transitions).index(action)


def action_cards(
    user: User,
    case: Case,
    today: date,
    *,
    proposers: list[Any],
    topics: list[Any],
    bound: ActionCard | None = None,
) -> list[ActionCard]:
    """The user's cards; `bound`, a card refused with the user's post, takes its place.

    Only the card shown open is built whole (the refused one, else the step that moves the
    case on); the others are headers whose form the page fetches when the user opens them
    (web.views.case_action_card), built then by the same `build_card`."""
    workflow = workflow_for(case.category)
    names = sorted(available_actions(user, case, today), key=lambda n: _card_order(workflow, n))
    if bound is not None and bound.action not in names:
        names = [bound.action, *names]
    headers = {name: card_header(name, case) for name in names}
    shown = bound.action if bound is not None else open_card(list(headers.values()))
    return [
        bound
        if bound is not None and bound.action == name
        else build_card(
            name,
            CardInput(case, user, today, known_proposers=proposers, known_topics=topics),
            ChoiceSource(case),
        )
        if name == shown
        else headers[name]
        for name in names
    ]


def open_card(cards: list[ActionCard]) -> str:
    """The card the page shows open when no post was refused: the step that moves the case
    on (the first, when there are several), or none."""
    return next((c.action for c in cards if c.primary), "")


def _rounds(
    case: Case, workflow: Workflow, replies: list[Reply], feedbacks: list[Feedback]
) -> list[Round]:
    """Every round that has a reply or a rating, newest first."""
    rounds: dict[int, Round] = {}
    for reply in replies:
        reply.review_steps = review_steps(reply, workflow)
        rounds.setdefault(reply.round, Round(reply.round)).replies.append(reply)
    for fb in feedbacks:
        rounds.setdefault(fb.round, Round(fb.round)).feedbacks.append(fb)
    if case.round > 1 and case.round not in rounds:
        # Re-handled and not answered yet: the round is shown, empty, with its deadline.
        rounds[case.round] = Round(case.round, deadline=case.deadline)
    for number, r in rounds.items():
        r.current = number == case.round
    return [rounds[n] for n in sorted(rounds, reverse=True)]


# Each table the case page shows, by the case's id: compiled once a process
# (huiyin.prepared), each ordered by the child table's own columns.
_TABLES: dict[str, Prepared[Any]] = {
    "proposer_links": Prepared(
        lambda pk: CaseProposer.objects.select_related("proposer")
        .filter(case_id=pk)
        .order_by("position")
    ),
    "topics": Prepared(lambda pk: Topic.objects.filter(cases=pk)),
    "replies": Prepared(
        lambda pk: Reply.objects.select_related("submitted_by", "signed_by")
        .filter(case_id=pk)
        .order_by("round", "id")
    ),
    "feedbacks": Prepared(
        lambda pk: Feedback.objects.select_related("recorded_by", "proposer")
        .filter(case_id=pk)
        .order_by("round", "id")
    ),
    "assignments": Prepared(
        lambda pk: Assignment.objects.select_related("unit", "handler")
        .filter(case_id=pk)
        .order_by("id")
    ),
    "communications": Prepared(
        lambda pk: Communication.objects.select_related("recorded_by")
        .filter(case_id=pk)
        .order_by("on", "id")
    ),
    "commitments": Prepared(
        lambda pk: Commitment.objects.select_related("unit")
        .filter(case_id=pk)
        .order_by("due", "id")
    ),
    "outcomes": Prepared(lambda pk: Outcome.objects.filter(case_id=pk).order_by("on", "id")),
    "extension_requests": Prepared(
        lambda pk: ExtensionRequest.objects.select_related("requested_by")
        .filter(case_id=pk)
        .order_by("id")
    ),
    "events": Prepared(
        lambda pk: AuditEvent.objects.select_related("actor").filter(case_id=pk).order_by("id")
    ),
}
# Each proposer's word on a record, through their link (portal): the badges.
_CHECKS = Prepared(
    lambda pk: CommunicationCheck.objects.select_related("proposer")
    .filter(communication__case_id=pk)
    .order_by("id")
)
# 承诺事项's history (回头看).
_NOTES = Prepared(
    lambda pk: CommitmentNote.objects.filter(commitment__case_id=pk).order_by("on", "id")
)


def _linked(relation: str, *related: str) -> Prepared[Any]:
    """Another app's rows that point at the case (its reverse relation `relation`)."""

    def build(pk: int) -> Any:
        rel: Any = Case._meta.get_field(relation)
        return rel.related_model.objects.select_related(*related).filter(**{rel.field.attname: pk})

    return Prepared(build)


# The supervision items it was put under (列入督办) and the list items raised from it
# (列入整改清单), each with its case: the page lists them, linked both ways, and the
# cards ask whether there is an open one.
_LINKS = {
    "supervisions": _linked("supervisions", "case"),
    "list_items": _linked("list_items", "case", "rect_list"),
}


def load_links(case: Case) -> None:
    for relation, query in _LINKS.items():
        cache_rows(case, relation, query.rows(case.pk))


def _grouped(rows: list[Any], key: str) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {}
    for row in rows:
        found.setdefault(getattr(row, key), []).append(row)
    return found


def load_case_rows(case: Case) -> None:
    """Read every row the case page shows, one query per table, into the case's prefetch
    cache (`case.replies.all()` and friends): a fixed number of queries however long the
    case's history. The queries are compiled once a process (huiyin.prepared): building
    and compiling a dozen querysets cost as much as running them."""
    for relation, query in _TABLES.items():
        cache_rows(case, relation, query.rows(case.pk))
    replies = case.replies.all()
    commitments = list(case.commitments.all())
    # A reply's promises are the case's, by reply (read once, with the case's).
    by_reply = _grouped(commitments, "reply_id")
    for reply in replies:
        cache_rows(reply, "commitments", by_reply.get(reply.pk, []))
    communications = list(case.communications.all())
    if communications:  # no query when nothing was recorded
        checks = _grouped(_CHECKS.rows(case.pk), "communication_id")
        for record in communications:
            cache_rows(record, "proposer_checks", checks.get(record.pk, []))
    if commitments:  # nor when the case promised nothing
        notes = _grouped(_NOTES.rows(case.pk), "commitment_id")
        for commitment in commitments:
            cache_rows(commitment, "notes", notes.get(commitment.pk, []))


def case_facts(case: Case, today: date) -> dict[str, Any]:
    """Everything the case page and the print view show about the case."""
    load_case_rows(case)
    workflow = workflow_for(case.category)
    proposers = list(case.proposer_links.all())
    topics = list(case.topics.all())
    replies = list(case.replies.all())
    feedbacks = list(case.feedbacks.all())
    assignments = sorted(
        case.assignments.all(), key=lambda a: (a.kind != AssignmentKind.LEAD, a.id)
    )
    by_reply = {r.pk: r for r in replies}
    commitments = list(case.commitments.all())
    for c in commitments:  # their reply's round is shown: the reply was read already
        if c.reply_id in by_reply:
            c.reply = by_reply[c.reply_id]
    events = list(case.events.all())
    running = case.state in workflow.group("running")
    soon_limit = soon_end(today) if running else today
    # The units the history names are nearly always the case's own: no query for those.
    known_units = {a.unit.code: a.unit.name for a in assignments}
    if case.lead_unit is not None:
        known_units[case.lead_unit.code] = case.lead_unit.name
    return {
        "case": case,
        "workflow": workflow,
        "state_label": workflow.state_label(case.state),
        "today": today,
        "proposers": proposers,
        "topics": topics,
        "lead_proposer": proposers[0].proposer if proposers else None,
        "joint_proposers": [link.proposer for link in proposers[1:]],
        "deadline": deadline_status(
            case.deadline, case.deadline_provisional, running, today, soon_limit
        ),
        "unit_deadline": deadline_status(
            case.unit_deadline,
            case.unit_deadline_provisional,
            case.state in workflow.group("unit_deadline"),
            today,
            soon_limit,
        ),
        "assignments": assignments,
        # 承办人: the live lead unit's handler (an ended assignment's is history).
        "handler": next(
            (
                a.handler
                for a in assignments
                if a.kind == AssignmentKind.LEAD and a.status in LIVE_ASSIGNMENT
            ),
            None,
        ),
        # 会办意见, in a category whose co-units submit one (not a list item's 协办处室).
        "opinions": [a for a in assignments if a.kind == AssignmentKind.CO]
        if Action.SUBMIT_OPINION in workflow.transitions
        else [],
        "rounds": _rounds(case, workflow, replies, feedbacks),
        "reply_class_label": dict(ReplyClass.choices).get(case.reply_class, ""),
        "answered": case.state in workflow.group("answered") or case.round == 1,
        "soon_workdays": SOON_WORKDAYS,
        "communications": list(case.communications.all()),
        "feedbacks": feedbacks,
        "commitments": commitments,
        "outcomes": list(case.outcomes.all()),
        "extension_requests": list(case.extension_requests.all()),
        "timeline": timeline(events, workflow, known_units=known_units),
        # The hidden field of every action form (web/resubmit.py): the last event shown.
        "latest_event_id": events[-1].pk if events else 0,
        "can_download_letter": letter_available(case),
        "can_download_form": feedback_form_available(case),
    }
