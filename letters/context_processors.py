"""The commission's name for every page's header (web/base.html): one small query, made
only when a template reads it."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from letters.setup import commission_name


def organisation(request: HttpRequest) -> dict[str, Any]:
    return {"commission_name": SimpleLazyObject(commission_name)}
