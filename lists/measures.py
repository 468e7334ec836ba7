"""The measures' actions of a list item (具体举措): progress reports with the indicator's
value, 佐证材料, 申请销号 and its review, 重新整改, adding and editing a measure. Each runs
under the item's row lock with one audit event on the item, and stores the item's
rolled-up progress in the same transaction (lists.progress)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction

from attachments.actions import attach_checked
from cases.actions.common import action_date, lock_and_check, require_text
from cases.models import Case
from cases.permissions import relations
from huiyin.text import check_text
from lists import progress
from lists.actions import (
    MeasureIn,
    _check_measure,
    _check_unit,
    _hold,
    _item,
    _measure,
    _shown,
    release,
)
from lists.models import OPEN_MEASURE, Evidence, Item, Measure, MeasureStatus, Progress
from orgs.access import standing_of
from orgs.models import Role, Unit
from workflow.engine import apply_transition, lock_case
from workflow.errors import ActionForbidden, CaseError
from workflow.vocabulary import Action, Relation, State

if TYPE_CHECKING:
    from django.core.files import File

    from huiyin.types import User


def may_work_on(user: User, mine: set[str], measure: Measure) -> bool:
    """The office, the item's lead unit, or the measure's own unit may report on it."""
    if Role.COORDINATOR in mine or Relation.LEAD_UNIT in mine:
        return True
    return measure.unit_id in standing_of(user).unit_ids


def _check_worker(user: User, mine: set[str], measure: Measure) -> None:
    if not may_work_on(user, mine, measure):
        raise ActionForbidden("只能反馈本单位负责的具体举措")


def _started(item: Item, measure: Measure | None, on: date) -> None:
    if item.started_on is None:
        item.started_on = on
        Item.objects.filter(pk=item.pk).update(started_on=on)
    if measure is not None and measure.started_on is None:
        measure.started_on = on


@transaction.atomic
def report_progress(
    case: Case,
    *,
    by: User,
    text: str,
    measure_id: int | None = None,
    percent: int | None = None,
    value: Decimal | None = None,
    on: date | None = None,
) -> Progress:
    """进展反馈 on a measure (its unit, the lead unit or the office) or on the item as a
    whole (the lead unit, the office): the percent of a measure rolls up into the item's;
    an item without measures takes the percent itself; `value` is the indicator's."""
    mine = lock_and_check(by, case, Action.REPORT_PROGRESS)
    on = action_date(case, on)
    text = require_text(text, "text", "进展情况")
    item = _item(case)
    measure = None
    if measure_id is not None:
        measure = _measure(item, measure_id)
        _check_worker(by, mine, measure)
        if measure.status not in OPEN_MEASURE:
            raise CaseError(
                f"此举措{measure.get_status_display()}，不能再反馈进展", field="measure"
            )
    elif not mine & {Role.COORDINATOR, Relation.LEAD_UNIT}:
        raise ActionForbidden("请选择本单位负责的具体举措")
    if value is not None and not item.indicator:
        raise CaseError("此事项没有量化指标", field="value")
    report = Progress.objects.create(
        item=item, measure=measure, on=on, text=text, percent=percent, value=value, by=by
    )
    _started(item, measure, on)
    if measure is not None:
        measure.status = MeasureStatus.IN_PROGRESS
        if percent is not None:
            measure.percent = percent
        measure.save(update_fields=["status", "percent", "started_on"])
        progress.refresh(item)
    elif percent is not None and not item.measures.exists():
        item.progress = percent
        Item.objects.filter(pk=item.pk).update(progress=percent)
    if value is not None:
        Item.objects.filter(pk=item.pk).update(current=value)
    details: dict[str, Any] = {"text": text, "progress": item.progress}
    if measure is not None:
        details |= {"measure": measure.pk, "measure_seq": measure.seq}
    if percent is not None:
        details["percent"] = percent
    if value is not None:
        details["value"] = str(value)
    apply_transition(case, Action.REPORT_PROGRESS, by=by, on=on, details=details)
    return report


@transaction.atomic
def attach_evidence(
    case: Case, *, by: User, upload: File, measure_id: int | None = None
) -> Evidence:
    """佐证材料: a file of the item's case for one measure (its unit, the lead unit, the
    office) or for the item; recorded as the attachment's event, naming the measure."""
    lock_case(case)
    mine = relations(by, case)
    if not mine & {Role.COORDINATOR, Relation.LEAD_UNIT, Relation.CO_UNIT}:
        raise ActionForbidden("您没有为此事项上传佐证材料的权限")
    item = _item(case)
    if case.state == State.CLOSED:
        raise CaseError("已销号的事项不能再上传佐证材料")
    measure = None
    if measure_id is not None:
        measure = _measure(item, measure_id)
        _check_worker(by, mine, measure)
        if measure.status == MeasureStatus.STRUCK_OFF:
            raise CaseError("此举措已销号", field="measure")
    elif not mine & {Role.COORDINATOR, Relation.LEAD_UNIT}:
        raise ActionForbidden("请选择本单位负责的具体举措")
    details = {
        "evidence": True,
        **({"measure": measure.pk, "measure_seq": measure.seq} if measure else {}),
    }
    attachment = attach_checked(case, by=by, upload=upload, details=details)
    return Evidence.objects.create(attachment=attachment, item=item, measure=measure)


@transaction.atomic
def submit_measure(
    case: Case, *, by: User, measure_id: int, note: str = "", on: date | None = None
) -> Measure:
    """举措申请销号: only with its evidence attached; it counts as done until reviewed."""
    mine = lock_and_check(by, case, Action.SUBMIT_MEASURE)
    on = action_date(case, on)
    item = _item(case)
    measure = _measure(item, measure_id)
    _check_worker(by, mine, measure)
    if measure.status not in OPEN_MEASURE:
        raise CaseError(f"此举措{measure.get_status_display()}，不能申请销号", field="measure")
    if not measure.evidence.exists():
        raise CaseError("请先上传此举措的佐证材料，再申请销号", field="measure")
    measure.status, measure.percent, measure.submitted_on = MeasureStatus.SUBMITTED, 100, on
    measure.refused_reason = ""
    if measure.started_on is None:
        measure.started_on = on
    measure.save(
        update_fields=["status", "percent", "submitted_on", "refused_reason", "started_on"]
    )
    _started(item, None, on)
    progress.refresh(item)
    note = check_text(note or "", label="完成情况说明", field="note")
    apply_transition(
        case, Action.SUBMIT_MEASURE, by=by, on=on,
        details={"measure": measure.pk, "measure_seq": measure.seq, "note": note,
                 "evidence": measure.evidence.count(), "progress": item.progress},
    )  # fmt: skip
    return measure


def _submitted_by(measure: Measure) -> int | None:
    """Who asked for the measure's 销号 last (its submit_measure event)."""
    from audit.models import AuditEvent

    return (
        AuditEvent.objects.filter(
            case_id=measure.item_id, action=Action.SUBMIT_MEASURE, details__measure=measure.pk
        )
        .order_by("-id")
        .values_list("actor_id", flat=True)
        .first()
    )


def _last_reported(measure: Measure) -> int:
    return progress.last_reported(measure.item, measure)


@transaction.atomic
def review_measure(
    case: Case,
    *,
    by: User,
    measure_id: int,
    approved: bool,
    comment: str = "",
    on: date | None = None,
) -> Measure:
    """举措销号审核 (the list's owner or a delegate): 销号, or back with the reason; a
    refused measure goes back to the percent last reported (at most 90)."""
    lock_and_check(by, case, Action.REVIEW_MEASURE)
    on = action_date(case, on)
    item = _item(case)
    measure = _measure(item, measure_id)
    if measure.status != MeasureStatus.SUBMITTED:
        raise CaseError("此举措没有待审核的销号申请", field="measure")
    if approved and not measure.evidence.exists():
        raise CaseError("此举措没有佐证材料，不能销号", field="measure")
    if approved and _submitted_by(measure) == by.pk:
        raise ActionForbidden("申请销号的人不能审核自己的申请，请由清单的其他负责人审核")
    comment = check_text(comment or "", label="审核意见", field="comment").strip()
    if approved:
        measure.status, measure.struck_off_on = MeasureStatus.STRUCK_OFF, on
    else:
        if not comment:
            raise CaseError("不同意销号时请写明理由", field="comment")
        measure.status, measure.submitted_on = MeasureStatus.IN_PROGRESS, None
        measure.percent, measure.refused_reason = _last_reported(measure), comment
    measure.save(
        update_fields=["status", "struck_off_on", "submitted_on", "percent", "refused_reason"]
    )
    progress.refresh(item)
    apply_transition(
        case, Action.REVIEW_MEASURE, by=by, on=on,
        details={"measure": measure.pk, "measure_seq": measure.seq, "approved": approved,
                 "comment": comment, "progress": item.progress},
    )  # fmt: skip
    return measure


@transaction.atomic
def reopen_measure(
    case: Case, *, by: User, measure_id: int, reason: str, on: date | None = None
) -> Measure:
    """A struck-off measure back to work (问题反弹), while its item is still 整改中."""
    lock_and_check(by, case, Action.REOPEN_MEASURE)
    on = action_date(case, on)
    reason = require_text(check_text(reason or "", label="理由", field="reason"), "reason", "理由")
    item = _item(case)
    measure = _measure(item, measure_id)
    if measure.status != MeasureStatus.STRUCK_OFF:
        raise CaseError("只有已销号的举措可以重新整改", field="measure")
    measure.status, measure.struck_off_on, measure.submitted_on = (
        MeasureStatus.IN_PROGRESS, None, None,
    )  # fmt: skip
    measure.percent = _last_reported(measure)
    measure.save(update_fields=["status", "struck_off_on", "submitted_on", "percent"])
    progress.refresh(item)
    apply_transition(
        case, Action.REOPEN_MEASURE, by=by, on=on,
        details={"measure": measure.pk, "measure_seq": measure.seq, "reason": reason,
                 "progress": item.progress},
    )  # fmt: skip
    return measure


def _check_fit(case: Case, spec: MeasureIn) -> None:
    """A measure fits its item: due by the item's deadline, handled by someone of its unit."""
    if case.deadline is not None and spec.deadline > case.deadline:
        raise CaseError("具体举措的完成时限不能晚于事项的完成时限", field="deadline")
    if spec.handler is not None and spec.unit.pk not in standing_of(spec.handler).unit_ids:
        raise CaseError(f"经办人须为{spec.unit.name}的人员", field="handler")


@transaction.atomic
def add_measure(
    case: Case,
    *,
    by: User,
    text: str,
    unit: Unit | None,
    deadline: date,
    handler: User | None = None,
    weight: int = 1,
    on: date | None = None,
) -> Measure:
    """增加一条具体举措 (the office, the reviewer, the lead unit's head)."""
    lock_and_check(by, case, Action.ADD_MEASURE)
    on = action_date(case, on)
    item = _item(case)
    spec = MeasureIn(text=text, unit=_check_unit(unit, "owner_unit", "责任处室"),
                     deadline=deadline, handler=handler, weight=weight)  # fmt: skip
    _check_measure(spec, item.rect_list.starts_on, 0)
    _check_fit(case, spec)
    seq = (item.measures.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    measure = Measure.objects.create(
        item=item, seq=seq, text=spec.text, unit=spec.unit, handler=handler,
        deadline=deadline, weight=weight,
    )  # fmt: skip
    _hold(case, [spec.unit], on)
    progress.refresh(item)
    apply_transition(
        case, Action.ADD_MEASURE, by=by, on=on,
        details={"measure": measure.pk, "measure_seq": seq, "text": spec.text,
                 "unit": spec.unit.code, "deadline": deadline.isoformat(),
                 "progress": item.progress},
    )  # fmt: skip
    return measure


@transaction.atomic
def edit_measure(
    case: Case,
    *,
    by: User,
    measure_id: int,
    text: str = "",
    unit: Unit | None = None,
    handler: User | None = None,
    deadline: date | None = None,
    weight: int | None = None,
    on: date | None = None,
) -> Measure:
    """修改一条未销号的具体举措 (only the fields given); the old values in the event."""
    lock_and_check(by, case, Action.EDIT_MEASURE)
    on = action_date(case, on)
    item = _item(case)
    measure = _measure(item, measure_id)
    if measure.status == MeasureStatus.STRUCK_OFF:
        raise CaseError("已销号的举措不能修改", field="measure")
    changes: dict[str, Any] = {}
    spec = MeasureIn(
        text=text or measure.text,
        unit=_check_unit(unit, "owner_unit", "责任处室") if unit else measure.unit,
        deadline=deadline or measure.deadline,
        handler=handler or measure.handler,
        weight=weight or measure.weight,
    )
    _check_measure(spec, item.rect_list.starts_on, 0)
    _check_fit(case, spec)
    previous = measure.unit
    for name, new in (("text", spec.text), ("unit", spec.unit), ("deadline", spec.deadline),
                      ("handler", spec.handler), ("weight", spec.weight)):  # fmt: skip
        old = getattr(measure, name)
        if new != old:
            changes[name] = [_shown(old), _shown(new)]
            setattr(measure, name, new)
    if not changes:
        raise CaseError("没有修改任何内容")
    measure.save()
    _hold(case, [measure.unit], on)
    if measure.unit != previous:
        release(case, item, previous)
    progress.refresh(item)
    apply_transition(
        case, Action.EDIT_MEASURE, by=by, on=on,
        details={"measure": measure.pk, "measure_seq": measure.seq, "changes": changes},
    )  # fmt: skip
    return measure
