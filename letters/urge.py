"""The 催办通知单 of one 催办 (letters.models.UrgeNotice), as .docx bytes, in the layout of
the reply letter (letters.official): the red letterhead, its number (卫健催〔2026〕3号), the
title, whom it urges, the case and its deadline as they stood that day, the note, the
signature and the 版记. Every sentence comes from letters.wording.
"""

from datetime import datetime, time
from typing import Any

from cases.models import Case, Role
from letters import wording
from letters.build import body_paragraphs, safe_name
from letters.models import UrgeNotice
from letters.official import (
    add_letterhead,
    add_record,
    add_signature,
    date_text,
    new_sheet,
)
from letters.setup import current, require_ready
from workdays.calendar import WorkdaySpan

HANDLER = "handler"
HEAD = "head"


def status_words(notice: UrgeNotice) -> str:
    """剩余/超期 N 个工作日 on the day the notice was sent (the one calendar)."""
    due, on = notice.deadline, notice.issued_on
    if due is None:
        return ""
    days = WorkdaySpan(min(on, due), max(on, due)).workdays_between(on, due)
    if due < on:
        return (
            wording.URGE_STATUS_OVERDUE.format(days=-days)
            if days < 0
            else wording.URGE_STATUS_PASSED
        )
    if days == 0:
        return wording.URGE_STATUS_TODAY
    return wording.URGE_STATUS_LEFT.format(days=days)


def fields_of(notice: UrgeNotice, commission: str) -> dict[str, Any]:
    case: Case = notice.case
    handlers = [r["name"] for r in notice.recipients if r.get("role") == HANDLER]
    return {
        "commission": commission,
        "doc_number": notice.text,
        "year": notice.year,
        "session": case.session,
        "number": case.number,
        "title": case.title,
        "kind_word": wording.KIND_WORD.get(case.category, "建议"),
        "deadline_word": wording.URGE_DEADLINE_WORD[case.role == Role.CO],
        "unit": notice.unit.name,
        "sender_unit": notice.sender_unit,
        "handler": "、".join(handlers),
        "deadline": date_text(notice.deadline),
        "target": date_text(notice.target_on) if notice.target_on else "",
        "status": status_words(notice),
        "issuer": notice.issuer_name,
        "note": notice.note,
    }


def urge_notice(notice: UrgeNotice) -> bytes:
    """The notice as .docx bytes; refused (LetterSetupError) while the 发文设置 has
    placeholders, as the reply letter is."""
    setup = current()
    require_ready(setup, None)
    fields = fields_of(notice, setup.name)
    from_unit = bool(notice.sender_unit)
    sheet = new_sheet()

    add_letterhead(sheet, setup.name)
    sheet.paragraph("HYDocNumber", notice.text)
    sheet.paragraph("HYBody")
    sheet.paragraph("HYBody")
    sheet.paragraph("HYTitle", wording.URGE_TITLE)
    sheet.paragraph("HYBody")
    addressee = wording.URGE_TO_HANDLER if from_unit else wording.URGE_TO_UNIT
    sheet.paragraph("HYAddressee", addressee.format(**fields))
    case_line = wording.URGE_CASE_HANDLER if from_unit else wording.URGE_CASE_UNIT
    ask = wording.URGE_ASK_TARGET if notice.target_on else wording.URGE_ASK
    sheet.paragraph("HYBody", case_line.format(**fields) + ask.format(**fields))
    note = body_paragraphs(notice.note)
    for index, paragraph in enumerate(note):
        text = wording.URGE_NOTE.format(note=paragraph) if index == 0 else paragraph
        sheet.paragraph("HYBody", text)
    # The last lines of text go with the signature (GB/T 9704 7.3.5.4).
    sheet.paragraph("HYBody", wording.URGE_CLOSING, keep_next=True)

    day_text = date_text(notice.issued_on)
    sheet.paragraph("HYBody", keep_next=True)
    sheet.paragraph("HYBody", keep_next=True)
    signature = (wording.URGE_FROM_UNIT if from_unit else wording.URGE_FROM_OFFICE).format(**fields)
    add_signature(sheet, signature, day_text)
    sheet.paragraph("HYNote", wording.URGE_CONTACT.format(**fields))
    # Printed and sent by whoever signs it: the office, or the unit to its own handler.
    add_record(sheet, [], signature, day_text)
    return sheet.save(
        title=f"{wording.URGE_TITLE}（{notice.text}）",
        author=setup.name,
        when=datetime.combine(notice.issued_on, time(9, 0)),
    )


def urge_notice_filename(notice: UrgeNotice) -> str:
    case = notice.case
    kind_word = wording.KIND_WORD.get(case.category, "建议")
    return f"第{safe_name(case.number)}号{kind_word}{wording.URGE_TITLE}（{notice.text}）.docx"
