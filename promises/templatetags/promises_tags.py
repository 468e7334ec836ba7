"""A promise's state as the pages show it: `{% if c|late_on:today %}` marks an open promise
past its due date (逾期), as promises.figures counts it."""

from datetime import date

from django import template

from cases.models import COMMITMENT_OPEN, Commitment

register = template.Library()


@register.filter
def late_on(c: Commitment, on: date | None) -> bool:
    """Open (未开始/推进中) and its due date passed by `on`."""
    return on is not None and c.status in COMMITMENT_OPEN and c.due < on
