"""Similar 议提案: an in-process index of every NPC suggestion and CPPCC proposal, answering
"which cases say much the same as this title and content?" in a few milliseconds.

Measure: cosine similarity of character 1–2-gram TF-IDF vectors (huiyin.textsim), the
title weighing TITLE_WEIGHT times the beginning of the content (the title says what a
proposal asks; the content's first sentences say why; the rest is detail). The words every
proposal's title has (关于 …的建议/的提案) are left out. The IDF is counted over the index
itself when it is built.

The index lives in each worker process: a float32 CSR matrix of unit-length rows (one per
case, at most TITLE_CHARS + CONTENT_CHARS characters read: ~190 non-zero entries, ~1.5 kB a
case: 147 MB at 100,000 cases, measured by bench/bench_similar.py, which also measured a
cold build of 7 s and a query of ~30 ms there, on SQLite and PostgreSQL alike). It holds
the newest MAX_CASES 议提案 (HUIYIN_SIMILAR_MAX_CASES, 100,000 by default: a province's
30,000 a year for three years; a city has a few thousand a year), so that its memory, its
build and each query stay bounded however many cases the database holds (at 1,000,000
议提案 a whole index would be ~1.5 GB a worker, built in a minute, 65 ms a query). Each
server worker builds it when it starts (huiyin.wsgi, in a thread of its own), not in a
person's request; anything else builds it on first use. It is brought up to date at every
query with the cases whose id is above the last one seen or whose `updated_at` (indexed:
case_updated) is after the last look, minus SYNC_OVERLAP for transactions that committed
late. A changed case gets a new row and its old one is marked dead; new rows collect in a
small delta matrix merged into the main one now and then; when the rows added or killed
since the build pass REBUILD_GROWTH of it (or a rollback took ids back), the index is built
again, and the IDF with it. Several workers each keep their own index: every one of them
reads the same changes, so a case registered through one is found through any other on
its next query. A case older than the newest MAX_CASES is not searched (a rebuild, when
the additions pass REBUILD_GROWTH, moves the window on).

Callers filter the candidates (permission scope, earlier cases only, answered only)
before the top k is taken, never after, and read the rows they show from the database
(similar.queries), which also drops a case deleted since.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from django.conf import settings
from django.db.models import Max, Q
from django.db.models.functions import Substr
from django.utils import timezone

from cases.models import Assignment, Case
from cases.models.choices import PROPOSAL_CATEGORIES as _PROPOSALS
from cases.models.handling import LIVE
from huiyin.textsim import FEATURES, fast_counts
from workflow.vocabulary import State

logger = logging.getLogger(__name__)

PROPOSAL_CATEGORIES: Final = tuple(_PROPOSALS)
TITLE_CHARS: Final = 100
CONTENT_CHARS: Final = 120
TITLE_WEIGHT: Final = 2.0
# Below this a case is not similar enough to show (measured on similar/tests' set:
# unrelated proposals of one commission score 0.05–0.2, re-worded ones 0.3 and more).
MIN_SCORE: Final = 0.2
SYNC_OVERLAP: Final = timedelta(seconds=5)
REBUILD_GROWTH: Final = 0.2
DELTA_ROWS: Final = 2000
ANSWERS_KEPT: Final = 1024
IDS_PER_QUERY: Final = 500
ANSWERED: Final = (State.REPLIED, State.CLOSED)
# 关于…的建议 / 的提案 / 的议案: every title says it.
_FRAME = re.compile(r"^\s*关于|的(?:建议|提案|议案)\s*$")


def _title(title: str) -> str:
    return _FRAME.sub("", title or "")


@dataclass(frozen=True)
class Hit:
    case_id: int
    score: float


class Index:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.main: Any = None
        self.delta: list[Any] = []
        self.idf: Any = None
        self.ids = np.zeros(0, dtype=np.int64)
        self.years = np.zeros(0, dtype=np.int16)
        self.alive = np.zeros(0, dtype=bool)
        self.withdrawn = np.zeros(0, dtype=bool)
        self.answered = np.zeros(0, dtype=bool)
        # Each row's units, as cases.permissions.visible_cases counts them: its lead unit
        # (0: none) and the units holding a live assignment on it (rows with any only).
        # A unit's question takes its best candidates among these; the database checks them.
        self.lead = np.zeros(0, dtype=np.int64)
        self.co: dict[int, tuple[int, ...]] = {}
        self.has_co = np.zeros(0, dtype=bool)
        self.text_keys: list[int] = []
        self.row_of: dict[int, int] = {}
        self.built_rows = 0
        self.changed_rows = 0
        self.last_id = 0
        self.floor_id = 0  # the oldest case in the index: those below it are not searched
        self.watermark: datetime | None = None
        self.builds = 0
        # The last ANSWERS_KEPT answers (ranked ids and scores) by question, forgotten
        # whenever a case is added, changed or rebuilt: a case page opened again asks again.
        self.answers: OrderedDict[tuple[Any, ...], tuple[Any, Any]] = OrderedDict()

    # --- vectors ---------------------------------------------------------------------

    def _vectors(self, titles: list[str], contents: list[str]) -> Any:
        raw = fast_counts([_title(t) for t in titles], TITLE_CHARS) * TITLE_WEIGHT + fast_counts(
            contents, CONTENT_CHARS
        )
        matrix = sp.csr_matrix(raw, dtype=np.float32)
        matrix.sum_duplicates()
        if self.idf is None:
            df = np.bincount(matrix.indices, minlength=FEATURES)
            n = matrix.shape[0]
            self.idf = (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float32)
        matrix.data *= self.idf[matrix.indices]
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        matrix.data /= np.repeat(norms, np.diff(matrix.indptr)).astype(np.float32)
        return matrix

    # --- keeping up with the database ------------------------------------------------

    @staticmethod
    def _rows(*where: Q, everything: bool = False, **condition: Any) -> list[tuple[Any, ...]]:
        """The indexed columns of the 议提案 meeting `condition` (an id range or the changed
        ones: each served by its own index; the category is checked here, so that the
        database need not choose between the category's index and the condition's)."""
        cases = (
            Case.objects.filter(category__in=PROPOSAL_CATEGORIES) if everything else Case.objects
        )
        rows = (
            cases.filter(*where, **condition)
            .annotate(head=Substr("content", 1, CONTENT_CHARS))
            .order_by()
            .values_list("id", "title", "head", "year", "state", "lead_unit_id", "category")
        )
        return sorted(r[:6] for r in rows if r[6] in PROPOSAL_CATEGORIES)

    @staticmethod
    def _co_units(**condition: Any) -> dict[int, tuple[int, ...]]:
        """The units holding a live assignment on the cases meeting `condition`, by case."""
        found: dict[int, tuple[int, ...]] = {}
        rows = (
            Assignment.objects.filter(status__in=LIVE, **condition)
            .order_by()
            .values_list("case_id", "unit_id")
        )
        for case_id, unit_id in rows:
            found[case_id] = (*found.get(case_id, ()), unit_id)
        return found

    @classmethod
    def _co_units_of(cls, ids: list[int]) -> dict[int, tuple[int, ...]]:
        """_co_units of these cases, IDS_PER_QUERY at a time (an import brings tens of
        thousands at once: more than SQLite takes parameters in one statement)."""
        found: dict[int, tuple[int, ...]] = {}
        for start in range(0, len(ids), IDS_PER_QUERY):
            found.update(cls._co_units(case_id__in=ids[start : start + IDS_PER_QUERY]))
        return found

    def _set_units(self, row: int, lead: int | None, co: tuple[int, ...]) -> None:
        self.lead[row] = lead or 0
        self.has_co[row] = bool(co)
        if co:
            self.co[row] = co
        else:
            self.co.pop(row, None)

    def _build(self, now: datetime) -> None:
        top = Case.objects.aggregate(top=Max("id"))["top"] or 0
        # The newest MAX_CASES 议提案: the id of the oldest of them bounds the index below.
        floor = (
            Case.objects.filter(category__in=PROPOSAL_CATEGORIES, id__lte=top)
            .order_by("-id")
            .values_list("id", flat=True)[max_cases() - 1 : max_cases()]
            .first()
        )
        self.floor_id = floor or 0
        rows = self._rows(everything=True, id__lte=top, id__gte=self.floor_id)
        self.idf = None
        self.main = self._vectors([r[1] for r in rows], [r[2] or "" for r in rows])
        self.delta = []
        self.ids = np.array([r[0] for r in rows], dtype=np.int64)
        self.years = np.array([r[3] for r in rows], dtype=np.int16)
        self.alive = np.ones(len(rows), dtype=bool)
        self.withdrawn = np.array([r[4] == State.WITHDRAWN for r in rows], dtype=bool)
        self.answered = np.array([r[4] in ANSWERED for r in rows], dtype=bool)
        self.text_keys = [hash((r[1], r[2] or "")) for r in rows]
        self.row_of = {r[0]: i for i, r in enumerate(rows)}
        self.lead = np.array([r[5] or 0 for r in rows], dtype=np.int64)
        co = self._co_units(case_id__lte=top, case_id__gte=self.floor_id)
        self.co = {self.row_of[pk]: units for pk, units in co.items() if pk in self.row_of}
        self.has_co = np.zeros(len(rows), dtype=bool)
        self.has_co[list(self.co)] = True
        self.built_rows = len(rows)
        self.changed_rows = 0
        self.last_id = top
        self.watermark = now - SYNC_OVERLAP
        self.builds += 1
        self.answers.clear()

    def _apply(self, rows: list[tuple[Any, ...]]) -> None:
        fresh: list[tuple[Any, ...]] = []
        co = self._co_units_of([r[0] for r in rows])
        for pk, title, head, year, state, lead in rows:
            row = self.row_of.get(pk)
            key = hash((title, head or ""))
            if row is not None and self.text_keys[row] == key:
                flags = (year, state == State.WITHDRAWN, state in ANSWERED)
                units = (lead or 0, co.get(pk, ()))
                if flags != (self.years[row], self.withdrawn[row], self.answered[row]) or (
                    units != (int(self.lead[row]), self.co.get(row, ()))
                ):
                    self.years[row], self.withdrawn[row], self.answered[row] = flags
                    self._set_units(row, lead, co.get(pk, ()))
                    self.answers.clear()
                continue
            if row is not None:
                self.alive[row] = False
            fresh.append((pk, title, head, year, state, lead))
        if not fresh:
            return
        self.answers.clear()
        start = len(self.ids)
        self.delta.append(self._vectors([r[1] for r in fresh], [r[2] or "" for r in fresh]))
        self.ids = np.concatenate([self.ids, [r[0] for r in fresh]]).astype(np.int64)
        self.years = np.concatenate([self.years, [r[3] for r in fresh]]).astype(np.int16)
        self.alive = np.concatenate([self.alive, np.ones(len(fresh), dtype=bool)])
        self.withdrawn = np.concatenate(
            [self.withdrawn, [r[4] == State.WITHDRAWN for r in fresh]]
        ).astype(bool)
        self.answered = np.concatenate([self.answered, [r[4] in ANSWERED for r in fresh]]).astype(
            bool
        )
        self.lead = np.concatenate([self.lead, [r[5] or 0 for r in fresh]]).astype(np.int64)
        self.has_co = np.concatenate([self.has_co, np.zeros(len(fresh), dtype=bool)])
        for offset, r in enumerate(fresh):
            self.row_of[r[0]] = start + offset
            self.text_keys.append(hash((r[1], r[2] or "")))
            self._set_units(start + offset, r[5], co.get(r[0], ()))
        self.changed_rows += len(fresh)
        if sum(m.shape[0] for m in self.delta) > DELTA_ROWS:
            self.main = sp.vstack([self.main, *self.delta], format="csr")
            self.delta = []

    def sync(self) -> None:
        """Bring the index up to date with the database (the caller holds the lock)."""
        now = timezone.now()
        if self.main is None or self.watermark is None or now < self.watermark:
            self._build(now)  # first use, or a clock that went back (tests, a restore)
            return
        top = Case.objects.aggregate(top=Max("id"))["top"] or 0
        if top < self.last_id:  # ids taken back (a rolled-back transaction, a restore)
            self._build(now)
            return
        # The new cases and the changed ones in one query (each side has its own index:
        # the changed ones' is case_updated; a bound on their id too would let SQLite take
        # the id's range instead, every case above the floor). A changed case below the
        # floor is not in the index: left out here.
        changed = Q(id__gt=self.last_id, id__lte=top) | Q(updated_at__gte=self.watermark)
        found = {r[0]: r for r in self._rows(changed) if r[0] >= self.floor_id}
        self.last_id, self.watermark = top, now - SYNC_OVERLAP
        self._apply([found[pk] for pk in sorted(found)])
        if self.changed_rows > REBUILD_GROWTH * self.built_rows:
            self._build(now)

    # --- asking ----------------------------------------------------------------------

    def scores(self, title: str, content: str) -> Any:
        """The similarity of every row to the text (0 for a dead or withdrawn row)."""
        query = self._vectors([title], [content])
        if query.nnz == 0 or not len(self.ids):
            return np.zeros(len(self.ids), dtype=np.float32)
        dense = np.zeros(FEATURES, dtype=np.float32)
        dense[query.indices] = query.data
        parts = [self.main @ dense, *(m @ dense for m in self.delta)]
        found = np.concatenate(parts).astype(np.float32)
        found[~self.alive | self.withdrawn] = 0.0
        return found

    def of_units(self, rows: Any, found: Any, units: frozenset[int], limit: int) -> Any:
        """The best `limit` of `rows` (by score, then newest) that `units` lead or hold a
        live assignment on: walked best first, so a unit with a small share of the cases
        looks at a few hundred of them, never at all."""
        if not units or not len(rows):
            return rows[:0]
        led = np.isin(self.lead[rows], np.fromiter(units, dtype=np.int64))
        maybe = led | self.has_co[rows]  # the others are no unit's but another lead's
        rows, led = rows[maybe], led[maybe]
        order = np.lexsort((-self.ids[rows], -found[rows]))
        rows, led = rows[order], led[order]
        kept: list[int] = []
        for row, own in zip(rows.tolist(), led.tolist(), strict=True):
            if own or not units.isdisjoint(self.co.get(row, ())):
                kept.append(row)
                if len(kept) == limit:
                    break
        return np.array(kept, dtype=np.int64)

    def rows_for(self, ids: Any) -> Any:
        return np.fromiter((self.row_of.get(int(i), -1) for i in ids), dtype=np.int64)

    @property
    def memory_bytes(self) -> int:
        matrices = [self.main, *self.delta] if self.main is not None else []
        return sum(m.data.nbytes + m.indices.nbytes + m.indptr.nbytes for m in matrices)


_INDEX = Index()


def max_cases() -> int:
    """How many of the newest 议提案 the index holds (HUIYIN_SIMILAR_MAX_CASES)."""
    return max(1, int(getattr(settings, "HUIYIN_SIMILAR_MAX_CASES", 100_000)))


def warm() -> None:
    """Build the index now (a server worker's start, in a thread of its own: huiyin.wsgi,
    which closes the thread's connection after), so that no person's request waits for it;
    a failure only leaves it to be built on first use."""
    started = time.monotonic()
    try:
        with _INDEX.lock:
            if _INDEX.main is None:
                _INDEX.sync()
        logger.info(
            "similar: index of %d cases built in %.1f s",
            len(_INDEX.ids),
            time.monotonic() - started,
        )
    except Exception:
        logger.exception("similar: the index could not be built at start")


def index() -> Index:
    return _INDEX


def reset() -> None:
    """Forget the index (tests: each one's database starts anew)."""
    global _INDEX
    _INDEX = Index()


def search(
    title: str,
    content: str = "",
    *,
    limit: int = 10,
    allowed: set[int] | None = None,
    exclude: set[int] | frozenset[int] = frozenset(),
    answered_only: bool = False,
    before: tuple[int, int] | None = None,
    min_score: float = MIN_SCORE,
    sync: bool = True,
) -> list[Hit]:
    """The `limit` most similar cases, best first, among the candidates: `allowed` (ids
    the caller may see; None: all), not `exclude`, answered only, and `before` (year, id):
    of an earlier year, or of the same year with a smaller id. `sync=False`: the caller
    brought the index up to date a moment ago, in the same request."""
    ids, scores = ranked(
        title,
        content,
        limit=limit,
        allowed=allowed,
        exclude=exclude,
        answered_only=answered_only,
        before=before,
        min_score=min_score,
        sync=sync,
    )
    return [Hit(int(pk), round(float(score), 4)) for pk, score in zip(ids, scores, strict=True)]


def ranked(
    title: str,
    content: str = "",
    *,
    limit: int = 10,
    allowed: set[int] | None = None,
    exclude: set[int] | frozenset[int] = frozenset(),
    answered_only: bool = False,
    before: tuple[int, int] | None = None,
    min_score: float = MIN_SCORE,
    sync: bool = True,
    units: frozenset[int] | None = None,
) -> tuple[Any, Any]:
    """search()'s answer as two arrays (case ids, scores), best first: the most similar
    first, of equal scores the newest first. `units`: only the cases these units lead or
    hold a live assignment on, as the index last read them (a unit's scope: the caller
    checks the few it shows against the database)."""
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
    if limit <= 0 or not (title or "").strip() and not (content or "").strip():
        return empty
    idx = _INDEX
    with idx.lock:
        if sync or idx.main is None:
            idx.sync()
        question = None
        if allowed is None:
            question = (
                *(title, content, limit, frozenset(exclude), answered_only, before, min_score),
                units,
            )
            known = idx.answers.get(question)
            if known is not None:
                idx.answers.move_to_end(question)
                return known
        found = idx.scores(title, content)
        mask = found >= min_score
        if answered_only:
            mask &= idx.answered
        if before is not None:
            year, pk = before
            mask &= (idx.years < year) | ((idx.years == year) & (idx.ids < pk))
        if allowed is not None:
            keep = np.zeros(len(found), dtype=bool)
            rows = idx.rows_for(allowed)
            keep[rows[rows >= 0]] = True
            mask &= keep
        if exclude:
            rows = idx.rows_for(exclude)
            mask[rows[rows >= 0]] = False
        candidates = np.flatnonzero(mask)
        if units is not None:
            candidates = idx.of_units(candidates, found, units, limit)
        if len(candidates) > limit:
            best = np.argpartition(-found[candidates], limit - 1)[:limit]
            candidates = candidates[best]
        ids = idx.ids[candidates]
        scores = found[candidates]
        order = np.lexsort((-ids, -scores))
        answer = (ids[order], scores[order])
        for array in answer:
            array.setflags(write=False)  # kept for the next asker: read only
        if question is not None:
            idx.answers[question] = answer
            if len(idx.answers) > ANSWERS_KEPT:
                idx.answers.popitem(last=False)
        return answer
