"""沟通, 会办意见, 延期, 成果转化, 承诺事项: work done while the case is handled."""

from datetime import date
from typing import Any

from django.db import IntegrityError, models, transaction

from cases.actions.assign import unit_deadline_fields
from cases.actions.common import action_date, live_assignments, lock_and_check, require_text
from cases.deadline_rules import due_for, explicit, period_words, rule_for
from cases.models import (
    COMMITMENT_OPEN,
    AssignmentKind,
    AssignmentStatus,
    Case,
    Commitment,
    CommitmentNote,
    CommitmentStatus,
    Communication,
    CommunicationMethod,
    CommunicationStage,
    ExtensionRequest,
    Outcome,
    OutcomeKind,
    ReplyStatus,
)
from huiyin.formats import cn_date
from huiyin.types import User
from orgs.access import standing_of
from orgs.models import UnitKind
from workflow.engine import apply_transition
from workflow.errors import ActionForbidden, CaseError
from workflow.vocabulary import Action, Relation

PENDING_EXTENSION_EXISTS = "已有待审批的延期申请"


def _choice(value: str, choices: type[models.Choices], field: str, label: str) -> str:
    if value not in choices.values:
        raise CaseError(f"请选择有效的{label}", field=field)
    return value


@transaction.atomic
def communicate(
    case: Case,
    *,
    by: User,
    stage: str,
    method: str,
    summary: str,
    participants: str = "",
    on: date | None = None,
) -> Communication:
    """沟通: a talk with the proposer before, during or after the reply."""
    lock_and_check(by, case, Action.COMMUNICATE)
    _choice(stage, CommunicationStage, "stage", "沟通阶段")
    _choice(method, CommunicationMethod, "method", "沟通方式")
    summary = require_text(summary, "summary", "沟通情况")
    on = action_date(case, on)
    record = Communication.objects.create(
        case=case,
        round=case.round,
        stage=stage,
        method=method,
        on=on,
        participants=(participants or "").strip(),
        summary=summary,
        recorded_by=by,
    )
    apply_transition(
        case,
        Action.COMMUNICATE,
        by=by,
        on=on,
        details={"communication": record.pk, "stage": stage, "method": method},
    )
    return record


@transaction.atomic
def submit_opinion(
    case: Case, *, by: User, text: str, unit: Any = None, on: date | None = None
) -> Case:
    """会办意见: a co-unit's opinion to the lead unit. The lead unit records the opinion
    of an outside agency (a co-unit without users) by naming it."""
    mine = lock_and_check(by, case, Action.SUBMIT_OPINION)
    text = require_text(text, "text", "会办意见")
    on = action_date(case, on)
    co = [a for a in live_assignments(case) if a.kind == AssignmentKind.CO]
    my_units = standing_of(by).unit_ids
    if Relation.CO_UNIT in mine and unit is None:
        candidates = [a for a in co if a.unit_id in my_units]
    else:
        if unit is None:
            raise CaseError("请选择提交意见的协办单位", field="unit")
        candidates = [a for a in co if a.unit_id == getattr(unit, "pk", unit)]
        if not candidates:
            raise CaseError("所选单位不是此办件的协办单位", field="unit")
        if candidates[0].unit_id not in my_units and candidates[0].unit.kind != UnitKind.EXTERNAL:
            raise ActionForbidden("只能代外部协办单位登记意见")
    assignment = next((a for a in candidates if not a.opinion), candidates[0])
    previous = assignment.opinion
    assignment.opinion, assignment.opinion_on = text, on
    assignment.status = AssignmentStatus.ACCEPTED
    assignment.accepted_on = assignment.accepted_on or on
    assignment.save(update_fields=["opinion", "opinion_on", "status", "accepted_on"])
    apply_transition(
        case,
        Action.SUBMIT_OPINION,
        by=by,
        on=on,
        details={"unit": assignment.unit.code, "replaces_previous": bool(previous)},
    )
    return case


def pending_extension(case: Case) -> ExtensionRequest | None:
    return case.extension_requests.filter(approved__isnull=True).first()


@transaction.atomic
def request_extension(
    case: Case, *, by: User, until: date, reason: str, on: date | None = None
) -> ExtensionRequest:
    """申请延期: at most 6 months from 交办."""
    lock_and_check(by, case, Action.REQUEST_EXTENSION)
    reason = require_text(reason, "reason", "延期理由")
    on = action_date(case, on)
    if pending_extension(case):
        raise CaseError(PENDING_EXTENSION_EXISTS)
    if until is None:
        raise CaseError("请填写延期至的日期", field="until")
    if case.deadline and until <= case.deadline:
        raise CaseError(f"延期日期须晚于现期限（{cn_date(case.deadline)}）", field="until")
    assert case.assigned_on is not None  # the states that allow this come after 交办
    latest = due_for(case, "reply_max", case.assigned_on)[0].date
    if until > latest:
        period = period_words(rule_for(case.category, case.level, "reply_max"))
        raise CaseError(f"延期最长至交办后{period}（{cn_date(latest)}）", field="until")
    try:
        # The database holds at most one pending request per case (extension_one_pending),
        # should a request ever get here without the case's lock.
        with transaction.atomic():
            request = ExtensionRequest.objects.create(
                case=case, until=until, reason=reason, requested_on=on, requested_by=by
            )
    except IntegrityError:
        raise CaseError(PENDING_EXTENSION_EXISTS) from None
    apply_transition(
        case,
        Action.REQUEST_EXTENSION,
        by=by,
        on=on,
        details={"until": until.isoformat(), "reason": reason},
    )
    return request


@transaction.atomic
def decide_extension(
    case: Case, *, by: User, approved: bool, comment: str = "", on: date | None = None
) -> Case:
    """审批延期: the leader approves (the deadline moves) or refuses."""
    lock_and_check(by, case, Action.DECIDE_EXTENSION)
    on = action_date(case, on)
    request = pending_extension(case)
    if request is None:
        raise CaseError("没有待审批的延期申请")
    if not approved and not (comment or "").strip():
        raise CaseError("不同意延期时请填写意见", field="comment")
    request.approved, request.comment = bool(approved), (comment or "").strip()
    request.decided_on, request.decided_by = on, by
    request.save(update_fields=["approved", "comment", "decided_on", "decided_by"])
    changes: dict[str, Any] = {}
    if approved:
        due, how = explicit(request.until)
        changes = {
            "deadline": due.date,
            "deadline_provisional": False,
            "deadline_rule": how,
            **unit_deadline_fields(case, due.date, on),
        }
    apply_transition(
        case,
        Action.DECIDE_EXTENSION,
        by=by,
        on=on,
        changes=changes,
        details={
            "approved": bool(approved),
            "until": request.until.isoformat(),
            "comment": request.comment,
        },
    )
    return case


@transaction.atomic
def add_outcome(case: Case, *, by: User, kind: str, title: str, on: date | None = None) -> Outcome:
    """成果转化: a policy, plan, project or system the case produced."""
    lock_and_check(by, case, Action.ADD_OUTCOME)
    _choice(kind, OutcomeKind, "kind", "成果类型")
    title = require_text(title, "title", "成果名称")
    on = action_date(case, on)
    outcome = Outcome.objects.create(case=case, kind=kind, title=title, on=on)
    apply_transition(
        case,
        Action.ADD_OUTCOME,
        by=by,
        on=on,
        details={"outcome": outcome.pk, "kind": kind, "title": title},
    )
    return outcome


# 部分兑现 and 未兑现 say why; any of the three settles the promise (回头看).
SETTLED = (CommitmentStatus.FULFILLED, CommitmentStatus.PARTIAL, CommitmentStatus.UNFULFILLED)
NEEDS_REASON = (CommitmentStatus.PARTIAL, CommitmentStatus.UNFULFILLED)
UPDATABLE = (*COMMITMENT_OPEN, *SETTLED)


def may_update_commitment(user: User, commitment: Commitment, mine: set[str]) -> bool:
    """Who keeps a promise up to date, before and after the case closes: the office
    (办公室, which judges fulfilment in 回头看 and records it for a unit that no longer
    holds the case), and the people of the promise's owner unit while it leads the case
    (a promise made before owners were recorded: the lead unit's)."""
    if Relation.COORDINATOR in mine:
        return True
    if Relation.LEAD_UNIT not in mine:
        return False
    return commitment.unit_id is None or commitment.unit_id in standing_of(user).unit_ids


def updatable_commitments(case: Case) -> models.QuerySet[Commitment]:
    """The promises an update may name: those of a reply not sent back (a draft's while it
    is on its way, a signed one's for good)."""
    return case.commitments.exclude(reply__status=ReplyStatus.SENT_BACK).exclude(
        status=CommitmentStatus.CANCELLED
    )


@transaction.atomic
def update_commitment(
    case: Case,
    *,
    by: User,
    commitment_id: int,
    status: str,
    note: str = "",
    reason: str = "",
    on: date | None = None,
) -> Commitment:
    """承诺事项跟踪: a promise's progress (未开始 / 推进中) or its fulfilment (已兑现 /
    部分兑现 / 未兑现, the last two with the reason), before or after the case closes.
    The row keeps the latest; each update adds a CommitmentNote (the history)."""
    mine = lock_and_check(by, case, Action.UPDATE_COMMITMENT)
    if status not in UPDATABLE:
        raise CaseError("请选择有效的承诺事项状态", field="status")
    on = action_date(case, on)
    commitment = updatable_commitments(case).filter(pk=commitment_id).first()
    if commitment is None:
        raise CaseError("此办件没有该承诺事项", field="id")
    if not may_update_commitment(by, commitment, mine):
        raise ActionForbidden("只能更新本处室负责的承诺事项")
    note, reason = (note or "").strip(), (reason or "").strip()
    if status in NEEDS_REASON and not reason:
        label = CommitmentStatus(status).label
        raise CaseError(f"{label}须填写原因", field="reason")
    old = commitment.status
    commitment.status, commitment.note, commitment.updated_on = status, note, on
    commitment.reason = reason if status in NEEDS_REASON else ""
    commitment.settled_on = on if status in SETTLED else None
    commitment.save(update_fields=["status", "note", "updated_on", "reason", "settled_on"])
    CommitmentNote.objects.create(
        commitment=commitment,
        on=on,
        status=status,
        note="\n".join(x for x in (note, reason and f"原因：{reason}") if x),
        by=by,
    )
    details: dict[str, Any] = {
        "commitment": commitment.pk,
        "what": commitment.what,
        "status": [old, status],
        "note": note,
    }
    if commitment.reason:
        details["reason"] = commitment.reason
    apply_transition(case, Action.UPDATE_COMMITMENT, by=by, on=on, details=details)
    return commitment
