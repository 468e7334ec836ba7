"""The coordinator's block on the case page: the case's deadlines on the escalation ladder
(reminders/templates/reminders/case_steps.html, included by web/case_detail.html)."""

from typing import Any

from django import template

from reminders.status import DeadlineStep, coordinator_view

register = template.Library()


@register.simple_tag(takes_context=True)
def reminder_steps(context: template.Context) -> list[DeadlineStep] | None:
    """The case's deadlines and steps for a coordinator; None for anyone else."""
    user: Any = context.get("user")
    case = context.get("case")
    today = context.get("today")
    if user is None or case is None or today is None:
        return None
    return coordinator_view(user, case, today)
