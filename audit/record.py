from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from audit.models import AuditEvent, EventKind, EventResult
from audit.signals import cases_written
from huiyin.types import User

if TYPE_CHECKING:  # cases imports audit, not the other way round
    from cases.models import Case


def today() -> date:
    """Today in the commission's time zone (Asia/Shanghai)."""
    return timezone.localdate()


def record_event(
    *,
    actor: User | None,
    action: str,
    on: date | None = None,
    case: "Case | None" = None,
    subject: str = "",
    from_state: str = "",
    to_state: str = "",
    details: dict[str, Any] | None = None,
    kind: str = EventKind.ACTION,
    address: str | None = None,
    result: str = EventResult.OK,
    case_label: str = "",
    actor_name: str = "",
) -> AuditEvent:
    """Write one audit row. Call it inside the action's transaction, after the action's
    other writes: the rows derived from the case are recomputed here (audit.signals).
    Security events go through audit.trail.record_security_event."""
    event = AuditEvent.objects.create(
        kind=kind,
        case=case,
        case_label=case_label,
        subject=subject,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=actor_name,
        action=action,
        on=on or today(),
        from_state=from_state,
        to_state=to_state,
        details=details or {},
        address=address,
        result=result,
    )
    if case is not None:
        cases_written.send(sender=AuditEvent, case_ids=[case.pk])
    return event
