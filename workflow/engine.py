"""The one function that moves a case from one state to another, and the row lock every
action takes before it checks anything."""

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.record import record_event, today
from huiyin.formats import cn_date
from huiyin.types import User
from workflow.errors import CaseError, StaleCase
from workflow.tables import Transition, workflow_for
from workflow.vocabulary import Event

if TYPE_CHECKING:
    from cases.models import Case

# What a user sees when another user's action on the same case came first.
CHANGED_MEANWHILE = "该办件刚被他人办理，状态已变化，请刷新后重试"


def lock_case(case: "Case") -> "Case":
    """Lock the case's row until the end of the current transaction and re-read it into
    `case`. Every action calls this first, inside its transaction, and then checks only
    against the locked row: parallel actions on one case run one after another, each on
    what the previous one wrote (a second decision finds no pending request, a second
    request finds the first).

    The caller chose its action for the state it had read; if another action changed it
    meanwhile, the action is refused as the compare-and-set in `apply_transition` would.
    """
    if not transaction.get_connection().in_atomic_block:
        # SQLite would ignore a lock taken outside a transaction; PostgreSQL refuses it.
        raise transaction.TransactionManagementError("lock_case() needs a transaction")
    seen = case.state
    case.refresh_from_db(from_queryset=type(case)._base_manager.select_for_update())
    if case.state != seen:
        raise StaleCase(CHANGED_MEANWHILE)
    return case


def check_on(on: date | None, *, not_before: date | None) -> date:
    """The date an action happened: default today; never in the future, never before
    the case's previous action (history may be entered after the fact, not rewritten)."""
    now = today()
    if on is None:
        return now if not_before is None or now >= not_before else not_before
    if on > now:
        raise CaseError("办理日期不能晚于今天", field="on")
    if not_before is not None and on < not_before:
        raise CaseError(f"办理日期不能早于上一步的办理日期（{cn_date(not_before)}）", field="on")
    return on


def transition_for(case: "Case", action: str) -> Transition:
    workflow = workflow_for(case.category)
    transition = workflow.transitions.get(action)
    if transition is None:
        raise CaseError(f"此类办件没有“{action}”操作")
    if case.state not in transition.sources:
        raise CaseError(f"办件当前为“{workflow.state_label(case.state)}”，不能{transition.label}")
    return transition


@transaction.atomic
def apply_transition(
    case: "Case",
    action: str,
    *,
    by: User,
    on: date,
    to: str | None = None,
    details: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Apply `action` to `case`, moving it to `to` (None: it stays), writing one event.

    The row is updated only where its state is still the one we read (compare-and-set),
    so of two concurrent actions on one case only the first succeeds. `changes` are other
    columns written in the same UPDATE.
    """
    transition = transition_for(case, action)
    old_state = case.state
    new_state = to or old_state
    if transition.targets and new_state not in transition.targets:
        raise ValueError(f"{action} cannot lead to {new_state}")
    if not transition.targets and new_state != old_state:
        raise ValueError(f"{action} keeps the state")
    fields = {
        "state": new_state,
        "last_action_on": on,
        "updated_at": timezone.now(),
        **(changes or {}),
    }
    updated = type(case).objects.filter(pk=case.pk, state=old_state).update(**fields)
    if updated != 1:
        raise StaleCase(CHANGED_MEANWHILE)
    for name, value in fields.items():
        setattr(case, name, value)
    return record_event(
        actor=by,
        action=action,
        on=on,
        case=case,
        from_state=old_state,
        to_state=new_state,
        details=details,
    )


def start_case(
    case: "Case", *, by: User, on: date, details: dict[str, Any] | None = None
) -> AuditEvent:
    """Put a newly created case into its workflow's initial state (the `register` event)."""
    workflow = workflow_for(case.category)
    if case.state != workflow.initial:
        raise ValueError("a new case starts in its workflow's initial state")
    return record_event(
        actor=by,
        action=Event.REGISTER,
        on=on,
        case=case,
        from_state="",
        to_state=case.state,
        details=details,
    )


@transaction.atomic
def import_states(
    moves: list[tuple["Case", str, dict[str, Any]]], *, by: User | None, on: date, new: bool = False
) -> list[AuditEvent]:
    """The hidden `import` transition (imported history) for many cases at once.

    Each (case, to, details) moves as `apply_transition(case, Event.IMPORT, to=to, ...)`
    would move it, with the same compare-and-set: one UPDATE per group of cases going
    from one state to another, refused unless every case of the group is still in the
    state it was read in. One audit event per case, written in bulk. Only the state (and
    `updated_at`) is written: the importer writes the history's other columns itself.

    `new`: the cases were just created in their workflow's initial state, and this event
    is their first: it records them as coming from no state (from_state ""), as the
    register event does.
    """
    groups: dict[tuple[str, str], list[Case]] = {}
    events = []
    actor = by if getattr(by, "pk", None) else None
    for case, to, details in moves:
        if new and case.state != workflow_for(case.category).initial:
            raise ValueError("a new case starts in its workflow's initial state")
        transition = transition_for(case, Event.IMPORT)
        if to not in transition.targets:
            raise ValueError(f"{Event.IMPORT} cannot lead to {to}")
        groups.setdefault((case.state, to), []).append(case)
        events.append(
            AuditEvent(
                case=case,
                actor=actor,
                action=transition.action,
                on=on,
                from_state="" if new else case.state,
                to_state=to,
                details=details or {},
            )
        )
    now = timezone.now()
    for (old_state, new_state), cases in groups.items():
        for start in range(0, len(cases), 500):
            part = cases[start : start + 500]
            updated = (
                type(part[0])
                .objects.filter(pk__in=[c.pk for c in part], state=old_state)
                .update(state=new_state, updated_at=now)
            )
            if updated != len(part):
                raise StaleCase(CHANGED_MEANWHILE)
        for case in cases:
            case.state, case.updated_at = new_state, now
    return AuditEvent.objects.bulk_create(events, batch_size=500)
