"""Queries compiled once a process, then run with a new value each time.

A page that reads the same dozen tables by one case's id on every request spends as much
time turning its querysets into SQL (Django builds and compiles each one anew) as the
database spends answering them. A `Prepared` query is built once with a stand-in value
(SENTINEL, an id no row has), compiled for the database it runs on, and afterwards only
executed with the real value in the stand-in's place: the same SQL, the same parameters,
the same model instances (select_related and annotations included) as the queryset would
give, through the connection's usual cursor (its wrappers and query log see it).

Only querysets whose SQL does not depend on the value can be prepared: a value that
appears as exactly one parameter of the compiled query (`field=value`, not a list whose
length varies, not a slice, nothing computed from it). The first compilation checks this:
built with two stand-ins, the queries must differ in that one parameter only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model, QuerySet

from huiyin import plans

M = TypeVar("M", bound=Model)

SENTINEL: Final = -7_204_613_829
OTHER: Final = -7_204_613_831  # a second stand-in: what else changes with the value?


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slot: int
    shape: plans.Shape


class Prepared(Generic[M]):
    """`build(value)` → the queryset; `rows(value)` → its instances, compiled once."""

    def __init__(self, build: Callable[[int], QuerySet[M]]) -> None:
        self.build = build
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _compile(self, using: str) -> _Compiled:
        queryset = self.build(SENTINEL)
        if queryset._prefetch_related_lookups or queryset._known_related_objects:  # type: ignore[attr-defined]
            raise ValueError("a prepared query reads one table (with select_related) only")
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        other_sql, other_params = self.build(OTHER).query.get_compiler(using=using).as_sql()
        same_shape = other_sql == sql and len(params) == len(other_params)
        changed = [i for i, p in enumerate(params) if same_shape and p != other_params[i]]
        if [params[i] for i in changed] != [SENTINEL]:
            raise ValueError(f"the value must be exactly one parameter of the query: {sql}")
        return _Compiled(
            sql=sql, params=tuple(params), slot=changed[0], shape=plans.Shape.of(compiler, using)
        )

    def compiled(self, using: str = DEFAULT_DB_ALIAS) -> _Compiled:
        found = self._compiled.get(using)
        if found is None:
            with self._lock:
                found = self._compiled.get(using) or self._compile(using)
                self._compiled[using] = found
        return found

    def rows(self, value: int, using: str = DEFAULT_DB_ALIAS) -> list[M]:
        """The queryset's instances for `value`, as `list(build(value))` would give them."""
        c = self.compiled(using)
        params = list(c.params)
        params[c.slot] = value
        # On PostgreSQL, planned once a connection too (huiyin/plans.py).
        return c.shape.instances(plans.fetch(c.sql, params, using, slot=c.slot), using)

    def count(self, value: int, using: str = DEFAULT_DB_ALIAS) -> int:
        """How many rows `build(value)` gives, as `build(value).count()` says (a slice of
        the queryset bounds it)."""
        c = self.compiled(using)
        params = list(c.params)
        params[c.slot] = value
        sql = f"SELECT COUNT(*) FROM ({c.sql}) counted"
        ((found,),) = plans.fetch(sql, params, using, slot=c.slot)
        return int(found)


def cache_rows(instance: Model, relation: str, rows: list[Any]) -> None:
    """Put `rows` into `instance`'s prefetch cache for `relation` (a reverse foreign key
    or a many-to-many), as prefetch_related_objects would: `instance.<relation>.all()`
    answers from them; a further filter on it still asks the database, by the relation."""
    manager = getattr(instance, relation)
    queryset = manager.get_queryset()  # the relation's filter: built, not run
    queryset._result_cache = rows
    queryset._prefetch_done = True
    if hasattr(manager, "prefetch_cache_name"):  # many-to-many
        name = manager.prefetch_cache_name
    else:  # a reverse foreign key: each row's parent is `instance`, as prefetching sets it
        name = manager.field.remote_field.cache_name
        for row in rows:
            manager.field.set_cached_value(row, instance)
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}  # type: ignore[attr-defined]
    instance._prefetched_objects_cache[name] = queryset  # type: ignore[attr-defined]
