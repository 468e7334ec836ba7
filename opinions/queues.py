"""The 群众意见建议 sections of 我的待办 (declared in spec.py): the coordinator's 待转办 and
退单, the leader's extensions, the unit's 待签收 and 待答复, the coordinator's 待回访 and
the overdue ones. Each reads the open opinions only, through the partial indexes on the
open states."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet

from cases.models import (
    Assignment,
    AssignmentKind,
    AssignmentStatus,
    Case,
    CaseUnit,
)
from cases.todo import Section, asc, cn, pending_extension_q
from workflow.vocabulary import Action, State

if TYPE_CHECKING:
    from cases.todo import Builder


def _returned() -> Q:
    return Q(
        Exists(Assignment.objects.filter(case=OuterRef("pk"), status=AssignmentStatus.RETURNED))
    )


def to_forward(b: Builder) -> Section:
    return b.section(
        b.visible.filter(state=State.REGISTERED).exclude(_returned()),
        Section(
            "opinion_to_forward",
            "待转办的群众意见",
            "bi-send",
            Action.FORWARD,
            "转办",
            "答复期限",
            {"state": State.REGISTERED, "category": "public_opinion"},
            hint="委领导当日签批转办；休息日收到的，下一个工作日转办",
        ),
        order=(asc("deadline"), "received_on"),
        due=lambda c: c.deadline,
        note=lambda c: f"收到日期 {cn(c.received_on)}",
    )


def returned(b: Builder) -> Section:
    return b.section(
        b.visible.filter(_returned(), state=State.REGISTERED),
        Section(
            "opinion_returned",
            "被退单的群众意见",
            "bi-arrow-return-left",
            Action.FORWARD,
            "重新转办",
            "答复期限",
            {"state": State.REGISTERED, "category": "public_opinion"},
            hint="承办单位退单的意见，请重新转办",
        ),
        order=(asc("deadline"),),
        due=lambda c: c.deadline,
    )


def to_callback(b: Builder) -> Section:
    return b.section(
        b.visible.filter(state=State.REPLIED),
        Section(
            "opinion_to_callback",
            "待回访的群众意见",
            "bi-telephone",
            Action.CALLBACK,
            "回访",
            "答复日期",
            {"state": State.REPLIED, "category": "public_opinion"},
        ),
        order=(asc("replied_on"),),
        due=lambda c: c.replied_on,
    )


def overdue(b: Builder) -> Section:
    return b.overdue_section(
        b.visible,
        "opinion_overdue",
        "超期未答复的群众意见",
        {"category": "public_opinion", "overdue": "1"},
        hint="超过答复期限仍未答复的意见",
    )


def extensions(b: Builder) -> Section:
    return b.section(
        b.visible.filter(
            pending_extension_q(),
            state__in=(State.ASSIGNED, State.HANDLING),
        ),
        Section(
            "opinion_extensions",
            "待审批延期的群众意见",
            "bi-hourglass-split",
            Action.DECIDE_EXTENSION,
            "审批",
            "答复期限",
            {"category": "public_opinion"},
        ),
        order=(asc("deadline"),),
        due=lambda c: c.deadline,
    )


def _lead(b: Builder, state: str, status: str) -> tuple[QuerySet[Case], QuerySet[CaseUnit]]:
    """The opinions the user's unit holds as lead unit in `state` (its parts, read from the
    units' involvement index as the 议提案's unit sections are)."""
    return b.parts(b.unit_scope() & Q(kind=AssignmentKind.LEAD, status=status, state=state))


def to_accept(b: Builder) -> Section | None:
    if not b.standing.unit_ids:
        return None
    cases, parts = _lead(b, State.ASSIGNED, AssignmentStatus.PENDING)
    return b.section(
        cases,
        Section(
            "opinion_to_accept",
            "待签收的群众意见",
            "bi-inbox",
            Action.ACCEPT,
            "签收",
            "答复期限",
            {**b.unit_ledger(), "state": State.ASSIGNED, "category": "public_opinion"},
            hint="转办给本处室的意见；不属本处职责的，可在转办后2个工作日内退单",
        ),
        order=(asc("part__deadline"),),
        due=lambda c: c.deadline,
        counted=parts,
    )


def to_answer(b: Builder) -> Section | None:
    if not b.standing.unit_ids:
        return None
    cases, parts = _lead(b, State.HANDLING, AssignmentStatus.ACCEPTED)
    return b.section(
        cases,
        Section(
            "opinion_to_answer",
            "待答复的群众意见",
            "bi-chat-left-text",
            Action.ANSWER,
            "答复",
            "答复期限",
            {**b.unit_ledger(), "state": State.HANDLING, "category": "public_opinion"},
            hint="自收到之日起5个工作日内答复",
        ),
        order=(asc("part__deadline"),),
        due=lambda c: c.deadline,
        counted=parts,
    )
