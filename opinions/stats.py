"""The statistics of 群众意见建议 (seed 002): received, forwarded, answered, closed; by answer
class, channel, area and lead unit; 转办及时率, 按时办结率, 回复率, 满意率; for a campaign,
the suggestion books issued and returned.

The figures are about the opinions *received* in the period (their `received_at`, in the
commission's time zone), counted as they stand today: "收到114条，已办结88条" in the seed's
words. One grouped query reads the period's opinions once (per channel × area × lead unit,
a few hundred rows whatever the number of opinions) and everything else is summed from
those rows in Python, so the number of queries is fixed (≤ 4: the user's standing, the
campaign, the grouped counts, the units' names) and the work in the database is one range
of the received_at (or campaign) index joined to the cases by primary key.

Definitions (the page, the export, the bulletin and `huiyin stats --category
public_opinion` print these same numbers):
- received: every opinion received in the period, merged duplicates (并件) included;
  `merged` counts those, and every other figure leaves them out (a duplicate is answered
  through its main opinion).
- forwarded: the opinion has a first forwarding date; on time when that date is not after
  its forwarding target (the day of receipt, or the next working day for a rest day).
  转办及时率 = forwarded on time ÷ forwarded.
- answered: the case has an answer date now (cases.Case.replied_on, which is the opinion's
  answered_on). An opinion rated 不满意 is handled again with a new deadline and is not
  answered until its new answer. 按时办结率 = answered by the deadline in force ÷ answered;
  an approved extension moves the case's deadline itself, so an answer within the extended
  deadline is on time. 回复率 = answered ÷ received (merged left out).
- closed: state 已办结. by_result: the answer classes of the answered opinions.
- feedback: the latest rating (回访 or the person's own link); 满意率 = (satisfied +
  basically_satisfied) ÷ rated.
- overdue_open: running (待转办, 已转办, 办理中) and past the deadline, as of `as_of`.
- by_area: the confirmed area, else the suggested one.
- by_unit: per lead unit (the unit the opinion is forwarded to); opinions not (or no
  longer) forwarded are `unassigned`.
A rate whose denominator is 0 is null.

Scope: commission roles (coordinator, leader, viewer, admin) see everything; a unit head
sees the opinions their units lead, and only those units' rows (reports.access, the same
rule as the 议提案 dashboard). Phone numbers are never read here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from audit.record import today
from cases.models.choices import FeedbackRating
from huiyin.dates import year_window
from opinions.models import Area, Campaign, Channel, Opinion, Result
from opinions.privacy import without_phones as privacy_without_phones
from opinions.spec import RUNNING  # the answer is still due: 待转办, 已转办, 办理中
from orgs.access import standing_of
from orgs.models import Unit
from workflow.errors import ActionForbidden, CaseError
from workflow.vocabulary import State

if TYPE_CHECKING:
    from huiyin.types import AnyUser

NO_STATS = "只有议提案管理员、委领导、查阅人员和处室负责人可以查看群众意见建议统计"
NO_CAMPAIGN = "没有编号为{id}的征集活动"

RATINGS = tuple(FeedbackRating.values)  # satisfied, basically_satisfied, unsatisfied
SATISFIED = (FeedbackRating.SATISFIED, FeedbackRating.BASICALLY_SATISFIED)
RESULTS = tuple(Result.values)
CHANNELS = tuple(Channel.values)
AREAS = tuple(Area.values)

# The counts of each (channel, area, lead unit) group; every figure is a sum of these.
COUNTED = ~Q(case__state=State.MERGED)
ANSWERED = COUNTED & Q(case__replied_on__isnull=False)
FORWARDED = COUNTED & Q(forwarded_on__isnull=False)
RATED = COUNTED & Q(case__feedback_result__in=RATINGS)


def _counts(as_of: date) -> dict[str, Any]:
    counts: dict[str, Any] = {
        "received": Count("pk"),
        "merged": Count("pk", filter=Q(case__state=State.MERGED)),
        "forwarded": Count("pk", filter=FORWARDED),
        "forwarded_on_time": Count(
            "pk", filter=FORWARDED & Q(forwarded_on__lte=F("forward_target"))
        ),
        "answered": Count("pk", filter=ANSWERED),
        "answered_on_time": Count(
            "pk",
            filter=ANSWERED
            & (Q(case__deadline__isnull=True) | Q(case__replied_on__lte=F("case__deadline"))),
        ),
        "closed": Count("pk", filter=Q(case__state=State.CLOSED)),
        "running": Count("pk", filter=Q(case__state__in=RUNNING)),
        "overdue_open": Count("pk", filter=Q(case__state__in=RUNNING, case__deadline__lt=as_of)),
        "forward_overdue_open": Count(
            "pk", filter=Q(case__state=State.REGISTERED, forward_target__lt=as_of)
        ),
        # "Needs time" answers whose measure is not yet done: the commitments still tracked.
        "fix_open": Count(
            "pk", filter=COUNTED & Q(result=Result.NEEDS_TIME, fix_done_on__isnull=True)
        ),
    }
    counts["unrated"] = Count("pk", filter=ANSWERED & Q(case__feedback_result=""))
    for result in RESULTS:
        counts[f"result_{result}"] = Count("pk", filter=ANSWERED & Q(result=result))
    for rating in RATINGS:
        counts[f"rating_{rating}"] = Count("pk", filter=COUNTED & Q(case__feedback_result=rating))
    return counts


COUNT_KEYS = tuple(_counts(date(2000, 1, 1)))


# ── periods ──────────────────────────────────────────────────────────────────────────────

PERIODS = {
    "week": "本周",
    "month": "本月",
    "year": "本年",
    "all": "全部",
    "custom": "自定义",
}


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    kind: str = "custom"

    @property
    def label(self) -> str:
        if self.kind == "all":
            return "全部"
        return f"{self.start.isoformat()} 至 {self.end.isoformat()}"


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def period_of(kind: str, on: date, start: date | None = None, end: date | None = None) -> Period:
    """This week (Monday to today), this month, this year, everything, or a custom range
    (CaseError if it is backwards)."""
    if kind == "week":
        return Period(monday_of(on), on, kind)
    if kind == "month":
        return Period(on.replace(day=1), on, kind)
    if kind == "year":
        return Period(on.replace(month=1, day=1), on, kind)
    if kind == "all":
        low, high = year_window()
        return Period(date(low, 1, 1), date(high, 12, 31), kind)
    if start is None or end is None:
        raise CaseError("自定义期间请填写开始和结束日期", field="start")
    if end < start:
        raise CaseError("结束日期不能早于开始日期", field="end")
    return Period(start, end, "custom")


def command_period(
    *, year: int | None, start: str | None, end: str | None, campaign: int | None
) -> tuple[date, date]:
    """The period of `huiyin stats --category public_opinion`: a year, a range (an open end
    is today, an open start the earliest date), or, for a campaign alone, everything."""
    from huiyin.dates import check_year, parse_date

    if year is not None and (start or end):
        raise CaseError("--year 与 --start/--end 只能选一种")
    if year is not None:
        check_year(year)
        return date(year, 1, 1), date(year, 12, 31)
    if start or end:
        low, _ = year_window()
        first = parse_date(start, label="开始日期") if start else date(low, 1, 1)
        last = parse_date(end, label="结束日期") if end else today()
        period = period_of("custom", today(), first, last)
        return period.start, period.end
    if campaign is not None:
        period = period_of("all", today())
        return period.start, period.end
    raise CaseError("请用 --year 或 --start/--end 指定期间，或用 --campaign 指定征集活动")


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# ── scope ────────────────────────────────────────────────────────────────────────────────


def may_see_opinion_stats(user: AnyUser | None) -> bool:
    standing = standing_of(user)
    return standing.sees_all or bool(standing.head_of)


def scope_units(user: AnyUser | None) -> frozenset[int] | None:
    """None: the whole commission (commission roles; `user` None is the command line);
    else the ids of the units whose opinions the user's statistics count. ActionForbidden
    for anyone else."""
    if user is None:
        return None
    standing = standing_of(user)
    if standing.sees_all:
        return None
    if standing.head_of:
        return standing.head_of
    raise ActionForbidden(NO_STATS)


# ── the figures ──────────────────────────────────────────────────────────────────────────


def rate(numerator: int, denominator: int) -> dict[str, Any]:
    """{numerator, denominator, rate}: the page shows "17/22" beside 77.3%."""
    return {
        "numerator": numerator,
        "denominator": denominator,
        "rate": None if denominator == 0 else round(numerator / denominator, 4),
    }


def opinions_in(
    start: date, end: date, *, campaign_id: int | None = None, units: Iterable[int] | None = None
) -> QuerySet[Opinion]:
    """The opinions received from `start` to `end` (both included, local dates)."""
    qs = Opinion.objects.filter(
        received_at__gte=_moment(start), received_at__lt=_moment(end + timedelta(days=1))
    )
    if campaign_id is not None:
        qs = qs.filter(campaign_id=campaign_id)
    if units is not None:
        qs = qs.filter(case__lead_unit__in=sorted(units))
    return qs


def grouped_counts(qs: QuerySet[Opinion], as_of: date) -> list[dict[str, Any]]:
    """COUNT_KEYS per (channel, area, lead unit): one query, one pass over the opinions."""
    area = Coalesce(NullIf("area", Value("")), "suggested_area")
    rows = (
        qs.annotate(area_key=area)
        .values("channel", "area_key", "case__lead_unit")
        .annotate(**_counts(as_of))
        .order_by()
    )
    return list(rows)


def _sum(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    total = dict.fromkeys(COUNT_KEYS, 0)
    for row in rows:
        for key in COUNT_KEYS:
            total[key] += row[key]
    return total


def _counted(c: dict[str, int]) -> int:
    return c["received"] - c["merged"]


def _satisfied(c: dict[str, int]) -> int:
    return sum(c[f"rating_{r}"] for r in SATISFIED)


def _rated(c: dict[str, int]) -> int:
    return sum(c[f"rating_{r}"] for r in RATINGS)


def _rates(c: dict[str, int]) -> dict[str, dict[str, Any]]:
    return {
        "forward_on_time": rate(c["forwarded_on_time"], c["forwarded"]),
        "answer_on_time": rate(c["answered_on_time"], c["answered"]),
        "reply": rate(c["answered"], _counted(c)),
        "satisfaction": rate(_satisfied(c), _rated(c)),
    }


def _totals(c: dict[str, int]) -> dict[str, Any]:
    return {
        "received": c["received"],
        "merged": c["merged"],
        "counted": _counted(c),
        "forwarded": c["forwarded"],
        "forwarded_on_time": c["forwarded_on_time"],
        "answered": c["answered"],
        "answered_on_time": c["answered_on_time"],
        "closed": c["closed"],
        "running": c["running"],
        "overdue_open": c["overdue_open"],
        "forward_overdue_open": c["forward_overdue_open"],
        "fix_open": c["fix_open"],
        "by_result": {r: c[f"result_{r}"] for r in RESULTS},
        "feedback": {
            **{r: c[f"rating_{r}"] for r in RATINGS},
            "rated": _rated(c),
            # Answered and never rated (a re-answer after 不满意 keeps that rating).
            "unrated": c["unrated"],
        },
        "rates": _rates(c),
    }


def _breakdown(
    rows: list[dict[str, Any]], key: str, codes: tuple[str, ...], labels: dict[str, str]
) -> list[dict[str, Any]]:
    """One row per code (all of them, zeros included, in the vocabulary's order)."""
    groups: dict[str, list[dict[str, Any]]] = {code: [] for code in codes}
    for row in rows:
        groups.setdefault(row[key], []).append(row)
    found = []
    for code, members in groups.items():
        c = _sum(members)
        found.append(
            {
                "code": code,
                "label": str(labels.get(code, code)),
                "received": c["received"],
                "counted": _counted(c),
                "answered": c["answered"],
                "closed": c["closed"],
            }
        )
    return found


def _unit_row(unit: Unit, c: dict[str, int]) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name": unit.name,
        "received": _counted(c),
        "answered": c["answered"],
        "answered_on_time": c["answered_on_time"],
        "closed": c["closed"],
        "overdue_open": c["overdue_open"],
        "rated": _rated(c),
        "satisfied": _satisfied(c),
        "rates": {
            "answer_on_time": rate(c["answered_on_time"], c["answered"]),
            "reply": rate(c["answered"], _counted(c)),
            "satisfaction": rate(_satisfied(c), _rated(c)),
        },
    }


def _by_unit(
    rows: list[dict[str, Any]], units: frozenset[int] | None
) -> tuple[list[dict[str, Any]], int]:
    """Rows per lead unit (a unit head's own units, even empty), and the opinions with no
    lead unit (not forwarded yet, or sent back)."""
    groups: dict[int, list[dict[str, Any]]] = {}
    unassigned = 0
    for row in rows:
        unit_id = row["case__lead_unit"]
        if unit_id is None:
            unassigned += row["received"] - row["merged"]
        else:
            groups.setdefault(unit_id, []).append(row)
    wanted = set(groups) | set(units or ())
    if not wanted:
        return [], unassigned
    found = Unit.objects.filter(pk__in=sorted(wanted)).only("code", "name", "sort_order")
    ordered = sorted(found, key=lambda u: (u.sort_order, u.code))
    return [_unit_row(u, _sum(groups.get(u.pk, []))) for u in ordered], unassigned


def _campaign(campaign: Campaign, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The campaign's facts with the opinions it brought: 发放意见簿400本，收回353本，收集到
    意见建议6332条 (the suggestions are the opinions entered from its books)."""
    books = _sum(r for r in rows if r["channel"] == Channel.BOOK)
    issued, returned = campaign.books_issued, campaign.books_returned
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "starts_on": campaign.starts_on.isoformat(),
        "ends_on": campaign.ends_on.isoformat() if campaign.ends_on else None,
        "channels": list(campaign.channels or []),
        "books_issued": issued,
        "books_returned": returned,
        "book_return": rate(returned or 0, issued or 0) if issued is not None else None,
        "book_suggestions": books["received"],
    }


def opinion_figures(
    *,
    user: AnyUser | None,
    start: date,
    end: date,
    campaign_id: int | None = None,
    as_of: date | None = None,
) -> dict[str, Any]:
    """The figures of the opinions received from `start` to `end` (of one campaign, if
    given) that `user` may count; `as_of` (default today) is the day "overdue" is judged
    on. JSON-ready: stable English keys, dates as ISO strings, rates as {numerator,
    denominator, rate}. CaseError for an unknown campaign, ActionForbidden for a user
    without statistics."""
    as_of = as_of or today()
    units = scope_units(user)
    campaign = None
    if campaign_id is not None:
        campaign = Campaign.objects.filter(pk=campaign_id).first()
        if campaign is None:
            raise CaseError(NO_CAMPAIGN.format(id=campaign_id), field="campaign")
    rows = grouped_counts(opinions_in(start, end, campaign_id=campaign_id, units=units), as_of)
    by_unit, unassigned = _by_unit(rows, units)
    return {
        "category": "public_opinion",
        "start": start.isoformat(),
        "end": end.isoformat(),
        "as_of": as_of.isoformat(),
        "scope": None if units is None else [u["code"] for u in by_unit],
        **_totals(_sum(rows)),
        "by_channel": _breakdown(rows, "channel", CHANNELS, dict(Channel.choices)),
        "by_area": _breakdown(rows, "area_key", AREAS, dict(Area.choices)),
        "by_unit": by_unit,
        "unassigned": unassigned,
        "campaign": _campaign(campaign, rows) if campaign else None,
    }


# ── shared by the page, the export and the bulletin ──────────────────────────────────────

RATE_LABELS = {
    "forward_on_time": "转办及时率",
    "answer_on_time": "按时办结率",
    "reply": "回复率",
    "satisfaction": "满意率",
}
RATE_NOTES = {
    "forward_on_time": "当日（休息日收到的为下一个工作日）签批转办的 ÷ 已转办",
    "answer_on_time": "答复日期不晚于答复期限（含批准的延期）的 ÷ 已答复",
    "reply": "已答复 ÷ 收到（不含并件）",
    "satisfaction": "满意与基本满意 ÷ 已评价",
}
RESULT_LABELS = {code: str(label) for code, label in Result.choices}
RATING_LABELS = {code: str(label) for code, label in FeedbackRating.choices}


def percent(value: dict[str, Any] | None) -> str:
    if not value or value["rate"] is None:
        return "—"
    return f"{value['rate'] * 100:.1f}%"


def fraction(value: dict[str, Any] | None) -> str:
    if not value:
        return "—"
    return f"{value['numerator']}/{value['denominator']}"


# Statistics never show a phone number: the titles masked (opinions.privacy).
without_phones = privacy_without_phones
