"""What the person sees of their opinion: plain words, the handling unit's name only.

Never a staff member's name, an internal note, the coordinator's callback remarks or a
full phone number (mask_phone). A merged duplicate shows the main opinion's progress and
answer: it is answered there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from cases.models import Case, Feedback, FeedbackRating
from huiyin.formats import cn_date
from opinions.models import Opinion, Result
from opinions.privacy import mask_phone
from workflow.vocabulary import State

# The public's words (the staff's 待转办 is 已受理 here: received, being routed).
PUBLIC_STATES: dict[str, str] = {  # keyed by the state's value
    State.REGISTERED: "已受理",
    State.ASSIGNED: "已转办",
    State.HANDLING: "办理中",
    State.REPLIED: "已答复",
    State.CLOSED: "已办结",
    State.MERGED: "已并件",
}
STEPS: tuple[str, ...] = (
    State.REGISTERED,
    State.ASSIGNED,
    State.HANDLING,
    State.REPLIED,
    State.CLOSED,
)
RATING_LABELS = dict(FeedbackRating.choices)
RESULT_LABELS = dict(Result.choices)


@dataclass(frozen=True)
class Step:
    label: str
    done: bool
    current: bool


@dataclass(frozen=True)
class Rating:
    round: int
    label: str
    on: date
    comment: str  # the person's own words only; a callback's notes stay inside
    by_requester: bool


@dataclass
class Progress:
    code: str
    number: str
    received_at: datetime
    received_text: str  # 2026年9月30日 14:05
    phone: str  # masked
    content: str
    state: str
    state_label: str
    explanation: str
    steps: list[Step]
    unit: str
    deadline: date | None
    deadline_provisional: bool
    extended: bool
    round: int
    answer: str
    result: str
    fix: str
    fix_due: date | None
    fix_done_on: date | None
    answered_on: date | None
    answer_is_previous: bool
    may_rate: bool
    ratings: list[Rating] = field(default_factory=list)
    merged_into: str = ""  # the main opinion's number, for a merged duplicate
    main_state_label: str = ""


def _explanation(state: str, unit: str) -> str:
    words: dict[str, str] = {
        State.REGISTERED: "您的意见建议已收到，正在分派承办单位。",
        State.ASSIGNED: f"已转交{unit or '承办单位'}办理。",
        State.HANDLING: f"{unit or '承办单位'}正在办理。",
        State.REPLIED: "已答复。请查看下面的答复，并告诉我们您是否满意。",
        State.CLOSED: "已办结。感谢您的意见建议。",
    }
    return words.get(state, "")


def _steps(state: str) -> list[Step]:
    """The five steps; the current one marked, and at 已办结 every one done."""
    position = STEPS.index(state) if state in STEPS else 0
    final = state == State.CLOSED
    return [
        Step(label=PUBLIC_STATES[s], done=i < position or final, current=i == position)
        for i, s in enumerate(STEPS)
    ]


def _ratings(case: Case) -> list[Rating]:
    rows = Feedback.objects.filter(case=case).order_by("round", "id")
    return [
        Rating(
            round=row.round,
            label=RATING_LABELS.get(row.result, row.result),
            on=row.on,
            comment=row.comment if row.recorded_by_id is None else "",
            by_requester=row.recorded_by_id is None,
        )
        for row in rows
    ]


def progress_of(opinion: Opinion) -> Progress:
    """The private page's facts about `opinion` (or, when merged, its main opinion's)."""
    own = opinion.case
    shown_opinion, shown = opinion, own
    merged_into = ""
    if own.state == State.MERGED and opinion.merged_into_id:
        main = (
            Opinion.objects.select_related("case", "case__lead_unit")
            .filter(pk=opinion.merged_into_id)
            .first()
        )
        if main is not None:
            shown_opinion, shown = main, main.case
            merged_into = shown.number
    state = shown.state
    received = timezone.localtime(opinion.received_at)
    unit = shown.lead_unit.name if shown.lead_unit_id and shown.lead_unit else ""
    answered = bool(shown_opinion.answered_on and shown_opinion.answer)
    progress = Progress(
        code=opinion.code,
        number=own.number,
        received_at=received,
        received_text=f"{cn_date(received.date())} {received:%H:%M}",
        phone=mask_phone(opinion.phone),
        content=own.content,
        state=own.state,
        state_label=PUBLIC_STATES.get(own.state, own.get_state_display()),
        explanation=_explanation(state, unit),
        steps=_steps(state),
        unit=unit,
        deadline=shown.deadline,
        deadline_provisional=shown.deadline_provisional,
        extended=shown.extension_requests.filter(approved=True).exists(),
        round=shown.round,
        answer=shown_opinion.answer if answered else "",
        result=RESULT_LABELS.get(shown_opinion.result, "") if answered else "",
        fix=shown_opinion.fix if answered else "",
        fix_due=shown_opinion.fix_due if answered else None,
        fix_done_on=shown_opinion.fix_done_on if answered else None,
        answered_on=shown_opinion.answered_on if answered else None,
        # 不满意 sent it back: the answer on file is the previous round's.
        answer_is_previous=answered and state in (State.ASSIGNED, State.HANDLING),
        may_rate=own.state == State.REPLIED,
        ratings=_ratings(own),
        merged_into=merged_into,
        main_state_label=PUBLIC_STATES.get(state, "") if merged_into else "",
    )
    if merged_into:
        progress.explanation = (
            "您反映的问题与其他群众反映的相同，已合并办理。下面是合并办理的进度和答复。"
        )
    return progress
