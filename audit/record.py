from datetime import date
from typing import Any

from django.utils import timezone

from audit.models import AuditEvent


def today() -> date:
    """Today in the commission's time zone (Asia/Shanghai)."""
    return timezone.localdate()


def record_event(
    *,
    actor: Any,
    action: str,
    on: date | None = None,
    case: Any = None,
    subject: str = "",
    from_state: str = "",
    to_state: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit row. Call it inside the action's transaction."""
    return AuditEvent.objects.create(
        case=case,
        subject=subject,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        on=on or today(),
        from_state=from_state,
        to_state=to_state,
        details=details or {},
    )
