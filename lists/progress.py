"""An item's progress, rolled up from its measures: each measure's percent (a struck-off
measure counts 100) weighted by its weight (lists.rules.weighted: or all alike); an item
without measures keeps the percent last reported for it. Called by every action that
changes a measure, in its transaction, so `Item.progress` always equals `rolled_up`."""

from collections.abc import Iterable

from lists import rules
from lists.models import Item, Measure, MeasureStatus


def measure_share(measure: Measure) -> int:
    return 100 if measure.status == MeasureStatus.STRUCK_OFF else measure.percent


def rolled_up(measures: Iterable[Measure], own: int = 0) -> int:
    """The item's percent from its measures (`own`: the item's when it has none)."""
    measures = list(measures)
    if not measures:
        return own
    weighted = rules.weighted()
    total = sum(m.weight if weighted else 1 for m in measures)
    done = sum(measure_share(m) * (m.weight if weighted else 1) for m in measures)
    return int(done // total) if total else 0


def refresh(item: Item, *, measured_only: bool = False) -> int | None:
    """Store the item's rolled-up progress; returns it (`measured_only`: None for an item
    without measures, whose percent is its own)."""
    measures = list(Measure.objects.filter(item=item))
    if measures:
        item.progress = rolled_up(measures)
        Item.objects.filter(pk=item.pk).update(progress=item.progress)
    elif measured_only:
        return None
    return item.progress


def last_reported(item: Item, measure: Measure | None = None) -> int:
    """The percent last reported for a measure, or for the item as a whole, at most 90:
    where a refused 销号 puts it back (asking for 销号 counted it 100)."""
    from lists.models import Progress

    last = (
        Progress.objects.filter(item=item, measure=measure, percent__isnull=False)
        .order_by("-on", "-id")
        .values_list("percent", flat=True)
        .first()
    )
    return min(int(last or 0), 90)
