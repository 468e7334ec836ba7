"""The 答复函 and the 征询意见表 of a case, as .docx bytes (DESIGN.md §7).

Layout is GB/T 9704-2012 (``letters.layout``); every sentence printed comes from
``letters.wording``, which a commission adapts.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from io import BytesIO
from typing import Any

import segno
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.shared import Mm, Twips
from docx.table import Table
from docx.text.paragraph import Paragraph

from cases.models import (
    AssignmentKind,
    AssignmentStatus,
    Case,
    Commitment,
    Reply,
    ReplyStatus,
    Role,
)
from cases.models.choices import CLASSES_NEEDING_COMMITMENTS
from huiyin.formats import cn_date
from letters import wording
from letters.layout import TEXT_WIDTH, TITLE_PT, Sheet, text_width
from letters.models import LetterKind, LetterNumber
from letters.official import (
    add_letterhead,
    add_record,
    date_text,
    keep_with_next,
    new_sheet,
)

# reports.summary reads these here; they live in letters.official.
from letters.official import add_signature as add_signature
from letters.official import font_of as font_of
from letters.official import paragraph_looks as paragraph_looks
from letters.setup import CO_KEY, Setup, current, format_number, require_ready
from orgs.models import UnitKind
from workflow.errors import CaseError

NO_REPLY = "此办件尚无答复，不能生成答复函"
NO_FEEDBACK_FOR_CO = "会办件的意见报送主办单位，不向代表委员征询意见"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

HEADING_1 = re.compile(r"^[一二三四五六七八九十百]+、")
HEADING_2 = re.compile(r"^[（(][一二三四五六七八九十百]+[）)]")
PERSON_KINDS = ("deputy", "member")
TITLE_CHARS_PER_LINE = TEXT_WIDTH / (TITLE_PT * 20)  # ≈ 20 characters of 2号
FORM_ROW_HEIGHT = 680  # 12 mm, room to write by hand
FORM_COMMENT_HEIGHT = 3800  # 67 mm for 意见和建议; the form stays on one page
FORM_QR_MM = 28  # the proposer link's QR code, when printed; the comment row gives way


# ── what goes into a letter ─────────────────────────────────────────────────────────────


def letter_reply(case: Case) -> Reply | None:
    """The reply a letter prints: of the latest round that has one, the signed reply, else
    the draft under way, else the last sent-back draft."""
    replies = list(case.replies.order_by("-round", "-id"))
    if not replies:
        return None
    latest = [r for r in replies if r.round == replies[0].round]
    for wanted in (
        lambda r: r.status == ReplyStatus.SIGNED,
        lambda r: r.status != ReplyStatus.SENT_BACK,
    ):
        for reply in latest:
            if wanted(reply):
                return reply
    return latest[0]


def letter_available(case: Case) -> bool:
    """Whether reply_letter(case) can be built: for showing or hiding the button."""
    return case.replied_on is not None or case.replies.exists()


def feedback_form_available(case: Case) -> bool:
    """Whether feedback_form(case) can be built: a 会办 case has no proposer feedback."""
    return case.role != Role.CO and letter_available(case)


@dataclass
class LetterData:
    """Everything the two documents print, gathered from the case once."""

    case: Case
    reply: Reply | None
    kind_word: str
    is_co: bool
    reply_class: str
    on: date | None
    year: int
    number: str
    title: str
    session: str
    proposer_name: str
    addressee: str
    you: str
    contact: str
    phone: str
    text: str
    commitments: list[Commitment] = field(default_factory=list)
    outside_units: list[str] = field(default_factory=list)
    commission: str = ""
    code: str = ""
    doc_number: str = ""
    copy_to: list[str] = field(default_factory=list)

    @property
    def fields(self) -> dict[str, Any]:
        return {
            "kind_word": self.kind_word,
            "session": self.session,
            "number": self.number,
            "title": self.title,
            "year": self.year,
            "code": self.code,
            "doc_number": self.doc_number,
            "you": self.you,
            "name": self.proposer_name,
            "contact": self.contact or wording.BLANK,
            "phone": self.phone or wording.BLANK,
            "commission": self.commission,
        }


def doc_number(reply: Reply | None, setup: Setup, year: int) -> str:
    """The 文号 a letter prints: the one given at 签发; for a number taken while the 代字
    was still unset, that number with today's 代字; else (a draft, or a historical reply
    imported without one) the 代字 and year with the number left blank, to fill in by hand."""
    if reply is not None and reply.doc_number:
        return reply.doc_number
    code = setup.code(LetterKind.REPLY)
    taken = LetterNumber.objects.filter(reply=reply).first() if reply is not None else None
    if taken is not None:
        return format_number(taken.code or code, taken.year, taken.number)
    return format_number(code, year, wording.BLANK[:2])


def gather(case: Case, setup: Setup | None = None, reply: Reply | None = None) -> LetterData:
    """`reply`: the one to print (an earlier round's signed reply); default letter_reply."""
    reply = reply or letter_reply(case)
    if reply is None and case.replied_on is None:
        raise CaseError(NO_REPLY)
    setup = setup or current()
    commission = setup.name
    is_co = case.role == Role.CO
    proposer = case.lead_proposer
    name = proposer.name if proposer else ""
    is_person = proposer is None or proposer.kind in PERSON_KINDS
    if is_co:
        addressee = f"{case.external_lead}："
    else:
        suffix = wording.ADDRESS_TITLE.get(proposer.kind, "") if proposer else ""
        addressee = f"{name}{'' if name.endswith(suffix) else suffix}："
    on = reply.signed_on if reply else case.replied_on
    draft_day = reply.submitted_on if reply else None
    year = (on or draft_day or date(case.year, 1, 1)).year
    reply_class = "" if is_co else (reply.reply_class if reply else case.reply_class) or ""
    commitments = []
    if reply is not None and reply_class in CLASSES_NEEDING_COMMITMENTS:
        commitments = list(reply.commitments.order_by("due", "id"))
    outside = [
        a.unit.name
        for a in case.assignments.filter(
            kind=AssignmentKind.CO,
            status__in=(AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED),
            unit__kind=UnitKind.EXTERNAL,
        ).select_related("unit")
    ]
    return LetterData(
        case=case,
        reply=reply,
        kind_word=wording.KIND_WORD.get(case.category, "建议"),
        is_co=is_co,
        reply_class=reply_class,
        on=on,
        year=year,
        number=case.number,
        title=case.title,
        session=case.session,
        proposer_name=name,
        addressee=addressee,
        you=wording.YOU_PERSON if is_person else wording.YOU_COLLECTIVE,
        contact=(reply.contact if reply else "") or setup.contact,
        phone=(reply.phone if reply else "") or setup.phone,
        text=reply.text if reply else "",
        commitments=commitments,
        outside_units=outside,
        commission=commission,
        code=setup.code(LetterKind.REPLY),
        doc_number=doc_number(reply, setup, year),
        copy_to=setup.copy_to.get(CO_KEY if is_co else case.category, []),
    )


def body_paragraphs(text: str) -> list[str]:
    """The reply text as paragraphs: one per non-empty line, typed indents removed."""
    lines = (line.strip(" \t\u3000") for line in text.replace("\r\n", "\n").split("\n"))
    return [line for line in lines if line]


def split_heading(paragraph: str) -> tuple[str, str, str]:
    """(level, heading, rest): a 一、 or （一） heading ends at its first 。 when text follows
    in the same paragraph; that text stays in the body font."""
    if HEADING_1.match(paragraph):
        level = "HYHeading1"
    elif HEADING_2.match(paragraph):
        level = "HYHeading2"
    else:
        return "HYBody", "", paragraph
    stop = paragraph.find("。")
    if 0 <= stop < len(paragraph) - 1:
        return level, paragraph[: stop + 1], paragraph[stop + 1 :]
    return level, paragraph, ""


def title_breaks(title: str) -> list[int]:
    """Where to break a title of more than one line so that the lines are balanced
    (GB/T 9704 7.3.3: 回行时词意完整，排列对称): before 第 or after 会议, whichever
    balances best; none if neither fits."""
    total = text_width(title)
    if total <= TITLE_CHARS_PER_LINE:
        return []
    best = None
    for match in re.finditer(r"会议|(?=第)", title):
        cut = match.end()
        first, second = text_width(title[:cut]), text_width(title[cut:])
        if max(first, second) > TITLE_CHARS_PER_LINE or not first or not second:
            continue
        if best is None or abs(first - second) < best[0]:
            best = (abs(first - second), cut)
    return [best[1]] if best else []


# ── the document ────────────────────────────────────────────────────────────────────────


def _created(data: LetterData) -> datetime:
    day = data.on or (data.reply.submitted_on if data.reply else None) or date(data.year, 1, 1)
    return datetime.combine(day, time(9, 0))


def reply_letter(case: Case, reply: Reply | None = None) -> bytes:
    """The 答复函 (or, for a 会办 case, the 会办意见 to the lead agency) as .docx bytes;
    refused (LetterSetupError) while the 发文设置 still has placeholders. `reply`: an
    earlier round's signed reply to print instead of letter_reply's."""
    setup = current()
    data = gather(case, setup, reply)
    require_ready(setup, LetterKind.REPLY)
    fields = data.fields
    sheet = new_sheet()

    if data.reply_class:
        sheet.paragraph("HYClassMark", f"{data.reply_class}类")
    add_letterhead(sheet, data.commission)
    sheet.paragraph("HYDocNumber", wording.DOC_NUMBER.format(**fields))
    sheet.paragraph("HYBody")
    sheet.paragraph("HYBody")
    title = (wording.TITLE_CO if data.is_co else wording.TITLE).format(**fields)
    title_p = sheet.paragraph("HYTitle")
    sheet.run(title_p, title, breaks=title_breaks(title))
    sheet.paragraph("HYBody")

    paragraphs = body_paragraphs(data.text)
    if paragraphs and paragraphs[0].replace(":", "：") == data.addressee:
        paragraphs = paragraphs[1:]  # the handler typed the salutation already
    sheet.paragraph("HYAddressee", data.addressee)
    # Handlers often write the whole letter; their own 收悉 sentence replaces ours.
    if not (paragraphs and "收悉" in paragraphs[0]):
        if data.is_co:
            opening = wording.OPENING_CO.format(**fields)
        else:
            handled = (
                wording.HANDLED_WITH.format(units="、".join(data.outside_units))
                if data.outside_units
                else wording.HANDLED
            )
            opening = wording.OPENING.format(handled=handled, **fields)
        sheet.paragraph("HYBody", opening)

    if paragraphs:
        for text in paragraphs:
            style_id, heading, rest = split_heading(text)
            if heading and rest:
                # A run-in heading: the paragraph is body text (no keep-with-next, or a
                # run of such paragraphs would be pushed to the next page as one block).
                p = sheet.paragraph("HYBody")
                sheet.run(p, heading, sheet.looks[style_id].type)
                sheet.run(p, rest)
            else:
                sheet.paragraph(style_id, heading or rest)
    else:
        sheet.paragraph("HYBody", wording.BODY_PLACEHOLDER, highlight="yellow")

    if data.commitments:
        sheet.paragraph("HYBody", wording.COMMITMENTS_INTRO)
        for index, item in enumerate(data.commitments, start=1):
            line = wording.COMMITMENT_ITEM.format(
                index=index, what=item.what.rstrip("。；;，, "), due=cn_date(item.due)
            )
            sheet.paragraph("HYBody", line)

    # The last lines of text go with the signature: GB/T 9704 7.3.5.4 forbids a page with
    # the unit and date (and the seal) but no text.
    closing = (wording.CLOSING_CO if data.is_co else wording.CLOSING).format(**fields)
    if not (paragraphs and "感谢" in paragraphs[-1]) and closing:
        sheet.paragraph("HYBody", closing, keep_next=True)
    else:
        keep_with_next(sheet)

    day_text = date_text(data.on)
    sheet.paragraph("HYBody", keep_next=True)
    sheet.paragraph("HYBody", keep_next=True)
    signature = data.commission if wording.SIGNATURE is None else wording.SIGNATURE
    add_signature(sheet, signature, day_text)
    sheet.paragraph("HYNote", wording.NOTE.format(**fields))
    add_record(sheet, data.copy_to, wording.PRINTED_BY.format(**fields), day_text)
    return sheet.save(title=title, author=data.commission, when=_created(data))


def _form_cell(
    sheet: Sheet, table: Table, row: int, col: int, text: str, *, label: bool = False
) -> Paragraph:
    cell = table.cell(row, col)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    return sheet.paragraph("HYTableLabel" if label else "HYTableText", text, container=cell)


def feedback_form(case: Case, *, link: str = "") -> bytes:
    """The 征询意见表 sent with the reply for the proposer to rate it (it names the
    commission, so it too waits for the 发文设置). With `link` (the lead proposer's signed
    link, portal.views.feedback_form_with_link) its QR code and address are printed under
    the note, and the comment row is shorter by as much, so that the form stays one page."""
    setup = current()
    data = gather(case, setup)
    require_ready(setup, None)
    if data.is_co:
        raise CaseError(NO_FEEDBACK_FOR_CO)
    fields = data.fields
    sheet = new_sheet()
    level = wording.LEVEL_PREFIX.get(case.level, "")
    title = wording.FORM_TITLE.get(case.category, "{level}建议办理情况征询意见表").format(
        level=level
    )
    sheet.paragraph("HYTitle", title, breaks=title_breaks(title))
    sheet.paragraph("HYBody")

    widths = [2050, 2495, 1500, 2800]
    table = sheet.table(
        widths,
        8,
        borders={
            edge: ("single", 6) for edge in ("top", "left", "bottom", "right", "insideH", "insideV")
        },
    )
    label = wording.FORM_NUMBER_LABEL.format(**fields)
    _form_cell(sheet, table, 0, 0, label, label=True)
    _form_cell(sheet, table, 0, 1, f"第{data.number}号")
    _form_cell(sheet, table, 0, 2, wording.FORM_CLASS_LABEL, label=True)
    _form_cell(sheet, table, 0, 3, f"{data.reply_class}类" if data.reply_class else "")

    def wide(row: int, label_text: str, value: str) -> None:
        _form_cell(sheet, table, row, 0, label_text, label=True)
        table.cell(row, 1).merge(table.cell(row, 3))
        _form_cell(sheet, table, row, 1, value)

    wide(1, wording.FORM_TITLE_LABEL.format(**fields), data.title)
    _form_cell(sheet, table, 2, 0, wording.FORM_LEAD_LABEL, label=True)
    _form_cell(sheet, table, 2, 1, data.proposer_name)
    _form_cell(sheet, table, 2, 2, wording.FORM_DATE_LABEL, label=True)
    _form_cell(sheet, table, 2, 3, cn_date(data.on))
    wide(3, wording.FORM_UNIT_LABEL, data.commission)
    choices = "　　".join(f"□{choice}" for choice in wording.FORM_CHOICES)
    wide(4, wording.FORM_RESULT_LABEL, choices)
    wide(5, wording.FORM_ATTITUDE_LABEL, choices)
    wide(6, wording.FORM_COMMENT_LABEL, "")
    _form_cell(sheet, table, 7, 0, wording.FORM_SIGNATURE_LABEL, label=True)
    _form_cell(sheet, table, 7, 1, "")
    _form_cell(sheet, table, 7, 2, wording.FORM_SIGNED_ON_LABEL, label=True)
    _form_cell(sheet, table, 7, 3, wording.FORM_DATE_BLANK).alignment = WD_ALIGN_PARAGRAPH.RIGHT

    for index, row in enumerate(table.rows):
        comment_height = FORM_COMMENT_HEIGHT - (int(FORM_QR_MM * 56.7) + 600 if link else 0)
        row.height = Twips(comment_height if index == 6 else FORM_ROW_HEIGHT)
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    sheet.paragraph("HYFormNote")
    sheet.paragraph("HYFormNote", wording.FORM_FOOTNOTE.format(**fields))
    if link:
        _link_code(sheet, link)
    return sheet.save(title=title, author=data.commission, when=_created(data))


def _link_code(sheet: Sheet, link: str) -> None:
    """The QR code of the proposer's link, and the link written out beside it."""
    image = BytesIO()
    segno.make(link, error="m").save(image, kind="png", scale=10, border=2)
    image.seek(0)
    p = sheet.paragraph("HYFormNote")
    # The notes' exact line height would cut the picture: this paragraph sizes to it.
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    p.add_run().add_picture(image, width=Mm(FORM_QR_MM), height=Mm(FORM_QR_MM))
    sheet.paragraph("HYFormNote", wording.FORM_LINK_NOTE.format(url=link))


# ── file names ──────────────────────────────────────────────────────────────────────────

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def safe_name(text: str) -> str:
    """Text fit for a file name (no path separators, quotes or control characters)."""
    return _UNSAFE.sub("_", text).strip() or "x"


def reply_letter_filename(case: Case) -> str:
    kind_word = wording.KIND_WORD.get(case.category, "建议")
    what = "会办意见" if case.role == Role.CO else "答复函"
    return f"第{safe_name(case.number)}号{kind_word}{what}.docx"


def feedback_form_filename(case: Case) -> str:
    kind_word = wording.KIND_WORD.get(case.category, "建议")
    return f"第{safe_name(case.number)}号{kind_word}征询意见表.docx"
