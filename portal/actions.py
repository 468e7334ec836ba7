"""Every write of the proposer's side: issuing and revoking a link (the office), and what
the proposer does through it (opening it, checking a communication record, rating).

Each writes one audit event. The proposer's own acts have no actor (no account): their
events name the link and the proposer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.record import record_event, today
from cases.actions.common import action_date
from cases.actions.feedback import counted_proposer, record_feedback
from cases.actions.validation import check_attitude, check_result
from cases.models import Case, CaseProposer, Communication, Proposer, Reply, ReplyStatus
from cases.models.choices import PROPOSAL_CATEGORIES
from cases.permissions import relations
from huiyin.errors import NotFound
from huiyin.text import check_text
from huiyin.types import User
from portal.links import hash_token, new_token
from portal.models import CheckKind, CommunicationCheck, ProposerLink, ProposerRating
from workflow.engine import lock_case, transition_for
from workflow.errors import ActionForbidden, CaseError
from workflow.vocabulary import Action, Event, Relation, State

# What a proposer says of a communication record (CommunicationCheck.verdict).
CONFIRMED = CheckKind.CONFIRMED.value
CORRECTED = CheckKind.CORRECTED.value
CHECKS = {CONFIRMED: "办理单位已与我沟通", CORRECTED: "情况有出入"}
NOTE_MAX = 1000
COMMENT_MAX = 2000

NO_PROPOSER = "此办件没有登记提出人，不能生成征询链接"
NOT_A_PROPOSER = "该代表委员不是此办件的提出人"
LINK_ENDED = "此链接已失效"
ALREADY_RATED = "您已评价过本次答复"
NOT_REPLIED = "答复签发后才能评价"


def link_days() -> int:
    return int(getattr(settings, "HUIYIN_PROPOSER_LINK_DAYS", 90) or 90)


def check_coordinator(by: User, case: Case, verb: str) -> None:
    if Relation.COORDINATOR not in relations(by, case):
        raise ActionForbidden(f"只有议提案管理员可以{verb}征询链接")


def _details(link: ProposerLink, **more: Any) -> dict[str, Any]:
    return {
        "link": link.pk,
        "proposer": link.proposer_id,
        "proposer_name": link.proposer.name,
        **more,
    }


@transaction.atomic
def issue_link(
    case: Case, *, by: User, proposer: Proposer | None = None
) -> tuple[ProposerLink, str]:
    """生成征询链接 for a proposer of the case (default the lead proposer). Returns the link
    and its token, which is not stored: whoever issued it hands it on now or issues anew.
    The proposer's earlier live link is revoked."""
    lock_case(case)
    check_coordinator(by, case, "生成")
    if case.category not in PROPOSAL_CATEGORIES:
        raise CaseError("只有议提案可以生成征询链接")
    if case.state == State.WITHDRAWN:
        raise CaseError("办件已撤回，不能生成征询链接")
    members = list(
        CaseProposer.objects.filter(case=case).select_related("proposer").order_by("position")
    )
    if not members:
        raise CaseError(NO_PROPOSER)
    if proposer is None:
        proposer = members[0].proposer
    elif proposer.pk not in {m.proposer_id for m in members}:
        raise CaseError(NOT_A_PROPOSER, field="proposer_id")
    on = today()
    replaced = list(
        ProposerLink.objects.filter(
            case=case, proposer=proposer, revoked_on__isnull=True
        ).values_list("pk", flat=True)
    )
    if replaced:
        ProposerLink.objects.filter(pk__in=replaced).update(revoked_on=on, revoked_by=by)
    token = new_token()
    link = ProposerLink.objects.create(
        case=case,
        proposer=proposer,
        token_hash=hash_token(token),
        created_by=by,
        created_on=on,
        expires_on=on + timedelta(days=link_days()),
    )
    record_event(
        actor=by,
        action=Event.ISSUE_LINK,
        on=on,
        case=case,
        details=_details(link, expires_on=link.expires_on.isoformat(), replaced=replaced),
    )
    return link, token


@transaction.atomic
def revoke_link(link: ProposerLink, *, by: User) -> ProposerLink:
    """作废征询链接: it opens nothing from now on."""
    case = link.case
    lock_case(case)
    check_coordinator(by, case, "作废")
    link.refresh_from_db()
    if link.revoked_on is not None:
        raise CaseError("此链接已作废")
    on = today()
    link.revoked_on, link.revoked_by = on, by
    link.save(update_fields=["revoked_on", "revoked_by"])
    record_event(actor=by, action=Event.REVOKE_LINK, on=on, case=case, details=_details(link))
    return link


def _require_live(link: ProposerLink) -> None:
    if not link.live_on(today()):
        raise CaseError(LINK_ENDED)


def _used(link: ProposerLink) -> None:
    now = timezone.now()
    ProposerLink.objects.filter(pk=link.pk).update(uses=F("uses") + 1, last_used_at=now)
    link.uses += 1
    link.last_used_at = now


@transaction.atomic
def open_link(link: ProposerLink, *, what: str = "page", **more: Any) -> ProposerLink:
    """The proposer opened their page (or downloaded the letter, `what`): counted and
    audited, every time."""
    _require_live(link)
    _used(link)
    record_event(
        actor=None,
        action=Event.OPEN_LINK,
        on=today(),
        case=link.case,
        details=_details(link, what=what, **more),
    )
    return link


@transaction.atomic
def check_communication(
    link: ProposerLink, *, communication_id: int, check: str, note: str = ""
) -> CommunicationCheck:
    """The link's proposer confirms a communication record ("办理单位已与我沟通") or says it
    is not right ("情况有出入", with what is not): their own word, beside any other
    proposer's. Said again, their later word replaces their earlier one."""
    case = link.case
    lock_case(case)
    _require_live(link)
    found = Communication.objects.filter(pk=communication_id, case=case).first()
    if found is None:
        raise NotFound("没有这条沟通记录")
    if check not in CHECKS:
        raise CaseError("请选择确认或有出入", field="check")
    note = check_text(
        note or "", label="说明", field="note", max_length=NOTE_MAX, multiline=True
    ).strip()
    if check == CONFIRMED:
        note = ""
    elif not note:
        raise CaseError("请说明哪些情况有出入", field="note")
    on = today()
    word, _ = CommunicationCheck.objects.update_or_create(
        communication=found,
        proposer=link.proposer,
        defaults={"verdict": check, "note": note, "on": on},
    )
    _used(link)
    record_event(
        actor=None,
        action=Event.CONFIRM_COMMUNICATION,
        on=on,
        case=case,
        details=_details(
            link,
            communication=found.pk,
            check=check,
            comment=note,
            communication_on=found.on.isoformat(),
        ),
    )
    return word


def shown_reply(case: Case) -> Reply | None:
    """The reply the proposer's page shows: the latest signed one (of this round, or of
    the round before while the case is handled again)."""
    return (
        Reply.objects.filter(case=case, status=ReplyStatus.SIGNED)
        .order_by("-round", "-id")
        .only("id", "round", "text", "reply_class", "signed_on", "doc_number")
        .first()
    )


def signed_replies(case: Case) -> list[Reply]:
    """The signed reply of each round, latest first: the letters the proposer may download."""
    latest: dict[int, Reply] = {}
    for reply in (
        Reply.objects.filter(case=case, status=ReplyStatus.SIGNED)
        .order_by("-round", "-id")
        .only("id", "round", "signed_on")
    ):
        latest.setdefault(reply.round, reply)
    return list(latest.values())


def awaits_rating(case: Case) -> bool:
    """Whether the case waits for its round's rating (the one that counts) now."""
    try:
        transition_for(case, Action.RECORD_FEEDBACK)
    except CaseError:
        return False
    return True


@transaction.atomic
def rate_through_link(
    link: ProposerLink, *, result: str, attitude: str, comment: str = ""
) -> ProposerRating:
    """A proposer's rating of the reply their page shows. It counts when the case waits
    for its round's rating and this proposer's is the one that counts (the lead
    proposer's, or under HUIYIN_COUNTED_RATING=any the first): then it is the office's own
    action, record_feedback, with the same effect (不满意: round 2). Any other rating (a
    joint proposer's, or one given after the round was rated) needs only a signed reply of
    that round and no earlier rating of theirs for it; it is kept here with its own event
    and never moves the case. Both are kept here, for one history."""
    case = link.case
    lock_case(case)
    _require_live(link)
    result = check_result(result)
    attitude = check_attitude(attitude)
    if not attitude:
        raise CaseError("请选择办理态度评价", field="attitude")
    comment = check_text(
        comment or "", label="意见", field="comment", max_length=COMMENT_MAX, multiline=True
    ).strip()
    proposer = link.proposer
    counted = awaits_rating(case) and counted_proposer(case, proposer)
    if counted:
        round_ = case.round
    else:
        reply = shown_reply(case)
        if reply is None:
            raise CaseError(NOT_REPLIED)
        round_ = reply.round
    if ProposerRating.objects.filter(case=case, round=round_, proposer=proposer).exists():
        raise CaseError(ALREADY_RATED)
    on = action_date(case, None)
    if counted:
        record_feedback(
            case, by=None, proposer=proposer, result=result, attitude=attitude, comment=comment
        )
    rating = ProposerRating.objects.create(
        case=case,
        round=round_,
        proposer=proposer,
        result=result,
        attitude=attitude,
        comment=comment,
        on=on,
        counted=counted,
    )
    _used(link)
    if not counted:
        record_event(
            actor=None,
            action=Event.PROPOSER_RATING,
            on=on,
            case=case,
            details=_details(link, result=result, attitude=attitude, comment=comment, round=round_),
        )
    return rating
