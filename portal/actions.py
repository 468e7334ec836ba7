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
from cases.models import Case, CaseProposer, Communication, Proposer
from cases.models.choices import PROPOSAL_CATEGORIES
from cases.permissions import relations
from huiyin.errors import NotFound
from huiyin.text import check_text
from huiyin.types import User
from portal.links import hash_token, new_token
from portal.models import ProposerLink, ProposerRating
from workflow.engine import lock_case, transition_for
from workflow.errors import ActionForbidden, CaseError
from workflow.vocabulary import Action, Event, Relation, State

# What the proposer says of a communication record (Communication.proposer_check).
CONFIRMED = "confirmed"
CORRECTED = "corrected"
CHECKS = {CONFIRMED: "办理单位已与我沟通", CORRECTED: "情况有出入"}
NOTE_MAX = 1000
COMMENT_MAX = 2000

NO_PROPOSER = "此办件没有登记提出人，不能生成征询链接"
NOT_A_PROPOSER = "该代表委员不是此办件的提出人"
LINK_ENDED = "此链接已失效"
ALREADY_RATED = "您已评价过本次答复"


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
def open_link(link: ProposerLink, *, what: str = "page") -> ProposerLink:
    """The proposer opened their page (or downloaded the letter, `what`): counted and
    audited, every time."""
    _require_live(link)
    _used(link)
    record_event(
        actor=None,
        action=Event.OPEN_LINK,
        on=today(),
        case=link.case,
        details=_details(link, what=what),
    )
    return link


@transaction.atomic
def check_communication(
    link: ProposerLink, *, communication_id: int, check: str, note: str = ""
) -> Communication:
    """The proposer confirms a communication record ("办理单位已与我沟通") or says it is
    not right ("情况有出入", with what is not). Said again, the later word replaces it."""
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
    if check == CORRECTED and not note:
        raise CaseError("请说明哪些情况有出入", field="note")
    if check == CONFIRMED:
        note = ""
    on = today()
    found.proposer_check, found.proposer_note, found.proposer_checked_on = check, note, on
    found.save(update_fields=["proposer_check", "proposer_note", "proposer_checked_on"])
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
    return found


@transaction.atomic
def rate_through_link(
    link: ProposerLink, *, result: str, attitude: str, comment: str = ""
) -> ProposerRating:
    """A proposer's rating of the current round's reply. The counted one (the lead
    proposer's, or under HUIYIN_COUNTED_RATING=any the first) is the office's own action,
    record_feedback, with the same effect (不满意: round 2); a joint proposer's is kept
    here with its own event. Both are kept here, for one history."""
    case = link.case
    lock_case(case)
    _require_live(link)
    transition_for(case, Action.RECORD_FEEDBACK)  # replied, and not rated yet
    result = check_result(result)
    attitude = check_attitude(attitude)
    if not attitude:
        raise CaseError("请选择办理态度评价", field="attitude")
    comment = check_text(
        comment or "", label="意见", field="comment", max_length=COMMENT_MAX, multiline=True
    ).strip()
    proposer = link.proposer
    round_ = case.round
    if ProposerRating.objects.filter(case=case, round=round_, proposer=proposer).exists():
        raise CaseError(ALREADY_RATED)
    on = action_date(case, None)
    counted = counted_proposer(case, proposer)
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
