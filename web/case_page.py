"""What the case page and its print view show: the case's facts, its history by round, and
the action cards of the user. Read-only; the views stay thin."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cases.dispatch import available_actions
from cases.figures import SOON_WORKDAYS, soon_end
from cases.models import AssignmentKind, Case, Feedback, Reply, ReplyClass
from cases.permissions import LIVE_ASSIGNMENT
from huiyin.types import User
from letters.build import feedback_form_available, letter_available
from web.action_cards import ActionCard, CardInput, build_card, review_steps
from web.forms import ChoiceSource
from web.timeline import timeline
from workflow.tables import Workflow, workflow_for


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
    """The user's cards; `bound`, a card refused with the user's post, takes its place."""
    workflow = workflow_for(case.category)
    names = sorted(available_actions(user, case, today), key=lambda n: _card_order(workflow, n))
    source = ChoiceSource(case)
    if bound is not None and bound.action not in names:
        names = [bound.action, *names]
    return [
        bound
        if bound is not None and bound.action == name
        else build_card(
            name,
            CardInput(case, user, today, known_proposers=proposers, known_topics=topics),
            source,
        )
        for name in names
    ]


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
    running = case.state in workflow.group("running")
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
        "opinions": [a for a in assignments if a.kind == AssignmentKind.CO],
        "rounds": _rounds(case, workflow, replies, feedbacks),
        "reply_class_label": dict(ReplyClass.choices).get(case.reply_class, ""),
        "answered": case.state in workflow.group("answered") or case.round == 1,
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
