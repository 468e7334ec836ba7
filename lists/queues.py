"""The 清单 sections of 我的待办 (declared in spec.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q

from cases.models import Case
from cases.todo import Section, asc
from lists.models import Measure, MeasureStatus, RectList
from workflow.vocabulary import Action, State

if TYPE_CHECKING:
    from cases.todo import Builder

LEDGER = {"category": "list_item"}


def _reviewing(b: Builder) -> Q:
    """Items of the lists the user reviews (owner or delegate) that wait for a 销号
    decision: the item's, or one of its measures'."""
    lists = RectList.objects.filter(Q(owner=b.user) | Q(delegates=b.user)).values("pk")
    submitted = Measure.objects.filter(item_id=OuterRef("pk"), status=MeasureStatus.SUBMITTED)
    return Q(list_item__rect_list__in=lists) & (
        Q(state=State.REVIEWING) | Q(Exists(submitted), state=State.HANDLING)
    )


def to_review(b: Builder) -> Section:
    return b.section(
        Case.objects.filter(_reviewing(b)),
        Section(
            "list_to_review", "待销号审核的清单事项", "bi-check2-square", Action.STRIKE_OFF,
            "审核", "完成时限", {**LEDGER, "state": State.REVIEWING},
            hint="您负责审核的清单中，申请销号的事项和具体举措",
        ),
        order=(asc("deadline"),),
        due=lambda c: c.deadline,
    )  # fmt: skip


def lead_note(case: Case) -> str:
    return f"牵头处室：{case.lead_unit.name}" if case.lead_unit_id and case.lead_unit else ""


def overdue(b: Builder) -> Section:
    return b.overdue_section(
        b.visible, "list_overdue", "逾期未销号的清单事项", {**LEDGER, "overdue": "1"},
        hint="已过完成时限仍在整改中", note=lead_note, due_label="完成时限",
    )  # fmt: skip


def led_overdue(b: Builder) -> Section:
    return b.overdue_section(
        b.visible.filter(leader_in_charge=b.user), "list_led_overdue",
        "您负责的逾期清单事项", {**LEDGER, "overdue": "1"},
        hint="您为责任领导、已过完成时限的事项", note=lead_note, due_label="完成时限",
    )  # fmt: skip


def in_hand(b: Builder) -> Section | None:
    if not b.standing.unit_ids:
        return None
    cases, parts = b.parts(b.unit_scope() & Q(state=State.HANDLING))
    return b.section(
        cases,
        Section(
            "list_in_hand", "整改中的清单事项", "bi-list-check", Action.REPORT_PROGRESS,
            "反馈进展", "完成时限", {**b.unit_ledger(), **LEDGER, "state": State.HANDLING},
            hint="按期反馈具体举措的进展，上传佐证材料后申请销号",
        ),
        order=(asc("part__deadline"),),
        due=lambda c: c.deadline,
        counted=parts,
    )  # fmt: skip
