"""The actions of 清单化管理: making a list, adding its items (each a case of category
`list_item`) with their measures, progress reports with evidence, 销号 of measures and of
items against evidence and a reviewer's decision, and 问题反弹. Each item action takes
the item's case row lock, checks against the locked row and writes one audit event
(workflow.engine), as every case action does; a measure is changed only under its item's
lock, and the item's rolled-up progress is stored in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction

from audit.record import record_event, today
from cases.actions.common import action_date, lock_and_check, require_text
from cases.models import Assignment, AssignmentKind, AssignmentStatus, Case, Category, Level, Mode
from huiyin.dates import check_date
from huiyin.text import check_text
from lists import progress
from lists.access import may_edit
from lists.models import (
    Direction,
    Item,
    ListKind,
    ListNumber,
    Measure,
    MeasureStatus,
    RectList,
)
from orgs.access import standing_of
from orgs.models import Role, Unit, UnitKind
from workflow.engine import apply_transition, start_case
from workflow.errors import ActionForbidden, CaseError
from workflow.vocabulary import Action, Event, State

if TYPE_CHECKING:
    from huiyin.types import User


def list_subject(rect_list: RectList) -> str:
    """How a list's own events name it in the audit trail."""
    return f"list:{rect_list.pk}"


def check_list_maker(user: User) -> None:
    if not standing_of(user).has(Role.COORDINATOR):
        raise ActionForbidden("只有议提案管理员（办公室）可以建立和导入清单")


def check_list_editor(user: User, rect_list: RectList) -> None:
    """The office, or the list's owner or a delegate, may add items to it."""
    if not may_edit(user, rect_list):
        raise ActionForbidden("只有办公室或清单负责人可以修改此清单")


def _line(value: str | None, label: str, field: str, max_length: int) -> str:
    return check_text(value or "", label=label, field=field, max_length=max_length).strip()


def _next_list_number(year: int) -> int:
    ListNumber.objects.get_or_create(year=year)
    row = ListNumber.objects.select_for_update().get(year=year)
    row.last += 1
    row.save(update_fields=["last"])
    return int(row.last)


@transaction.atomic
def create_list(
    *,
    by: User,
    name: str,
    starts_on: date,
    owner: User | None = None,
    kind: str = ListKind.PROBLEMS,
    origin: str = "",
    reports_to: str = "",
    ends_on: date | None = None,
    description: str = "",
    delegates: list[User] | None = None,
) -> RectList:
    """建立清单: numbered QD2026-01 in the year it starts; the owner reviews its 销号."""
    check_list_maker(by)
    name = _line(name, "清单名称", "name", 200)
    if not name:
        raise CaseError("请填写清单名称", field="name")
    if kind not in ListKind.values:
        raise CaseError(f"类型“{kind}”不在可选范围内", field="kind")
    check_date(starts_on, label="开始日期", field="starts_on")
    if ends_on is not None:
        check_date(ends_on, label="结束日期", field="ends_on")
        if ends_on < starts_on:
            raise CaseError("结束日期不能早于开始日期", field="ends_on")
    for person in (owner or by, *(delegates or [])):
        # The reviewers see every item of the list (cases.permissions.visible_cases).
        if not standing_of(person).sees_all:
            raise CaseError(
                f"清单负责人和销号审核人须为办公室、委领导或查阅人员，{person.get_full_name() or person.get_username()}不是",
                field="delegates" if person != (owner or by) else "owner",
            )
    year = starts_on.year
    rect_list = RectList.objects.create(
        code=f"QD{year}-{_next_list_number(year):02d}",
        year=year,
        name=name,
        kind=kind,
        origin=_line(origin, "来源", "origin", 200),
        reports_to=_line(reports_to, "报告对象", "reports_to", 100),
        starts_on=starts_on,
        ends_on=ends_on,
        description=check_text(description or "", label="说明", field="description"),
        owner=owner or by,
        created_by=by,
    )
    if delegates:
        rect_list.delegates.set(delegates)
    record_event(
        actor=by,
        action=Event.CREATE_LIST,
        on=today(),
        subject=list_subject(rect_list),
        details={
            "list": rect_list.pk,
            "code": rect_list.code,
            "name": name,
            "owner": rect_list.owner.get_username(),
            "delegates": [u.get_username() for u in delegates or []],
        },
    )
    return rect_list


@dataclass
class MeasureIn:
    text: str
    unit: Unit
    deadline: date
    handler: User | None = None
    weight: int = 1


@dataclass
class Indicator:
    name: str = ""
    unit: str = ""
    baseline: Decimal | None = None
    target: Decimal | None = None
    current: Decimal | None = None
    direction: str = Direction.UP


@dataclass
class ItemIn:
    title: str
    lead_unit: Unit
    deadline: date
    description: str = ""
    category: str = ""
    source: str = ""
    leader_name: str = ""
    leader: User | None = None
    co_units: list[Unit] = field(default_factory=list)
    indicator: Indicator = field(default_factory=Indicator)
    measures: list[MeasureIn] = field(default_factory=list)
    linked_case: Case | None = None


def _check_unit(unit: Unit | None, field_name: str, label: str) -> Unit:
    if unit is None:
        raise CaseError(f"请选择{label}", field=field_name)
    if not unit.is_active or unit.kind == UnitKind.EXTERNAL:
        raise CaseError(f"{label}须为委内在用的处室或单位", field=field_name)
    return unit


def _check_measure(m: MeasureIn, starts_on: date, n: int) -> None:
    where = f"measures.{n}"
    m.text = check_text(m.text or "", label="具体举措", field=where).strip()
    if not m.text:
        raise CaseError(f"第{n + 1}条具体举措没有内容", field=where)
    _check_unit(m.unit, where, "具体举措的责任处室")
    check_date(m.deadline, label="具体举措的完成时限", field=where)
    if m.deadline < starts_on:
        raise CaseError("具体举措的完成时限不能早于清单开始日期", field=where)
    if not 1 <= m.weight <= 100:
        raise CaseError("权重须在1到100之间", field=where)


def _check_indicator(ind: Indicator) -> None:
    ind.name = _line(ind.name, "指标", "indicator", 100)
    ind.unit = _line(ind.unit, "计量单位", "indicator_unit", 20)
    if ind.direction not in Direction.values:
        raise CaseError("指标方向只能是越高越好或越低越好", field="direction")
    given = [v for v in (ind.baseline, ind.target, ind.current) if v is not None]
    if given and not ind.name:
        raise CaseError("填写了指标数值，请同时填写指标名称", field="indicator")
    for v in given:
        if abs(v) >= Decimal("1e10"):
            raise CaseError("指标数值过大", field="indicator")


def _live_unit_ids(case: Case) -> set[int]:
    return set(
        Assignment.objects.filter(
            case=case, status__in=(AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED)
        ).values_list("unit_id", flat=True)
    )


def _hold(case: Case, units: list[Unit], on: date, *, lead: Unit | None = None) -> None:
    """Give the item's lead unit and every co-unit or measure owner a live assignment: so
    they see the item (unit scoping, 我的待办) and may act on their measures."""
    held = _live_unit_ids(case)
    if lead is not None and lead.pk not in held:
        Assignment.objects.create(
            case=case, unit=lead, kind=AssignmentKind.LEAD,
            status=AssignmentStatus.ACCEPTED, assigned_on=on, accepted_on=on,
        )  # fmt: skip
        held.add(lead.pk)
    for unit in units:
        if unit.pk not in held:
            Assignment.objects.create(
                case=case, unit=unit, kind=AssignmentKind.CO,
                status=AssignmentStatus.ACCEPTED, assigned_on=on, accepted_on=on,
            )  # fmt: skip
            held.add(unit.pk)


def release(case: Case, item: Item, unit: Unit) -> None:
    """A unit that no longer owns a measure of the item, and is neither its lead unit nor a
    named 协办处室, gives its assignment up: it stops seeing the item."""
    if unit.pk == case.lead_unit_id or item.co_units.filter(pk=unit.pk).exists():
        return
    if Measure.objects.filter(item=item, unit=unit).exists():
        return
    Assignment.objects.filter(
        case=case, unit=unit, status__in=(AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED)
    ).update(status=AssignmentStatus.CANCELLED)


@transaction.atomic
def add_item(rect_list: RectList, spec: ItemIn, *, by: User, on: date | None = None) -> Case:
    """Add an item (a problem or a project) to the list, with its measures: a case of
    category `list_item`, 整改中 from the start, numbered QD2026-01-007."""
    check_list_editor(by, rect_list)
    rect_list = RectList.objects.select_for_update().get(pk=rect_list.pk)
    on = on or today()
    title = _line(spec.title, "事项", "title", 300)
    if not title:
        raise CaseError("请填写事项（问题或项目）", field="title")
    lead = _check_unit(spec.lead_unit, "lead_unit", "牵头处室")
    co_units = [_check_unit(u, "co_units", "协办处室") for u in spec.co_units]
    co_units = [u for i, u in enumerate(co_units) if u != lead and u not in co_units[:i]]
    check_date(spec.deadline, label="完成时限", field="deadline")
    if spec.deadline < rect_list.starts_on:
        raise CaseError("完成时限不能早于清单开始日期", field="deadline")
    for n, m in enumerate(spec.measures):
        _check_measure(m, rect_list.starts_on, n)
    _check_indicator(spec.indicator)
    leader_name = _line(spec.leader_name, "责任领导", "leader_name", 100)
    seq = (rect_list.items.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    received = min(rect_list.starts_on, on)
    leader_in_charge = (
        spec.leader if spec.leader is not None and standing_of(spec.leader).has(Role.LEADER)
        else None
    )  # fmt: skip
    case = Case.objects.create(
        category=Category.LIST_ITEM,
        level=Level.MUNICIPAL,
        year=rect_list.year,
        number=f"{rect_list.code}-{seq:03d}",
        title=title,
        content=check_text(spec.description or "", label="具体问题", field="description"),
        mode=Mode.LEAD,
        state=State.HANDLING,
        received_on=received,
        assigned_on=received,
        last_action_on=received,
        deadline=spec.deadline,
        lead_unit=lead,
        leader_in_charge=leader_in_charge,
    )
    ind = spec.indicator
    item = Item.objects.create(
        case=case,
        rect_list=rect_list,
        seq=seq,
        category=_line(spec.category, "类别", "category", 100),
        source=check_text(spec.source or "", label="问题来源", field="source"),
        leader_name=leader_name,
        leader=spec.leader,
        indicator=ind.name,
        indicator_unit=ind.unit,
        baseline=ind.baseline,
        target=ind.target,
        current=ind.current,
        direction=ind.direction,
        linked_case=spec.linked_case,
    )
    Measure.objects.bulk_create(
        [
            Measure(
                item=item,
                seq=n,
                text=m.text,
                unit=m.unit,
                handler=m.handler,
                deadline=m.deadline,
                weight=m.weight,
            )  # fmt: skip
            for n, m in enumerate(spec.measures, start=1)
        ]
    )
    item.co_units.set(co_units)
    _hold(case, [*co_units, *(m.unit for m in spec.measures)], received, lead=lead)
    details: dict[str, Any] = {
        "list": rect_list.pk,
        "number": case.number,
        "title": title,
        "lead_unit": lead.code,
        "co_units": [u.code for u in co_units],
        "deadline": spec.deadline.isoformat(),
        "measures": len(spec.measures),
    }
    if spec.linked_case is not None:
        details["linked_case"] = spec.linked_case.pk
    start_case(case, by=by, on=received, details=details)
    return case


# --- actions on an item (lists/spec.py) ---------------------------------------------


def _item(case: Case) -> Item:
    return Item.objects.select_related("rect_list").get(pk=case.pk)


def _measure(item: Item, measure_id: int | None) -> Measure:
    found = Measure.objects.filter(item=item, pk=measure_id).first() if measure_id else None
    if found is None:
        raise CaseError("此事项没有这条具体举措", field="measure")
    return found


def _shown(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Unit):
        return value.code
    if hasattr(value, "get_username"):
        return value.get_username()
    return value


@transaction.atomic
def request_strike_off(case: Case, *, by: User, note: str = "", on: date | None = None) -> Case:
    """事项申请销号 (the lead unit): every measure struck off; an item without measures
    needs its own evidence."""
    lock_and_check(by, case, Action.REQUEST_STRIKE_OFF)
    on = action_date(case, on)
    item = _item(case)
    open_measures = item.measures.exclude(status=MeasureStatus.STRUCK_OFF).count()
    if open_measures:
        raise CaseError(f"还有{open_measures}条具体举措未销号，不能申请事项销号")
    if not item.measures.exists() and not item.evidence.exists():
        raise CaseError("请先上传此事项的佐证材料，再申请销号")
    note = require_text(
        check_text(note or "", label="整改完成情况", field="note"), "note", "整改完成情况"
    )
    Item.objects.filter(pk=item.pk).update(completed_on=on, progress=100)
    apply_transition(
        case, Action.REQUEST_STRIKE_OFF, by=by, on=on, to=State.REVIEWING,
        changes={"replied_on": on}, details={"note": note},
    )  # fmt: skip
    return case


def _requested_by(case: Case) -> int | None:
    """Who asked for the item's 销号 last (its request_strike_off event)."""
    from audit.models import AuditEvent

    return (
        AuditEvent.objects.filter(case_id=case.pk, action=Action.REQUEST_STRIKE_OFF)
        .order_by("-id")
        .values_list("actor_id", flat=True)
        .first()
    )


@transaction.atomic
def strike_off(
    case: Case, *, by: User, approved: bool, comment: str = "", on: date | None = None
) -> Case:
    """事项销号审核 (the list's owner or a delegate): 已销号, or back to 整改中 with the
    reason."""
    lock_and_check(by, case, Action.STRIKE_OFF)
    on = action_date(case, on)
    item = _item(case)
    comment = check_text(comment or "", label="审核意见", field="comment").strip()
    if approved:
        if not item.measures.exists() and not item.evidence.exists():
            raise CaseError("此事项没有佐证材料，不能销号")
        if _requested_by(case) == by.pk:
            raise ActionForbidden("申请销号的人不能审核自己的申请，请由清单的其他负责人审核")
        Item.objects.filter(pk=item.pk).update(struck_off_on=on)
        apply_transition(
            case, Action.STRIKE_OFF, by=by, on=on, to=State.CLOSED,
            details={"approved": True, "comment": comment},
        )  # fmt: skip
        return case
    if not comment:
        raise CaseError("不同意销号时请写明理由", field="comment")
    Item.objects.filter(pk=item.pk).update(completed_on=None)
    if not progress.refresh(item, measured_only=True):
        # No measures: back to the percent last reported for it (as a refused measure).
        Item.objects.filter(pk=item.pk).update(progress=progress.last_reported(item))
    apply_transition(
        case, Action.STRIKE_OFF, by=by, on=on, to=State.HANDLING,
        changes={"replied_on": None}, details={"approved": False, "comment": comment},
    )  # fmt: skip
    return case


@transaction.atomic
def reopen(
    case: Case, *, by: User, reason: str, deadline: date | None = None, on: date | None = None
) -> Case:
    """问题反弹: a struck-off item back to 整改中, with the reason and maybe a new deadline;
    its measures stay struck off (add a measure, or reopen one, for the new work)."""
    lock_and_check(by, case, Action.REOPEN)
    on = action_date(case, on)
    reason = require_text(check_text(reason or "", label="理由", field="reason"), "reason", "理由")
    if deadline is not None:
        check_date(deadline, label="新的完成时限", field="deadline")
        if deadline < on:
            raise CaseError("新的完成时限不能早于今天", field="deadline")
    item = _item(case)
    Item.objects.filter(pk=item.pk).update(struck_off_on=None, completed_on=None)
    changes: dict[str, Any] = {"replied_on": None}
    if deadline is not None:
        changes["deadline"] = deadline
    apply_transition(
        case, Action.REOPEN, by=by, on=on, to=State.HANDLING, changes=changes,
        details={"reason": reason, **({"deadline": deadline.isoformat()} if deadline else {})},
    )  # fmt: skip
    return case


@transaction.atomic
def edit_item(
    case: Case,
    *,
    by: User,
    title: str = "",
    description: str = "",
    category: str = "",
    leader_name: str = "",
    deadline: date | None = None,
    on: date | None = None,
) -> Case:
    """修改事项 (the office or the reviewer): only the fields given; old and new recorded."""
    lock_and_check(by, case, Action.EDIT)
    on = action_date(case, on)
    item = _item(case)
    changes: dict[str, list[Any]] = {}
    case_fields: dict[str, Any] = {}
    if title and title.strip() != case.title:
        case_fields["title"] = _line(title, "事项", "title", 300)
    if description and description != case.content:
        case_fields["content"] = check_text(description, label="具体问题", field="content")
    if leader_name and leader_name.strip() != item.leader_name:
        changes["leader_name"] = [item.leader_name, leader_name.strip()]
        item.leader_name = _line(leader_name, "责任领导", "leader_name", 100)
    if deadline is not None and deadline != case.deadline:
        check_date(deadline, label="完成时限", field="deadline")
        if deadline < item.rect_list.starts_on:
            raise CaseError("完成时限不能早于清单开始日期", field="deadline")
        case_fields["deadline"] = deadline
    for name, new in case_fields.items():
        changes[name] = [_shown(getattr(case, name)), _shown(new)]
    if category and category.strip() != item.category:
        changes["category"] = [item.category, category.strip()]
        item.category = _line(category, "类别", "item_category", 100)
    if not changes:
        raise CaseError("没有修改任何内容")
    item.save(update_fields=["category", "leader_name"])
    apply_transition(
        case, Action.EDIT, by=by, on=on, changes=case_fields, details={"changes": changes}
    )
    return case


@transaction.atomic
def add_to_list(
    case: Case,
    *,
    by: User,
    rect_list: RectList,
    deadline: date,
    lead_unit: Unit | None = None,
    on: date | None = None,
) -> Case:
    """列入整改清单: another case (a 不满意 proposal, an opinion pattern, a 督办件) gets an
    item in a list, linked both ways; the item's lead unit is the case's unless named."""
    lock_and_check(by, case, Action.ADD_TO_LIST)
    on = action_date(case, on)
    check_list_editor(by, rect_list)
    if Item.objects.filter(linked_case=case, rect_list=rect_list).exists():
        raise CaseError("本件已列入此清单", field="rect_list")
    lead = lead_unit or case.lead_unit
    item = add_item(
        rect_list,
        ItemIn(
            title=case.title, lead_unit=_check_unit(lead, "owner_unit", "牵头处室"),
            deadline=deadline, description=case.content, source=f"{case.number} {case.title}",
            linked_case=case,
        ),
        by=by, on=on,
    )  # fmt: skip
    apply_transition(
        case, Action.ADD_TO_LIST, by=by, on=on,
        details={"list": rect_list.pk, "item": item.pk, "item_number": item.number},
    )  # fmt: skip
    return item
