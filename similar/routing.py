"""The lead unit to suggest at 交办, and how often the suggestion is taken.

Two pieces of evidence, each a share per unit: which units led the most similar earlier
cases (the SIMILAR_CONSIDERED most similar ones that have a lead unit), and which units
led the cases with the same topics in the last RECENT_YEARS years (each topic's share,
averaged over the case's topics). The unit with the highest weighted share is suggested
with the reason in words: "最相似的3件中有2件由医政医管处主办；主题“医疗服务”的办件近三年42件
由医政医管处主办". When 交办 happens, the suggestion is recorded with the unit chosen
(RoutingSuggestion) and `acceptance(year)` reports how often the two agree, each case
counted once: by its latest 交办 (a case returned and assigned again is not counted twice).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from django.db.models import Count, Max, Q, QuerySet, Subquery

from cases.models import Case
from orgs.models import Unit
from similar import index
from similar.models import RoutingSuggestion
from workflow.vocabulary import State

SIMILAR_CONSIDERED: Final = 3
SIMILAR_WEIGHT: Final = 0.6
TOPIC_WEIGHT: Final = 0.4
RECENT_YEARS: Final = 3
MISSES_SHOWN: Final = 100


@dataclass(frozen=True)
class Suggestion:
    unit: Unit
    reason: str
    score: float


def _similar_units(case: Case) -> list[int]:
    """The lead units of the most similar earlier cases that have one, best first."""
    hits = index.search(
        case.title, case.content, limit=20, exclude={case.pk}, before=(case.year, case.pk)
    )
    if not hits:
        return []
    units = dict(
        Case.objects.filter(pk__in=[h.case_id for h in hits], lead_unit__isnull=False)
        .exclude(state=State.WITHDRAWN)
        .values_list("id", "lead_unit_id")
    )
    return [units[h.case_id] for h in hits if h.case_id in units][:SIMILAR_CONSIDERED]


def _topic_counts(case: Case, topics: list[Any]) -> dict[str, Counter[int]]:
    if not topics:
        return {}
    rows = (
        Case.objects.filter(
            topics__in=[t.pk for t in topics],
            year__gte=case.year - RECENT_YEARS + 1,
            year__lte=case.year,
            lead_unit__isnull=False,
        )
        .exclude(pk=case.pk)
        .exclude(state=State.WITHDRAWN)
        .values_list("topics__name", "lead_unit_id")
        .annotate(n=Count("id"))
    )
    found: dict[str, Counter[int]] = defaultdict(Counter)
    for name, unit_id, n in rows:
        found[name][unit_id] += n
    return found


def suggest(case: Case, topics: list[Any] | None = None) -> Suggestion | None:
    """The lead unit to suggest for `case`, or None when nothing points anywhere."""
    if topics is None:
        topics = list(case.topics.all())
    similar = _similar_units(case)
    by_topic = _topic_counts(case, topics)
    weights: dict[int, float] = defaultdict(float)
    sim_weight = SIMILAR_WEIGHT if similar else 0.0
    topic_weight = TOPIC_WEIGHT if by_topic else 0.0
    total = sim_weight + topic_weight
    if not total:
        return None
    for unit_id, n in Counter(similar).items():
        weights[unit_id] += sim_weight / total * n / len(similar)
    for counts in by_topic.values():
        all_n = sum(counts.values())
        for unit_id, n in counts.items():
            weights[unit_id] += topic_weight / total * n / all_n / len(by_topic)
    units = Unit.objects.in_bulk(list(weights))
    ranked = sorted(
        (uid for uid in weights if uid in units and units[uid].is_active),
        key=lambda uid: (-weights[uid], uid),
    )
    if not ranked:
        return None
    best = units[ranked[0]]
    words = []
    if similar and best.pk in similar:
        words.append(f"最相似的{len(similar)}件中有{similar.count(best.pk)}件由{best.name}主办")
    named = [(name, c[best.pk]) for name, c in by_topic.items() if c[best.pk]]
    for name, n in sorted(named, key=lambda item: -item[1])[:2]:
        words.append(f"主题“{name}”的办件近三年{n}件由{best.name}主办")
    return Suggestion(best, "；".join(words), round(weights[best.pk], 3))


def record(case: Case, chosen: Unit | None, on: date) -> RoutingSuggestion:
    """At 交办: keep what was suggested and whether it was taken."""
    made = suggest(case)
    return RoutingSuggestion.objects.create(
        case=case,
        unit=made.unit if made else None,
        reason=made.reason if made else "",
        score=made.score if made else 0.0,
        made_on=on,
        chosen=chosen,
        taken=None if made is None else (chosen is not None and made.unit.pk == chosen.pk),
    )


def latest(year: int) -> QuerySet[RoutingSuggestion]:
    """Each case of `year` once: the suggestion of its latest 交办 (a case returned
    (申请退回) and assigned again has a row for each 交办; the last one counts)."""
    last = (
        RoutingSuggestion.objects.filter(case__year=year)
        .values("case_id")
        .annotate(last=Max("id"))
        .values("last")
    )
    return RoutingSuggestion.objects.filter(pk__in=Subquery(last))


def acceptance(year: int) -> dict[str, Any]:
    """How often 交办 took the suggested lead unit, over the cases of `year`, each case
    counted once by its latest 交办 (`latest`):
    {"year", "assigned", "suggested", "taken", "missed", "rate", "misses": [...]}; rate is
    taken / suggested (None without any suggestion)."""
    rows = latest(year)
    found = rows.aggregate(
        n_assigned=Count("id"),
        n_suggested=Count("id", filter=Q(taken__isnull=False)),
        n_taken=Count("id", filter=Q(taken=True)),
        n_missed=Count("id", filter=Q(taken=False)),
    )
    counts = {key.removeprefix("n_"): value for key, value in found.items()}
    misses = [
        {
            "case_id": r.case_id,
            "number": r.case.number,
            "title": r.case.title,
            "suggested": r.unit.name if r.unit else "",
            "chosen": r.chosen.name if r.chosen else "",
            "reason": r.reason,
            "made_on": r.made_on,
        }
        for r in rows.filter(taken=False).select_related("case", "unit", "chosen")[:MISSES_SHOWN]
    ]
    suggested = counts["suggested"]
    return {
        "year": year,
        **counts,
        "rate": round(counts["taken"] / suggested, 4) if suggested else None,
        "misses": misses,
    }
