"""Template filters of the web UI: dates as the commission writes them, state badges, roles."""

from datetime import date, timedelta
from typing import Any

from django import template
from django.template import Context

from cases.figures import is_overdue
from cases.models import FeedbackRating
from huiyin.formats import cn_date as format_cn_date
from huiyin.types import AnyUser, User
from orgs.access import standing_of
from orgs.accounts import EXPIRY_SESSION_KEY
from orgs.models import ADMINISTRATOR_ROLES, COMMISSION_ROLES, Role
from web import rows
from workflow.tables import workflow_for

register = template.Library()

# The badges and the repeated rows, written by web/rows.py (one definition, fast).
register.simple_tag(rows.state_badge, name="state_badge")
register.simple_tag(rows.deadline_badge, name="deadline_badge")
register.simple_tag(rows.ledger_rows, name="ledger_rows")
register.simple_tag(rows.todo_rows, name="todo_rows")
register.simple_tag(rows.options, name="options")
register.simple_tag(rows.form_field, name="form_field")


@register.filter
def cn_date(day: date | None) -> str:
    """{{ case.deadline|cn_date }} → 2026年6月22日."""
    return format_cn_date(day) if isinstance(day, date) else ""


@register.filter
def state_label(case: Any) -> str:
    return workflow_for(case.category).state_label(case.state)


@register.filter
def state_color(case: Any) -> str:
    """The state badge's colour, as the case's category declares it."""
    return workflow_for(case.category).colors.get(case.state, "secondary")


@register.filter
def overdue(case: Any, on: date) -> bool:
    return is_overdue(case, on)


@register.filter
def reply_class_short(value: str) -> str:
    return f"{value}类" if value else ""


@register.filter
def rating_label(value: str) -> str:
    return str(dict(FeedbackRating.choices).get(value, value or ""))


@register.filter
def person(user: User | None) -> str:
    if not user:
        return ""
    return user.get_full_name() or user.username


@register.filter
def minutes(value: Any) -> int:
    return int(value.total_seconds() // 60) if isinstance(value, timedelta) else 0


@register.simple_tag
def user_roles(user: AnyUser) -> str:
    """议提案管理员 · 处室负责人（医政医管处）: what the top bar says the user is."""
    if not isinstance(user, User):  # the anonymous visitor (or no user in the context)
        return ""
    labels = dict(Role.choices)
    seen: list[str] = []
    for role, unit_name in standing_of(user).titles:  # read once per request
        text = labels[role] if role in COMMISSION_ROLES else f"{labels[role]}（{unit_name}）"
        if text not in seen:
            seen.append(text)
    return " · ".join(seen)


@register.simple_tag
def sees_console(user: AnyUser) -> bool:
    """The 系统管理 link: for the three administrators of 三权分立, each to their part."""
    return bool(standing_of(user).roles & ADMINISTRATOR_ROLES)


@register.simple_tag
def sees_cases(user: AnyUser) -> bool:
    """The case pages' links: not for someone who is only the 安全管理员 or the 审计管理员
    (those roles see no case)."""
    return bool(standing_of(user).roles - {Role.SECURITY, Role.AUDITOR})


@register.simple_tag(takes_context=True)
def password_expires_on(context: Context) -> date | None:
    """The day the user's password expires, when within a week: the login noted it in the
    session (orgs.accounts.note_login), so the 我的待办 page asks no query for it."""
    request = context.get("request")
    session = getattr(request, "session", None)
    raw = session.get(EXPIRY_SESSION_KEY) if session is not None else None
    try:
        return date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


@register.simple_tag
def is_coordinator(user: AnyUser) -> bool:
    return standing_of(user).has(Role.COORDINATOR)


@register.simple_tag
def home_title(user: AnyUser) -> str:
    """The landing page's name in the top bar, as the page titles itself (home.html): 我的待办
    for those with steps to take, 办理概况 for a viewer, else 首页."""
    standing = standing_of(user)
    if standing.unit_ids or standing.roles & {Role.COORDINATOR, Role.LEADER}:
        return "我的待办"
    return "办理概况" if standing.has(Role.VIEWER) else "首页"
