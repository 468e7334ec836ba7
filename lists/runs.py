"""From a validated payload to the action of lists.actions (named in spec.py), and the
availability checks the item page's cards share with the actions."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from cases.dispatch import unit_by_code, user_by_name
from cases.models import Case
from lists import actions, measures
from lists.models import OPEN_MEASURE, Item, Measure, MeasureStatus, RectList
from lists.payloads import (
    AddToListPayload,
    ItemEditPayload,
    MeasureEditPayload,
    MeasurePayload,
    MeasureReopenPayload,
    MeasureReviewPayload,
    MeasureSubmitPayload,
    ProgressPayload,
    ReopenPayload,
    StrikeOffPayload,
    StrikeOffRequestPayload,
)
from workflow.errors import CaseError

if TYPE_CHECKING:
    from huiyin.types import User
else:
    User = Any


def report_progress(case: Case, by: User, p: ProgressPayload) -> Any:
    return measures.report_progress(
        case, by=by, text=p.text, measure_id=p.measure, percent=p.percent, value=p.value, on=p.on
    )


def add_measure(case: Case, by: User, p: MeasurePayload) -> Any:
    return measures.add_measure(
        case, by=by, text=p.text, unit=unit_by_code(p.owner_unit, "owner_unit"),
        handler=user_by_name(p.handler, "handler"), deadline=p.deadline, weight=p.weight,
        on=p.on,
    )  # fmt: skip


def edit_measure(case: Case, by: User, p: MeasureEditPayload) -> Any:
    return measures.edit_measure(
        case, by=by, measure_id=p.measure, text=p.text,
        unit=unit_by_code(p.owner_unit, "owner_unit"), handler=user_by_name(p.handler, "handler"),
        deadline=p.deadline, weight=p.weight, on=p.on,
    )  # fmt: skip


def submit_measure(case: Case, by: User, p: MeasureSubmitPayload) -> Any:
    return measures.submit_measure(case, by=by, measure_id=p.measure, note=p.note, on=p.on)


def review_measure(case: Case, by: User, p: MeasureReviewPayload) -> Any:
    return measures.review_measure(
        case, by=by, measure_id=p.measure, approved=p.approved, comment=p.comment, on=p.on
    )


def reopen_measure(case: Case, by: User, p: MeasureReopenPayload) -> Any:
    return measures.reopen_measure(case, by=by, measure_id=p.measure, reason=p.reason, on=p.on)


def request_strike_off(case: Case, by: User, p: StrikeOffRequestPayload) -> Any:
    return actions.request_strike_off(case, by=by, note=p.note, on=p.on)


def strike_off(case: Case, by: User, p: StrikeOffPayload) -> Any:
    return actions.strike_off(case, by=by, approved=p.approved, comment=p.comment, on=p.on)


def reopen(case: Case, by: User, p: ReopenPayload) -> Any:
    return actions.reopen(case, by=by, reason=p.reason, deadline=p.deadline, on=p.on)


def item_initial(inp: Any) -> dict[str, Any]:
    """修改事项 shows what the item says now (the payload carries only what changed)."""
    item = Item.objects.get(pk=inp.case.pk)
    return {
        "title": inp.case.title, "content": inp.case.content, "item_category": item.category,
        "leader_name": item.leader_name, "deadline": inp.case.deadline,
    }  # fmt: skip


def edit_item(case: Case, by: User, p: ItemEditPayload) -> Any:
    return actions.edit_item(
        case, by=by, title=p.title, description=p.content, category=p.item_category,
        leader_name=p.leader_name, deadline=p.deadline, on=p.on,
    )  # fmt: skip


def add_to_list(case: Case, by: User, p: AddToListPayload) -> Any:
    rect_list = RectList.objects.filter(pk=p.rect_list).first()
    if rect_list is None:
        raise CaseError("没有这个清单", field="rect_list")
    return actions.add_to_list(
        case, by=by, rect_list=rect_list, deadline=p.deadline,
        lead_unit=unit_by_code(p.owner_unit, "owner_unit"), on=p.on,
    )  # fmt: skip


# --- availability (the cards; the actions check the same) ----------------------------


def _measures(case: Case) -> list[Measure]:
    from huiyin.prefetch import prefetched

    item = getattr(case, "list_item", None)
    rows = prefetched(item, "measures") if item is not None else None
    if rows is None:
        rows = list(Measure.objects.filter(item_id=case.pk))
    return rows


def has_open_measure(case: Case, today: date, mine: set[str]) -> bool:
    return any(m.status in OPEN_MEASURE for m in _measures(case))


def has_submitted_measure(case: Case, today: date, mine: set[str]) -> bool:
    return any(m.status == MeasureStatus.SUBMITTED for m in _measures(case))


def has_struck_off_measure(case: Case, today: date, mine: set[str]) -> bool:
    return any(m.status == MeasureStatus.STRUCK_OFF for m in _measures(case))


def has_editable_measure(case: Case, today: date, mine: set[str]) -> bool:
    return any(m.status != MeasureStatus.STRUCK_OFF for m in _measures(case))


def all_measures_struck_off(case: Case, today: date, mine: set[str]) -> bool:
    return all(m.status == MeasureStatus.STRUCK_OFF for m in _measures(case))


def has_open_list(case: Case, today: date, mine: set[str]) -> bool:
    """列入整改清单 is offered while the case is in no list yet and some list is open."""
    from huiyin.prefetch import prefetched

    listed = prefetched(case, "list_items")  # the case page has read them
    if listed is None:
        listed = list(Item.objects.filter(linked_case=case)[:1])
    if listed:
        return False
    return RectList.objects.exclude(ends_on__lt=today).exists()


# --- the cards' select options ---------------------------------------------------------


def _measure_options(case: Case, wanted: Any) -> list[tuple[str, str]]:
    return [
        (str(m.pk), f"{m.seq}. {m.text[:40]}（{m.get_status_display()}）")
        for m in _measures(case)
        if wanted(m)
    ]


def open_measure_options(inp: Any) -> list[tuple[str, str]]:
    return _measure_options(inp.case, lambda m: m.status in OPEN_MEASURE)


def submitted_measure_options(inp: Any) -> list[tuple[str, str]]:
    return _measure_options(inp.case, lambda m: m.status == MeasureStatus.SUBMITTED)


def struck_off_measure_options(inp: Any) -> list[tuple[str, str]]:
    return _measure_options(inp.case, lambda m: m.status == MeasureStatus.STRUCK_OFF)


def editable_measure_options(inp: Any) -> list[tuple[str, str]]:
    return _measure_options(inp.case, lambda m: m.status != MeasureStatus.STRUCK_OFF)


def unit_options(inp: Any) -> list[tuple[str, str]]:
    from orgs.models import Unit, UnitKind

    units = Unit.objects.filter(is_active=True).exclude(kind=UnitKind.EXTERNAL)
    return [(u.code, u.name) for u in units]


def list_options(inp: Any) -> list[tuple[str, str]]:
    lists = RectList.objects.exclude(ends_on__lt=inp.today).order_by("-year", "-id")
    return [(str(x.pk), f"{x.code} {x.name}") for x in lists[:100]]


def add_to_list_spec(sources: Any) -> Any:
    """列入整改清单, as the other categories declare it (proposals, opinions, supervision):
    one declaration, named in each of their tables."""
    from lists.payloads import AddToListPayload as Payload
    from lists.wording import listed
    from workflow.tables import EDITS, Form, Wording, t
    from workflow.vocabulary import Action, Relation

    return t(
        Action.ADD_TO_LIST, "列入整改清单", sources, [], [Relation.COORDINATOR],
        payload=Payload, run=add_to_list, available=has_open_list,
        form=Form(group=EDITS, dated=False, hidden=frozenset({"on"}),
                  options={"rect_list": list_options, "owner_unit": unit_options},
                  labels={"owner_unit": ("牵头处室", "不选则为本件的主办处室")}),
        wording=Wording(head=listed),
        success=lambda case: "已列入整改清单",
    )  # fmt: skip
