"""Keep the statistics' summary rows (reports.models) in step with the cases.

Every action on a case, the importer (per chunk) and the deadline recompute send
`audit.signals.cases_written` inside their transaction, after their writes. `refresh`
then reads the cases as they are now, compares each with what it last added to the
summaries (its CaseTally row, locked), and moves the difference: -1 from the old key,
+1 to the new, written as `n = n + d`, so that two transactions counting different cases
into one cell both count (each waits for the other's row lock, then adds to what it
committed). The keys are written in sorted order, so two of them never wait on each other
the other way round.

It never matters how a case changed: refresh only compares two states of the case. The
full recount and the set-based rebuild are in reports.recount.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django.db import connection, models, transaction
from django.db.models import Count

from cases.models import COMMITMENT_OPEN, Case, Communication, Outcome
from cases.models.choices import FACE_TO_FACE_METHODS, PROPOSAL_CATEGORIES
from promises.figures import kept_promises
from reports.models import (
    CELL_KEY,
    MONTH_KEY,
    OUTCOME_KEY,
    PROMISE_KEY,
    SETTLED_DUE,
    TOPIC_KEY,
    CaseTally,
    TallyCell,
    TallyMonth,
    TallyOutcome,
    TallyPromise,
    TallyTopic,
)

BATCH = 500  # cases read and compared per round (the importer's chunk)

# The case columns a contribution is made of.
CASE_FIELDS = (
    "id",
    "year",
    "lead_unit_id",
    "category",
    "level",
    "state",
    "role",
    "led_by",
    "replied_on",
    "deadline",
    "reply_class",
    "feedback_result",
    "received_on",
)


def month_of(day: date) -> date:
    return day.replace(day=1)


@dataclass(frozen=True)
class Contribution:
    """What one case adds to the summaries: one case to a cell, one to the month it was
    received and one to the month it was answered, one to each of its topics, and its
    outcomes by kind."""

    year: int
    unit: int
    category: str
    level: str
    state: str
    role: str
    led: bool
    replied: bool
    on_time: bool
    reply_class: str
    feedback: str
    met: bool
    received: date
    answered: date | None
    topics: tuple[int, ...]
    outcomes: tuple[tuple[str, int], ...]
    # (owner unit, status, due or SETTLED_DUE, count), ascending
    promises: tuple[tuple[int, str, date, int], ...] = ()

    @property
    def shared(self) -> tuple[Any, ...]:
        return (self.year, self.unit, self.category, self.state)

    @property
    def cell(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in CELL_KEY)

    @property
    def outcome_count(self) -> int:
        return sum(n for _, n in self.outcomes)

    def months(self) -> list[tuple[Any, ...]]:
        found = [(*self.shared, TallyMonth.RECEIVED, self.received)]
        if self.answered is not None:
            found.append((*self.shared, TallyMonth.ANSWERED, self.answered))
        return found

    def tally_row(self, case_id: int) -> CaseTally:
        values = {name: getattr(self, name) for name in CASE_TALLY_FIELDS}
        return CaseTally(
            case_id=case_id,
            **values,
            topics=list(self.topics),
            outcomes=dict(self.outcomes),
            promises=[[unit, status, due.isoformat(), n] for unit, status, due, n in self.promises],
        )


CASE_TALLY_FIELDS = (*CELL_KEY, "received", "answered")


def _stored(row: CaseTally) -> Contribution:
    return Contribution(
        **{name: getattr(row, name) for name in CASE_TALLY_FIELDS},
        topics=tuple(sorted(row.topics)),
        outcomes=tuple(sorted((kind, n) for kind, n in row.outcomes.items() if n)),
        promises=tuple(
            sorted(
                (unit, status, date.fromisoformat(due), n)
                for unit, status, due, n in row.promises
                if n
            )
        ),
    )


def promise_due(status: str, due: date) -> date:
    """The due date a promise is counted under: its own while open, else SETTLED_DUE."""
    return due if status in COMMITMENT_OPEN else SETTLED_DUE


def current(case_ids: list[int]) -> dict[int, Contribution]:
    """The contributions of the cases as they are now: five queries for the whole batch
    (cases, face-to-face communications, topics, outcomes, kept promises). A case that statistics never
    count (another category, or gone) has none."""
    rows = list(
        Case.objects.filter(pk__in=case_ids, category__in=PROPOSAL_CATEGORIES)
        .values_list(*CASE_FIELDS)
        .order_by()
    )
    if not rows:
        return {}
    ids = [row[0] for row in rows]
    met = set(
        Communication.objects.filter(case_id__in=ids, method__in=FACE_TO_FACE_METHODS)
        .values_list("case_id", flat=True)
        .order_by()
    )
    topics: dict[int, list[int]] = defaultdict(list)
    through = Case.topics.through.objects.filter(case_id__in=ids)
    for case_id, topic_id in through.values_list("case_id", "topic_id").order_by():
        topics[case_id].append(topic_id)
    outcomes: dict[int, list[tuple[str, int]]] = defaultdict(list)
    by_kind = (
        Outcome.objects.filter(case_id__in=ids)
        .values_list("case_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for case_id, kind, n in by_kind:
        outcomes[case_id].append((kind, n))
    promised: dict[int, Counter[tuple[int, str, date]]] = defaultdict(Counter)
    # The promises the figures count (promises.figures.kept_promises), of these cases.
    kept = kept_promises().filter(case_id__in=ids)
    for case_id, unit, status, due in kept.values_list(
        "case_id", "unit_id", "status", "due"
    ).order_by():
        promised[case_id][(unit or 0, status, promise_due(status, due))] += 1
    found = {}
    for (
        pk,
        year,
        unit,
        category,
        level,
        state,
        role,
        led_by,
        replied_on,
        deadline,
        reply_class,
        feedback,
        received_on,
    ) in rows:
        replied = replied_on is not None
        found[pk] = Contribution(
            year=year,
            unit=unit or 0,
            category=category,
            level=level,
            state=state,
            role=role,
            led=led_by != "",
            replied=replied,
            # cases.figures.ON_TIME: replied, and no deadline or not after it.
            on_time=replied and (deadline is None or replied_on <= deadline),
            reply_class=reply_class,
            feedback=feedback,
            met=pk in met,
            received=month_of(received_on),
            answered=month_of(replied_on) if replied_on is not None else None,
            topics=tuple(sorted(topics[pk])),
            outcomes=tuple(sorted(outcomes[pk])),
            promises=tuple(sorted((*key, n) for key, n in promised[pk].items())),
        )
    return found


class Deltas:
    """The changes to the summary rows, by key."""

    def __init__(self) -> None:
        self.cells: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
        self.months: Counter[tuple[Any, ...]] = Counter()
        self.topics: Counter[tuple[Any, ...]] = Counter()
        self.outcomes: Counter[tuple[Any, ...]] = Counter()
        self.promises: Counter[tuple[Any, ...]] = Counter()

    def add(self, c: Contribution, sign: int) -> None:
        cell = self.cells[c.cell]
        cell[0] += sign
        cell[1] += sign * c.outcome_count
        for key in c.months():
            self.months[key] += sign
        for topic in c.topics:
            self.topics[(*c.shared, topic)] += sign
        for kind, n in c.outcomes:
            self.outcomes[(*c.shared, kind)] += sign * n
        for unit, status, due, n in c.promises:
            self.promises[(c.year, unit, c.category, c.state, status, due)] += sign * n

    def write(self) -> None:
        cells = [(*k, n, o) for k, (n, o) in self.cells.items() if n or o]
        add(TallyCell, CELL_KEY, ("n", "outcomes"), cells)
        for model, key, counts in (
            (TallyMonth, MONTH_KEY, self.months),
            (TallyTopic, TOPIC_KEY, self.topics),
            (TallyOutcome, OUTCOME_KEY, self.outcomes),
            (TallyPromise, PROMISE_KEY, self.promises),
        ):
            add(model, key, ("n",), [(*k, n) for k, n in counts.items() if n])


def add(
    model: type[models.Model],
    key: tuple[str, ...],
    counts: tuple[str, ...],
    rows: list[tuple[Any, ...]],
) -> None:
    """Add each row's counts to the summary row of its key, creating it when missing:
    INSERT … ON CONFLICT (key) DO UPDATE SET n = n + excluded.n (PostgreSQL and SQLite).
    Rows go in key order, the order every transaction locks them in."""
    if not rows:
        return
    meta = model._meta
    fields = [cast(models.Field, meta.get_field(name)) for name in (*key, *counts)]
    q = connection.ops.quote_name
    table = q(meta.db_table)
    columns = [q(f.column) for f in fields]
    conflict = ", ".join(columns[: len(key)])
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns[len(key) :])
    per_statement = max(1, (connection.features.max_query_params or 30_000) // len(fields))
    rows = sorted(rows)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            one = "(" + ", ".join(["%s"] * len(fields)) + ")"
            # ints, strings, booleans and dates: both drivers take them as they are
            params = [value for row in chunk for value in row]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                f"{', '.join([one] * len(chunk))} "
                f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}",
                params,
            )


def _batches(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def refresh(case_ids: Iterable[int]) -> int:
    """Bring the summaries up to date for these cases (after they were written, in the
    same transaction). Returns how many cases' contributions changed."""
    ids = sorted(set(case_ids))
    changed = 0
    if not ids:
        return changed
    with transaction.atomic(savepoint=False):  # the writer's transaction, or one of its own
        for batch in _batches(ids):
            changed += _refresh(batch)
    return changed


def _refresh(ids: list[int]) -> int:
    stored = CaseTally.objects.select_for_update().filter(case_id__in=ids).order_by("case_id")
    old = {row.case_id: _stored(row) for row in stored}
    new = current(ids)
    changed = [pk for pk in ids if old.get(pk) != new.get(pk)]
    if not changed:
        return 0
    deltas = Deltas()
    for pk in changed:
        if pk in old:
            deltas.add(old[pk], -1)
        if pk in new:
            deltas.add(new[pk], +1)
    deltas.write()
    rows = [new[pk].tally_row(pk) for pk in changed if pk in new]
    CaseTally.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["case"],
        update_fields=[*CASE_TALLY_FIELDS, "topics", "outcomes", "promises"],
    )
    gone = [pk for pk in changed if pk not in new]
    if gone:
        CaseTally.objects.filter(case_id__in=gone).delete()
    return len(changed)


def refresh_all() -> int:
    """Refresh every case (and every case counted before): for tests that write case rows
    directly, and small databases. A large one is rebuilt (reports.recount.rebuild)."""
    ids = set(Case.objects.values_list("pk", flat=True))
    ids |= set(CaseTally.objects.values_list("case_id", flat=True))
    return refresh(ids)


def on_cases_written(sender: Any, case_ids: list[int], **kwargs: Any) -> None:
    """The receiver of audit.signals.cases_written (connected in ReportsConfig.ready)."""
    refresh(case_ids)


def rebuild() -> dict[str, int]:
    """Recompute every summary row from the cases, set-based (reports.recount.rebuild)."""
    from reports.recount import rebuild as rebuild_all

    return rebuild_all()


def verify() -> list[Any]:
    """The differences between the summaries and a recount (reports.recount.verify)."""
    from reports.recount import verify as verify_all

    return verify_all()
