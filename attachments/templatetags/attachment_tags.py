"""Template helpers of web/includes/case_attachments.html."""

from typing import Any

from django import template
from django.conf import settings

from attachments.queries import attach_targets

register = template.Library()


@register.simple_tag(takes_context=True)
def attachment_targets(context: template.Context, case: Any) -> list[tuple[str, str]]:
    """{% attachment_targets case as targets %}: what the current user may attach to."""
    request = context.get("request")
    if request is None or case is None:
        return []
    return attach_targets(request.user, case)


@register.filter
def file_size(size: Any) -> str:
    """1536 → 1.5 KB; 2097152 → 2.0 MB."""
    try:
        size = int(size)
    except (TypeError, ValueError):
        return ""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


@register.simple_tag
def any_removable(attachments: Any) -> bool:
    """{% any_removable attachments as removable %}: whether to give the list a column of
    delete buttons."""
    return any(getattr(a, "can_remove", False) for a in attachments or [])


@register.simple_tag
def upload_limit_mb() -> str:
    size = settings.HUIYIN_UPLOAD_MAX_BYTES / 1024 / 1024
    return f"{size:.0f}" if size == int(size) else f"{size:.1f}"
