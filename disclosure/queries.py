"""Reads of the disclosure app: the reply a decision is about, the case's current
decision, and the public list (no user: only live, published decisions)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import F, Q, QuerySet

from cases.models import Case, Reply, ReplyStatus
from disclosure.models import PUBLISHED_MODES, Disclosure
from huiyin.prefetch import prefetched

if TYPE_CHECKING:
    from datetime import date

# The case page's panel and cards read the case's decision more than once per page.
_CURRENT = "_disclosure_current"


def signed_reply(case: Case) -> Reply | None:
    """The reply a decision is about: the signed reply of the latest round."""
    replies = prefetched(case, "replies")
    if replies is not None:
        signed = [r for r in replies if r.status == ReplyStatus.SIGNED]
        return max(signed, key=lambda r: (r.round, r.pk)) if signed else None
    return case.replies.filter(status=ReplyStatus.SIGNED).order_by("-round", "-id").first()


def draft_to_sign(case: Case) -> Reply | None:
    """The draft under review or waiting to be signed (the preview before the decision)."""
    waiting = (ReplyStatus.REVIEWING, ReplyStatus.SIGNING)
    replies = prefetched(case, "replies")
    if replies is not None:
        return next((r for r in reversed(replies) if r.status in waiting), None)
    return case.replies.filter(status__in=waiting).order_by("-id").first()


def current_decision(case: Case, *, fresh: bool = False) -> Disclosure | None:
    """The case's live decision, or else its latest (withdrawn) one; None if never decided.
    Read once per page (`fresh` for an action, which must not trust what a page read)."""
    if not fresh and hasattr(case, _CURRENT):
        found: Disclosure | None = getattr(case, _CURRENT)
        return found
    found = (
        Disclosure.objects.filter(case=case)
        .select_related("reply")
        # The live one (never withdrawn) first, then the latest withdrawn.
        .order_by(F("withdrawn_on").desc(nulls_first=True), "-id")
        .first()
    )
    setattr(case, _CURRENT, found)
    return found


def live_decision(case: Case, *, fresh: bool = False) -> Disclosure | None:
    found = current_decision(case, fresh=fresh)
    return found if found is not None and found.live else None


def public_disclosures() -> QuerySet[Disclosure]:
    """What the public page may show: live decisions to publish (全文 or 摘要)."""
    return Disclosure.objects.filter(withdrawn_on__isnull=True, mode__in=PUBLISHED_MODES)


def search(
    words: list[str],
    *,
    year: int | None = None,
    category: str = "",
    topic: int | None = None,
) -> QuerySet[Disclosure]:
    """The public list, newest reply first: every word in the title or the published text."""
    found = public_disclosures()
    for word in words:
        found = found.filter(Q(published_title__icontains=word) | Q(published_text__icontains=word))
    if year is not None:
        found = found.filter(year=year)
    if category:
        found = found.filter(category=category)
    if topic is not None:
        found = found.filter(case__topics__id=topic)
    return found.order_by("-replied_on", "-id")


def years_published(today: date) -> list[int]:
    years = public_disclosures().values_list("year", flat=True).distinct().order_by("-year")
    return list(years[:30])
