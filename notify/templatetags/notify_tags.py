"""The bell in the page header (web/templates/web/base.html): one capped, indexed count."""

import re
from typing import Any

from django import template
from django.conf import settings
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from notify.queries import bell_label, unread_count

register = template.Library()

# A path of the site: a slash not followed by a second one (or a backslash, which browsers
# read as one), then the characters of the app's own paths.
PATH = r"(/(?![/\\])[A-Za-z0-9/_\-.?=]*)"


@register.inclusion_tag("notify/bell.html", takes_context=True)
def notification_bell(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    count = unread_count(user)
    return {"show": True, "count": count, "label": bell_label(count)}


@register.filter
def notice_body(text: str) -> SafeString:
    """A notification's text as the bell's list shows it: escaped, and every address of a
    page of this site (the e-mail's full link to a case) a link that stays in the app,
    whatever address the site is served at. Only a path: one that starts with `//` or
    `/\\` would be another site's address (`//evil.example/a`), and is left as text."""
    site = str(settings.HUIYIN_SITE_URL).rstrip("/")
    escaped = str(conditional_escape(text))
    pattern = re.escape(str(conditional_escape(site))) + PATH

    def link(match: re.Match[str]) -> str:
        return f'<a href="{match.group(1)}">办件页面</a>'

    # The text is escaped above; the path is made of safe characters.
    return mark_safe(re.sub(pattern, link, escaped))
