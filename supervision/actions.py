"""The actions of 督查督办 (supervision): registering (from an instruction, or 列入督办 of
another case), 交办 with a deadline by colour and milestones, progress reports, the
completion report and its check, the leader's quality rating (销号), suspending and
resuming. Each takes the case's row lock, checks against the locked row and writes one
audit event (workflow.engine), as every case action does.

签收 and the extension are the shared ones (cases.actions.accept_case, request_extension,
decide_extension)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction

from audit.record import today
from cases.actions.common import action_date, lock_and_check, require_text
from cases.actions.validation import check_co_units, check_lead_unit
from cases.models import Assignment, AssignmentKind, Case, Category, Level, Mode
from huiyin.dates import check_date
from huiyin.text import check_text
from orgs.access import standing_of
from orgs.models import Role, Unit
from supervision import rules
from supervision.light import timing_of, workdays_between
from supervision.models import (
    ItemNumber,
    Milestone,
    NoticeNumber,
    ProgressReport,
    Quality,
    Source,
    Supervision,
    Urgency,
)
from workflow.engine import apply_transition, start_case
from workflow.errors import ActionForbidden, CaseError
from workflow.vocabulary import Action, State

if TYPE_CHECKING:
    from huiyin.types import User

RUNNING = (State.REGISTERED, State.ASSIGNED, State.HANDLING)


def check_registrar(user: User) -> None:
    if not standing_of(user).has(Role.COORDINATOR):
        raise ActionForbidden("只有议提案管理员（督查室）可以登记督办事项")


def _choice(value: str, allowed: Any, field: str, label: str) -> str:
    if value not in allowed:
        raise CaseError(f"{label}“{value}”不在可选范围内", field=field)
    return value


def _next(model: Any, year: int, n: int = 1) -> int:
    model.objects.get_or_create(year=year)
    row = model.objects.select_for_update().get(year=year)
    first = row.last + 1
    row.last += n
    row.save(update_fields=["last"])
    return int(first)


@transaction.atomic
def register_supervision(
    *,
    by: User,
    source: str,
    urgency: str,
    title: str,
    received_on: date,
    content: str = "",
    document_number: str = "",
    document_date: date | None = None,
    issuer: str = "",
    instruction: str = "",
    linked_case: Case | None = None,
) -> Case:
    """登记 a supervision item (督办件); numbered DB2026-0001 in its year."""
    check_registrar(by)
    source = _choice(source, Source.values, "source", "来源")
    urgency = _choice(urgency, Urgency.values, "urgency", "紧急程度")
    title = check_text(title or "", label="标题", field="title", max_length=300).strip()
    if not title:
        raise CaseError("请填写标题", field="title")
    check_date(received_on, label="收到日期", field="received_on")
    if received_on > today():
        raise CaseError("收到日期不能晚于今天", field="received_on")
    year = received_on.year
    case = Case.objects.create(
        category=Category.SUPERVISION,
        level=Level.MUNICIPAL,
        issuer=(issuer or "").strip(),
        year=year,
        number=f"DB{year}-{_next(ItemNumber, year):04d}",
        title=title,
        content=content or "",
        mode=Mode.LEAD,
        state=State.REGISTERED,
        received_on=received_on,
        last_action_on=received_on,
        is_key=urgency == Urgency.RED,
    )
    Supervision.objects.create(
        case=case,
        source=source,
        urgency=urgency,
        document_number=(document_number or "").strip(),
        document_date=document_date,
        instruction=instruction or "",
        linked_case=linked_case,
    )
    details: dict[str, Any] = {"number": case.number, "title": title, "urgency": urgency}
    if linked_case is not None:
        details["linked_case"] = linked_case.pk
    start_case(case, by=by, on=received_on, details=details)
    return case


@transaction.atomic
def assign(
    case: Case,
    *,
    by: User,
    lead_unit: Unit | None,
    co_units: list[Unit] | None = None,
    assigned_on: date | None = None,
    leader_in_charge: User | None = None,
    deadline: date | None = None,
    milestones: list[tuple[str, date]] | None = None,
    on: date | None = None,
) -> Case:
    """交办: to a lead unit (and co-units), with a deadline — the one stated, else by the
    urgency's colour — and the milestones; the 督办单 takes the year's next number."""
    lock_and_check(by, case, Action.ASSIGN)
    on = action_date(case, assigned_on or on)
    lead_unit = check_lead_unit(lead_unit)
    co_units = check_co_units(lead_unit, co_units or [])
    if leader_in_charge is not None and not standing_of(leader_in_charge).has(Role.LEADER):
        raise CaseError("分管领导须为委领导", field="leader_in_charge")
    item = Supervision.objects.select_for_update().get(pk=case.pk)
    if deadline is not None:
        if deadline <= on:
            raise CaseError("办理期限须晚于交办日期", field="deadline")
        due, how, provisional = deadline, {"explicit": deadline.isoformat()}, False
    else:
        computed = rules.due_by_colour(item.urgency, on)
        due, provisional = computed.date, computed.provisional
        how = {"rule": rules.rule(item.urgency), "from": on.isoformat()}
    for _title, day in milestones or []:
        if not on < day <= due:
            raise CaseError("阶段性目标的时限须在交办日期之后、办理期限之前", field="milestones")
    Assignment.objects.create(case=case, unit=lead_unit, kind=AssignmentKind.LEAD, assigned_on=on)
    for unit in co_units:
        Assignment.objects.create(
            case=case, unit=unit, kind=AssignmentKind.CO, assigned_on=on, deadline=due
        )
    Milestone.objects.bulk_create(
        [Milestone(case=case, title=title.strip(), due=day) for title, day in milestones or []]
    )
    item.notice_number = item.notice_number or _next(NoticeNumber, on.year)
    item.save(update_fields=["notice_number"])
    apply_transition(
        case,
        Action.ASSIGN,
        by=by,
        on=on,
        to=State.ASSIGNED,
        changes={
            "lead_unit": lead_unit,
            "assigned_on": on,
            "deadline": due,
            "deadline_provisional": provisional,
            "deadline_rule": how,
            "explicit_deadline": deadline,
            "leader_in_charge": leader_in_charge or case.leader_in_charge,
        },
        details={
            "lead_unit": lead_unit.code,
            "co_units": [u.code for u in co_units],
            "deadline": due.isoformat(),
            "notice_number": item.notice_number,
            "milestones": len(milestones or []),
        },
    )
    return case


@transaction.atomic
def report_progress(
    case: Case,
    *,
    by: User,
    text: str,
    percent: int | None = None,
    milestone: int | None = None,
    on: date | None = None,
) -> ProgressReport:
    """进展反馈: dated text, with the percent done or a milestone reached."""
    lock_and_check(by, case, Action.REPORT_PROGRESS)
    text = require_text(text, "text", "进展情况")
    on = action_date(case, on)
    reached = None
    if milestone is not None:
        reached = Milestone.objects.filter(case=case, pk=milestone).first()
        if reached is None:
            raise CaseError("没有这个阶段性目标", field="milestone")
        if reached.reached_on is None:
            reached.reached_on = on
            reached.save(update_fields=["reached_on"])
    if percent is not None:
        if not 0 <= percent <= 100:
            raise CaseError("完成进度应在0到100之间", field="percent")
        Supervision.objects.filter(pk=case.pk).update(progress_percent=percent)
    report = ProgressReport.objects.create(
        case=case, on=on, text=text, percent=percent, milestone=reached, by=by
    )
    apply_transition(
        case,
        Action.REPORT_PROGRESS,
        by=by,
        on=on,
        details={"percent": percent, "milestone": reached.title if reached else None},
    )
    return report


@transaction.atomic
def submit_completion(
    case: Case, *, by: User, report: str, partial: bool = False, on: date | None = None
) -> Case:
    """办结报告 (or a 阶段性办结): to the office to check."""
    lock_and_check(by, case, Action.SUBMIT_COMPLETION)
    report = require_text(report, "report", "办结报告")
    on = action_date(case, on)
    Supervision.objects.filter(pk=case.pk).update(
        completion_report=report, completed_on=on, partial=bool(partial)
    )
    apply_transition(
        case,
        Action.SUBMIT_COMPLETION,
        by=by,
        on=on,
        to=State.REVIEWING,
        changes={"replied_on": on},
        details={"partial": bool(partial)},
    )
    return case


@transaction.atomic
def check_completion(
    case: Case, *, by: User, approved: bool, comment: str = "", on: date | None = None
) -> Case:
    """核查: the office confirms the completion report (its timing is computed from the
    dates) or sends it back to the unit with its reason."""
    lock_and_check(by, case, Action.CHECK_COMPLETION)
    on = action_date(case, on)
    comment = (comment or "").strip()
    item = Supervision.objects.get(pk=case.pk)
    if not approved:
        if not comment:
            raise CaseError("退回时请写明理由", field="comment")
        Supervision.objects.filter(pk=case.pk).update(completed_on=None, partial=False)
        apply_transition(
            case,
            Action.CHECK_COMPLETION,
            by=by,
            on=on,
            to=State.HANDLING,
            changes={"replied_on": None},
            details={"approved": False, "comment": comment},
        )
        return case
    assert item.completed_on is not None
    timing = timing_of(item.completed_on, case.deadline, partial=item.partial)
    Supervision.objects.filter(pk=case.pk).update(timing=timing, checked_on=on)
    apply_transition(
        case,
        Action.CHECK_COMPLETION,
        by=by,
        on=on,
        to=State.PARTIAL if item.partial else State.REPLIED,
        details={"approved": True, "timing": timing, "comment": comment},
    )
    return case


@transaction.atomic
def rate(case: Case, *, by: User, quality: str, comment: str = "", on: date | None = None) -> Case:
    """质量评价 by the leader in charge (or, with none named, any leader); then 销号."""
    lock_and_check(by, case, Action.RATE)
    quality = _choice(quality, Quality.values, "quality", "办理质量")
    if case.leader_in_charge_id is not None and case.leader_in_charge_id != by.pk:
        raise ActionForbidden("由分管领导评价办理质量", field="quality")
    on = action_date(case, on)
    Supervision.objects.filter(pk=case.pk).update(
        quality=quality, quality_comment=(comment or "").strip(), rated_on=on, rated_by=by
    )
    apply_transition(
        case,
        Action.RATE,
        by=by,
        on=on,
        to=State.CLOSED,
        changes={"feedback_result": quality},
        details={"quality": quality},
    )
    return case


@transaction.atomic
def suspend(case: Case, *, by: User, reason: str, on: date | None = None) -> Case:
    """中止: the clock stops (resumed, the deadline moves by the working days it stood)."""
    lock_and_check(by, case, Action.SUSPEND)
    reason = require_text(reason, "reason", "中止理由")
    on = action_date(case, on)
    Supervision.objects.filter(pk=case.pk).update(suspended_on=on)
    apply_transition(
        case,
        Action.SUSPEND,
        by=by,
        on=on,
        to=State.SUSPENDED,
        details={"reason": reason, "from_state": case.state},
    )
    return case


@transaction.atomic
def resume(case: Case, *, by: User, on: date | None = None) -> Case:
    lock_and_check(by, case, Action.RESUME)
    on = action_date(case, on)
    item = Supervision.objects.get(pk=case.pk)
    changes: dict[str, Any] = {}
    stood = workdays_between(item.suspended_on, on) if item.suspended_on else 0
    if case.deadline is not None and stood > 0:
        from workdays.calendar import workdays_after

        changes["deadline"] = workdays_after(case.deadline, stood).date
    Supervision.objects.filter(pk=case.pk).update(suspended_on=None)
    to = State.HANDLING if case.lead_unit_id else State.REGISTERED
    apply_transition(
        case,
        Action.RESUME,
        by=by,
        on=on,
        to=to,
        changes=changes,
        details={"stood_workdays": stood, "deadline": str(changes.get("deadline", ""))},
    )
    return case


@transaction.atomic
def supervise(
    case: Case, *, by: User, urgency: str, source: str = "", instruction: str = "",
    on: date | None = None,
) -> Case:  # fmt: skip
    """列入督办: a 议提案 or a public opinion gets a linked supervision item (registered,
    for the office to 交办); both pages show the link."""
    lock_and_check(by, case, Action.SUPERVISE)
    on = action_date(case, on)
    if Supervision.objects.filter(linked_case=case).exclude(case__state=State.CLOSED).exists():
        raise CaseError("本件已列入督办")
    item = register_supervision(
        by=by,
        source=source or Source.SUPERIOR_INSTRUCTION,
        urgency=urgency,
        title=f"督办：{case.title}"[:300],
        received_on=on,
        content=case.content,
        instruction=instruction,
        linked_case=case,
    )
    apply_transition(
        case,
        Action.SUPERVISE,
        by=by,
        on=on,
        details={"supervision": item.pk, "supervision_number": item.number, "urgency": urgency},
    )
    return item
