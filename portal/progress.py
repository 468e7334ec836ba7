"""What a proposer sees of their case through the link: plain words, the unit's name only.

Built from the case field by field, never from the staff page's rows: no staff member's
name, no handler, no review comment, no communication's participants or notes, no
contact or phone of the staff, no other proposer's comment. (The signed reply letter,
downloaded through the link, is the official letter sent to the proposer anyway.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from cases.actions.feedback import counted_proposer
from cases.models import (
    Case,
    CaseProposer,
    Commitment,
    CommitmentStatus,
    Communication,
    CommunicationMethod,
    Feedback,
    FeedbackRating,
    Reply,
    ReplyClass,
    ReplyStatus,
)
from portal.actions import CHECKS
from portal.models import ProposerLink, ProposerRating
from workflow.vocabulary import State

RUNNING = (State.HANDLING, State.UNIT_APPROVING, State.REVIEWING, State.SIGNING)
RATING_LABELS = dict(FeedbackRating.choices)
METHOD_LABELS = dict(CommunicationMethod.choices)
CLASS_LABELS = dict(ReplyClass.choices)
COMMITMENT_LABELS = dict(CommitmentStatus.choices)


@dataclass(frozen=True)
class Step:
    label: str
    done: bool
    current: bool


@dataclass(frozen=True)
class Talk:
    id: int
    on: date
    method: str
    unit: str
    check: str
    check_label: str
    note: str


@dataclass(frozen=True)
class Promise:
    what: str
    due: date
    status: str
    status_label: str


@dataclass(frozen=True)
class Rating:
    round: int
    result: str
    attitude: str
    comment: str  # this proposer's own words only
    on: date
    who: str  # 您 / 领衔人 / 代表委员办公室登记
    counted: bool


@dataclass
class Progress:
    number: str
    title: str
    kind_word: str
    year: int
    proposers: list[str]
    state: str
    headline: str
    steps: list[Step]
    unit: str
    round: int
    talks: list[Talk] = field(default_factory=list)
    reply: Reply | None = None
    reply_class_label: str = ""
    reply_is_previous: bool = False
    promises: list[Promise] = field(default_factory=list)
    ratings: list[Rating] = field(default_factory=list)
    may_rate: bool = False
    is_lead: bool = False
    counts_own: bool = False
    merged_into: str = ""
    merged_cases: list[str] = field(default_factory=list)


def _steps(case: Case, unit: str) -> tuple[list[Step], str]:
    order = ["received", "assigned", "handling", "replied", "closed"]
    labels = {
        "received": "已收到",
        "assigned": f"已交办给{unit}" if unit else "已交办",
        "handling": "办理中",
        "replied": "已答复",
        "closed": "已办结",
    }
    if case.state == State.REGISTERED:
        at = "received"
    elif case.state == State.ASSIGNED:
        at = "assigned"
    elif case.state in RUNNING:
        at = "handling"
    elif case.state == State.REPLIED:
        at = "replied"
    else:
        at = "closed"
    index = order.index(at)
    steps = [
        Step(labels[name], done=i < index or at == "closed", current=i == index)
        for i, name in enumerate(order)
    ]
    headlines = {
        "received": "您的建议已收到，正在交办。",
        "assigned": f"已交{unit or '承办单位'}办理，等待签收。",
        "handling": f"{unit or '承办单位'}正在办理。",
        "replied": "已答复，请您评价。",
        "closed": "已办结。感谢您的支持！",
    }
    headline = headlines[at]
    if case.state == State.WITHDRAWN:
        headline = "此件已退回交办机关或改由其他单位办理。"
        steps = []
    elif case.round > 1 and at == "handling":
        headline = f"您对上次答复不满意，{unit or '承办单位'}正在重新办理。"
    return steps, headline


def _signed_reply(case: Case) -> Reply | None:
    return (
        Reply.objects.filter(case=case, status=ReplyStatus.SIGNED)
        .order_by("-round", "-id")
        .only("id", "round", "text", "reply_class", "signed_on", "doc_number")
        .first()
    )


def progress_of(link: ProposerLink) -> Progress:
    case = Case.objects.select_related("lead_unit", "merged_into").get(pk=link.case_id)
    unit = case.lead_unit.name if case.lead_unit else ""
    members = list(
        CaseProposer.objects.filter(case=case)
        .select_related("proposer")
        .order_by("position")
        .only("position", "proposer__name")
    )
    is_lead = any(m.position == 0 and m.proposer_id == link.proposer_id for m in members)
    steps, headline = _steps(case, unit)
    kind_word = "提案" if case.category == "cppcc_proposal" else "建议"
    progress = Progress(
        number=case.number,
        title=case.title,
        kind_word=kind_word,
        year=case.year,
        proposers=[m.proposer.name for m in members],
        state=case.state,
        headline=headline,
        steps=steps,
        unit=unit,
        round=case.round,
        is_lead=is_lead,
    )
    if case.merged_into is not None:
        progress.merged_into = f"第{case.merged_into.number}号《{case.merged_into.title}》"
    progress.merged_cases = [
        f"第{number}号《{title}》"
        for number, title in case.merged_cases.order_by("id").values_list("number", "title")[:20]
    ]
    for c in Communication.objects.filter(case=case).order_by("on", "id"):
        progress.talks.append(
            Talk(
                id=c.pk,
                on=c.on,
                method=METHOD_LABELS.get(c.method, c.method),
                unit=unit,
                check=c.proposer_check,
                check_label=CHECKS.get(c.proposer_check, ""),
                note=c.proposer_note,
            )
        )
    reply = _signed_reply(case)
    if reply is not None:
        progress.reply = reply
        progress.reply_class_label = CLASS_LABELS.get(reply.reply_class, "")
        progress.reply_is_previous = reply.round < case.round
        progress.promises = [
            Promise(c.what, c.due, c.status, COMMITMENT_LABELS.get(c.status, c.status))
            for c in Commitment.objects.filter(reply=reply).order_by("due", "id")
        ]
    progress.ratings = _ratings(case, link)
    progress.counts_own = counted_proposer(case, link.proposer)
    rated_now = ProposerRating.objects.filter(
        case=case, round=case.round, proposer_id=link.proposer_id
    ).exists()
    progress.may_rate = case.state == State.REPLIED and not rated_now
    return progress


def _ratings(case: Case, link: ProposerLink) -> list[Rating]:
    """Each round's counted rating (without another proposer's comment), then this
    proposer's own ratings that did not count."""
    out: list[Rating] = []
    for f in Feedback.objects.filter(case=case).order_by("round", "id"):
        own = f.proposer_id == link.proposer_id
        who = "您" if own else ("领衔人" if f.proposer_id else "办公室登记")
        out.append(
            Rating(
                round=f.round,
                result=RATING_LABELS.get(f.result, ""),
                attitude=RATING_LABELS.get(f.attitude, ""),
                comment=f.comment if own else "",
                on=f.on,
                who=who,
                counted=True,
            )
        )
    for r in ProposerRating.objects.filter(
        case=case, proposer_id=link.proposer_id, counted=False
    ).order_by("round", "id"):
        out.append(
            Rating(
                round=r.round,
                result=RATING_LABELS.get(r.result, ""),
                attitude=RATING_LABELS.get(r.attitude, ""),
                comment=r.comment,
                on=r.on,
                who="您",
                counted=False,
            )
        )
    return sorted(out, key=lambda r: (r.round, not r.counted))
