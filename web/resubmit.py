"""A case page's form posted twice, or from an old page.

Each action form carries two hidden fields (web/actions/_submit.html): a key made for that
rendering of the form (`idempotency_key`: the same form posted twice is stored once) and
the last event of the case the page showed (`seen_event`: a second tab acting on a page
that is no longer current is told who did what meanwhile, instead of being shown the old
form again as if it could still be sent)."""

import uuid

from django.utils import timezone

from audit.models import AuditEvent
from cases.models import Case
from huiyin.formats import cn_date
from web.timeline import NOT_ON_TIMELINE, action_label, actor_label
from workflow.tables import workflow_for

SEEN_FIELD = "seen_event"
ALREADY_DONE = "已提交过：此表单已经提交并保存，未重复保存。"


def new_form_key() -> str:
    """A fresh key for each form rendered (called by the template at each use)."""
    return uuid.uuid4().hex


def seen_event_id(raw: str | None) -> int | None:
    """The case's last event a page showed, as its form (or a card fetched later) carries
    it: a plain id of at most 18 ASCII digits, else None."""
    if raw is None or not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        return None
    return int(raw)


def stale_notice(case: Case, posted_seen: str | None) -> str | None:
    """When the form was rendered before the case's latest event: who did what and when,
    to tell the user; None when the page was current (or did not say what it showed)."""
    seen = seen_event_id(posted_seen)
    if seen is None:
        return None
    latest = (
        AuditEvent.objects.filter(case=case, id__gt=seen)
        .exclude(action__in=NOT_ON_TIMELINE)  # a proposer opening their link changes nothing
        .select_related("actor")
        .order_by("-id")
    ).first()
    if latest is None:
        return None
    who = actor_label(latest)
    at = timezone.localtime(latest.at)
    when = f"{cn_date(at.date())} {at:%H:%M}"
    what = action_label(workflow_for(case.category), latest.action)
    return (
        f"页面已过期：{who}已于{when}对此办件执行了“{what}”。下面是办件的最新状态，请确认后再操作。"
    )
