"""催办: a formal reminder for one case, sent by a person rather than by the calendar.

The coordinator urges the lead unit: its handler and its head(s). A head of the lead unit
urges the unit's handler on the case. Each 催办 carries a note, may set a new target date
for the unit's draft, and gets a numbered 催办通知单 (letters: 卫健催〔2026〕3号). It is
one audit event, and its messages go through the outbox (notify.outbox.queue) in the same
transaction, so they are delivered like the reminders, after commit, once.

A new target date replaces the case's `unit_deadline` (处室初稿期限, the lead unit's own
target for its draft: the one 我的待办 sorts by and the reminders' unit_draft clock
watches); the reply deadline (`deadline`) is not ours to move, only an approved extension
moves it.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.urls import reverse

from cases.actions.common import action_date, lock_and_check, require_text
from cases.actions.handler import person
from cases.models import Assignment, AssignmentKind, Case
from cases.payloads import UrgePayload
from cases.permissions import LIVE_ASSIGNMENT, relations
from huiyin.formats import cn_date
from huiyin.prefetch import prefetched
from huiyin.types import User
from letters.actions import issue_urge_notice
from letters.models import UrgeNotice
from letters.urge import status_words
from notify.outbox import queue
from orgs.models import UNIT_ROLES, Membership, Role
from workdays.calendar import is_workday, workdays_after
from workflow.engine import apply_transition
from workflow.errors import CaseError
from workflow.vocabulary import Action, Relation

KIND = Action.URGE  # the notify.Message kind
HANDLER, HEAD = "handler", "head"  # why a person is urged (UrgeNotice.recipients' role)
ROLE_WORDS = {HANDLER: "承办人", HEAD: "处室负责人"}
NO_LEAD_UNIT = "办件没有主办处室，不能催办"
NO_HANDLER = (
    "此件尚未指定承办人（或承办人就是您本人、已不在本处室），处室负责人只能催本处室的承办人"
)
NO_ONE = "主办处室没有在岗的承办人或处室负责人，没有可以催办的人"


@dataclass(frozen=True)
class Urged:
    user: User
    role: str  # HANDLER or HEAD

    @property
    def name(self) -> str:
        return person(self.user)


def unit_people(unit_id: int) -> tuple[set[int], list[User]]:
    """The active handlers and heads of a unit (their ids), and its heads by name: one
    query. A case's handler moved to another unit is no longer one of them."""
    rows = list(
        Membership.objects.filter(unit_id=unit_id, role__in=UNIT_ROLES, user__is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__username", "user_id")
    )
    return {m.user_id for m in rows}, [m.user for m in rows if m.role == Role.HEAD]


def _lead(case: Case) -> Assignment | None:
    """The live lead assignment with its unit and handler: from the rows the case page has
    read (huiyin.prefetch), else from the database (always, inside the action: the lock
    re-reads the case and empties its prefetch cache)."""
    rows = prefetched(case, "assignments")
    if rows is None:
        return (
            case.assignments.filter(kind=AssignmentKind.LEAD, status__in=LIVE_ASSIGNMENT)
            .select_related("unit", "handler")
            .order_by("id")
            .first()
        )
    lead = [a for a in rows if a.kind == AssignmentKind.LEAD and a.status in LIVE_ASSIGNMENT]
    return min(lead, key=lambda a: a.pk, default=None)


def urged_people(case: Case, by: User, mine: set[str] | None = None) -> list[Urged]:
    """Whom `by` would urge on this case, handler first: the coordinator urges the lead
    unit's handler and heads, a head of the lead unit only the handler. Never the sender;
    refused (CaseError) when no one is left."""
    if mine is None:
        mine = relations(by, case, live_assignments=prefetched(case, "assignments"))
    lead = _lead(case)
    if lead is None:
        raise CaseError(NO_LEAD_UNIT)
    members, heads = unit_people(lead.unit_id)
    handler = lead.handler if lead.handler_id in members else None
    found = [Urged(handler, HANDLER)] if handler is not None else []
    if Relation.COORDINATOR in mine:
        found += [Urged(head, HEAD) for head in heads]
    seen: set[int] = set()
    people = []
    for urged in found:
        if urged.user.pk != by.pk and urged.user.pk not in seen:
            seen.add(urged.user.pk)
            people.append(urged)
    if not people:
        raise CaseError(NO_ONE if Relation.COORDINATOR in mine else NO_HANDLER)
    return people


def can_urge(case: Case, today: date, mine: set[str]) -> bool:
    """For the spec's `available`: a head may urge only once a handler is named (the action
    also refuses a head who would urge only themselves)."""
    if Relation.COORDINATOR in mine:
        return True
    lead = _lead(case)
    return lead is not None and lead.handler_id is not None


def _check_target(case: Case, target_on: date | None, on: date) -> date | None:
    if target_on is None:
        return None
    if target_on < on:
        raise CaseError(f"目标日期不能早于催办日期（{cn_date(on)}）", field="target_on")
    if case.deadline is not None and target_on > case.deadline:
        raise CaseError(f"目标日期不能晚于答复期限（{cn_date(case.deadline)}）", field="target_on")
    if not is_workday(target_on):
        # The unit_draft clock would count it as the working day before, silently.
        following = workdays_after(target_on, 1).date
        raise CaseError(
            f"目标日期{cn_date(target_on)}不是工作日，请选择工作日（下一个工作日为"
            f"{cn_date(following)}）",
            field="target_on",
        )
    return target_on


def message_text(case: Case, notice: UrgeNotice, urged: Urged) -> str:
    """The plain text of the message to one person (the e-mail adds the link)."""
    by = notice.issuer_name
    sender = f"{notice.sender_unit}{by}" if notice.sender_unit else f"办公室{by}"
    lines = [
        f"{urged.name}：",
        "",
        f"{sender}于{cn_date(notice.issued_on)}向您发出催办通知（{notice.text}）。",
        "",
        f"办件：第{case.number}号《{case.title}》",
        f"主办处室：{notice.unit.name}",
    ]
    if notice.deadline is not None:
        lines.append(f"答复期限：{cn_date(notice.deadline)}（{status_words(notice)}）")
    if notice.target_on is not None:
        lines.append(f"目标日期：请于{cn_date(notice.target_on)}前形成答复稿")
    lines += ["", f"催办意见：{notice.note}"]
    return "\n".join(lines) + "\n"


@transaction.atomic
def urge_case(
    case: Case,
    *,
    by: User,
    note: str,
    target_on: date | None = None,
    on: date | None = None,
) -> UrgeNotice:
    """催办: number the notice, record the event, queue the messages (delivered after
    commit). Returns the 催办通知单."""
    mine = lock_and_check(by, case, Action.URGE)
    # 并案: a case that follows its lead case is urged through the lead (imported here:
    # similar.merging imports the case actions).
    from similar.merging import refuse_following

    refuse_following(case, str(Action.URGE.label))
    note = require_text(note, "note", "催办意见")
    on = action_date(case, on)
    target_on = _check_target(case, target_on, on)
    people = urged_people(case, by, mine)
    lead = _lead(case)
    assert lead is not None  # urged_people refused a case without one
    from_office = Relation.COORDINATOR in mine
    notice = issue_urge_notice(
        case,
        on=on,
        by=by,
        unit=lead.unit,
        recipients=[
            {"username": u.user.get_username(), "name": u.name, "role": u.role} for u in people
        ],
        sender_unit="" if from_office else lead.unit.name,
        target_on=target_on,
        note=note,
    )
    changes: dict[str, Any] = {}
    details: dict[str, Any] = {
        "notice": notice.text,
        "notice_id": notice.pk,
        "unit": lead.unit.code,
        "recipients": [u.user.get_username() for u in people],
        "recipient_names": [f"{u.name}（{ROLE_WORDS[u.role]}）" for u in people],
        "urge_note": note,
    }
    if target_on is not None:
        changes = {"unit_deadline": target_on, "unit_deadline_provisional": False}
        details["target_on"] = target_on.isoformat()
        details["old_target_on"] = case.unit_deadline.isoformat() if case.unit_deadline else None
    apply_transition(case, Action.URGE, by=by, on=on, details=details, changes=changes)
    link = reverse("case-detail", args=[case.pk])
    subject = f"【催办】第{case.number}号 {case.title}"
    for urged in people:
        queue(
            key=f"{KIND}:{notice.pk}:{urged.user.pk}",
            recipient=urged.user,
            kind=KIND,
            subject=subject,
            text=message_text(case, notice, urged),
            link=link,
            case=case,
        )
    return notice


def run(case: Case, by: User, p: UrgePayload) -> UrgeNotice:
    """The adapter a category's spec names as the action's `run` (payload → action)."""
    return urge_case(case, by=by, note=p.note, target_on=p.target_on, on=p.on)
