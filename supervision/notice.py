"""The 督办单 (督办通知单) of a supervision item, "一事一单": a .docx in the layout of the
commission's other documents (letters.official: the red letterhead, the 发文字号, the
title, a bordered table as the 征询意见表 has, the signature), numbered per year at 交办
(督〔2026〕7号: the 代字 of the console's 发文设置 for `supervision` when there is one, else
DEFAULT_CODE).

It prints the item as it stands: number, source, urgency, the matter, the document it
comes from (文号, 来文单位, dates), the leader's instruction, the lead and co-units, the
leader in charge, the deadline (and how it was set), the milestones, and what is asked of
the unit. The wording below is the part a commission adapts.

GET /supervision/<id>/notice.docx: whoever may see the item (404 otherwise, as every case
URL); 400 with the reason before 交办 (no number yet) or while the 发文设置 has placeholders.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
from docx.shared import Twips
from docx.table import Table

from cases.models import Assignment, AssignmentKind, Case, Category
from cases.permissions import LIVE_ASSIGNMENT
from cases.queries import case_for_user
from huiyin.errors import DomainError
from huiyin.formats import cn_date
from letters.build import body_paragraphs, safe_name
from letters.layout import TEXT_WIDTH, Sheet
from letters.official import add_letterhead, add_signature, new_sheet
from letters.setup import Setup, current, format_number, require_ready
from letters.views import docx_response
from supervision.models import Milestone, Supervision
from workflow.errors import CaseError

if TYPE_CHECKING:
    from huiyin.types import User

# ── wording ──────────────────────────────────────────────────────────────────────────────
CODE_KIND = "supervision"  # the 发文设置 key of the 督办单's 代字, when one is configured
DEFAULT_CODE = "督"
TITLE = "督办通知单"
SIGNED_BY = "{commission}督查室"
ASK = "请于{deadline}前将办理情况书面报送委督查室。"
ASK_MILESTONES = "请按阶段性目标的时限及时反馈进展情况。"
ASK_EXTENSION = "确因客观原因不能按期完成的，请提前申请延期。"
NONE_WORD = "无"
PROVISIONAL_WORD = "（暂定）"
NOT_ASSIGNED = "此督办事项尚未交办，交办后才有督办单"
NOT_SUPERVISION = "督办事项不存在"

# ── layout ───────────────────────────────────────────────────────────────────────────────
# Twips. Labels of four characters of 4号 (阶段性目标 takes two lines); values of about ten
# characters in the narrow cells (dates, names, units), 25 in the wide ones.
WIDTHS = [1400, 3000, 1400, TEXT_WIDTH - 1400 - 3000 - 1400]
ROW_HEIGHT = 520  # 9 mm
INSTRUCTION_HEIGHT = 1300  # 23 mm: room for a leader's instruction of a few lines
INSTRUCTION_ROW = 5


def notice_number_text(case: Case, item: Supervision, setup: Setup) -> str:
    """督〔2026〕7号: the year is the 交办's, the number the year's next at 交办; the 代字
    configured for `supervision` (发文设置, or letters.wording.NOTICE_CODES), else 督."""
    if item.notice_number is None or case.assigned_on is None:
        raise CaseError(NOT_ASSIGNED)
    code = setup.code(CODE_KIND) or DEFAULT_CODE
    return format_number(code, case.assigned_on.year, item.notice_number)


def deadline_words(case: Case) -> str:
    """2026年11月5日, and （暂定） while its year's official calendar is not confirmed."""
    if case.deadline is None:
        return ""
    return cn_date(case.deadline) + (PROVISIONAL_WORD if case.deadline_provisional else "")


def co_unit_names(case: Case) -> list[str]:
    rows = Assignment.objects.filter(
        case=case, kind=AssignmentKind.CO, status__in=LIVE_ASSIGNMENT
    ).select_related("unit")
    return [a.unit.name for a in rows.order_by("id")]


def milestone_lines(case: Case) -> list[str]:
    return [
        f"{n}. {m.title}（{cn_date(m.due)}前）"
        for n, m in enumerate(Milestone.objects.filter(case=case).order_by("due", "id"), 1)
    ]


def _person(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def _cell(
    sheet: Sheet, table: Table, row: int, col: int, text: str, *, label: bool = False
) -> None:
    cell = table.cell(row, col)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    # A label of five characters breaks where the words do (阶段性 / 目标), not at the edge.
    breaks = [3] if label and len(text) == 5 else []
    sheet.paragraph("HYTableLabel" if label else "HYTableText", text, container=cell, breaks=breaks)


def _lines(sheet: Sheet, table: Table, row: int, lines: list[str]) -> None:
    """Several paragraphs in a row's wide value cell (an empty list prints 无)."""
    for line in lines or [NONE_WORD]:
        _cell(sheet, table, row, 1, line)


def supervision_notice(case: Case) -> bytes:
    """The 督办单 as .docx bytes; CaseError before 交办, LetterSetupError while the 发文设置
    has placeholders (as for the 催办通知单)."""
    item = Supervision.objects.get(pk=case.pk)
    setup = current()
    number = notice_number_text(case, item, setup)
    require_ready(setup, None)
    sheet = new_sheet()

    add_letterhead(sheet, setup.name)
    sheet.paragraph("HYDocNumber", number)
    sheet.paragraph("HYTitle", TITLE)
    sheet.paragraph("HYBody")

    rows = 11
    table = sheet.table(
        WIDTHS,
        rows,
        borders={
            e: ("single", 6) for e in ("top", "left", "bottom", "right", "insideH", "insideV")
        },
    )

    def pair(row: int, left: tuple[str, str], right: tuple[str, str]) -> None:
        _cell(sheet, table, row, 0, left[0], label=True)
        _cell(sheet, table, row, 1, left[1])
        _cell(sheet, table, row, 2, right[0], label=True)
        _cell(sheet, table, row, 3, right[1])

    def wide(row: int, label: str, lines: list[str]) -> None:
        _cell(sheet, table, row, 0, label, label=True)
        table.cell(row, 1).merge(table.cell(row, 3))
        _lines(sheet, table, row, lines)

    leader = _person(case.leader_in_charge)
    co_units = co_unit_names(case)
    milestones = milestone_lines(case)
    deadline = deadline_words(case)
    asks = [ASK.format(deadline=cn_date(case.deadline) if case.deadline else "规定期限")]
    if milestones:
        asks.append(ASK_MILESTONES)
    asks.append(ASK_EXTENSION)

    pair(0, ("事项编号", case.number), ("紧急程度", item.get_urgency_display()))
    wide(1, "督办来源", [item.get_source_display()])
    wide(2, "督办事项", [case.title])
    pair(3, ("来文单位", case.issuer), ("来文日期", cn_date(item.document_date)))
    wide(4, "文　　号", [item.document_number] if item.document_number else [])
    wide(INSTRUCTION_ROW, "领导批示", body_paragraphs(item.instruction))
    pair(6, ("承办单位", case.lead_unit.name if case.lead_unit else ""), ("分管领导", leader))
    wide(7, "协办单位", ["、".join(co_units)] if co_units else [])
    pair(8, ("交办日期", cn_date(case.assigned_on)), ("办理期限", deadline))
    wide(9, "阶段性目标", milestones)
    wide(10, "办理要求", asks)
    for index, table_row in enumerate(table.rows):
        table_row.height = Twips(INSTRUCTION_HEIGHT if index == INSTRUCTION_ROW else ROW_HEIGHT)
        table_row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST

    sheet.paragraph("HYBody", keep_next=True)
    signed_by = SIGNED_BY.format(commission=setup.name)
    add_signature(sheet, signed_by, cn_date(case.assigned_on))
    assert case.assigned_on is not None  # notice_number_text checked it
    return sheet.save(
        title=f"{TITLE}（{number}）",
        author=setup.name,
        when=datetime.combine(case.assigned_on, time(9, 0)),
    )


def notice_filename(case: Case) -> str:
    return f"{TITLE}_{safe_name(case.number)}.docx"


def _plain(message: str, status: int = 400) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@require_GET
@login_required
def notice_download(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_for_user(request.user, case_id)  # type: ignore[arg-type]  # login_required
    if case.category != Category.SUPERVISION:
        raise Http404(NOT_SUPERVISION)
    try:
        content = supervision_notice(case)
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        return _plain(exc.message)
    ascii_name = f"supervision-notice-{safe_name(case.number)}.docx"
    return docx_response(content, notice_filename(case), ascii_name)
