"""The 督查督办 sections of 我的待办 (declared in spec.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from cases.models import AssignmentKind, AssignmentStatus, Case, CaseUnit
from cases.todo import Section, asc, cn
from workflow.vocabulary import Action, State

if TYPE_CHECKING:
    from cases.todo import Builder

LEDGER = {"category": "supervision"}
RUNNING = (State.REGISTERED, State.ASSIGNED, State.HANDLING)


def to_assign(b: Builder) -> Section:
    return b.section(
        b.visible.filter(state=State.REGISTERED),
        Section(
            "supervision_to_assign", "待交办的督办事项", "bi-flag", Action.ASSIGN, "交办",
            "收到日期", {**LEDGER, "state": State.REGISTERED}, tone="waiting",
        ),
        order=("received_on",),
        due=lambda c: c.received_on,
    )  # fmt: skip


def to_check(b: Builder) -> Section:
    return b.section(
        b.visible.filter(state=State.REVIEWING),
        Section(
            "supervision_to_check", "待核查的办结报告", "bi-clipboard-check",
            Action.CHECK_COMPLETION, "核查", "办理期限", {**LEDGER, "state": State.REVIEWING},
        ),
        order=(asc("deadline"),),
        due=lambda c: c.deadline,
        note=lambda c: f"{cn(c.replied_on)}报送" if c.replied_on else "",
    )  # fmt: skip


def overdue(b: Builder) -> Section:
    return b.overdue_section(
        b.visible, "supervision_overdue", "逾期的督办事项", {**LEDGER, "overdue": "1"},
        hint="红灯：已过办理期限仍未办结",
    )  # fmt: skip


def _urged_note(case: Case) -> str:
    day = getattr(case, "last_urged", None)  # annotated by to_notify
    return f"{cn(day)}催办" if day else ""


def to_notify(b: Builder) -> Section:
    """Still late N working days (settings.HUIYIN_SUPERVISION_NOTIFY_WORKDAYS, default 3)
    after its last 催办: to name in a 通报 (the bulletin, /supervision/bulletin.docx)."""
    from django.conf import settings
    from django.db.models import Max

    from workdays.calendar import workdays_before

    n = int(getattr(settings, "HUIYIN_SUPERVISION_NOTIFY_WORKDAYS", 3))
    urged_before = workdays_before(b.today, n).date if n else b.today
    late = b.visible.filter(state__in=RUNNING, deadline__lt=b.today)
    return b.section(
        late.annotate(last_urged=Max("urge_notices__issued_on")).filter(
            last_urged__lte=urged_before
        ),
        Section(
            "supervision_to_notify", "催办后仍逾期、待通报的督办事项", "bi-megaphone", "", "",
            "办理期限", {**LEDGER, "overdue": "1"}, alarm=True,
            hint=f"催办{n}个工作日后仍未办结：请在通报中点名（督办通报）",
        ),
        order=(asc("deadline"),),
        due=lambda c: c.deadline,
        note=_urged_note,
    )  # fmt: skip


def to_rate(b: Builder) -> Section:
    mine = Q(leader_in_charge=b.user) | Q(leader_in_charge__isnull=True)
    return b.section(
        b.visible.filter(mine, state=State.REPLIED),
        Section(
            "supervision_to_rate", "待评价的督办事项", "bi-award", Action.RATE, "评价",
            "办理期限", {**LEDGER, "state": State.REPLIED},
            hint="由您分管或未指定分管领导的督办事项，核查通过后评价办理质量",
        ),
        order=(asc("deadline"),),
        due=lambda c: c.deadline,
    )  # fmt: skip


def _lead(b: Builder, state: str, status: str) -> tuple[QuerySet[Case], QuerySet[CaseUnit]]:
    return b.parts(b.unit_scope() & Q(kind=AssignmentKind.LEAD, status=status, state=state))


def to_accept(b: Builder) -> Section | None:
    if not b.standing.unit_ids:
        return None
    cases, parts = _lead(b, State.ASSIGNED, AssignmentStatus.PENDING)
    return b.section(
        cases,
        Section(
            "supervision_to_accept", "待签收的督办事项", "bi-inbox", Action.ACCEPT, "签收",
            "办理期限", {**b.unit_ledger(), **LEDGER, "state": State.ASSIGNED},
        ),
        order=(asc("part__deadline"),),
        due=lambda c: c.deadline,
        counted=parts,
    )  # fmt: skip


def in_hand(b: Builder) -> Section | None:
    if not b.standing.unit_ids:
        return None
    cases, parts = _lead(b, State.HANDLING, AssignmentStatus.ACCEPTED)
    return b.section(
        cases,
        Section(
            "supervision_in_hand", "办理中的督办事项", "bi-flag", Action.REPORT_PROGRESS,
            "反馈进展", "办理期限", {**b.unit_ledger(), **LEDGER, "state": State.HANDLING},
            hint="按期反馈进展；办结后提交办结报告",
        ),
        order=(asc("part__deadline"),),
        due=lambda c: c.deadline,
        counted=parts,
    )  # fmt: skip
