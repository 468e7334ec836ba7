"""挂图作战: the board of a list (GET /lists/<id>/board/) or of every list the user may
see (GET /lists/board/), a Gantt-style timeline written by the server (HTML and CSS, no
script needed to read it) of the items grouped by lead unit, each with its measures under
it: the months of the period across the top, for each row the planned bar (start →
deadline) and the actual one (started → completed or struck off, or → today while
running) with its percent, a marker for today, its light with a label and an icon (never
colour alone) and the working days left or overdue (cases.figures).

Filters: list, unit (the lead unit or a measure's owner), 责任领导, 类别, light; a value
outside the choices is a 400 page. Items are ITEMS_PER_PAGE to a page (their measures
under them, or collapsed with `measures=0`), so that a list of 2,000 items and 10,000
measures is never 12,000 rows at once.

The number of queries does not depend on the number of items: the filter choices, the
items in scope as plain rows, the calendar (one lists.light.Lights for every row), the
measures of the page's items. Lights and the rules behind the figures live in
lists.light, cases.figures and workdays.calendar; `light.item_key` and `light.measure_key` say,
in one place, what a row's light is read from, for the list page and the 主体责任清单 too.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit.record import today
from cases.figures import days_text
from cases.listing import InvalidFilter, QueryReader
from cases.permissions import visible_cases
from lists import light
from lists.access import list_for_user, visible_lists
from lists.models import Item, Measure, MeasureStatus, RectList
from orgs.access import standing_of
from orgs.models import Unit, UnitKind
from workflow.vocabulary import State

if TYPE_CHECKING:
    from huiyin.types import AuthedRequest, User

ITEMS_PER_PAGE = 100
# A shape for each light beside its label and colour.
LIGHT_ICONS = {
    light.NOT_STARTED: "bi-circle",
    light.NORMAL: "bi-check-circle-fill",
    light.APPROACHING: "bi-clock-fill",
    light.BEHIND: "bi-exclamation-triangle-fill",
    light.OVERDUE: "bi-exclamation-octagon-fill",
    light.DONE: "bi-patch-check-fill",
}
MEASURE_STATES = dict(MeasureStatus.choices)
NO_BOARD = "没有可查看的清单"


# ── lights: what a row's light is read from ─────────────────────────────────────────────


@dataclass(frozen=True)
class Lamp:
    """A light as the page shows it: the palette's key, label and colour, and an icon."""

    key: str
    label: str
    colour: str
    icon: str


def lamp(key: str) -> Lamp:
    s = light.shown(key)
    return Lamp(s.key, s.label, s.colour, LIGHT_ICONS[s.key])


def legend() -> list[Lamp]:
    return [Lamp(s.key, s.label, s.colour, LIGHT_ICONS[s.key]) for s in light.legend()]


def deadline_words(span_days: int, deadline: date, on: date, *, closed: str = "") -> str:
    """剩 3 个工作日 / 今天到期 / 逾期 2 个工作日; `closed` (已销号, 待销号) when it no longer runs."""
    return closed or days_text(span_days, deadline < on)


# ── indicators ──────────────────────────────────────────────────────────────────────────


def number(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = format(value.normalize(), "f")
    return text


def with_unit(value: Decimal | None, unit: str) -> str:
    """61% · 93.5% · —; seconds of a minute or more as people say them: 13分37秒."""
    if value is None:
        return "—"
    if unit == "秒" and value >= 60 and value == int(value):
        minutes, seconds = divmod(int(value), 60)
        return f"{minutes}分{seconds}秒" if seconds else f"{minutes}分钟"
    return f"{number(value)}{unit}"


def indicator_of(row: dict[str, Any]) -> dict[str, Any] | None:
    """An item's quantitative target for the chart (indicator.js) and its text equivalent:
    急救电话10秒接听率 61% → 93% → 目标99%."""
    name, target = row.get("indicator"), row.get("target")
    if not name or target is None:
        return None
    unit = row.get("indicator_unit") or ""
    baseline, current = row.get("baseline"), row.get("current")
    text = (
        f"{name} {with_unit(baseline, unit)} → {with_unit(current, unit)} → "
        f"目标{with_unit(target, unit)}"
    )
    return {
        "id": row["case_id"],
        "name": name,
        "unit": unit,
        "baseline": None if baseline is None else float(baseline),
        "current": None if current is None else float(current),
        "target": float(target),
        "text": text,
    }


# ── the filters ─────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class BoardFilter:
    list_id: int | None = None
    unit: str = ""  # a unit's code
    leader: str = ""
    category: str = ""
    light: str = ""
    page: int = 1
    measures: bool = True

    def params(self, **changes: Any) -> str:
        """The query string of these filters (with changes), for links."""
        values = {
            "list": self.list_id or "",
            "unit": self.unit,
            "leader": self.leader,
            "category": self.category,
            "light": self.light,
            "measures": "" if self.measures else "0",
            "page": "" if self.page == 1 else self.page,
        }
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v not in ("", None, 1)})


@dataclass
class Choices:
    lists: list[tuple[int, str]]
    units: list[tuple[str, str]]
    leaders: list[str]
    categories: list[str]


def scoped_items(user: User, lists: QuerySet[RectList]) -> QuerySet[Item]:
    """The items of these lists that the user may see (cases.permissions.visible_cases)."""
    items = Item.objects.filter(rect_list__in=lists)
    if not standing_of(user).sees_all:
        items = items.filter(case_id__in=visible_cases(user).values("pk"))
    return items


def choices_for(items: QuerySet[Item], lists: list[tuple[int, str]]) -> Choices:
    units = Unit.objects.filter(is_active=True).exclude(kind=UnitKind.EXTERNAL)
    return Choices(
        lists=lists,
        units=list(units.order_by("sort_order", "code").values_list("code", "name")),
        leaders=sorted(
            set(items.exclude(leader_name="").values_list("leader_name", flat=True).distinct())
        ),
        categories=sorted(
            set(items.exclude(category="").values_list("category", flat=True).distinct())
        ),
    )


def parse_filter(params: Any, choices: Choices) -> BoardFilter:
    """The query string's filters; InvalidFilter (a 400 page) for a value not offered."""
    read = QueryReader(params)
    raw_list = read.number("list", 1, 2**31 - 1, "应为清单编号")
    if raw_list is not None and raw_list not in {pk for pk, _ in choices.lists}:
        read.problems.append(("list", "清单不存在或无权查看"))
        raw_list = None
    unit = read.choice("unit", [code for code, _ in choices.units])
    leader = read.choice("leader", choices.leaders)
    category = read.choice("category", choices.categories)
    chosen_light = read.choice("light", [s.key for s in legend()])
    page = read.number("page", 1, 10**6, "应为正整数") or 1
    measures = read.flag("measures")
    read.done()
    return BoardFilter(
        list_id=raw_list, unit=unit, leader=leader, category=category, light=chosen_light,
        page=page, measures=measures is not False,
    )  # fmt: skip


# ── the timeline ────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Bar:
    left: float  # percent of the timeline's width
    width: float

    @property
    def style(self) -> str:
        return f"left:{self.left:.3f}%;width:{self.width:.3f}%"


@dataclass(frozen=True)
class Month:
    label: str
    left: float
    width: float

    @property
    def style(self) -> str:
        return f"left:{self.left:.3f}%;width:{self.width:.3f}%"


@dataclass
class Window:
    first: date
    last: date
    months: list[Month] = field(default_factory=list)

    @classmethod
    def around(cls, first: date, last: date) -> Window:
        first = first.replace(day=1)
        last = last.replace(day=calendar.monthrange(last.year, last.month)[1])
        window = cls(first, last)
        day = first
        while day <= last:
            end = day.replace(day=calendar.monthrange(day.year, day.month)[1])
            bar = window.bar(day, end)
            assert bar is not None
            label = (
                f"{day.year}年{day.month}月" if day.month == 1 or day == first else f"{day.month}月"
            )
            window.months.append(Month(label, bar.left, bar.width))
            day = end + timedelta(days=1)
        return window

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def at(self, day: date) -> float:
        offset = min(max((day - self.first).days, 0), self.days)
        return round(offset * 100 / self.days, 3)

    def bar(self, start: date | None, end: date | None) -> Bar | None:
        if start is None or end is None:
            return None
        start, end = min(start, end), max(start, end)
        left = self.at(start)
        return Bar(left, max(round(self.at(end + timedelta(days=1)) - left, 3), 0.4))


@dataclass
class Row:
    """One line of the board: an item, or a measure under it."""

    kind: str  # "item" or "measure"
    case_id: int
    seq: str
    title: str
    unit: str
    deadline: date | None
    percent: int
    lamp: Lamp
    days: str
    overdue: bool
    planned: Bar | None
    actual: Bar | None
    status: str
    list_code: str = ""
    leader: str = ""
    category: str = ""
    measures: list[Row] = field(default_factory=list)
    measure_count: int = 0
    indicator: dict[str, Any] | None = None


@dataclass
class Group:
    unit: str
    rows: list[Row]


@dataclass
class Board:
    query: BoardFilter
    choices: Choices
    window: Window
    today_at: float
    groups: list[Group]
    counts: list[tuple[Lamp, int, str]]  # each light, its items, the query showing them
    total: int  # items matching the filters but the light
    matching: int  # and the light
    page: int
    pages: int
    indicators: list[dict[str, Any]]
    rect_list: RectList | None = None

    @property
    def today_style(self) -> str:
        return f"left:{self.today_at:.3f}%"

    @property
    def previous_query(self) -> str:
        return self.query.params(page=self.page - 1)

    @property
    def next_query(self) -> str:
        return self.query.params(page=self.page + 1)


ITEM_FIELDS = (
    "case_id", "seq", "category", "leader_name", "progress", "started_on", "completed_on",
    "struck_off_on", "indicator", "indicator_unit", "baseline", "target", "current",
    "rect_list_id", "rect_list__code", "rect_list__starts_on", "rect_list__ends_on",
    "case__title", "case__state", "case__deadline", "case__received_on",
    "case__lead_unit__name", "case__lead_unit__sort_order",
)  # fmt: skip
MEASURE_FIELDS = (
    "item_id", "seq", "text", "unit__name", "deadline", "status", "percent", "started_on",
    "submitted_on", "struck_off_on",
)  # fmt: skip


def _filtered(items: QuerySet[Item], query: BoardFilter) -> QuerySet[Item]:
    if query.list_id:
        items = items.filter(rect_list_id=query.list_id)
    if query.unit:
        owns = Measure.objects.filter(item=OuterRef("pk"), unit__code=query.unit)
        items = items.filter(Q(case__lead_unit__code=query.unit) | Q(Exists(owns)))
    if query.leader:
        items = items.filter(leader_name=query.leader)
    if query.category:
        items = items.filter(category=query.category)
    return items


def _item_end(row: dict[str, Any], on: date) -> date | None:
    if row["started_on"] is None:
        return None
    return row["struck_off_on"] or row["completed_on"] or on


def _measure_row(
    m: dict[str, Any], start: date | None, lights: light.Lights, window: Window
) -> Row:
    on = lights.today
    key = light.measure_key(
        lights, start=start, deadline=m["deadline"], percent=m["percent"],
        status=m["status"], started_on=m["started_on"],
    )  # fmt: skip
    status = m["status"]
    closed = MEASURE_STATES[status] if status in (MeasureStatus.STRUCK_OFF, MeasureStatus.SUBMITTED) else ""  # fmt: skip
    ended = m["struck_off_on"] or m["submitted_on"] or (on if m["started_on"] else None)
    return Row(
        kind="measure", case_id=m["item_id"], seq=str(m["seq"]), title=m["text"],
        unit=m["unit__name"], deadline=m["deadline"], percent=m["percent"], lamp=lamp(key),
        days=deadline_words(lights.span.workdays_between(on, m["deadline"]), m["deadline"], on, closed=closed),
        overdue=key == light.OVERDUE, planned=window.bar(start, m["deadline"]),
        actual=window.bar(m["started_on"], ended), status=MEASURE_STATES[status],
    )  # fmt: skip


def build_board(user: User, on: date, params: Any, *, rect_list: RectList | None = None) -> Board:
    """The board of one list, or of every list the user may see."""
    if rect_list is not None:
        lists_qs = RectList.objects.filter(pk=rect_list.pk)
        list_choices = [(rect_list.pk, f"{rect_list.code} {rect_list.name}")]
    else:
        lists_qs = visible_lists(user)
        list_choices = [
            (pk, f"{code} {name}") for pk, code, name in lists_qs.values_list("pk", "code", "name")
        ]
    scope = scoped_items(user, lists_qs)
    choices = choices_for(scope, list_choices)
    query = parse_filter(params, choices)
    rows = list(
        _filtered(scope, query).annotate(late=light.late_measure(on)).values(*ITEM_FIELDS, "late")
    )
    days = [d for r in rows for d in (r["case__received_on"], r["case__deadline"]) if d]
    starts = [r["rect_list__starts_on"] for r in rows] or (
        [rect_list.starts_on] if rect_list else []
    )
    ends = [r["rect_list__ends_on"] for r in rows if r["rect_list__ends_on"]]
    if rect_list is not None and rect_list.ends_on:
        ends.append(rect_list.ends_on)
    first, last = min([on, *days, *starts]), max([on, *days, *ends])
    lights = light.Lights(on, first, last)
    window = Window.around(first, last)
    counted: dict[str, int] = {s.key: 0 for s in legend()}
    kept: list[tuple[dict[str, Any], str]] = []
    for r in rows:
        key = light.item_key(
            lights, start=r["case__received_on"], deadline=r["case__deadline"],
            progress=r["progress"], state=r["case__state"], started_on=r["started_on"],
            late_measure=r["late"],
        )  # fmt: skip
        shown_key = light.shown(key).key
        counted[shown_key] += 1
        if not query.light or shown_key == query.light:
            kept.append((r, key))
    kept.sort(
        key=lambda rk: (
            rk[0]["case__lead_unit__sort_order"], rk[0]["case__lead_unit__name"] or "",
            rk[0]["rect_list_id"], rk[0]["seq"],
        )
    )  # fmt: skip
    pages = max(1, -(-len(kept) // ITEMS_PER_PAGE))
    page = min(query.page, pages)
    shown = kept[(page - 1) * ITEMS_PER_PAGE : page * ITEMS_PER_PAGE]
    by_item: dict[int, list[dict[str, Any]]] = {r["case_id"]: [] for r, _ in shown}
    if shown:
        measures = Measure.objects.filter(item_id__in=sorted(by_item)).order_by("item_id", "seq")
        for m in measures.values(*MEASURE_FIELDS):
            by_item[m["item_id"]].append(m)
    groups: list[Group] = []
    indicators: list[dict[str, Any]] = []
    for r, key in shown:
        start, deadline, state = r["case__received_on"], r["case__deadline"], r["case__state"]
        closed = "已销号" if state == State.CLOSED else "待销号" if state == State.REVIEWING else ""
        indicator = indicator_of(r)
        if indicator is not None:
            indicator["index"] = len(indicators)
            indicators.append(indicator)
        row = Row(
            kind="item", case_id=r["case_id"], seq=str(r["seq"]), title=r["case__title"],
            unit=r["case__lead_unit__name"] or "", deadline=deadline, percent=r["progress"],
            lamp=lamp(key), overdue=key == light.OVERDUE,
            days=deadline_words(lights.span.workdays_between(on, deadline), deadline, on, closed=closed) if deadline else "",  # fmt: skip
            planned=window.bar(start, deadline), actual=window.bar(r["started_on"], _item_end(r, on)),
            status=closed or "整改中", list_code=r["rect_list__code"], leader=r["leader_name"],
            category=r["category"], measure_count=len(by_item[r["case_id"]]), indicator=indicator,
        )  # fmt: skip
        if query.measures:
            row.measures = [_measure_row(m, start, lights, window) for m in by_item[r["case_id"]]]
        if not groups or groups[-1].unit != row.unit:
            groups.append(Group(row.unit or "未定牵头处室", []))
        groups[-1].rows.append(row)
    return Board(
        query=query, choices=choices, window=window, today_at=window.at(on), groups=groups,
        counts=[(s, counted[s.key], query.params(light=s.key, page="")) for s in legend()], total=len(rows), matching=len(kept),
        page=page, pages=pages, indicators=indicators, rect_list=rect_list,
    )  # fmt: skip


# ── the page ────────────────────────────────────────────────────────────────────────────


@login_required
@require_GET
def board_page(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    rect_list = list_for_user(user, pk) if pk is not None else None  # 404 when invisible
    standing = standing_of(user)
    if rect_list is None and not (standing.sees_all or standing.unit_ids):
        if not visible_lists(user).exists():
            raise PermissionDenied(NO_BOARD)
    on = today()
    context: dict[str, Any] = {
        "rect_list": rect_list, "today": on, "legend": legend(), "per_page": ITEMS_PER_PAGE,
    }  # fmt: skip
    try:
        context["board"] = build_board(user, on, request.GET, rect_list=rect_list)
    except InvalidFilter as exc:
        context["error"] = exc.message
        return render(request, "lists/board/board.html", context, status=400)
    return render(request, "lists/board/board.html", context)
