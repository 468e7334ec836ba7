"""What a proposer sees of their case through the link: plain words, the unit's name only.

Built from the case field by field, never from the staff page's rows: no staff member's
name, no handler, no review comment, no communication's participants or notes, no
contact or phone of the staff, no other proposer's comment. (The signed reply letter,
downloaded through the link, is the official letter sent to the proposer anyway.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings

from audit.record import today
from cases.actions.feedback import counted_proposer
from cases.models import (
    COMMITMENT_OPEN,
    Case,
    CaseProposer,
    Category,
    Commitment,
    CommitmentStatus,
    Communication,
    CommunicationMethod,
    Feedback,
    FeedbackRating,
    Reply,
    ReplyClass,
)
from portal.actions import CHECKS, awaits_rating, shown_reply, signed_replies
from portal.models import CommunicationCheck, ProposerLink, ProposerRating
from workflow.vocabulary import State

RUNNING = (State.HANDLING, State.UNIT_APPROVING, State.REVIEWING, State.SIGNING)
RATING_LABELS = dict(FeedbackRating.choices)
METHOD_LABELS = dict(CommunicationMethod.choices)
CLASS_LABELS = dict(ReplyClass.choices)
COMMITMENT_LABELS = dict(CommitmentStatus.choices)
OWN = "您"


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
    late: bool = False  # still open past its due date: 逾期
    reason: str = ""  # why only partly kept / not kept


@dataclass(frozen=True)
class Letter:
    round: int
    signed_on: date | None


@dataclass(frozen=True)
class Rating:
    round: int
    result: str
    attitude: str
    comment: str  # this proposer's own words only
    on: date
    who: str  # 您 / 领衔人 / a joint proposer's name / 办公室登记
    counted: bool
    note: str = ""  # whose rating counts, said to whoever did not give it


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
    letters: list[Letter] = field(default_factory=list)  # every signed round's, latest first
    promises: list[Promise] = field(default_factory=list)
    ratings: list[Rating] = field(default_factory=list)
    may_rate: bool = False
    is_lead: bool = False
    counts_own: bool = False  # this proposer's rating is the kind that counts
    counts_now: bool = False  # ... and the case waits for it: rating it moves the case
    rehandling: bool = False  # handled again after a 不满意
    own_rerun: bool = False  # ... after this proposer's own counted 不满意
    merged_into: str = ""
    merged_cases: list[str] = field(default_factory=list)


def _steps(case: Case, unit: str, kind_word: str) -> tuple[list[Step], str]:
    """The five steps a proposer knows, named by the state that stands for each."""
    order = [State.REGISTERED, State.ASSIGNED, State.HANDLING, State.REPLIED, State.CLOSED]
    labels = {
        State.REGISTERED: "已收到",
        # The unit is named under the steps (承办单位): a step's label stays one short line.
        State.ASSIGNED: "已交办",
        State.HANDLING: "办理中",
        State.REPLIED: "已答复",
        State.CLOSED: "已办结",
    }
    if case.state in RUNNING:
        at = State.HANDLING
    elif case.state in order:
        at = State(case.state)
    else:
        at = State.CLOSED
    index = order.index(at)
    steps = [
        Step(labels[name], done=i < index or at == State.CLOSED, current=i == index)
        for i, name in enumerate(order)
    ]
    headlines = {
        State.REGISTERED: f"您的{kind_word}已收到，正在交办。",
        State.ASSIGNED: f"已交{unit or '承办单位'}办理，等待签收。",
        State.HANDLING: f"{unit or '承办单位'}正在办理。",
        State.REPLIED: "已答复，请您评价。",
        State.CLOSED: "已办结。感谢您的支持！",
    }
    headline = headlines[at]
    if case.state == State.WITHDRAWN:
        headline = "此件已退回交办机关或改由其他单位办理。"
        steps = []
    return steps, headline


def _rerun_headline(case: Case, link: ProposerLink, is_lead: bool, unit: str) -> str:
    """Round 2 or later, handled again: whose 不满意 sent it back, in this proposer's words
    (您 only for their own rating)."""
    doing = f"{unit or '承办单位'}正在重新办理。"
    last = (
        Feedback.objects.filter(case=case, round=case.round - 1)
        .select_related("proposer")
        .order_by("-id")
        .first()
    )
    if last is None or last.result != FeedbackRating.UNSATISFIED:
        return f"此件已重新办理，{doing}"
    if last.proposer_id == link.proposer_id or (last.proposer_id is None and is_lead):
        return f"您对上次答复不满意，{doing}"
    if last.proposer is None:
        return f"经征询，上次答复的评价为不满意（统计以领衔人的评价为准），{doing}"
    return f"{_rater(case, last.proposer_id, last.proposer.name)}对上次答复不满意（{_rule()}），{doing}"


def _rater(case: Case, proposer_id: int | None, name: str) -> str:
    lead = (
        CaseProposer.objects.filter(case=case, position=0)
        .values_list("proposer_id", flat=True)
        .first()
    )
    return "领衔人" if proposer_id == lead else name


def _rule() -> str:
    if settings.HUIYIN_COUNTED_RATING == "any":
        return "统计以最先评价的提出人的评价为准"
    return "统计以领衔人的评价为准"


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
    kind_word = "提案" if case.category == Category.CPPCC_PROPOSAL else "建议"
    steps, headline = _steps(case, unit, kind_word)
    if case.round > 1 and case.state in RUNNING:
        headline = _rerun_headline(case, link, is_lead, unit)
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
        rehandling=case.state == State.HANDLING and case.round > 1,
    )
    if case.merged_into is not None:
        progress.merged_into = f"第{case.merged_into.number}号《{case.merged_into.title}》"
    progress.merged_cases = [
        f"第{number}号《{title}》"
        for number, title in case.merged_cases.order_by("id").values_list("number", "title")[:20]
    ]
    # This proposer's own word on each record, never another proposer's.
    own = {
        w.communication_id: w
        for w in CommunicationCheck.objects.filter(
            communication__case=case, proposer_id=link.proposer_id
        )
    }
    for c in Communication.objects.filter(case=case).order_by("on", "id"):
        word = own.get(c.pk)
        verdict = word.verdict if word else ""
        progress.talks.append(
            Talk(
                id=c.pk,
                on=c.on,
                method=METHOD_LABELS.get(c.method, c.method),
                unit=unit,
                check=verdict,
                check_label=CHECKS.get(verdict, ""),
                note=word.note if word else "",
            )
        )
    reply = shown_reply(case)
    if reply is not None:
        progress.reply = reply
        progress.reply_class_label = CLASS_LABELS.get(reply.reply_class, "")
        progress.reply_is_previous = reply.round < case.round
        on = today()
        progress.promises = [
            Promise(
                c.what,
                c.due,
                c.status,
                COMMITMENT_LABELS.get(c.status, c.status),
                late=c.status in COMMITMENT_OPEN and c.due is not None and c.due < on,
                reason=c.reason
                if c.status in (CommitmentStatus.PARTIAL, CommitmentStatus.UNFULFILLED)
                else "",
            )
            for c in Commitment.objects.filter(reply=reply).order_by("due", "id")
        ]
        progress.letters = [Letter(r.round, r.signed_on) for r in signed_replies(case)]
    progress.ratings = _ratings(case, link)
    # Their own counted 不满意 sent the case back: the page says so after they rate.
    progress.own_rerun = progress.rehandling and any(
        r.counted and r.who == OWN and r.round == case.round - 1 for r in progress.ratings
    )
    progress.counts_own = counted_proposer(case, link.proposer)
    if reply is not None:
        # The reply shown may be rated once by each proposer (only the counted one moves
        # the case: portal.actions.rate_through_link).
        rated = ProposerRating.objects.filter(
            case=case, round=reply.round, proposer_id=link.proposer_id
        ).exists()
        progress.may_rate = not rated and case.state != State.WITHDRAWN
        progress.counts_now = progress.counts_own and awaits_rating(case)
        if case.state == State.REPLIED and not progress.may_rate:
            progress.headline = "已答复，您已评价，感谢您的支持！"
    return progress


def _ratings(case: Case, link: ProposerLink) -> list[Rating]:
    """Each round's counted rating (without another proposer's comment), then this
    proposer's own ratings that did not count."""
    out: list[Rating] = []
    rule = _rule()
    for f in Feedback.objects.filter(case=case).select_related("proposer").order_by("round", "id"):
        own = f.proposer_id == link.proposer_id
        if own:
            who = OWN
        elif f.proposer is not None:
            who = _rater(case, f.proposer_id, f.proposer.name)
        else:
            who = "办公室登记"
        out.append(
            Rating(
                round=f.round,
                result=RATING_LABELS.get(f.result, ""),
                attitude=RATING_LABELS.get(f.attitude, ""),
                comment=f.comment if own else "",
                on=f.on,
                who=who,
                counted=True,
                note="" if own else f"计入统计，{rule}",
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
                who=OWN,
                counted=False,
                note=f"未计入，{rule}",
            )
        )
    return sorted(out, key=lambda r: (r.round, not r.counted))
