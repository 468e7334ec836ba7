"""The figures of the dashboard (统计看板), each with the link to the case list it counts.

Everything is added up from the statistics' summary rows (reports.models, kept by every
action: reports.tally), in a fixed number of queries whatever the number of cases
(dashboard_data: the cells of this year and the last; the open cases for the counts that
depend on today; units; topics; months; the first rows of the two deadline lists). Every
figure shown is a `Figure` with the URL of the ledger filtered to exactly the cases it
counts: the list's filters (cases.listing) use the predicates of cases.figures, which the
cells hold per case (reports.recount checks them against those predicates).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, Sum
from django.urls import reverse

from cases.figures import DEFINITIONS, days_text, workdays_left
from cases.models.choices import Category, FeedbackRating, Level
from orgs.models import Unit, UnitKind
from promises.figures import rated_year, years_commitments
from proposals.spec import PROPOSAL_STATES
from reports.models import TallyMonth
from reports.stats import (
    CLASSES,
    REPLIED_KEY,
    assemble,
    counted_cases,
    counted_rows,
    grouped_figures,
    open_cases,
    rate,
    shape,
    sum_rows,
    topic_counts,
)
from workdays.calendar import WorkdaySpan, workdays_after

DUE_SOON_WORKDAYS = 10  # "即将到期": due within this many working days (the list's due_within)
LIST_ROWS = 5  # rows of the overdue and due-soon lists on the dashboard

CATEGORY_LABELS = dict(Category.choices)
LEVEL_LABELS = dict(Level.choices)
RATING_LABELS = {**dict(FeedbackRating.choices), "none": "未评价"}
CLASS_LABELS = {
    "A": "已解决或基本解决",
    "B": "正在解决或列入计划逐步解决",
    "C": "因条件限制需待以后解决",
    "D": "留作参考",
}
# Seed 000 compares the commission's own units with the 县区: the unit table is grouped by
# unit kind. The commission's divisions are 委机关处室 (市直单位 are the city's other
# bureaus, not ours); its hospitals and centres are 委直属单位.
UNIT_GROUPS = [
    ("divisions", "委机关处室", (UnitKind.OFFICE, UnitKind.DEPARTMENT)),
    ("affiliated", "委直属单位", (UnitKind.AFFILIATED,)),
    ("county", "县区卫健局", (UnitKind.COUNTY,)),
    ("other", "其他单位", (UnitKind.EXTERNAL,)),
]


def case_list_url(year: int, unit: Unit | None = None, **params: Any) -> str:
    """/cases/?year=Y&counted=1[&lead_unit=CODE]&…: the ledger filtered to what a figure
    counts. `counted=1` is the statistics' own set (议提案 of the year, not withdrawn)."""
    query: dict[str, Any] = {"year": year, "counted": 1}
    if unit is not None:
        query["lead_unit"] = unit.code
    query.update({k: v for k, v in params.items() if v is not None})
    return reverse("case-list") + "?" + urlencode(query)


@dataclass
class Figure:
    """A number on the dashboard and the list of the cases it counts."""

    label: str
    count: int
    url: str


@dataclass
class Card:
    """A key figure: the big number (linked counts, or a rate), its change against the
    previous year, and the linked counts behind it."""

    key: str
    label: str
    main: list[Figure]  # the big number(s), each linked; empty for a rate
    rate: str  # the big number when it is a rate: 80.0%
    deltas: list[tuple[str, str]]  # (text, trend): ▲ 12 / ▼ 3.5 个百分点 / 持平; up down flat
    previous: str  # the previous year's value, as shown
    figures: list[Figure] = field(default_factory=list)
    note: str = ""
    # A figure shown beside the big number, in red when not zero: 超期未复 by 按期答复率.
    beside: Figure | None = None
    link: str = ""  # where the big number leads when it is a rate (承诺兑现率: 回头看)
    compared_with: int | None = None  # the year compared with, when not the year before


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def class_ab_rate(row: dict[str, Any]) -> float | None:
    """A/B 类占比: solved or planned (A+B) among the lead cases' replies with a class."""
    classes = row["reply_class"]
    return rate(classes["A"] + classes["B"], sum(classes[c] for c in CLASSES))


def count_delta(now: int, before: int) -> tuple[str, str]:
    diff = now - before
    if diff > 0:
        return f"▲ {diff}", "up"
    if diff < 0:
        return f"▼ {-diff}", "down"
    return "持平", "flat"


def rate_delta(now: float | None, before: float | None) -> tuple[str, str]:
    if now is None or before is None:
        return "—", "none"
    points = round((now - before) * 100, 1)
    if points > 0:
        return f"▲ {points:.1f} 个百分点", "up"
    if points < 0:
        return f"▼ {-points:.1f} 个百分点", "down"
    return "持平", "flat"


def cards(s: dict[str, Any], prev: dict[str, Any], unit: Unit | None) -> list[Card]:
    year = s["year"]

    def url(**params: Any) -> str:
        return case_list_url(year, unit, **params)

    lead_replied = {"role": "lead", REPLIED_KEY: 1}
    classes = s["reply_class"]
    feedback = s["feedback"]
    cl = s["by_category_level"]

    has_previous = prev["total"] > 0  # no cases that year: nothing to compare with

    def count_card(key, label, main, befores, figures=(), note=""):
        deltas = [count_delta(f.count, b) for f, b in zip(main, befores, strict=True)]
        if not has_previous:
            deltas = []
        elif len(main) > 1:
            deltas = [
                (f"{f.label} {text}", trend) for f, (text, trend) in zip(main, deltas, strict=True)
            ]
        previous = " / ".join(str(b) for b in befores)
        return Card(key, label, main, "", deltas, previous, list(figures), note)

    def rate_card(key, label, now, before, figures, note="", beside=None):
        deltas = [rate_delta(now, before)] if has_previous else []
        return Card(key, label, [], percent(now), deltas, percent(before), figures, note, beside)

    return [
        count_card(
            "total",
            "总件数",
            [Figure("总件数", s["total"], url())],
            [prev["total"]],
            [Figure(CATEGORY_LABELS[c], sum(cl[c].values()), url(category=c)) for c in cl],
            "人大代表建议和政协提案，不含已撤回",
        ),
        count_card(
            "roles",
            "主办 / 会办",
            [
                Figure("主办", s["by_role"]["lead"], url(role="lead")),
                Figure("会办", s["by_role"]["co"], url(role="co")),
            ],
            [prev["by_role"]["lead"], prev["by_role"]["co"]],
            note="主办含承办、分办",
        ),
        count_card(
            "leader_led",
            "领办件",
            [Figure("领办件", s["leader_led"], url(led=1))],
            [prev["leader_led"]],
            note="有领办领导的办件",
        ),
        count_card(
            REPLIED_KEY,
            "已答复",
            [Figure("已答复", s[REPLIED_KEY], url(replied=1))],
            [prev[REPLIED_KEY]],
            [Figure("未答复", s["total"] - s[REPLIED_KEY], url(replied=0))],
            DEFINITIONS[REPLIED_KEY],
        ),
        rate_card(
            "on_time",
            "按期答复率",
            s["on_time_rate"],
            prev["on_time_rate"],
            [
                Figure("按期", s["replied_on_time"], url(on_time=1)),
                Figure("逾期答复", s[REPLIED_KEY] - s["replied_on_time"], url(on_time=0)),
            ],
            "按期答复 ÷ 已答复；按期：答复日期不晚于答复期限（含批准的延期）。"
            "超期未复：已过答复期限、尚未答复，不计入答复率",
            beside=Figure("超期未复", s["overdue_unreplied"], url(overdue=1)),
        ),
        rate_card(
            "class_ab",
            "A/B 类占比",
            class_ab_rate(s),
            class_ab_rate(prev),
            [Figure(f"{c}类", classes[c], url(**lead_replied, reply_class=c)) for c in CLASSES],
            "解决或列入计划（A+B）÷ 主办件答复",
        ),
        rate_card(
            "satisfaction",
            "满意率",
            s["satisfaction_rate"],
            prev["satisfaction_rate"],
            [
                Figure(RATING_LABELS[r], feedback[r], url(**lead_replied, feedback=r))
                for r in ("satisfied", "basically_satisfied", "unsatisfied")
            ],
            "（满意 + 基本满意）÷ 已评价",
        ),
        rate_card(
            "face_to_face",
            "面商率",
            s["face_to_face_rate"],
            prev["face_to_face_rate"],
            [
                Figure("面商", s["face_to_face"], url(role="lead", met=1)),
                Figure("主办", s["by_role"]["lead"], url(role="lead")),
            ],
            "面商、座谈、实地调研、上门 ÷ 主办件",
        ),
    ]


def commitment_card(promised: dict[int, dict[str, Any]], year: int, unit: Unit | None) -> Card:
    """承诺兑现率 (回头看), of the year it is about: the dashboard's year, or the year before
    when no promise of the dashboard's year is settled or due yet (this year's promises
    fall due next year: 回头看 looks at last year's). `promised` holds years_commitments of
    year, year-1 and year-2 (the year compared with). Each count, and the rate, link to
    the promises list of that year."""
    about = rated_year({y: promised[y] for y in (year, year - 1)})
    n = promised[about]["commitments"]
    before = promised[about - 1]
    query: dict[str, Any] = {"year": about}
    if unit is not None:
        query["unit"] = unit.code

    def url(**params: Any) -> str:
        return reverse("promises:list") + "?" + urlencode({**query, **params})

    now = promised[about]["commitment_fulfilment_rate"]
    then = before["commitment_fulfilment_rate"]
    return Card(
        "commitments",
        f"{about}年承诺兑现率",
        [],
        percent(now),
        [rate_delta(now, then)] if before["commitments"]["total"] else [],
        percent(then),
        [
            Figure("已兑现", n["fulfilled"], url(status="fulfilled")),
            Figure("部分兑现", n["partial"], url(status="partial")),
            Figure("未兑现", n["unfulfilled"], url(status="unfulfilled")),
            Figure("推进中/未开始", n["open"], url(status="open_any")),
        ],
        f"{about}年B、C类答复的承诺事项：已兑现 ÷（已认定 + 逾期未兑现）",
        beside=Figure("逾期未兑现", n["overdue"], url(overdue=1)),
        link=url(),
        compared_with=about - 1,
    )


# ── the unit table ──────────────────────────────────────────────────────────────────────


def _counts(row: dict[str, Any]) -> dict[str, int]:
    flat = {
        "total": row["total"],
        "lead": row["by_role"]["lead"],
        "co": row["by_role"]["co"],
        REPLIED_KEY: row[REPLIED_KEY],
        "replied_on_time": row["replied_on_time"],
        "face_to_face": row["face_to_face"],
        "overdue_unreplied": row["overdue_unreplied"],
    }
    flat.update({f"class_{c}": row["reply_class"][c] for c in CLASSES})
    flat.update({f"rating_{r}": n for r, n in row["feedback"].items()})
    return flat


def _table_row(label: str, counts: dict[str, int], url) -> dict[str, Any]:
    classes = {c: counts[f"class_{c}"] for c in CLASSES}
    rated = sum(counts[f"rating_{r}"] for r in ("satisfied", "basically_satisfied", "unsatisfied"))
    satisfied = counts["rating_satisfied"] + counts["rating_basically_satisfied"]
    rates = {
        "on_time_rate": rate(counts["replied_on_time"], counts[REPLIED_KEY]),
        "class_ab_rate": rate(classes["A"] + classes["B"], sum(classes.values())),
        "satisfaction_rate": rate(satisfied, rated),
        "face_to_face_rate": rate(counts["face_to_face"], counts["lead"]),
    }
    figures = {
        "total": Figure("总件数", counts["total"], url()),
        "lead": Figure("主办", counts["lead"], url(role="lead")),
        "co": Figure("会办", counts["co"], url(role="co")),
        REPLIED_KEY: Figure("已答复", counts[REPLIED_KEY], url(replied=1)),
        "replied_on_time": Figure("按期答复", counts["replied_on_time"], url(on_time=1)),
        "overdue_unreplied": Figure("超期未复", counts["overdue_unreplied"], url(overdue=1)),
        "class_A": Figure("A类", classes["A"], url(role="lead", replied=1, reply_class="A")),
        "class_B": Figure("B类", classes["B"], url(role="lead", replied=1, reply_class="B")),
    }
    return {
        "label": label,
        "figures": figures,
        "rates": {k: (v, percent(v)) for k, v in rates.items()},
    }


def unit_table(s: dict[str, Any], unit: Unit | None) -> dict[str, Any]:
    """Rows per lead unit, grouped 委机关处室 / 委直属单位 / 县区 with subtotals, and the
    year's total."""
    year = s["year"]
    groups = []
    assigned = 0
    for key, label, kinds in UNIT_GROUPS:
        rows = [r for r in s["by_unit"] if r["kind"] in kinds]
        if not rows:
            continue
        sums = {k: 0 for k in _counts(rows[0])}
        members = []
        for r in rows:
            counts = _counts(r)
            for k, v in counts.items():
                sums[k] += v
            code = r["unit"]
            members.append(
                _table_row(
                    r["name"],
                    counts,
                    lambda code=code, **p: case_list_url(year, None, lead_unit=code, **p),
                )
            )
        assigned += sums["total"]
        kind_param = ",".join(kinds)
        subtotal = _table_row(
            f"{label}小计",
            sums,
            lambda kind_param=kind_param, **p: case_list_url(
                year, unit, lead_unit_kind=kind_param, **p
            ),
        )
        groups.append({"key": key, "label": label, "rows": members, "subtotal": subtotal})
    total = _table_row("合计", _counts(s), lambda **p: case_list_url(year, unit, **p))
    unassigned = None
    if unit is None and s["total"] > assigned:
        unassigned = Figure("尚未交办", s["total"] - assigned, case_list_url(year, lead_unit="-"))
    return {"groups": groups, "total": total, "unassigned": unassigned}


# ── the charts ──────────────────────────────────────────────────────────────────────────


def _month_start(year: int, month: int) -> date:
    """The first day of a month counted from January of `year` (month 13 = next January)."""
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


FLOW_MONTHS = 18  # January to the next June: replies run into the next year; then a bucket
FLOW = {
    "received": ("received_on", "received", "收到"),
    "answered": ("replied_on", REPLIED_KEY, "答复"),
}


def month_counts(year: int, unit: Unit | None) -> dict[str, int]:
    """Received (收到日期) and answered (答复日期) per month, from the monthly summary rows:
    January to FLOW_MONTHS, and before and after those months."""
    counts = {
        f"{prefix}_{key}": 0
        for prefix in FLOW
        for key in ("before", "after", *map(str, range(1, FLOW_MONTHS + 1)))
    }
    rows = counted_rows(TallyMonth, [year], unit).values("kind", "month").annotate(n=Sum("n"))
    for row in rows.order_by():
        m = (row["month"].year - year) * 12 + row["month"].month
        key = "before" if m < 1 else "after" if m > FLOW_MONTHS else str(m)
        counts[f"{row['kind']}_{key}"] += row["n"]
    return counts


def monthly_flow(year: int, unit: Unit | None, counts: dict[str, int]) -> list[dict[str, Any]]:
    """Received and answered per month: January to December, on into the next year as far as
    there are any; earlier or later ones in a bucket at either end."""

    def month(label: str, key: str, start: date | None, end: date | None) -> dict[str, Any]:
        found: dict[str, Any] = {"label": label}
        for prefix, (_, param, words) in FLOW.items():
            link = case_list_url(
                year,
                unit,
                **{
                    f"{param}_from": start.isoformat() if start else None,
                    f"{param}_to": end.isoformat() if end else None,
                },
            )
            found[prefix] = Figure(words, counts[f"{prefix}_{key}"], link)
        return found

    later = [
        m for m in range(13, FLOW_MONTHS + 1) if counts[f"received_{m}"] or counts[f"answered_{m}"]
    ]
    last = max([12, *later])
    months = []
    if counts["received_before"] or counts["answered_before"]:
        end = _month_start(year, 1) - timedelta(days=1)
        months.append(month(f"{year - 1}年及以前", "before", None, end))
    for m in range(1, last + 1):
        start = _month_start(year, m)
        end = _month_start(year, m + 1) - timedelta(days=1)
        label = f"{start.month}月" if start.year == year else f"{start.year}年{start.month}月"
        months.append(month(label, str(m), start, end))
    if counts["received_after"] or counts["answered_after"]:
        months.append(month("此后", "after", _month_start(year, FLOW_MONTHS + 1), None))
    return months


def deadline_lists(
    year: int, unit: Unit | None, on: date, soon_until: date, counts: dict[str, int]
) -> dict[str, Any]:
    """The year's open cases past their deadline (超期未复), and those due within
    DUE_SOON_WORKDAYS: the counts (from the grouped query) and the first few of each,
    soonest deadline first, with the working days left or past as 我的待办 says them."""
    cases = counted_cases(year, unit).filter(open_cases())
    fields = ("id", "number", "title", "deadline", "deadline_provisional", "state", "category")

    def rows(condition: Q) -> list[Any]:
        # The year's (and the unit's) open cases by deadline: the partial indexes of
        # cases/migrations/0009 give them in this order, never reading a closed case.
        return list(
            cases.filter(condition)
            .select_related("lead_unit")
            .only(*fields, "lead_unit__name")
            .order_by("deadline", "id")[:LIST_ROWS]
        )

    # On the open cases: overdue_q and due_within_q (its end computed once, by the caller).
    overdue = rows(Q(deadline__lt=on))
    due_soon = rows(Q(deadline__gte=on, deadline__lte=soon_until))
    # Both filters compare the deadline: every row has one.
    dues = [case.deadline for case in overdue + due_soon if case.deadline is not None]
    # One calendar for both lists (one query, always: the page's queries stay fixed), as
    # 我的待办 loads one for its page.
    span = WorkdaySpan(min([on, *dues]), max([on, *dues]))

    def shown(cases: list[Any]) -> list[dict[str, Any]]:
        found = []
        for case in cases:
            if case.deadline is None:
                continue
            left = workdays_left(span, on, case.deadline)
            found.append(
                {"case": case, "days_left": left, "text": days_text(left, case.deadline < on)}
            )
        return found

    return {
        "overdue": Figure(
            "超期未复", counts["overdue_unreplied"], case_list_url(year, unit, overdue=1)
        ),
        "overdue_rows": shown(overdue),
        "overdue_note": DEFINITIONS["overdue"],
        "due_soon": Figure(
            f"{DUE_SOON_WORKDAYS}个工作日内到期",
            counts["due_soon"],
            case_list_url(year, unit, due_within=DUE_SOON_WORKDAYS),
        ),
        "due_soon_rows": shown(due_soon),
        "due_soon_note": DEFINITIONS["due_soon"].format(n=DUE_SOON_WORKDAYS),
        "due_soon_workdays": DUE_SOON_WORKDAYS,
        "days_note": DEFINITIONS["days"],
    }


def charts(s: dict[str, Any], unit: Unit | None, states: dict[str, int], months) -> dict:
    """The charts' data for dashboard.js: every point carries its count and list URL."""
    year = s["year"]

    def url(**params: Any) -> str:
        return case_list_url(year, unit, **params)

    def point(name: str, count: int, link: str, **extra: Any) -> dict[str, Any]:
        return {"name": name, "value": count, "count": count, "url": link, **extra}

    category_level = {
        "levels": [LEVEL_LABELS[lv] for lv in Level.values],
        "series": [
            {
                "name": CATEGORY_LABELS[category],
                "data": [
                    point(LEVEL_LABELS[lv], n, url(category=category, level=lv))
                    for lv, n in levels.items()
                ],
            }
            for category, levels in s["by_category_level"].items()
        ],
    }
    lead_replied = {"role": "lead", REPLIED_KEY: 1}
    on_time_by_unit = [
        point(
            row["name"],
            row["replied_on_time"],
            case_list_url(year, None, lead_unit=row["unit"], on_time=1),
            rate=row["on_time_rate"],
            replied=row[REPLIED_KEY],
        )
        for row in s["by_unit"]
        if row[REPLIED_KEY]
    ]
    on_time_by_unit.sort(key=lambda p: (p["rate"], p[REPLIED_KEY]))
    return {
        "year": year,
        "categoryLevel": category_level,
        "states": [
            point(PROPOSAL_STATES[state], n, url(state=state)) for state, n in states.items()
        ],
        "topics": [point(name, n, url(topic=name)) for name, n in s["by_topic"].items()][:15],
        "replyClasses": [
            point(
                f"{c}类",
                s["reply_class"][c],
                url(**lead_replied, reply_class=c),
                label=CLASS_LABELS[c],
            )
            for c in CLASSES
        ],
        "feedback": [
            point(RATING_LABELS[r], n, url(**lead_replied, feedback=r))
            for r, n in s["feedback"].items()
        ],
        "onTimeByUnit": on_time_by_unit,
        "monthly": {
            "months": [m["label"] for m in months],
            "received": [point(m["label"], m["received"].count, m["received"].url) for m in months],
            "answered": [point(m["label"], m["answered"].count, m["answered"].url) for m in months],
        },
    }


def dashboard_data(year: int, unit: Unit | None, on: date | None = None) -> dict[str, Any]:
    """Everything the dashboard shows. One grouped query over the summary cells of this year
    and the last gives the statistics object (the same as year_stats), last year's figures
    and the states; one over the open cases the live counts; then the units' names, the
    topics, the monthly flow and the first rows of the two lists."""
    from audit.record import today

    on = on or today()
    soon_until = workdays_after(on, DUE_SOON_WORKDAYS).date  # as due_within_q counts
    rows = grouped_figures([year, year - 1], unit, "state", on=on, soon_until=soon_until)
    this_year = [row for row in rows if row["year"] == year]
    s = assemble(year, unit, this_year, topic_counts(year, unit), on)
    before = [row for row in rows if row["year"] == year - 1]
    prev = {"year": year - 1, **shape(sum_rows(before))}
    # 回头看: the promises of three years in one query (promises.figures): this year's and
    # last year's statistics, and the year before for the card of last year's.
    promised = years_commitments([year, year - 1, year - 2], unit, on)
    s.update(promised[year])
    prev.update(promised[year - 1])
    counts = {
        **month_counts(year, unit),
        "overdue_unreplied": s["overdue_unreplied"],
        "due_soon": sum(row["due_soon"] for row in this_year),
    }
    states_found: dict[str, int] = {}
    for row in this_year:
        if "state" in row:  # the live rows are not grouped by state (and count no total)
            states_found[row["state"]] = states_found.get(row["state"], 0) + row["total"]
    states = {state: states_found[state] for state in PROPOSAL_STATES if states_found.get(state)}
    months = monthly_flow(year, unit, counts)
    return {
        "year": year,
        "unit": unit,
        "stats": s,
        "previous": prev,
        "cards": [*cards(s, prev, unit), commitment_card(promised, year, unit)],
        "table": unit_table(s, unit),
        "charts": charts(s, unit, states, months),
        "deadlines": deadline_lists(year, unit, on, soon_until, counts),
        "outcomes": s["outcomes"],
    }
