"""Statements PostgreSQL plans once a connection, then only runs.

我的待办 sends about twenty small statements, and PostgreSQL spends ten times as long
planning each as running it (issue 10: the coordinator's, at 1M cases, 8.5 ms of planning
against 0.9 ms of execution): every case table has dozens of indexes, partial ones among
them, and the planner weighs each. The same person opens the same page many times a day,
and its statements are the same text each time: the same user, the same day's dates.

`rows(queryset)` gives what `list(queryset)` gives. On PostgreSQL it sends the statement,
with its values written into the text (the text is the key: nothing about it is guessed),
as a prepared statement of the connection (`PREPARE hy_7 AS …; EXECUTE hy_7`), and the
next time the connection meets the same text only `EXECUTE hy_7`: PostgreSQL plans a
statement without parameters once and keeps that plan. A prepared statement lives as long
as its connection (a rollback does not take it away). Each connection keeps at most
HUIYIN_PLAN_CACHE of them and lets the least recently used go (`DEALLOCATE`).

`flat(queryset)` does the same for a flat `values_list` (the ledger's bounded count, sent
again by every page of a search). `fetch(sql, params, using, slot=i)` keeps parameter `i`
as `$1` of one statement for every value (huiyin/prepared.py: the case page's queries by
the case's id), and PostgreSQL decides after a few runs whether one plan serves them all.

A statement whose sending failed is forgotten and its name never used again, so that no
`PREPARE` can meet a name already taken. Behind a pooler that shares server sessions
between clients per transaction (PgBouncer's transaction mode), prepared statements of
one session are not there in the next: set HUIYIN_PLAN_CACHE=0 (none kept) there.

On SQLite, or with the setting off, each is the plain query.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

M = TypeVar("M", bound=Model)

# What stands for a statement's changing value while its text is made (huiyin/prepared.py).
_MARK: Final = -7_204_613_827


class _Kept:
    """One connection's prepared statements: text → name, oldest first."""

    def __init__(self) -> None:
        self.names: OrderedDict[str, str] = OrderedDict()
        self.counter = 0

    def next_name(self) -> str:
        self.counter += 1
        return f"hy_{self.counter}"


# Keyed by the driver's connection (a new one after Django reconnects starts empty).
_KEPT: weakref.WeakKeyDictionary[Any, _Kept] = weakref.WeakKeyDictionary()
_KEPT_LOCK = threading.Lock()


def _kept(raw: Any) -> _Kept:
    found = _KEPT.get(raw)
    if found is None:
        with _KEPT_LOCK:
            found = _KEPT.setdefault(raw, _Kept())
    return found


def keep() -> int:
    """How many prepared statements a connection keeps (settings.HUIYIN_PLAN_CACHE)."""
    return int(getattr(settings, "HUIYIN_PLAN_CACHE", 0))


def enabled(using: str) -> bool:
    return connections[using].vendor == "postgresql" and keep() > 0


def fetch(sql: str, params: Any, using: str, *, slot: int | None = None) -> list[tuple[Any, ...]]:
    """The rows of `sql` with `params`, through the connection's prepared statement of
    that text (prepared now if it has none yet).

    `slot`: the one parameter that changes from call to call (a case's id: see
    huiyin/prepared.py). It stays a parameter ($1) of one statement for every value, and
    PostgreSQL decides after a few runs whether one plan serves them all."""
    connection = connections[using]
    if not enabled(using):
        return _plain(connection, sql, params)
    # The text PostgreSQL would receive: psycopg writes the values in (client-side binding).
    compose: Callable[[str, Any], str] = connection.ops.compose_sql  # type: ignore[attr-defined]
    args = ""
    if slot is None:
        text = compose(sql, params)
    else:
        value = int(params[slot])
        marked = list(params)
        marked[slot] = _MARK
        text = compose(sql, marked)
        mark = compose("%s", [_MARK]).strip()
        if text.count(mark) != 1:  # the number is also in the text's words: don't guess
            return _plain(connection, sql, params)
        text, args = text.replace(mark, "$1"), f"({value})"
    connection.ensure_connection()
    kept = _kept(connection.connection)
    with connection.cursor() as cursor:
        name = kept.names.get(text)
        if name is not None:
            kept.names.move_to_end(text)
            cursor.execute(f"EXECUTE {name}{args}")
            return cursor.fetchall()
        name = kept.next_name()
        commands = []
        while len(kept.names) >= keep():
            _, oldest = kept.names.popitem(last=False)
            commands.append(f"DEALLOCATE {oldest}")
        commands += [f"PREPARE {name} AS {text}", f"EXECUTE {name}{args}"]
        cursor.execute(";\n".join(commands))
        for _ in commands[:-1]:  # the results of DEALLOCATE and PREPARE come first
            cursor.nextset()
        found = cursor.fetchall()
        kept.names[text] = name
        return found


def _plain(connection: Any, sql: str, params: Any) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def rows(queryset: QuerySet[M]) -> list[M]:
    """`list(queryset)`, planned once a connection on PostgreSQL. The queryset reads one
    table, with select_related and annotations (no prefetch_related)."""
    using = queryset.db
    if not enabled(using):
        return list(queryset)
    if queryset._prefetch_related_lookups:  # type: ignore[attr-defined]
        raise ValueError("a planned query reads one table (with select_related) only")
    compiler = queryset.query.get_compiler(using=using)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return []
    return Shape.of(compiler, using).instances(fetch(sql, params, using), using)


def flat(queryset: QuerySet[Any]) -> list[Any]:
    """`list(queryset)` of a `values_list(<one field>, flat=True)`, planned once a
    connection on PostgreSQL (the ledger's bounded count: paging through a search runs
    the same statement again)."""
    using = queryset.db
    if not enabled(using):
        return list(queryset)
    compiler = queryset.query.get_compiler(using=using)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return []
    if compiler.col_count != 1:
        raise ValueError("a flat list reads one column")
    fetched = fetch(sql, params, using)
    return [row[0] for row in compiler.results_iter([fetched])]


@dataclass(frozen=True)
class Shape:
    """How a compiled queryset's rows become its model instances, as iterating the
    queryset makes them: its fields, what select_related joined, its annotations."""

    compiler: Any
    model: type[Model]
    init_list: list[str]
    start: int
    end: int
    populators: list[Any]
    annotations: dict[str, int]

    @classmethod
    def of(cls, compiler: Any, using: str) -> Shape:
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        return cls(
            compiler=compiler,
            model=klass_info["model"],
            init_list=[f[0].target.attname for f in select[start:end]],
            start=start,
            end=end,
            populators=get_related_populators(klass_info, select, using),
            annotations=dict(compiler.annotation_col_map or {}),
        )

    def instances(self, fetched: list[Any], using: str) -> list[Any]:
        compiler = self.compiler
        if compiler.has_extra_select:  # columns only the ordering needed
            fetched = [row[: compiler.col_count] for row in fetched]
        found = []
        for row in compiler.results_iter([fetched]):
            obj = self.model.from_db(using, self.init_list, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotations.items():
                setattr(obj, name, row[position])
            found.append(obj)
        return found


def text_of(sql: str, using: str = "default") -> str:
    """The statement a logged `EXECUTE hy_7` (or `PREPARE hy_7 AS …; EXECUTE hy_7`) ran,
    for a test or a benchmark that reads the plans of what a page sent."""
    last = sql.rsplit(";", 1)[-1].strip()
    if not last.startswith("EXECUTE hy_"):
        return sql
    name = last.removeprefix("EXECUTE ").split("(", 1)[0]
    connection = connections[using]
    kept = _KEPT.get(connection.connection)
    for text, kept_name in kept.names.items() if kept else ():
        if kept_name == name:
            return text
    return sql
