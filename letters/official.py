"""The parts every official document shares (GB/T 9704-2012, DESIGN.md §7): the styles, the
sheet, the red letterhead, the signature and the 版记. The 答复函 and the 征询意见表
(letters.build), the 催办通知单 (letters.urge) and the annual summary (reports.summary)
are built from these, so that they look alike.
"""

from datetime import date

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement

from huiyin.formats import cn_date
from letters import wording
from letters.layout import (
    BODY_PT,
    CHAR_PITCH,
    LINE_PITCH,
    PAGE_NUMBER_LINE,
    PAGE_NUMBER_PT,
    PPR_ORDER,
    RECORD_PT,
    TABLE_PT,
    TEXT_WIDTH,
    TITLE_PT,
    Font,
    ParagraphLook,
    Sheet,
    Type,
    child,
    text_width,
)

TABLE_LINE = 420  # 21 pt lines for 4号 text in tables


def font_of(role: str) -> Font:
    name, fallback = wording.FONTS[role]
    return Font(name, fallback)


def paragraph_looks() -> list[ParagraphLook]:
    body = Type(font_of("body"), BODY_PT)
    heading1 = Type(font_of("heading1"), BODY_PT)
    page = Type(font_of("page_number"), PAGE_NUMBER_PT)
    letterhead = Type(font_of("letterhead"), wording.LETTERHEAD_SIZE_PT, wording.LETTERHEAD_COLOR)
    return [
        ParagraphLook("HYClassMark", "类别标识", heading1, align="right"),
        ParagraphLook(
            "HYLetterhead",
            "发文机关标志",
            letterhead,
            align="center",
            line=2 * LINE_PITCH,
        ),
        ParagraphLook("HYDocNumber", "发文字号", body, align="right"),
        ParagraphLook("HYTitle", "公文标题", Type(font_of("title"), TITLE_PT), align="center"),
        ParagraphLook("HYAddressee", "主送机关", body, align="left"),
        ParagraphLook("HYBody", "正文", body, first_line_chars=2),
        ParagraphLook("HYHeading1", "一级标题", heading1, first_line_chars=2, keep_next=True),
        ParagraphLook(
            "HYHeading2",
            "二级标题",
            Type(font_of("heading2"), BODY_PT),
            first_line_chars=2,
            keep_next=True,
        ),
        ParagraphLook("HYSignature", "署名", body, align="right", keep_next=True),
        ParagraphLook("HYNote", "附注", body, align="left", first_line_chars=2),
        ParagraphLook("HYRecord", "版记", Type(font_of("body"), RECORD_PT), align="left"),
        ParagraphLook(
            "HYPageNumberOdd",
            "页码（单页）",
            page,
            align="right",
            right_chars=1,
            line=PAGE_NUMBER_LINE,
        ),
        ParagraphLook(
            "HYPageNumberEven",
            "页码（双页）",
            page,
            align="left",
            left_chars=1,
            line=PAGE_NUMBER_LINE,
        ),
        ParagraphLook(
            "HYTableLabel",
            "表格栏目",
            Type(font_of("heading1"), TABLE_PT),
            align="center",
            line=TABLE_LINE,
        ),
        ParagraphLook(
            "HYTableText",
            "表格文字",
            Type(font_of("body"), TABLE_PT),
            align="left",
            line=TABLE_LINE,
        ),
        ParagraphLook(
            "HYFormNote",
            "表格说明",
            Type(font_of("body"), TABLE_PT),
            align="both",
            first_line_chars=2,
            line=TABLE_LINE,
        ),
    ]


def new_sheet() -> Sheet:
    """An empty A4 document with the styles, the font table and the page numbers."""
    sheet = Sheet(
        paragraph_looks(),
        body=Type(font_of("body"), BODY_PT),
        page_number=Type(font_of("page_number"), PAGE_NUMBER_PT),
    )
    sheet.set_font_table(font_of(role) for role in wording.FONTS)
    sheet.page_numbers("HYPageNumberOdd", "HYPageNumberEven")
    return sheet


def date_text(day: date | None) -> str:
    """2026年6月22日, or blanks to fill in by hand."""
    return cn_date(day) if day else f"{wording.BLANK}年{wording.BLANK[:2]}月{wording.BLANK[:2]}日"


def add_letterhead(sheet: Sheet, commission: str) -> None:
    """The red 发文机关标志 over a red double line (信函格式); none when wording.LETTERHEAD
    is "" (paper with a pre-printed 红头)."""
    head = commission if wording.LETTERHEAD is None else wording.LETTERHEAD
    if not head:
        return
    p = sheet.paragraph("HYLetterhead", head)
    sheet.border(
        p, "bottom", val="thickThinSmallGap", size=24, color=wording.LETTERHEAD_COLOR, space=4
    )


def add_signature(sheet: Sheet, unit: str, day_text: str) -> None:
    """GB/T 9704 7.3.5.1 (加盖印章): the date 右空四字, the unit centred over the date."""
    unit_indent = max(0.0, 4 + (text_width(day_text) - text_width(unit)) / 2)
    p = sheet.paragraph("HYSignature", unit)
    sheet.indent(p, right=unit_indent)
    p = sheet.paragraph("HYSignature", day_text)
    sheet.indent(p, right=4)


def add_record(sheet: Sheet, copy_to: list[str], printed_by: str, day_text: str) -> None:
    """版记: 抄送 (when there are bodies to copy to) and 印发 (by whom, on which day),
    between a thick first and last line and a thin one between."""
    rows = (1 if copy_to else 0) + 1
    sheet.paragraph("HYBody")
    half = TEXT_WIDTH // 2
    table = sheet.table(
        [half, TEXT_WIDTH - half],
        rows,
        borders={"top": ("single", 8), "bottom": ("single", 8), "insideH": ("single", 4)},
        cell_margin=round(CHAR_PITCH * RECORD_PT / BODY_PT),
    )
    row = 0
    if copy_to:
        cell = table.cell(0, 0).merge(table.cell(0, 1))
        sheet.paragraph(
            "HYRecord", wording.COPY_TO_LINE.format(names="，".join(copy_to)), container=cell
        )
        row = 1
    sheet.paragraph("HYRecord", printed_by, container=table.cell(row, 0))
    p = sheet.paragraph(
        "HYRecord", wording.PRINTED_ON.format(date=day_text), container=table.cell(row, 1)
    )
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    # The 版记 stays in one piece: rows do not split, and each row keeps with the next.
    for index, table_row in enumerate(table.rows):
        table_row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        if index < len(table.rows) - 1:
            for cell in table_row.cells:
                for paragraph in cell.paragraphs:
                    child(paragraph._p.get_or_add_pPr(), "keepNext", PPR_ORDER)


def keep_with_next(sheet: Sheet) -> None:
    """The last paragraph so far stays on the page of what follows (the signature: GB/T
    9704 7.3.5.4 forbids a page with the unit and date but no text)."""
    ppr = sheet.doc.paragraphs[-1]._p.get_or_add_pPr()
    child(ppr, "keepNext", PPR_ORDER)
    child(ppr, "keepLines", PPR_ORDER)
