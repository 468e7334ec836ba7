"""Template filters of the console pages."""

from datetime import date

from django import template

from huiyin.types import AnyUser
from orgs.access import standing_of
from orgs.models import Role

register = template.Library()
WEEKDAYS = "一二三四五六日"
# The 审计管理员's pages (audit.urls), where huiyin/urls.py mounts them.
AUDIT_URL = "/console/audit/"


@register.filter
def month_day(day: date | None) -> str:
    """{{ day|month_day }} → 10月1日（周四）: a date within the year the page is about."""
    if not isinstance(day, date):
        return ""
    return f"{day.month}月{day.day}日（周{WEEKDAYS[day.weekday()]}）"


@register.simple_tag
def console_parts(user: AnyUser) -> dict[str, bool | str]:
    """Which parts of the console the user keeps (三权分立): {% console_parts user as parts %}
    then parts.admin (units, users, settings), parts.security (roles, passwords, policy),
    parts.auditor (the audit trail). The standing is read once per request."""
    roles = standing_of(user).roles
    return {
        "admin": Role.ADMIN in roles,
        "security": Role.SECURITY in roles,
        "auditor": Role.AUDITOR in roles,
        "audit_url": AUDIT_URL,
    }
