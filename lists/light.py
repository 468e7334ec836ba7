"""The light of an item or a measure on working days (挂图作战): 已销号 once struck off;
逾期 after its deadline; 未开始 while nothing is reported and the working days used are
within the margin; 滞后 when the share of working days used since the start runs ahead of
the progress by more than the margin (lists.rules.behind_margin); 临近 a few working days
before the deadline; 正常 otherwise. Submitted for 销号 (待销号) it is 正常: the unit has
done its part. The palette (lists.rules.palette) names and colours these: 未开始/正常/
滞后/逾期, or the 红黄蓝绿 of 督查督办.

One function for one row, and `Lights` for many at once with one calendar."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef

from lists import rules
from workdays.calendar import WorkdaySpan

DONE, OVERDUE, BEHIND, NOT_STARTED, APPROACHING, NORMAL = (
    "done", "overdue", "behind", "not_started", "approaching", "normal",
)  # fmt: skip
KEYS = (NOT_STARTED, NORMAL, APPROACHING, BEHIND, OVERDUE, DONE)


@dataclass(frozen=True)
class Shown:
    key: str
    label: str
    colour: str  # a Bootstrap colour: success, warning, danger, primary, secondary, info


STATUS = {
    NOT_STARTED: Shown(NOT_STARTED, "未开始", "secondary"),
    NORMAL: Shown(NORMAL, "正常", "success"),
    APPROACHING: Shown(NORMAL, "正常", "success"),
    BEHIND: Shown(BEHIND, "滞后", "warning"),
    OVERDUE: Shown(OVERDUE, "逾期", "danger"),
    DONE: Shown(DONE, "已销号", "primary"),
}
COLOURS = {
    NOT_STARTED: Shown(NORMAL, "绿灯", "success"),
    NORMAL: Shown(NORMAL, "绿灯", "success"),
    APPROACHING: Shown(APPROACHING, "蓝灯", "info"),
    BEHIND: Shown(BEHIND, "黄灯", "warning"),
    OVERDUE: Shown(OVERDUE, "红灯", "danger"),
    DONE: Shown(DONE, "已销号", "primary"),
}


def shown(key: str) -> Shown:
    """The light as the configured palette names it."""
    return (COLOURS if rules.palette() == "colours" else STATUS)[key]


def legend() -> list[Shown]:
    """The palette's lights, each once, in order."""
    seen: dict[str, Shown] = {}
    for key in KEYS:
        s = shown(key)
        seen.setdefault(s.key, s)
    return list(seen.values())


class Lights:
    """Lights of many rows with one working-day calendar (loaded once for the page)."""

    def __init__(self, today: date, first: date | None = None, last: date | None = None) -> None:
        self.today = today
        self.span = WorkdaySpan(min(first or today, today), max(last or today, today))

    def of(
        self,
        *,
        start: date | None,
        deadline: date | None,
        percent: int,
        struck_off: bool,
        submitted: bool = False,
        reported: bool = False,
    ) -> str:
        today = self.today
        if struck_off:
            return DONE
        if submitted:
            return NORMAL
        if deadline is not None and today > deadline:
            return OVERDUE
        if deadline is None or start is None:
            return NORMAL if reported else NOT_STARTED
        if self._behind(start, deadline, percent):
            return BEHIND
        if not reported and percent == 0:
            return NOT_STARTED
        if self.span.workdays_between(today, deadline) <= rules.approaching_workdays():
            return APPROACHING
        return NORMAL

    def used(self, start: date, deadline: date) -> int:
        """The percent of the working days from start to deadline used by today."""
        if self.today <= start:
            return 0
        whole = self.span.workdays_between(start, deadline)
        if whole <= 0:
            return 100
        return min(100, self.span.workdays_between(start, self.today) * 100 // whole)

    def _behind(self, start: date, deadline: date, percent: int) -> bool:
        return self.used(start, deadline) - percent > rules.behind_margin()


def measure_key(
    lights: Lights,
    *,
    start: date | None,
    deadline: date,
    percent: int,
    status: str,
    started_on: date | None,
) -> str:
    """A measure's light from its row."""
    from lists.models import MeasureStatus

    return lights.of(
        start=start,
        deadline=deadline,
        percent=percent,
        struck_off=status == MeasureStatus.STRUCK_OFF,
        submitted=status == MeasureStatus.SUBMITTED,
        reported=started_on is not None,
    )


def item_key(
    lights: Lights,
    *,
    start: date | None,
    deadline: date | None,
    progress: int,
    state: str,
    started_on: date | None,
    late_measure: bool = False,
) -> str:
    """An item's light from its row: its own clock and progress, and 滞后 at least while one
    of its open measures is past its deadline (the item cannot be on track then)."""
    from workflow.vocabulary import State

    key = lights.of(
        start=start,
        deadline=deadline,
        percent=progress,
        struck_off=state == State.CLOSED,
        submitted=state == State.REVIEWING,
        reported=started_on is not None,
    )
    if late_measure and key in (NOT_STARTED, NORMAL, APPROACHING):
        return BEHIND
    return key


def late_measure(today: date) -> Exists:
    """Annotate items (`Item` rows) with whether an open measure is past its deadline."""
    from lists.models import OPEN_MEASURE, Measure

    return Exists(
        Measure.objects.filter(item_id=OuterRef("pk"), status__in=OPEN_MEASURE, deadline__lt=today)
    )


def is_late(measures: Iterable[Any], today: date) -> bool:
    """The same, from an item's loaded measures."""
    from lists.models import OPEN_MEASURE

    return any(m.status in OPEN_MEASURE and m.deadline < today for m in measures)
