"""The commission's name for every page's header (web/base.html), kept in Django's cache.

Every page shows it, and it changes only when an administrator saves the 发文设置
(letters.actions.configure_organisation), which forgets it: the process that saved shows
the new name on its next page, another server worker within CACHE_SECONDS. Letters,
reports and exports read it from the database (letters.setup.commission_name) as before.
"""

from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from letters.setup import commission_name

CACHE_KEY = "huiyin:commission-name"
CACHE_SECONDS = 60


def cached_commission_name() -> str:
    name = cache.get(CACHE_KEY)
    if isinstance(name, str):
        return name
    name = commission_name()
    cache.set(CACHE_KEY, name, CACHE_SECONDS)
    return name


def _forget() -> None:
    cache.delete(CACHE_KEY)


def forget_commission_name() -> None:
    """For the action that changes the name, inside its transaction: forget it now and again
    when it commits (a page shown in between may have cached the old name)."""
    _forget()
    transaction.on_commit(_forget)


def organisation(request: HttpRequest) -> dict[str, Any]:
    # Lazy: a page whose template does not show the name (a 503 page) reads nothing.
    return {"commission_name": SimpleLazyObject(cached_commission_name)}
