"""The 议提案 statistics of a year (DESIGN.md §5), computed by the database.

The number of queries is fixed (four), whatever the number of cases.
Definitions where DESIGN.md leaves room, as a clerk would count:
- `unit` narrows to the cases that unit leads (主办处室).
- a replied case without a deadline (imported history without 办理期限) is on time.
- `feedback` is the case's latest recorded rating: a case re-handled after 不满意 counts as
  unsatisfied until its new reply is rated.
"""

from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from cases.models import Case, Communication, Outcome
from cases.models.choices import FACE_TO_FACE_METHODS, PROPOSAL_CATEGORIES, Category, Level
from orgs.models import Unit

RATINGS = ("satisfied", "basically_satisfied", "unsatisfied")
CLASSES = ("A", "B", "C", "D")


def counted_cases(year: int, unit: Unit | None = None) -> QuerySet[Case]:
    """The cases a year's statistics count: 议提案 of that ledger year, not withdrawn."""
    qs = Case.objects.filter(year=year, category__in=PROPOSAL_CATEGORIES).exclude(state="withdrawn")
    if unit is not None:
        qs = qs.filter(lead_unit=unit)
    return qs


REPLIED = Q(replied_on__isnull=False)
ON_TIME = REPLIED & (Q(deadline__isnull=True) | Q(replied_on__lte=F("deadline")))
LEAD = Q(role="lead")


def _figures() -> dict[str, Any]:
    """Conditional counts shared by the whole-year figures and the per-unit table."""
    figures: dict[str, Any] = {
        "total": Count("id"),
        "lead": Count("id", filter=LEAD),
        "co": Count("id", filter=Q(role="co")),
        "leader_led": Count("id", filter=~Q(led_by="")),
        "replied": Count("id", filter=REPLIED),
        "replied_on_time": Count("id", filter=ON_TIME),
        "face_to_face": Count("id", filter=LEAD & Q(met_in_person=True)),
    }
    for cls in CLASSES:
        figures[f"class_{cls}"] = Count("id", filter=LEAD & REPLIED & Q(reply_class=cls))
    for rating in RATINGS:
        figures[f"rating_{rating}"] = Count("id", filter=LEAD & REPLIED & Q(feedback_result=rating))
    figures["rating_none"] = Count("id", filter=LEAD & REPLIED & Q(feedback_result=""))
    return figures


def _with_meeting(qs: QuerySet[Case]) -> QuerySet[Case]:
    met = Communication.objects.filter(case=OuterRef("pk"), method__in=FACE_TO_FACE_METHODS)
    return qs.annotate(met_in_person=Exists(met))


def rate(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else round(numerator / denominator, 4)


def _shape(row: dict[str, Any]) -> dict[str, Any]:
    rated = sum(row[f"rating_{r}"] for r in RATINGS)
    return {
        "total": row["total"],
        "by_role": {"lead": row["lead"], "co": row["co"]},
        "leader_led": row["leader_led"],
        "replied": row["replied"],
        "replied_on_time": row["replied_on_time"],
        "on_time_rate": rate(row["replied_on_time"], row["replied"]),
        "reply_class": {cls: row[f"class_{cls}"] for cls in CLASSES},
        "feedback": {**{r: row[f"rating_{r}"] for r in RATINGS}, "none": row["rating_none"]},
        "satisfaction_rate": rate(
            row["rating_satisfied"] + row["rating_basically_satisfied"], rated
        ),
        "face_to_face": row["face_to_face"],
        "face_to_face_rate": rate(row["face_to_face"], row["lead"]),
    }


def _add(total: dict[str, int], row: dict[str, Any]) -> None:
    for key, value in row.items():
        if isinstance(value, int) and not key.startswith("lead_unit"):
            total[key] = total.get(key, 0) + value


def year_stats(year: int, unit: Unit | None = None) -> dict[str, Any]:
    cases = counted_cases(year, unit)
    # One grouped query gives the per-unit table and, summed, the year's figures.
    per_unit = list(
        _with_meeting(cases)
        .values("lead_unit__code", "lead_unit__name")
        .annotate(**_figures())
        .order_by("-total", "lead_unit__code")
    )
    whole: dict[str, int] = {key: 0 for key in _figures()}
    for row in per_unit:
        _add(whole, row)
    stats: dict[str, Any] = {"year": year, "unit": unit.code if unit else None}
    stats.update(_shape(whole))

    stats["by_category_level"] = {
        c: {lv: 0 for lv in Level.values}
        for c in (Category.NPC_SUGGESTION, Category.CPPCC_PROPOSAL)
    }
    for row in cases.values("category", "level").annotate(n=Count("id")).order_by():
        stats["by_category_level"][row["category"]][row["level"]] = row["n"]

    # (case, topic) pairs are unique, so a plain count counts cases.
    stats["by_topic"] = {
        row["topics__name"]: row["n"]
        for row in cases.filter(topics__isnull=False)
        .values("topics__name")
        .annotate(n=Count("id"))
        .order_by("-n", "topics__name")
    }
    stats["by_unit"] = [
        {"unit": row["lead_unit__code"], "name": row["lead_unit__name"], **_shape(row)}
        for row in per_unit
        if row["lead_unit__code"] is not None
    ]
    stats["outcomes"] = Outcome.objects.filter(case__in=cases).count()
    return stats
