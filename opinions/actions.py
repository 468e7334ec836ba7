"""The actions of 群众意见建议 (public_opinion): registering from every channel, 签批转办,
退单, 答复, 回访, 并件. Each takes the case's row lock, checks against the locked row, and
writes one audit event (workflow.engine), as every case action does; the web, the API,
the public page and the importer call these, so a rule lives here only.

签收 is the shared `cases.actions.accept_case`.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from audit.record import today
from cases.actions.common import action_date, live_assignments, lock_and_check, require_text
from cases.actions.validation import check_co_units, check_lead_unit
from cases.models import (
    Assignment,
    AssignmentKind,
    AssignmentStatus,
    Case,
    Category,
    ExtensionRequest,
    Feedback,
    FeedbackRating,
    Level,
    Mode,
)
from huiyin.dates import check_date
from huiyin.formats import cn_date
from huiyin.text import check_text
from opinions import rules
from opinions.areas import AREA_CODES, suggest_area
from opinions.models import Campaign, Channel, Opinion, OpinionNumber, Result
from opinions.privacy import without_phones
from orgs.access import standing_of
from orgs.models import Role, Unit
from workdays.calendar import workdays_after
from workflow.engine import apply_transition, lock_case, start_case
from workflow.errors import ActionForbidden, CaseError
from workflow.vocabulary import Action, State

if TYPE_CHECKING:
    from huiyin.types import User

TITLE_LENGTH = 30
CONTENT_MAX = 2000  # what a person writes; a staff entry of a long letter may be longer
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 10
OPEN_STATES = (State.REGISTERED, State.ASSIGNED, State.HANDLING, State.REPLIED)
MERGEABLE = (State.REGISTERED, State.ASSIGNED, State.HANDLING)


def may_register(user: User) -> bool:
    """Staff entry (quick entry, the API, an import): the coordinator (办公室)."""
    return standing_of(user).has(Role.COORDINATOR)


def check_registrar(user: User) -> None:
    if not may_register(user):
        raise ActionForbidden("只有议提案管理员可以登记群众意见")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def next_numbers(year: int, n: int = 1) -> list[str]:
    """`n` numbers of the year (YJ2026-000123), under the year's row lock."""
    OpinionNumber.objects.get_or_create(year=year)
    row = OpinionNumber.objects.select_for_update().get(year=year)
    first = row.last + 1
    row.last += n
    row.save(update_fields=["last"])
    return [f"YJ{year}-{k:06d}" for k in range(first, first + n)]


def title_from(content: str) -> str:
    """The text's first words, any phone number in them masked: a title goes to lists,
    reminder mails and exports, which anyone with the case in scope reads."""
    line = without_phones(" ".join(content.split()))
    return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1] + "…"


def _choice(value: str, allowed: Any, field: str, label: str) -> str:
    if value not in allowed:
        raise CaseError(f"{label}“{value}”不在可选范围内", field=field)
    return value


def opinion_of(case: Case) -> Opinion:
    if case.category != Category.PUBLIC_OPINION:
        raise CaseError("此办件不是群众意见建议")
    return Opinion.objects.get(pk=case.pk)


def _received(received_at: datetime | None, received_on: date | None) -> tuple[datetime, date]:
    """When it came in: a time and its date in the commission's zone, within the dates'
    window, not in the future, the two agreeing when both are given."""
    now = timezone.localtime()
    if received_at is not None:
        try:
            if timezone.is_naive(received_at):
                received_at = timezone.make_aware(received_at)
            received_at = timezone.localtime(received_at)
        except (OverflowError, ValueError):
            raise CaseError("收到时间超出可登记的范围", field="received_at") from None
        check_date(received_at.date(), label="收到时间", field="received_at")
        if received_at > now:
            raise CaseError("收到时间不能晚于现在", field="received_at")
        if received_on is not None and received_on != received_at.date():
            raise CaseError("收到时间与收到日期不是同一天", field="received_at")
    on = received_on or (received_at.date() if received_at else now.date())
    check_date(on, label="收到日期", field="received_on")
    if on > now.date():
        raise CaseError("收到日期不能晚于今天", field="received_on")
    if received_at is None:
        received_at = (
            now if on == now.date() else timezone.make_aware(datetime.combine(on, time(9)))
        )
    return received_at, on


@transaction.atomic
def register_opinion(
    *,
    by: User | None,
    channel: str,
    content: str,
    title: str = "",
    received_at: datetime | None = None,
    received_on: date | None = None,
    requester: str = "",
    phone: str = "",
    email: str = "",
    campaign: Campaign | None = None,
    area: str = "",
    client_address: str | None = None,
) -> Case:
    """登记: from the public page (`by` None, channel web) or by staff from any channel.
    The answer is due 5 working days after receipt; forwarding is due the same working day."""
    if by is not None:
        check_registrar(by)
    channel = _choice(channel, Channel.values, "channel", "渠道")
    content = check_text(
        content or "", label="意见内容", field="content", multiline=True, max_length=20_000
    ).strip()
    if not content:
        raise CaseError("请填写意见内容", field="content")
    requester = check_text(
        requester or "", label="反映人", field="requester", max_length=50
    ).strip()
    phone = check_text(phone or "", label="联系电话", field="phone", max_length=20).strip()
    email = check_text(email or "", label="电子邮箱", field="email", max_length=100).strip()
    title = check_text(
        title or "", label="标题", field="title", max_length=300
    ).strip() or title_from(content)
    if area:
        area = _choice(area, AREA_CODES, "area", "领域")
    received_at, on = _received(received_at, received_on)
    due = rules.due("answer", on)
    case = Case.objects.create(
        category=Category.PUBLIC_OPINION,
        level=Level.MUNICIPAL,
        year=on.year,
        number=next_numbers(on.year)[0],
        title=title,
        content=content,
        mode=Mode.LEAD,
        state=State.REGISTERED,
        received_on=on,
        deadline=due.date,
        deadline_provisional=due.provisional,
        deadline_rule={"rule": rules.rule("answer"), "from": on.isoformat()},
        last_action_on=on,
    )
    opinion = Opinion.objects.create(
        case=case,
        channel=channel,
        received_at=received_at,
        requester=requester,
        phone=phone,
        email=email,
        campaign=campaign,
        suggested_area=suggest_area(f"{title}\n{content}"),
        area=area,
        area_confirmed_by=by if area else None,
        forward_target=rules.forward_target(on),
        code=new_code(),
        client_address=client_address or None,
    )
    start_case(
        case,
        by=by,  # type: ignore[arg-type]  # None: the person, through the public page
        on=on,
        # Not the tracking code: the 办理轨迹 is read by units that are rated.
        details={"number": case.number, "title": case.title, "channel": channel},
    )
    case.opinion = opinion
    return case


@transaction.atomic
def forward(
    case: Case,
    *,
    by: User,
    lead_unit: Unit | None,
    co_units: list[Unit] | None = None,
    on: date | None = None,
) -> Case:
    """签批转办: to a lead unit (and co-units). The deadline stays, counted from receipt."""
    lock_and_check(by, case, Action.FORWARD)
    on = action_date(case, on)
    lead_unit = check_lead_unit(lead_unit)
    co_units = check_co_units(lead_unit, co_units or [])
    opinion = Opinion.objects.select_for_update().get(pk=case.pk)
    Assignment.objects.create(case=case, unit=lead_unit, kind=AssignmentKind.LEAD, assigned_on=on)
    for unit in co_units:
        Assignment.objects.create(
            case=case, unit=unit, kind=AssignmentKind.CO, assigned_on=on, deadline=case.deadline
        )
    late = on > opinion.forward_target
    if opinion.forwarded_on is None:  # 转办及时率 counts the first forwarding
        opinion.forwarded_on = on
        opinion.save(update_fields=["forwarded_on"])
    apply_transition(
        case,
        Action.FORWARD,
        by=by,
        on=on,
        to=State.ASSIGNED,
        changes={"lead_unit": lead_unit, "assigned_on": on},
        details={
            "lead_unit": lead_unit.code,
            "co_units": [u.code for u in co_units],
            "forward_target": opinion.forward_target.isoformat(),
            "late": late,
        },
    )
    return case


def return_window_end(case: Case) -> date | None:
    if case.assigned_on is None:
        return None
    return rules.due("return_window", case.assigned_on).date


@transaction.atomic
def return_opinion(case: Case, *, by: User, reason: str, on: date | None = None) -> Case:
    """退单: the lead unit sends a wrongly routed opinion back within 2 working days of
    forwarding, with a reason; the coordinator decides (forwards it again)."""
    lock_and_check(by, case, Action.RETURN)
    reason = require_text(reason, "reason", "退单理由")
    on = action_date(case, on)
    end = return_window_end(case)
    if end is not None and on > end:
        raise CaseError(
            f"退单须在转办后{rules.rule('return_window').split(':')[1]}个工作日内（{cn_date(end)}前）提出"
        )
    units = []
    for a in live_assignments(case):
        if a.kind == AssignmentKind.LEAD:
            a.status, a.returned_on, a.return_reason = AssignmentStatus.RETURNED, on, reason
        else:
            a.status = AssignmentStatus.CANCELLED
        a.save(update_fields=["status", "returned_on", "return_reason"])
        units.append(a.unit.code)
    _void_pending_extension(case, on, "已退单")
    apply_transition(
        case,
        Action.RETURN,
        by=by,
        on=on,
        to=State.REGISTERED,
        changes={"lead_unit": None, "assigned_on": None},
        details={"reason": reason, "units": units},
    )
    return case


def can_extend(case: Case) -> bool:
    """Once for the unit holding it now: a request that lapsed unanswered (decided by no
    one: the opinion was answered, sent back or merged first) does not count, nor one
    made to an earlier unit before a 退单."""
    requests = case.extension_requests.exclude(approved=False, decided_by__isnull=True)
    if case.assigned_on is not None:
        requests = requests.filter(requested_on__gte=case.assigned_on)
    return not requests.exists()


def _void_pending_extension(case: Case, on: date, why: str) -> None:
    """A request still waiting when the opinion is answered, sent back or merged lapses:
    approved later it would move a deadline that no longer applies."""
    case.extension_requests.filter(approved__isnull=True).update(
        approved=False, comment=f"{why}，申请自动失效", decided_on=on
    )


@transaction.atomic
def request_extension(
    case: Case, *, by: User, days: int, reason: str, on: date | None = None
) -> ExtensionRequest:
    """申请延期: once per opinion, at most 10 working days beyond the deadline."""
    lock_and_check(by, case, Action.REQUEST_EXTENSION)
    reason = require_text(reason, "reason", "延期理由")
    on = action_date(case, on)
    limit = rules.extension_limit()
    if not 1 <= int(days) <= limit:
        raise CaseError(f"延期不能超过{limit}个工作日", field="days")
    if not can_extend(case):
        raise CaseError("每件群众意见只能申请延期一次", field="days")
    assert case.deadline is not None
    until = workdays_after(case.deadline, int(days)).date
    request = ExtensionRequest.objects.create(
        case=case, until=until, reason=reason, requested_on=on, requested_by=by
    )
    apply_transition(
        case,
        Action.REQUEST_EXTENSION,
        by=by,
        on=on,
        details={"until": until.isoformat(), "days": int(days), "reason": reason},
    )
    return request


@transaction.atomic
def decide_extension(
    case: Case, *, by: User, approved: bool, comment: str = "", on: date | None = None
) -> Case:
    lock_and_check(by, case, Action.DECIDE_EXTENSION)
    on = action_date(case, on)
    request = case.extension_requests.filter(approved__isnull=True).first()
    if request is None:
        raise CaseError("没有待审批的延期申请")
    comment = (comment or "").strip()
    if not approved and not comment:
        raise CaseError("不同意延期时请填写意见", field="comment")
    request.approved, request.comment, request.decided_on, request.decided_by = (
        approved,
        comment,
        on,
        by,
    )
    request.save(update_fields=["approved", "comment", "decided_on", "decided_by"])
    changes: dict[str, Any] = {}
    if approved and case.deadline is not None and request.until > case.deadline:
        changes = {"deadline": request.until, "deadline_provisional": False}
    apply_transition(
        case,
        Action.DECIDE_EXTENSION,
        by=by,
        on=on,
        changes=changes,
        details={"approved": approved, "until": request.until.isoformat(), "comment": comment},
    )
    return case


@transaction.atomic
def answer(
    case: Case,
    *,
    by: User,
    text: str,
    result: str,
    fix: str = "",
    fix_due: date | None = None,
    on: date | None = None,
) -> Case:
    """答复: the unit's answer with its class; a "needs time" answer names the measure and
    when it will be done, and stays tracked until then."""
    lock_and_check(by, case, Action.ANSWER)
    text = require_text(text, "text", "答复内容")
    result = _choice(result, Result.values, "result", "办理结果")
    on = action_date(case, on)
    fix = (fix or "").strip()
    if result == Result.NEEDS_TIME:
        if not fix:
            raise CaseError("“需要时间解决”的请写明解决措施", field="fix")
        if fix_due is None:
            raise CaseError("“需要时间解决”的请填写计划完成日期", field="fix_due")
        if fix_due < on:
            raise CaseError("计划完成日期不能早于答复日期", field="fix_due")
    else:
        fix_due = None
    Opinion.objects.filter(pk=case.pk).update(
        answer=text, result=result, fix=fix, fix_due=fix_due, fix_done_on=None, answered_on=on
    )
    _void_pending_extension(case, on, "已答复")
    apply_transition(
        case,
        Action.ANSWER,
        by=by,
        on=on,
        to=State.REPLIED,
        changes={"replied_on": on, "reply_class": ""},
        details={
            # Not "result": the timeline reads that key as a rating.
            "outcome": result,
            "fix_due": fix_due.isoformat() if fix_due else None,
            "late": case.deadline is not None and on > case.deadline,
        },
    )
    return case


def _rate(case: Case, *, by: User | None, rating: str, comment: str, on: date) -> Case:
    """The rating, by the coordinator's callback or by the person's own link: 满意/基本满意
    close the opinion; 不满意 sends it back to the unit, due 5 working days later."""
    _choice(rating, FeedbackRating.values, "rating", "评价")
    Feedback.objects.create(
        case=case, round=case.round, result=rating, comment=comment, on=on, recorded_by=by
    )
    details = {"reached": True, "rating": rating, "round": case.round, "by_requester": by is None}
    if rating == FeedbackRating.UNSATISFIED:
        due = rules.due("rehandle", on)
        details["deadline"] = due.date.isoformat()
        apply_transition(
            case,
            Action.CALLBACK,
            by=by,  # type: ignore[arg-type]  # None: the person through the link
            on=on,
            to=State.HANDLING,
            changes={
                "round": case.round + 1,
                "feedback_result": rating,
                "replied_on": None,
                "deadline": due.date,
                "deadline_provisional": due.provisional,
                "deadline_rule": {"rule": rules.rule("rehandle"), "from": on.isoformat()},
            },
            details=details,
        )
    else:
        apply_transition(
            case,
            Action.CALLBACK,
            by=by,  # type: ignore[arg-type]
            on=on,
            to=State.CLOSED,
            changes={"feedback_result": rating},
            details=details,
        )
    return case


@transaction.atomic
def callback(
    case: Case,
    *,
    by: User,
    reached: bool,
    rating: str | None = None,
    comment: str = "",
    on: date | None = None,
) -> Case:
    """回访: the coordinator calls the person back after the answer."""
    lock_and_check(by, case, Action.CALLBACK)
    on = action_date(case, on)
    comment = (comment or "").strip()
    if not reached:
        if rating:
            raise CaseError("未联系上时不能登记评价", field="rating")
        apply_transition(
            case, Action.CALLBACK, by=by, on=on, details={"reached": False, "comment": comment}
        )
        return case
    if not rating:
        raise CaseError("联系上时请登记评价", field="rating")
    return _rate(case, by=by, rating=rating, comment=comment, on=on)


@transaction.atomic
def rate_by_requester(case: Case, *, rating: str, comment: str = "") -> Case:
    """The person's own rating through the private link: as a callback that reached them."""
    lock_case(case)
    if case.state != State.REPLIED:
        raise CaseError("此意见当前不能评价")
    comment = check_text(
        comment or "", label="意见", field="comment", multiline=True, max_length=CONTENT_MAX
    ).strip()
    return _rate(
        case, by=None, rating=rating, comment=comment, on=max(today(), case.last_action_on)
    )


@transaction.atomic
def close(case: Case, *, by: User, on: date | None = None) -> Case:
    """办结 after the answer without a rating (the person could not be reached)."""
    lock_and_check(by, case, Action.CLOSE)
    on = action_date(case, on)
    apply_transition(case, Action.CLOSE, by=by, on=on, to=State.CLOSED)
    return case


@transaction.atomic
def merge(case: Case, *, by: User, into: Case, on: date | None = None) -> Case:
    """并件: a duplicate joins another open opinion; both show the link, the duplicate
    follows the main one (its person reads the main one's answer through their own link)."""
    if into.pk == case.pk:
        raise CaseError("不能并入本件", field="into")
    # Both rows locked, the lower id first (two merges of the pair in opposite directions
    # wait for each other instead of deadlocking); `into` re-read under its lock.
    if into.pk < case.pk:
        into.refresh_from_db(from_queryset=Case.objects.select_for_update())
    lock_and_check(by, case, Action.MERGE)
    if into.pk > case.pk:
        into.refresh_from_db(from_queryset=Case.objects.select_for_update())
    on = action_date(case, on)
    if into.category != Category.PUBLIC_OPINION or into.state not in OPEN_STATES:
        raise CaseError("只能并入在办的群众意见", field="into")
    if Opinion.objects.filter(pk=into.pk, merged_into__isnull=False).exists():
        raise CaseError("主件本身已并入其他意见", field="into")
    _void_pending_extension(case, on, "已并件")
    for a in live_assignments(case):
        a.status = AssignmentStatus.CANCELLED
        a.save(update_fields=["status"])
    Opinion.objects.filter(pk=case.pk).update(merged_into=into)
    # The duplicates merged into this one follow it to the new main one.
    Opinion.objects.filter(merged_into=case).update(merged_into=into)
    apply_transition(
        case,
        Action.MERGE,
        by=by,
        on=on,
        to=State.MERGED,
        changes={"lead_unit": None},
        details={"into": into.pk, "into_number": into.number},
    )
    return case


@transaction.atomic
def set_area(case: Case, *, by: User, area: str, on: date | None = None) -> Case:
    """确认领域: staff confirm or change the suggested area; kept as training data."""
    lock_and_check(by, case, Action.SET_AREA)
    area = _choice(area, AREA_CODES, "area", "领域")
    on = action_date(case, on)
    opinion = Opinion.objects.get(pk=case.pk)
    previous = opinion.area
    Opinion.objects.filter(pk=case.pk).update(area=area, area_confirmed_by=by)
    apply_transition(
        case,
        Action.SET_AREA,
        by=by,
        on=on,
        details={"area": area, "previous": previous, "suggested": opinion.suggested_area},
    )
    return case


def fix_pending(case: Case) -> bool:
    return Opinion.objects.filter(
        pk=case.pk, result=Result.NEEDS_TIME, fix_done_on__isnull=True
    ).exists()


@transaction.atomic
def complete_fix(case: Case, *, by: User, note: str, on: date | None = None) -> Case:
    """A "needs time" answer's promise kept: the measure is done (the reminders stop)."""
    lock_and_check(by, case, Action.COMPLETE_FIX)
    note = require_text(note, "note", "完成情况")
    if not fix_pending(case):
        raise CaseError("此意见没有待完成的解决措施")
    on = action_date(case, on)
    Opinion.objects.filter(pk=case.pk).update(fix_done_on=on)
    apply_transition(case, Action.COMPLETE_FIX, by=by, on=on, details={"note": note})
    return case
