"""并案: one lead case (主件) handles several; each merged case still gets its own answer.

The coordinator merges a secondary case B (registered or assigned, not itself the lead of
others) into an open lead case A of the same kind (we lead both). From then on B follows
A, each step through a hidden action of the 议提案 spec, so that the engine and the audit
stay the single path:

- when A is 交办'd, B is assigned to the same units, with its own deadlines (FOLLOW_ASSIGN);
- when A is 签收'd, B is accepted by the same unit and handler (FOLLOW_ACCEPT);
- when A's reply is 签发'd, B gets the same reply as its own signed Reply, with its own
  文号 and the promises copied, and is answered (FOLLOW_SIGN → 已答复);
- when A is 申请退回'd, B goes back to 已登记 with its assignments ended (FOLLOW_RETURN),
  so that A's next 交办 assigns B with it;
- when A is 撤回'd, B is un-merged (取消并案, by the same user, "主件已撤回") and is then
  handled on its own: never left following a withdrawn case.

After that B is rated by its own proposer and, if 不满意, handled on its own (round 2).
While it follows, B offers none of its own handling cards (`not_following`) and the
actions themselves refuse it (`lock_unless_following`, in proposals/runs.py and 催办), and
its page says "已并入 … 办理". 取消并案 is possible until A's reply is signed.
Statistics count each case: B has its own deadline, reply date, class and rating.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import models, transaction

from cases.actions.assign import CLEARED_DEADLINES, reply_deadlines
from cases.actions.common import action_date, lock_and_check
from cases.deadline_rules import due_for
from cases.models import (
    Assignment,
    AssignmentKind,
    AssignmentStatus,
    Case,
    Category,
    Commitment,
    Reply,
    ReplyStatus,
)
from cases.models import Role as CaseRole
from cases.permissions import LIVE_ASSIGNMENT, visible_cases
from letters.actions import take_number
from letters.models import LetterKind
from workflow.engine import apply_transition, lock_case
from workflow.errors import CaseError
from workflow.vocabulary import Action, State

if TYPE_CHECKING:
    from huiyin.types import User
else:
    User = Any


class Follow(models.TextChoices):
    """The hidden steps a merged case takes after its lead case (only 议提案 have them)."""

    ASSIGN = "follow_assign", "随主件交办"
    ACCEPT = "follow_accept", "随主件签收"
    SIGN = "follow_sign", "随主件答复"
    RETURN = "follow_return", "随主件退回"


# B may be merged while nobody handles it yet; A while its reply is not yet signed.
MERGEABLE = (State.REGISTERED, State.ASSIGNED)
LEAD_OPEN = (State.REGISTERED, State.ASSIGNED, State.HANDLING, State.UNIT_APPROVING)
LEAD_STATES = (*LEAD_OPEN, State.REVIEWING, State.SIGNING)
FOLLOWING = (State.REGISTERED, State.ASSIGNED, State.HANDLING)
HANDLED = (State.HANDLING, State.UNIT_APPROVING, State.REVIEWING, State.SIGNING)
LEAD_WITHDRAWN = "主件已撤回，本件单独办理"


def following(case: Case) -> bool:
    """B follows its lead case until the lead's reply is signed for it."""
    return case.merged_into_id is not None and case.replied_on is None


def not_following(case: Case, today: date, mine: set[str]) -> bool:
    return not following(case)


def unless_following(
    available: Callable[[Case, date, set[str]], bool],
) -> Callable[[Case, date, set[str]], bool]:
    """An entry's own availability, and not while the case follows its lead."""

    def check(case: Case, today: date, mine: set[str]) -> bool:
        return not following(case) and available(case, today, mine)

    return check


def refuse_following(case: Case, action: str = "") -> None:
    """The actions a following case does not take on its own (交办, 签收, 提交答复, 申请退回,
    申请延期, 提交会办意见, 催办): they are taken on its lead case."""
    lead_id = case.merged_into_id
    if lead_id is not None and following(case):
        lead = Case.objects.filter(pk=lead_id).values_list("number", flat=True).first()
        alone = f"，不能单独{action}" if action else ""
        raise CaseError(f"此件已并入第{lead or ''}号办理，随主件交办、签收和答复{alone}")


def lock_unless_following(by: User, case: Case, action: Action) -> None:
    """For an action a following case does not take: lock the case's row and check the
    user and the state (as the action itself then does again), then refuse a following
    case on what the lock read, so that a 并案 committed meanwhile is seen. Inside the
    caller's transaction."""
    lock_and_check(by, case, action)
    refuse_following(case, str(action.label))


def may_merge(case: Case, today: date, mine: set[str]) -> bool:
    return (
        case.merged_into_id is None
        and case.role == CaseRole.LEAD
        and not case.merged_cases.exists()
    )


def may_unmerge(case: Case, today: date, mine: set[str]) -> bool:
    return following(case)


def _lock(pk: int) -> Case | None:
    """Lock a case's row (the lead case of a 并案) and read it; None if there is none."""
    return Case.objects.select_for_update().filter(pk=pk).first()


def _lead_case(by: User, case: Case, lead_case_id: int, lead: Case | None) -> Case:
    """Check the lead case, as its locked row reads."""
    if lead is not None and not visible_cases(by, Case.objects.filter(pk=lead.pk)).exists():
        lead = None
    if lead is None:
        raise CaseError("没有找到主件", field="lead_case_id")
    if lead.pk == case.pk:
        raise CaseError("不能并入本件", field="lead_case_id")
    if lead.category not in (Category.NPC_SUGGESTION, Category.CPPCC_PROPOSAL):
        raise CaseError("主件须为议提案", field="lead_case_id")
    if lead.merged_into_id is not None:
        raise CaseError("主件本身已并入他件，请并入其主件", field="lead_case_id")
    if lead.role != CaseRole.LEAD:
        raise CaseError("会办件不能作为主件", field="lead_case_id")
    if lead.state not in LEAD_STATES:
        raise CaseError(
            f"主件当前为“{lead.get_state_display()}”，已答复或办结的办件不能作为主件",
            field="lead_case_id",
        )
    return lead


@transaction.atomic
def merge_case(
    case: Case, *, by: User, lead_case_id: int, reason: str = "", on: date | None = None
) -> Case:
    """并案: `case` (B) is handled together with the lead case; it catches up with the
    lead's 交办 and 签收 at once when the lead has had them.

    Both rows are locked before either is checked, the lower id first (as every 并案
    takes them: no deadlock), so that a lead merged, answered or withdrawn meanwhile is
    seen."""
    lead_first = lead_case_id < case.pk
    locked = _lock(lead_case_id) if lead_first else None
    lock_and_check(by, case, Action.MERGE)
    if not lead_first:
        locked = _lock(lead_case_id)
    on = action_date(case, on)
    if not may_merge(case, on, set()):
        raise CaseError("此件已是主件或已并入他件，或为会办件，不能并案")
    lead = _lead_case(by, case, lead_case_id, locked)
    if case.state == State.ASSIGNED:
        if lead.lead_unit_id is None:
            raise CaseError("此件已交办而主件尚未交办：请以此件为主件", field="lead_case_id")
        if lead.lead_unit_id != case.lead_unit_id:
            raise CaseError("此件与主件的主办处室不同，不能并案", field="lead_case_id")
    apply_transition(
        case,
        Action.MERGE,
        by=by,
        on=on,
        changes={"merged_into": lead},
        details={
            "lead_case": lead.pk,
            "lead_number": lead.number,
            "lead_title": lead.title,
            "reason": (reason or "").strip(),
        },
    )
    catch_up(case, lead, by=by, on=on)
    return case


def catch_up(case: Case, lead: Case, *, by: User, on: date) -> None:
    if case.state == State.REGISTERED and lead.lead_unit_id is not None:
        _follow_assign(case, lead, by=by, on=on)
    if case.state == State.ASSIGNED and lead.state in HANDLED:
        _follow_accept(case, lead, by=by, on=on)


@transaction.atomic
def unmerge_case(case: Case, *, by: User, reason: str = "", on: date | None = None) -> Case:
    """取消并案: B is handled on its own again, where it stands (its units stay)."""
    lock_and_check(by, case, Action.UNMERGE)
    on = action_date(case, on)
    if not following(case):
        raise CaseError("此件未并案，或主件已答复")
    lead = case.merged_into
    assert lead is not None
    apply_transition(
        case,
        Action.UNMERGE,
        by=by,
        on=on,
        changes={"merged_into": None},
        details={
            "lead_case": lead.pk,
            "lead_number": lead.number,
            "reason": (reason or "").strip(),
        },
    )
    return case


# --- following the lead case -----------------------------------------------------------


def _followers(lead: Case, states: tuple[str, ...]) -> list[Case]:
    return list(lead.merged_cases.filter(state__in=states, replied_on__isnull=True).order_by("id"))


def _on(case: Case, on: date) -> date:
    return max(on, case.last_action_on)


def _follow_assign(case: Case, lead: Case, *, by: User, on: date) -> None:
    lock_case(case)
    on = _on(case, on)
    units = list(
        lead.assignments.filter(status__in=LIVE_ASSIGNMENT).select_related("unit").order_by("id")
    )
    fields = reply_deadlines(case, on, "reply")
    co_due, co_how = due_for(case, "co_unit_opinion", on)
    lead_handler = None
    for a in units:
        if a.kind == AssignmentKind.LEAD:
            lead_handler = a.handler
            Assignment.objects.create(
                case=case, unit=a.unit, kind=a.kind, assigned_on=on, handler=a.handler
            )
        else:
            Assignment.objects.create(
                case=case,
                unit=a.unit,
                kind=a.kind,
                assigned_on=on,
                deadline=min(co_due.date, fields["deadline"]),
                deadline_provisional=co_due.provisional,
                deadline_rule=co_how,
            )
    apply_transition(
        case,
        Follow.ASSIGN,
        by=by,
        on=on,
        to=State.ASSIGNED,
        changes={
            **fields,
            "lead_unit_id": lead.lead_unit_id,
            "assigned_on": on,
            "leader_in_charge_id": lead.leader_in_charge_id or case.leader_in_charge_id,
        },
        details={
            "lead_case": lead.pk,
            "lead_number": lead.number,
            "lead_unit": lead.lead_unit.code if lead.lead_unit else None,
            "co_units": [a.unit.code for a in units if a.kind == AssignmentKind.CO],
            "deadline": fields["deadline"].isoformat(),
            "handler": getattr(lead_handler, "username", None),
        },
    )


def _follow_accept(case: Case, lead: Case, *, by: User, on: date) -> None:
    lock_case(case)
    on = _on(case, on)
    mine = case.assignments.filter(kind=AssignmentKind.LEAD, status__in=LIVE_ASSIGNMENT).first()
    theirs = lead.assignments.filter(kind=AssignmentKind.LEAD, status__in=LIVE_ASSIGNMENT).first()
    if mine is not None:
        mine.status, mine.accepted_on = AssignmentStatus.ACCEPTED, on
        if mine.handler_id is None and theirs is not None:
            mine.handler_id = theirs.handler_id
        mine.save(update_fields=["status", "accepted_on", "handler"])
    apply_transition(
        case,
        Follow.ACCEPT,
        by=by,
        on=on,
        to=State.HANDLING,
        details={"lead_case": lead.pk, "lead_number": lead.number},
    )


def _follow_return(case: Case, lead: Case, reason: str, *, by: User, on: date) -> None:
    """A was returned: B's assignments (the same units', made with A's) end with A's, and
    B is 已登记 again, to be assigned with A's next 交办."""
    lock_case(case)
    on = _on(case, on)
    units = []
    for a in case.assignments.filter(status__in=LIVE_ASSIGNMENT).select_related("unit"):
        a.status = AssignmentStatus.CANCELLED
        a.save(update_fields=["status"])
        units.append(a.unit.code)
    apply_transition(
        case,
        Follow.RETURN,
        by=by,
        on=on,
        to=State.REGISTERED,
        changes=CLEARED_DEADLINES,
        details={
            "lead_case": lead.pk,
            "lead_number": lead.number,
            "reason": reason,
            "units": units,
        },
    )


def _unmerge_after_withdrawal(case: Case, lead: Case, *, by: User, on: date) -> None:
    """A was withdrawn (not ours): B is handled on its own from where it stands."""
    lock_case(case)
    apply_transition(
        case,
        Action.UNMERGE,
        by=by,
        on=_on(case, on),
        changes={"merged_into": None},
        details={"lead_case": lead.pk, "lead_number": lead.number, "reason": LEAD_WITHDRAWN},
    )


def _follow_sign(case: Case, lead: Case, reply: Reply, *, by: User, on: date) -> None:
    lock_case(case)
    on = _on(case, on)
    own = Reply.objects.create(
        case=case,
        round=case.round,
        text=reply.text,
        reply_class=reply.reply_class,
        contact=reply.contact,
        phone=reply.phone,
        status=ReplyStatus.SIGNED,
        submitted_on=reply.submitted_on,
        submitted_by=reply.submitted_by,
        review={"merged": {"lead_case": lead.pk, "lead_reply": reply.pk}},
        signed_on=on,
        signed_by=by,
    )
    number = take_number(LetterKind.REPLY, on=on, by=by, reply=own)
    own.doc_number = number.text
    own.save(update_fields=["doc_number"])
    Commitment.objects.bulk_create(
        Commitment(case=case, reply=own, unit=case.lead_unit, what=c.what, due=c.due)
        for c in reply.commitments.order_by("id")
    )
    to = State.CLOSED if case.role == CaseRole.CO else State.REPLIED
    apply_transition(
        case,
        Follow.SIGN,
        by=by,
        on=on,
        to=to,
        changes={"replied_on": on, "reply_class": reply.reply_class, "feedback_result": ""},
        details={
            "lead_case": lead.pk,
            "lead_number": lead.number,
            "reply": own.pk,
            "reply_class": reply.reply_class,
            "doc_number": number.text or f"{number.year}年第{number.number}号",
        },
    )


def after_assign(lead: Case, by: User) -> None:
    """The lead was just assigned (inside its transaction): its followers are too."""
    for case in _followers(lead, (State.REGISTERED,)):
        _follow_assign(case, lead, by=by, on=lead.last_action_on)


def after_return(lead: Case, by: User, reason: str) -> None:
    """The lead was just returned (申请退回): its assigned followers go back with it."""
    if lead.state != State.REGISTERED:
        return
    reason = (reason or "").strip()
    for case in _followers(lead, (State.ASSIGNED,)):
        _follow_return(case, lead, reason, by=by, on=lead.last_action_on)


def after_withdraw(lead: Case, by: User) -> None:
    """The lead was just withdrawn (撤回): its followers are un-merged."""
    if lead.state != State.WITHDRAWN:
        return
    for case in _followers(lead, FOLLOWING):
        _unmerge_after_withdrawal(case, lead, by=by, on=lead.last_action_on)


def after_accept(lead: Case, by: User) -> None:
    for case in _followers(lead, (State.ASSIGNED,)):
        _follow_accept(case, lead, by=by, on=lead.last_action_on)


def after_sign(lead: Case, by: User) -> None:
    """The lead's reply was signed: each follower gets it as its own (a refused signing
    sends the lead back to handling and its followers wait)."""
    if lead.state not in (State.REPLIED, State.CLOSED):
        return
    followers = _followers(lead, FOLLOWING)  # nearly always none: one query, then done
    if not followers:
        return
    reply = lead.replies.filter(round=lead.round, status=ReplyStatus.SIGNED).order_by("-id").first()
    if reply is None:
        return
    for case in followers:
        if case.state == State.REGISTERED:
            _follow_assign(case, lead, by=by, on=lead.last_action_on)
        if case.state == State.ASSIGNED:
            _follow_accept(case, lead, by=by, on=lead.last_action_on)
        _follow_sign(case, lead, reply, by=by, on=lead.last_action_on)
