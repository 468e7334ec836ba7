"""What the case page and its print view show: the case's facts, its history by round, and
the action cards of the user. Read-only; the views stay thin."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cases.dispatch import available_actions
from cases.listing import OPEN_STATES, SOON_WORKDAYS, soon_end
from cases.models import AssignmentKind, Case, Feedback, Reply, ReplyClass
from letters.build import feedback_form_available, letter_available
from web.action_cards import ActionCard, build_card, review_steps
from web.forms import ChoiceSource
from web.timeline import timeline
from workflow.tables import workflow_for

# Before the draft goes to review, the unit's own target date is the one that matters.
UNIT_DEADLINE_STATES = ("assigned", "handling")
# The reply's date, class and rating in the header are those of the round that ended.
ANSWERED_STATES = ("replied", "closed")


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


def _edit_initial(case: Case, proposers: list[Any], topics: list[Any]) -> dict[str, Any]:
    return {
        "level": case.level,
        "issuer": case.issuer,
        "year": case.year,
        "session": case.session,
        "number": case.number,
        "title": case.title,
        "content": case.content,
        "mode": case.mode,
        "external_lead": case.external_lead,
        "topics": [t.name for t in topics],
        "led_by": case.led_by,
        "is_key": case.is_key,
        "lead_proposer": proposers[0].proposer.name if proposers else "",
        "joint_proposers": [link.proposer.name for link in proposers[1:]],
        "received_on": case.received_on,
        "leader_in_charge": case.leader_in_charge.username if case.leader_in_charge else None,
        "explicit_deadline": case.explicit_deadline,
    }


def _card_order(workflow: Any, action: str) -> tuple[int, int]:
    """The step that moves the case on first, then the recording ones, edit, and the
    actions that take it back or away last; the workflow table's order within each."""
    if action in {"withdraw", "return", "reopen"}:
        group = 3
    elif action == "edit":
        group = 2
    elif workflow.transitions[action].targets:
        group = 0
    else:
        group = 1
    return group, list(workflow.transitions).index(action)


def action_card(action: str, case: Case, user: Any, today: date, data: Any = None) -> ActionCard:
    """One action's card on its own, bound to the posted `data`."""
    proposers = list(case.proposer_links.select_related("proposer").order_by("position"))
    edit_initial = _edit_initial(case, proposers, list(case.topics.all()))
    return build_card(action, case, user, today, ChoiceSource(case), edit_initial, data=data)


def action_cards(
    user: Any,
    case: Case,
    today: date,
    *,
    proposers: list[Any],
    topics: list[Any],
    bound: ActionCard | None = None,
) -> list[ActionCard]:
    """The user's cards; `bound`, a card refused with the user's post, takes its place."""
    workflow = workflow_for(case.category)
    names = sorted(available_actions(user, case, today), key=lambda n: _card_order(workflow, n))
    source = ChoiceSource(case)
    if bound is not None and bound.action not in names:
        names = [bound.action, *names]
    edit_initial = _edit_initial(case, proposers, topics)
    return [
        bound
        if bound is not None and bound.action == name
        else build_card(name, case, user, today, source, edit_initial)
        for name in names
    ]


def _rounds(case: Case, replies: list[Reply], feedbacks: list[Feedback]) -> list[Round]:
    """Every round that has a reply or a rating, newest first."""
    rounds: dict[int, Round] = {}
    for reply in replies:
        reply.review_steps = review_steps(reply)
        rounds.setdefault(reply.round, Round(reply.round)).replies.append(reply)
    for fb in feedbacks:
        rounds.setdefault(fb.round, Round(fb.round)).feedbacks.append(fb)
    if case.round > 1 and case.round not in rounds:
        # Re-handled and not answered yet: the round is shown, empty, with its deadline.
        rounds[case.round] = Round(case.round, deadline=case.deadline)
    for number, r in rounds.items():
        r.current = number == case.round
    return [rounds[n] for n in sorted(rounds, reverse=True)]


def case_facts(case: Case, today: date) -> dict[str, Any]:
    """Everything the case page and the print view show about the case."""
    workflow = workflow_for(case.category)
    proposers = list(case.proposer_links.select_related("proposer").order_by("position"))
    topics = list(case.topics.all())
    replies = list(
        case.replies.select_related("submitted_by", "signed_by")
        .prefetch_related("commitments")
        .order_by("round", "id")
    )
    feedbacks = list(case.feedbacks.select_related("recorded_by"))
    assignments = sorted(
        case.assignments.select_related("unit", "handler"),
        key=lambda a: (a.kind != AssignmentKind.LEAD, a.id),
    )
    running = case.state in OPEN_STATES
    soon_limit = soon_end(today) if running else today
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
            case.state in UNIT_DEADLINE_STATES,
            today,
            soon_limit,
        ),
        "assignments": assignments,
        "opinions": [a for a in assignments if a.kind == AssignmentKind.CO],
        "rounds": _rounds(case, replies, feedbacks),
        "reply_class_label": dict(ReplyClass.choices).get(case.reply_class, ""),
        "answered": case.state in ANSWERED_STATES or case.round == 1,
        "soon_workdays": SOON_WORKDAYS,
        "communications": list(case.communications.select_related("recorded_by")),
        "feedbacks": feedbacks,
        "commitments": list(case.commitments.select_related("reply")),
        "outcomes": list(case.outcomes.all()),
        "extension_requests": list(case.extension_requests.select_related("requested_by")),
        "timeline": timeline(case.events.select_related("actor").order_by("id"), workflow),
        "can_download_letter": letter_available(case),
        "can_download_form": feedback_form_available(case),
    }
