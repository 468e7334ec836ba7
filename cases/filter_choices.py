"""The ledger's choice lists of 交办机关 and 主题, kept in Django's cache.

The issuers are a DISTINCT over the whole cases table (48 ms at 1,000,000 cases): too
dear for every list view, and they change only when a case is registered, edited or
imported. Those actions forget the cached lists, so the process that made the change
shows it on its next page; another process (a second server worker) within CACHE_SECONDS.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction

from cases.models import Case, Topic

CACHE_KEY = "huiyin:ledger-filter-choices"
CACHE_SECONDS = 60


@dataclass(frozen=True)
class FilterChoices:
    issuers: list[str]
    topics: list[str]


def filter_choices() -> FilterChoices:
    """Every issuer and every topic name, sorted."""
    found = cache.get(CACHE_KEY)
    if isinstance(found, FilterChoices):
        return found
    found = FilterChoices(
        issuers=list(
            Case.objects.exclude(issuer="")
            .order_by("issuer")
            .values_list("issuer", flat=True)
            .distinct()
        ),
        topics=list(Topic.objects.order_by("name").values_list("name", flat=True)),
    )
    cache.set(CACHE_KEY, found, CACHE_SECONDS)
    return found


def _forget() -> None:
    cache.delete(CACHE_KEY)


def forget_filter_choices() -> None:
    """For an action that changes a case's issuer or topics, inside its transaction: forget
    the lists now and again when it commits (a reader in between may have cached the old
    lists)."""
    _forget()
    transaction.on_commit(_forget)
