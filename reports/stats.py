"""The 议提案 statistics of a year (DESIGN.md §5), added up from the summary rows.

The figures are sums over the year's summary cells (reports.models, kept by the actions:
reports.tally), a few thousand rows at a million cases, not a year of cases; only the
figures that depend on today (超期未复, due soon) are counted live, from the year's open
cases (a partial index: cases/migrations/0009). The number of queries is fixed (four:
cells, open cases, the units the cells name, topics), whatever the number of cases.
Definitions where DESIGN.md leaves room, as a clerk would count:
- `unit` narrows to the cases that unit leads (主办处室).
- a replied case without a deadline (imported history without 办理期限) is on time.
- `feedback` is the case's latest recorded rating: a case re-handled after 不满意 counts as
  unsatisfied until its new reply is rated.
- `replied` counts a signed reply whatever the state now (cases.figures.REPLIED), so a
  closed case and one handled again after 不满意 count as replied.
- `commitments` ({total, fulfilled, partial, unfulfilled, open, overdue}) counts the
  promises of the year's signed B/C replies (of `unit` as their owner unit), and
  `commitment_fulfilment_rate` = fulfilled ÷ (settled + open past their due date): the
  promises kept among those settled or due; null when none is (promises.figures).
- `on_time_rate` is DESIGN.md §5's: answered on time ÷ answered. Open cases past their
  deadline are not answers and are not in it; `overdue_unreplied` (超期未复, as of `as_of`)
  counts them, and every page that shows the rate shows that figure beside it.
"""

from datetime import date
from typing import Any

from django.db.models import BooleanField, Count, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from audit.record import today
from cases.figures import REPLIED_KEY, counted_q, running_states
from cases.models import Case
from cases.models.case import RUNNING_STATES
from cases.models.choices import PROPOSAL_CATEGORIES, Category, Level
from orgs.models import Unit
from promises.figures import year_commitments
from reports.models import TallyCell, TallyTopic
from workflow.tables import states_in

__all__ = ["REPLIED_KEY", "year_figures", "year_stats"]  # REPLIED_KEY: reports read it here

RATINGS = ("satisfied", "basically_satisfied", "unsatisfied")
CLASSES = ("A", "B", "C", "D")


def counted_cases(year: int, unit: Unit | None = None) -> QuerySet[Case]:
    """The cases a year's statistics count: 议提案 of that ledger year, not withdrawn."""
    qs = Case.objects.filter(counted_q(), year=year)
    if unit is not None:
        qs = qs.filter(lead_unit=unit)
    return qs


def counted_rows(model: Any, years: list[int], unit: Unit | None) -> QuerySet[Any]:
    """A summary table's rows that the years' statistics count (counted_q, in the cells'
    terms: 议提案, not in an uncounted state), of one lead unit or all."""
    qs = model.objects.filter(year__in=years, category__in=PROPOSAL_CATEGORIES).exclude(
        state__in=sorted(states_in("uncounted"))
    )
    if unit is not None:
        qs = qs.filter(unit=unit.pk)
    return qs


def open_cases() -> RawSQL:
    """cases.figures.running_states as a condition on cases_case, the states written out as
    the partial indexes of cases/migrations/0009 spell them: SQLite takes a partial index
    only for the very same IN list, and never for one of bound parameters."""
    running = running_states()
    states = [s for s in RUNNING_STATES if s in running] + sorted(running - set(RUNNING_STATES))
    assert all(s.isidentifier() for s in states)  # the workflows' own names, never input
    listed = ", ".join(f"'{s}'" for s in states)
    return RawSQL(f'"cases_case"."state" IN ({listed})', [], output_field=BooleanField())


# The figures' predicates in the cells' terms: each cell column is the case's value of
# the predicate of cases.figures of the same meaning (reports.tally.current computes them
# from the cases; reports.recount checks them with cases.figures' own Q objects).
LEAD = Q(role="lead")


def cell_sums() -> dict[str, Any]:
    """The sums behind every figure but the live ones, for one aggregate over the cells."""

    def cases(condition: Q | None = None) -> Any:
        return Coalesce(Sum("n", filter=condition), 0)

    found: dict[str, Any] = {
        "total": cases(),
        "lead": cases(LEAD),
        "co": cases(Q(role="co")),
        "leader_led": cases(Q(led=True)),
        REPLIED_KEY: cases(Q(replied=True)),
        "replied_on_time": cases(Q(on_time=True)),
        "face_to_face": cases(LEAD & Q(met=True)),
    }
    lead_replied = LEAD & Q(replied=True)
    for cls in CLASSES:
        found[f"class_{cls}"] = cases(lead_replied & Q(reply_class=cls))
    for rating in RATINGS:
        found[f"rating_{rating}"] = cases(lead_replied & Q(feedback=rating))
    found["rating_none"] = cases(lead_replied & Q(feedback=""))
    found["outcome_total"] = Coalesce(Sum("outcomes"), 0)
    return found


SUMS = tuple(cell_sums())
# The sums are computed under other names: a figure may share its name with the cell
# column it counts (`replied`), and an annotation would shadow that column in the filters.
ALIAS = "sum_"


def summed(cells: QuerySet[Any], *group: str) -> list[dict[str, Any]]:
    """The sums of cell_sums over `cells`, grouped by the columns `group`."""
    sums = {ALIAS + key: expression for key, expression in cell_sums().items()}
    rows = cells.values(*group).annotate(**sums).order_by() if group else [cells.aggregate(**sums)]
    return [{k.removeprefix(ALIAS) if k in sums else k: v for k, v in row.items()} for row in rows]


LIVE = ("overdue_unreplied", "due_soon")
FIGURES = (*(k for k in SUMS if k != "outcome_total"), "overdue_unreplied")
UNIT_FIELDS = ("lead_unit__code", "lead_unit__name", "lead_unit__kind")


def live_rows(
    years: list[int], unit: Unit | None, on: date, soon_until: date | None = None
) -> list[dict[str, Any]]:
    """The open cases past their deadline as of `on` (cases.figures.overdue_q), and those due
    from `on` to `soon_until` (due_within_q), per year, lead unit, category and level: read
    from the years' open cases only."""
    last = soon_until if soon_until is not None and soon_until >= on else None
    cases = Case.objects.filter(
        counted_q(),
        open_cases(),
        year__in=years,
        **({"deadline__lte": last} if last else {"deadline__lt": on}),
    )
    if unit is not None:
        cases = cases.filter(lead_unit=unit)
    counts: dict[str, Any] = {"overdue_unreplied": Count("id", filter=Q(deadline__lt=on))}
    if last:
        counts["due_soon"] = Count("id", filter=Q(deadline__gte=on))
    found = []
    grouped = cases.values("year", "lead_unit_id", "category", "level").annotate(**counts)
    for row in grouped.order_by():
        unit_id = row.pop("lead_unit_id")
        found.append({**dict.fromkeys((*SUMS, *LIVE), 0), **row, "unit": unit_id or 0})
    return found


def grouped_figures(
    years: list[int],
    unit: Unit | None,
    *group: str,
    on: date,
    soon_until: date | None = None,
) -> list[dict[str, Any]]:
    """The figures per year, lead unit, category and level (and `group`), summed from the
    cells, with the live counts as rows of their own; everything else is summed from
    these rows, whose number depends on the units and categories, not on the cases."""
    rows = summed(counted_rows(TallyCell, years, unit), "year", "unit", "category", "level", *group)
    for row in rows:
        row.update(dict.fromkeys(LIVE, 0))
    rows += live_rows(years, unit, on, soon_until)
    if unit is not None:  # one unit's rows name only that unit
        units = {unit.pk: unit}
    else:
        named = {row["unit"] for row in rows if row["unit"]}
        units = {u.pk: u for u in Unit.objects.filter(pk__in=named).only("code", "name", "kind")}
    for row in rows:
        found = units.get(row["unit"])
        row["lead_unit__code"] = found.code if found else None
        row["lead_unit__name"] = found.name if found else None
        row["lead_unit__kind"] = found.kind if found else None
    return rows


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


def topic_counts(year: int, unit: Unit | None) -> dict[str, int]:
    """Cases per topic (a case with two topics counts under both), most first."""
    rows = (
        counted_rows(TallyTopic, [year], unit)
        .values("topic__name")
        .annotate(n=Sum("n"))
        .filter(n__gt=0)
        .order_by("-n", "topic__name")
    )
    return {row["topic__name"]: row["n"] for row in rows}


def assemble(
    year: int,
    unit: Unit | None,
    rows: list[dict[str, Any]],
    by_topic: dict[str, int],
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
    stats["outcomes"] = sum(row["outcome_total"] for row in rows)
    return stats


def year_stats(year: int, unit: Unit | None = None, *, on: date | None = None) -> dict[str, Any]:
    """DESIGN.md §5's statistics object (`huiyin stats --json`, GET /api/v1/stats), as of
    `on` (today): the day 超期未复 is counted on."""
    on = on or today()
    rows = grouped_figures([year], unit, on=on)
    stats = assemble(year, unit, rows, topic_counts(year, unit), on)
    # 回头看: the year's B/C promises and their fulfilment rate (promises.figures).
    stats.update(year_commitments(year, unit, on))
    return stats


def year_figures(year: int, unit: Unit | None = None, *, on: date | None = None) -> dict[str, Any]:
    """The year's figures without the breakdowns (two queries): for comparing with last year."""
    (row,) = summed(counted_rows(TallyCell, [year], unit))
    live = live_rows([year], unit, on or today())
    row["overdue_unreplied"] = sum(r["overdue_unreplied"] for r in live)
    return {"year": year, **shape(row)}
