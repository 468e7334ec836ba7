"""Duplicates among public opinions (issue 12: "similar open opinions … shown with one click
to merge; in an imported batch, near-duplicates are grouped in the preview").

Two questions, two measures:

`similar_open(text=…, phone=…)` — which *open* opinions (待转办, 已转办, 办理中, 已答复) may
be the same matter as this one, for staff to look at and perhaps merge (并件). The same
phone number always counts. Otherwise the texts are compared by cosine similarity of
character 1–2-gram TF-IDF vectors (sublinear tf), the IDF counted over the committed area
sample (opinions/data/areas.csv, a stable background of 600-odd realistic opinions) plus
the candidates themselves, so that words every opinion uses (医院, 建议, 反映) weigh little and
the specific ones (市一院, 二次供水, 停车位) much. SIMILAR_THRESHOLD = 0.44, measured on the
sample (its 611 opinions and the 84 of opinions/tests/data/areas_unseen.csv): of the 241,000
pairs of *different* opinions 99.99 % score below 0.32 and three score above 0.44 (0.47–0.48:
two about one topic that staff may well want side by side — hospital parking, potholed
roads — and one that is not: two expired licences, of a clinic and of a hotel), while
re-worded reports of one matter score 0.446–0.67 ("人民医院停车太难了，建议增加停车位" /
"人民医院停车难，希望多建一些停车位": 0.57; "护士态度差" / "护士的态度太差了": 0.446). A
re-wording that shares few characters ("CT检查要等一个星期" / "做个CT要排一周的队") is missed:
the same phone number still finds the same caller (by its blind index,
huiyin.sealed.phone_index: the number itself is stored encrypted). The candidates are the most recent
CANDIDATES open opinions, each read up to COMPARED_CHARS characters, so a call costs the
same with 100,000 opinions in the database as with 1,000 (a few tens of milliseconds).

`group_near_duplicates(texts)` — which rows of an import batch say the same thing, almost
word for word (a suggestion copied twice, a call entered by two clerks). A stricter
measure: Jaccard similarity of the sets of character bigrams after normalisation (NFKC,
lower case, punctuation and spaces removed) of at least NEAR_DUPLICATE_JACCARD = 0.5
("医院停车难" / "医院停车太难": 0.5; the sample's different opinions: at most 0.29). Texts
equal after normalisation form one group whatever their length; texts of fewer than
MIN_BIGRAMS bigrams are grouped only that way (one changed character of three is not a
near-duplicate). Candidate pairs come from MinHash signatures (BANDS × ROWS hash functions
over the bigrams, in numpy) bucketed band by band (locality-sensitive hashing: a pair at
Jaccard 0.5 shares a bucket with probability 0.93, at 0.6 with 0.996), and each candidate
pair is checked exactly. Groups are the connected components of the checked pairs (single
linkage: A~B and B~C put A, B and C together). 30,000 texts take a couple of seconds.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Final

import numpy as np
from django.db.models.functions import Substr

from cases.models import Case, Category
from huiyin.sealed import phone_index
from huiyin.textsim import comparable, counts
from opinions.areas import SAMPLE_PATH
from opinions.models import Opinion
from workflow.vocabulary import State

OPEN_STATES: Final = (State.REGISTERED, State.ASSIGNED, State.HANDLING, State.REPLIED)
CANDIDATES: Final = 2000  # the most recent open opinions a text is compared with
COMPARED_CHARS: Final = 500  # of each text: the beginning says what it is about
SIMILAR_THRESHOLD: Final = 0.44
NEAR_DUPLICATE_JACCARD: Final = 0.5
MIN_BIGRAMS: Final = 3
BANDS: Final = 40
ROWS: Final = 4
# A bucket with more members than this is checked as a star around a few of its members
# rather than pair by pair (a thousand copies of one complaint would be 500,000 pairs).
BUCKET_ALL_PAIRS: Final = 40
BUCKET_LEADERS: Final = 3

_NOT_WORD = re.compile(r"[\W_]+")


# --- similar open opinions ---------------------------------------------------------------


def _comparable(text: str) -> str:
    return comparable(text)


def _counts(texts: Sequence[str]) -> Any:
    """Sublinear term frequencies (1 + log tf) of the texts' character 1–2-grams."""
    return counts(texts, COMPARED_CHARS)


@lru_cache(maxsize=1)
def _background() -> tuple[Any, int]:
    """Document frequencies of the committed area sample: (df per feature, documents)."""
    import csv

    with SAMPLE_PATH.open(encoding="utf-8", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    matrix = _counts(texts)
    df = np.asarray((matrix > 0).sum(axis=0)).ravel()
    return df, len(texts)


def text_scores(text: str, others: Sequence[str]) -> list[float]:
    """Cosine similarity of `text` to each of `others` (TF-IDF, see the module docstring)."""
    if not others or not _comparable(text):
        return [0.0] * len(others)
    matrix = _counts([text, *others])
    background_df, background_n = _background()
    # The IDF of the n-grams present only (a few thousand of the 2**20 hashed features).
    columns = matrix.indices
    local_df = np.bincount(columns, minlength=matrix.shape[1])
    documents = 1 + background_n + matrix.shape[0]
    matrix.data *= np.log(documents / (1 + background_df[columns] + local_df[columns])) + 1.0
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    scores = (matrix[1:] @ matrix[0].T).toarray().ravel() / (norms[1:] * norms[0])
    return [float(s) for s in scores]


def _open_opinions() -> Any:
    return Case.objects.filter(category=Category.PUBLIC_OPINION, state__in=OPEN_STATES)


def similar_open(
    *, text: str, phone: str = "", exclude_id: int | None = None, limit: int = 5
) -> list[int]:
    """The ids of open opinions that may be the same matter: the same phone first (newest
    first), then the texts above SIMILAR_THRESHOLD (most similar first); at most `limit`.

    Never refuses anything: the caller shows the ids (API `similar`, quick entry's 并件)."""
    if limit <= 0:
        return []
    found: list[int] = []
    index = phone_index(phone)  # the phone is sealed (SM4): found by its blind index
    if index:
        same_phone = (
            Opinion.objects.filter(phone_index=index, case__state__in=OPEN_STATES)
            .exclude(phone_index="")  # the condition of the partial index, spelt out
            .exclude(pk=exclude_id)
            .order_by("-case_id")
            .values_list("case_id", flat=True)[:limit]
        )
        found.extend(same_phone)
    if len(found) >= limit or not _comparable(text):
        return found[:limit]
    rows = list(
        _open_opinions()
        .exclude(pk=exclude_id)
        .order_by("-id")
        .annotate(head=Substr("content", 1, COMPARED_CHARS))
        .values_list("id", "head")[:CANDIDATES]
    )
    scores = text_scores(text, [head or "" for _, head in rows])
    ranked = sorted(
        ((score, pk) for (pk, _), score in zip(rows, scores, strict=True)),
        key=lambda item: (-item[0], -item[1]),
    )
    for score, pk in ranked:
        if score < SIMILAR_THRESHOLD or len(found) >= limit:
            break
        if pk not in found:
            found.append(pk)
    return found


# --- near-duplicates in a batch ----------------------------------------------------------


def normalised(text: str) -> str:
    """The text as compared for near-duplicates: NFKC, lower case, no punctuation or spaces."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text or "").lower())


def bigrams(text: str) -> frozenset[str]:
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


class _Groups:
    """Union-find over indices."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _signatures(texts: Sequence[str]) -> Any:
    """MinHash signatures (BANDS*ROWS × len(texts), uint64) of the texts' bigram sets.

    A bigram is two code points packed in one integer (exact, no hashing of strings);
    each hash function is a multiply–add on 64 bits, all in numpy."""
    codes = [np.frombuffer(t.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64) for t in texts]
    grams = [(c[:-1] << np.uint64(21)) | c[1:] for c in codes]
    lengths = np.fromiter((len(g) for g in grams), dtype=np.int64, count=len(grams))
    flat = np.concatenate(grams) if grams else np.zeros(0, dtype=np.uint64)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    # Spread the packed bigrams over 64 bits first (a fixed odd multiplier).
    mixed = flat * np.uint64(0x9E3779B97F4A7C15)
    rng = np.random.default_rng(12)
    count = BANDS * ROWS
    a = rng.integers(1, 2**63, size=count, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=count, dtype=np.uint64)
    signature = np.empty((count, len(texts)), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(count):
            hashed = (mixed * a[k] + b[k]) >> np.uint64(16)
            signature[k] = np.minimum.reduceat(hashed, starts)
    return signature


def _candidate_pairs(signature: Any) -> Any:
    """Pairs of columns x < y that agree on all ROWS of at least one band, each once, as
    the array of x * columns + y. Within a bucket each member is paired with the bucket's first member
    and with the member before it: a bucket of a thousand copies of one complaint gives
    2,000 pairs, not 500,000, and its members still end up in one group."""
    size = signature.shape[1]
    found = []
    for band in range(BANDS):
        rows = signature[band * ROWS : (band + 1) * ROWS]
        keys = np.ascontiguousarray(rows.T).view(np.dtype((np.void, 8 * ROWS))).ravel()
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        same = np.empty(size, dtype=bool)
        same[0] = False
        same[1:] = sorted_keys[1:] == sorted_keys[:-1]
        if not same.any():
            continue
        # The position of each sorted member's bucket start.
        starts = np.maximum.accumulate(np.where(same, 0, np.arange(size)))
        later = np.flatnonzero(same)
        found.append(np.stack((order[starts[later]], order[later]), axis=1))
        chained = later[starts[later] != later - 1]
        found.append(np.stack((order[chained - 1], order[chained]), axis=1))
    if not found:
        return np.zeros(0, dtype=np.int64)
    pairs = np.sort(np.concatenate(found), axis=1).astype(np.int64)
    return np.unique(pairs[:, 0] * size + pairs[:, 1])


def group_near_duplicates(texts: list[str]) -> list[list[int]]:
    """Groups of indices of `texts` that are near-duplicates of each other (see the module
    docstring); only groups of two or more, each sorted, ordered by their first index.
    Empty texts (nothing but punctuation) are in no group."""
    by_text: dict[str, list[int]] = defaultdict(list)
    for index, text in enumerate(texts):
        key = normalised(text)
        if key:
            by_text[key].append(index)
    distinct = list(by_text)
    groups = _Groups(len(distinct))
    long_ones = [i for i, key in enumerate(distinct) if len(key) - 1 >= MIN_BIGRAMS]
    if len(long_ones) > 1:
        signature = _signatures([distinct[i] for i in long_ones])
        sets: dict[int, frozenset[str]] = {}

        def grams_of(position: int) -> frozenset[str]:
            if position not in sets:
                sets[position] = bigrams(distinct[long_ones[position]])
            return sets[position]

        size = len(long_ones)
        for code in _candidate_pairs(signature).tolist():
            x, y = divmod(code, size)
            if groups.find(long_ones[x]) == groups.find(long_ones[y]):
                continue
            if jaccard(grams_of(x), grams_of(y)) >= NEAR_DUPLICATE_JACCARD:
                groups.union(long_ones[x], long_ones[y])
    members: dict[int, list[int]] = defaultdict(list)
    for position, key in enumerate(distinct):
        members[groups.find(position)].extend(by_text[key])
    found = [sorted(indices) for indices in members.values() if len(indices) > 1]
    return sorted(found, key=lambda group: group[0])
