"""The 议提案 statistics of a year (DESIGN.md §5), computed by the database.

The number of queries is fixed (three), whatever the number of cases.
Definitions where DESIGN.md leaves room, as a clerk would count:
- `unit` narrows to the cases that unit leads (主办处室).
- a replied case without a deadline (imported history without 办理期限) is on time.
- `feedback` is the case's latest recorded rating: a case re-handled after 不满意 counts as
  unsatisfied until its new reply is rated.
- `replied` counts a signed reply whatever the state now (cases.figures.REPLIED), so a
  closed case and one handled again after 不满意 count as replied.
- `on_time_rate` is DESIGN.md §5's: answered on time ÷ answered. Open cases past their
  deadline are not answers and are not in it; `overdue_unreplied` (超期未复, as of `as_of`)
  counts them, and every page that shows the rate shows that figure beside it.
"""

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from audit.record import today
from cases.figures import (  # REPLIED_KEY re-exported: reports read it from here
    ON_TIME,
    REPLIED,
    REPLIED_KEY,
    counted_q,
    met_in_person,
    overdue_q,
)
from cases.models import Case, Outcome
from cases.models.choices import Category, Level
from orgs.models import Unit

RATINGS = ("satisfied", "basically_satisfied", "unsatisfied")
CLASSES = ("A", "B", "C", "D")


def counted_cases(year: int, unit: Unit | None = None) -> QuerySet[Case]:
    """The cases a year's statistics count: 议提案 of that ledger year, not withdrawn."""
    qs = Case.objects.filter(counted_q(), year=year)
    if unit is not None:
        qs = qs.filter(lead_unit=unit)
    return qs


# The predicates of the figures live in cases.figures: the case list's filters use the
# same objects, so that a dashboard figure and the list it links to cannot count differently.
LEAD = Q(role="lead")


def figures(on: date) -> dict[str, Any]:
    """The conditional counts behind every figure, for one aggregate query; `on` is the day
    the open cases' deadlines are compared with."""
    found: dict[str, Any] = {
        "total": Count("id"),
        "lead": Count("id", filter=LEAD),
        "co": Count("id", filter=Q(role="co")),
        "leader_led": Count("id", filter=~Q(led_by="")),
        REPLIED_KEY: Count("id", filter=REPLIED),
        "replied_on_time": Count("id", filter=ON_TIME),
        "face_to_face": Count("id", filter=LEAD & met_in_person()),
        "overdue_unreplied": Count("id", filter=overdue_q(on)),
    }
    for cls in CLASSES:
        found[f"class_{cls}"] = Count("id", filter=LEAD & REPLIED & Q(reply_class=cls))
    for rating in RATINGS:
        found[f"rating_{rating}"] = Count("id", filter=LEAD & REPLIED & Q(feedback_result=rating))
    found["rating_none"] = Count("id", filter=LEAD & REPLIED & Q(feedback_result=""))
    return found


FIGURES = tuple(figures(date.min))
UNIT_FIELDS = ("lead_unit__code", "lead_unit__name", "lead_unit__kind")


def grouped_figures(
    cases: QuerySet[Case], *group: str, on: date, **extra: Any
) -> list[dict[str, Any]]:
    """One query: the figures per lead unit, category and level (and `group`), with the
    `extra` aggregates. Everything else is summed from these rows, whose number depends on
    the units and categories, not on the cases."""
    fields = (*UNIT_FIELDS, "category", "level", *group)
    return list(cases.values(*fields).annotate(**figures(on), **extra).order_by())


def rate(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else round(numerator / denominator, 4)


def shape(row: dict[str, Any]) -> dict[str, Any]:
    """Counts (FIGURES) → the figures as the statistics object writes them."""
    rated = sum(row[f"rating_{r}"] for r in RATINGS)
    return {
        "total": row["total"],
        "by_role": {"lead": row["lead"], "co": row["co"]},
        "leader_led": row["leader_led"],
        REPLIED_KEY: row[REPLIED_KEY],
        "replied_on_time": row["replied_on_time"],
        "on_time_rate": rate(row["replied_on_time"], row[REPLIED_KEY]),
        "reply_class": {cls: row[f"class_{cls}"] for cls in CLASSES},
        "feedback": {**{r: row[f"rating_{r}"] for r in RATINGS}, "none": row["rating_none"]},
        "satisfaction_rate": rate(
            row["rating_satisfied"] + row["rating_basically_satisfied"], rated
        ),
        "face_to_face": row["face_to_face"],
        "face_to_face_rate": rate(row["face_to_face"], row["lead"]),
        "overdue_unreplied": row["overdue_unreplied"],
    }


def sum_rows(rows: list[dict[str, Any]], keys: tuple[str, ...] = FIGURES) -> dict[str, int]:
    total = dict.fromkeys(keys, 0)
    for row in rows:
        for key in keys:
            total[key] += row[key]
    return total


def topic_counts(cases: QuerySet[Case]) -> dict[str, int]:
    # (case, topic) pairs are unique, so a plain count counts cases.
    return {
        row["topics__name"]: row["n"]
        for row in cases.filter(topics__isnull=False)
        .values("topics__name")
        .annotate(n=Count("id"))
        .order_by("-n", "topics__name")
    }


def assemble(
    year: int,
    unit: Unit | None,
    rows: list[dict[str, Any]],
    by_topic: dict[str, int],
    outcomes: int,
    on: date,
) -> dict[str, Any]:
    """The statistics object from grouped_figures' rows (whatever else they are grouped by)."""
    stats: dict[str, Any] = {
        "year": year,
        "unit": unit.code if unit else None,
        "as_of": on.isoformat(),
    }
    stats.update(shape(sum_rows(rows)))
    by_category_level = {
        c: dict.fromkeys(Level.values, 0)
        for c in (Category.NPC_SUGGESTION, Category.CPPCC_PROPOSAL)
    }
    units: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_category_level[row["category"]][row["level"]] += row["total"]
        if row["lead_unit__code"] is not None:
            units.setdefault(row["lead_unit__code"], []).append(row)
    stats["by_category_level"] = by_category_level
    stats["by_topic"] = by_topic
    by_unit = [
        {
            "unit": code,
            "name": unit_rows[0]["lead_unit__name"],
            "kind": unit_rows[0]["lead_unit__kind"],
            **shape(sum_rows(unit_rows)),
        }
        for code, unit_rows in units.items()
    ]
    by_unit.sort(key=lambda row: (-row["total"], row["unit"]))
    stats["by_unit"] = by_unit
    stats["outcomes"] = outcomes
    return stats


def year_stats(year: int, unit: Unit | None = None, *, on: date | None = None) -> dict[str, Any]:
    """DESIGN.md §5's statistics object (`huiyin stats --json`, GET /api/v1/stats), as of
    `on` (today): the day 超期未复 is counted on."""
    on = on or today()
    cases = counted_cases(year, unit)
    return assemble(
        year,
        unit,
        grouped_figures(cases, on=on),
        topic_counts(cases),
        Outcome.objects.filter(case__in=cases).count(),
        on,
    )


def year_figures(year: int, unit: Unit | None = None, *, on: date | None = None) -> dict[str, Any]:
    """The year's figures without the breakdowns (one query): for comparing with last year."""
    row = counted_cases(year, unit).aggregate(**figures(on or today()))
    return {"year": year, **shape(row)}
