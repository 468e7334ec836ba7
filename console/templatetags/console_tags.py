"""Template filters of the console pages."""

from datetime import date

from django import template

register = template.Library()
WEEKDAYS = "一二三四五六日"


@register.filter
def month_day(day: date | None) -> str:
    """{{ day|month_day }} → 10月1日（周四）: a date within the year the page is about."""
    if not isinstance(day, date):
        return ""
    return f"{day.month}月{day.day}日（周{WEEKDAYS[day.weekday()]}）"
