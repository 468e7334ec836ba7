"""GB/T 9704-2012 page and type for .docx documents, on python-docx.

The standard fixes the geometry: A4, top margin 37 mm, left 28 mm, a text block of
156 × 225 mm holding 22 lines of 28 characters in 3号 (16 pt) type. This module computes
the section's document grid (w:docGrid linesAndChars) from the millimetres, so that the
numbers in the file can be checked against the standard, sets every line to exactly one
grid line, fits 28 characters to the line (see GRID_FIT), and gives every style and every
run explicit Chinese fonts (w:eastAsia), because a Latin font name alone leaves Word to
pick whatever East Asian font its theme says.
"""

import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree


def mm(value: float) -> int:
    """Millimetres to twips (1/20 pt, 1/1440 inch), the unit of the .docx page."""
    return round(value * 1440 / 25.4)


PAGE_WIDTH = mm(210)  # 11906
PAGE_HEIGHT = mm(297)  # 16838
MARGIN_TOP = mm(37)  # 2098
MARGIN_LEFT = mm(28)  # 1587
MARGIN_RIGHT = mm(210 - 28 - 156)  # 26 mm = 1474
MARGIN_BOTTOM = mm(297 - 37 - 225)  # 35 mm = 1984
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT  # 8845
TEXT_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM  # 12756

BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
PAGE_NUMBER_PT = 14  # 4号
RECORD_PT = 14  # 版记: 4号
TABLE_PT = 14
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28

# Rounded down: a pitch a hair too large makes Word fit only 21 lines or 27 characters.
LINE_PITCH = TEXT_HEIGHT // LINES_PER_PAGE  # 579 twips = 28.95 pt, the familiar 固定值
# For type="linesAndChars" the character pitch is the Normal style's size plus
# charSpace/4096 pt.
CHAR_SPACE = math.floor((TEXT_WIDTH / CHARS_PER_LINE / 20 - BODY_PT) * 4096)  # -842
CHAR_PITCH = BODY_PT * 20 + CHAR_SPACE * 20 / 4096  # ≈ 315.9 twips
# The characters per line. Word would squeeze a 16 pt character into the grid's 15.8 pt
# cell, but LibreOffice (and so any PDF made with it) gives such a character two cells and
# breaks lines after 14 characters. So every paragraph opts out of snapping to the grid
# (w:snapToGrid 0) and 3号 runs are condensed by this much instead (-0.25 pt): 28
# characters fill the 156 mm line in Word, WPS and LibreOffice alike, and the grid still
# tells Word's page setup 22 lines × 28 characters and sizes the 字符 units of indents.
GRID_FIT = math.floor(CHAR_PITCH - BODY_PT * 20)  # -5 twips

# The page number's 一字线 sits 7 mm below the text block; its line is 15 pt high.
PAGE_NUMBER_LINE = 300
FOOTER_DISTANCE = MARGIN_BOTTOM - mm(7) - PAGE_NUMBER_LINE
HEADER_DISTANCE = mm(15)

# Orders of the children the schema requires (Word refuses files that break them).
PPR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr "
    "suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct "
    "topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid spacing ind "
    "contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
).split()
RPR_ORDER = (
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint "
    "noProof snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u "
    "effect bdr shd fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath"
).split()
TBLPR_ORDER = (
    "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
    "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook"
).split()
TCPR_ORDER = (
    "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection "
    "tcFitText vAlign hideMark"
).split()
THEME_FONT_ATTRS = ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")


def child(parent: etree._Element, tag: str, order: list[str], **attrs: str | int) -> etree._Element:
    """The parent's w:tag child, created in schema order if missing, with attrs set."""
    el = parent.find(qn(f"w:{tag}"))
    if el is None:
        el = OxmlElement(f"w:{tag}")
        later = order[order.index(tag) + 1 :]
        for sibling in parent:
            if sibling.tag.startswith("{") and sibling.tag.split("}")[1] in later:
                sibling.addprevious(el)
                break
        else:
            parent.append(el)
    for name, value in attrs.items():
        el.set(qn(f"w:{name}"), str(value))
    return el


@dataclass(frozen=True)
class Font:
    name: str
    fallback: str | None = None


@dataclass(frozen=True)
class Type:
    """A run's look: font, size in points, and the rest."""

    font: Font
    size: float
    color: str | None = None
    bold: bool = False


def set_run_format(rpr: etree._Element, look: Type, *, highlight: str | None = None) -> None:
    fonts = child(rpr, "rFonts", RPR_ORDER)
    for attr in THEME_FONT_ATTRS:
        fonts.attrib.pop(qn(f"w:{attr}"), "")
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attr}"), look.font.name)
    # Quotation marks, dashes and the like are in both scripts; the hint gives them to
    # the Chinese font, as a Chinese typist expects.
    fonts.set(qn("w:hint"), "eastAsia")
    if look.bold:
        child(rpr, "b", RPR_ORDER)
    if look.color:
        child(rpr, "color", RPR_ORDER, val=look.color)
    if look.size == BODY_PT and GRID_FIT < 0:
        child(rpr, "spacing", RPR_ORDER, val=GRID_FIT)
    half_points = round(look.size * 2)
    child(rpr, "sz", RPR_ORDER, val=half_points)
    child(rpr, "szCs", RPR_ORDER, val=half_points)
    if highlight:
        child(rpr, "highlight", RPR_ORDER, val=highlight)
    child(rpr, "lang", RPR_ORDER, val="en-US", eastAsia="zh-CN")


@dataclass(frozen=True)
class ParagraphLook:
    style_id: str
    name: str
    type: Type
    align: str = "both"  # w:jc
    first_line_chars: int = 0  # in characters (2 for the body's 空二字)
    left_chars: float = 0
    right_chars: float = 0
    line: int = LINE_PITCH  # exact line height, twips
    keep_next: bool = False


def set_paragraph_format(ppr: etree._Element, look: ParagraphLook) -> None:
    if look.keep_next:
        child(ppr, "keepNext", PPR_ORDER)
    child(ppr, "snapToGrid", PPR_ORDER, val=0)  # see GRID_FIT
    child(ppr, "spacing", PPR_ORDER, before=0, after=0, line=look.line, lineRule="exact")
    set_indent(ppr, first_line=look.first_line_chars, left=look.left_chars, right=look.right_chars)
    child(ppr, "jc", PPR_ORDER, val=look.align)


def set_indent(
    ppr: etree._Element, *, first_line: float = 0, left: float = 0, right: float = 0
) -> None:
    """Indents in characters, written both as w:*Chars (what Word uses with a document
    grid) and in twips (for readers that know only those)."""
    indent = {}
    for name, chars in (("firstLine", first_line), ("left", left), ("right", right)):
        if chars:
            indent[f"{name}Chars"] = round(chars * 100)
            indent[name] = round(chars * CHAR_PITCH)
    if indent:
        el = child(ppr, "ind", PPR_ORDER)
        el.attrib.clear()
        for name, value in indent.items():
            el.set(qn(f"w:{name}"), str(value))


def set_paragraph_border(
    ppr: etree._Element, edge: str, *, val: str, size: int, color: str, space: int = 1
) -> None:
    borders = child(ppr, "pBdr", PPR_ORDER)
    child(borders, edge, ["top", "left", "bottom", "right", "between", "bar"]).attrib.update(
        {qn("w:val"): val, qn("w:sz"): str(size), qn("w:space"): str(space), qn("w:color"): color}
    )


class Sheet:
    """A python-docx document set up for GB/T 9704: page, grid, styles, fonts, footers."""

    def __init__(self, looks: Iterable[ParagraphLook], *, body: Type, page_number: Type):
        self.doc: DocxDocument = Document()
        self.looks = {look.style_id: look for look in looks}
        self.body = body
        self.page_number = page_number
        self._clean_package()
        self._set_defaults()
        for look in self.looks.values():
            self._add_style(look)
        self._set_page()

    # ── package ──────────────────────────────────────────────────────────────────────
    def _clean_package(self) -> None:
        part = self.doc.part
        # python-docx's template carries a Word 2010 copy of the styles (with Office theme
        # fonts) and a sample customXml: neither belongs in our letter.
        for rid, rel in list(part.rels.items()):
            if rel.reltype.endswith(("/stylesWithEffects", "/customXml")):
                part.drop_rel(rid)
        # …nor its thumbnail of someone else's page.
        package_rels = part.package.rels
        for rid, rel in list(package_rels.items()):
            if rel.reltype.endswith("/thumbnail"):
                package_rels.pop(rid)
        keep = {"Normal", "Default Paragraph Font", "Normal Table", "No List"}
        for style in list(self.doc.styles):
            if style.name not in keep:
                style.element.getparent().remove(style.element)
        settings = self.doc.settings.element
        lang = settings.find(qn("w:themeFontLang"))
        if lang is not None:
            lang.set(qn("w:eastAsia"), "zh-CN")

    def _set_defaults(self) -> None:
        styles = self.doc.styles.element
        defaults = styles.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        set_run_format(rpr, self.body)
        ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
        child(ppr, "spacing", PPR_ORDER, before=0, after=0, line=240, lineRule="auto")
        normal = self.doc.styles["Normal"].element
        set_run_format(normal.get_or_add_rPr(), self.body)
        set_paragraph_format(normal.get_or_add_pPr(), ParagraphLook("Normal", "Normal", self.body))

    def _add_style(self, look: ParagraphLook) -> None:
        style = self.doc.styles.add_style(look.name, WD_STYLE_TYPE.PARAGRAPH)
        style.style_id = look.style_id
        style.base_style = self.doc.styles["Normal"]
        style.quick_style = True
        set_paragraph_format(style.element.get_or_add_pPr(), look)
        set_run_format(style.element.get_or_add_rPr(), look.type)

    def _set_page(self) -> None:
        sect = self.doc.sections[0]._sectPr
        order = "headerReference footerReference pgSz pgMar cols docGrid".split()
        child(sect, "pgSz", order, w=PAGE_WIDTH, h=PAGE_HEIGHT)
        child(
            sect,
            "pgMar",
            order,
            top=MARGIN_TOP,
            right=MARGIN_RIGHT,
            bottom=MARGIN_BOTTOM,
            left=MARGIN_LEFT,
            header=HEADER_DISTANCE,
            footer=FOOTER_DISTANCE,
            gutter=0,
        )
        child(
            sect,
            "docGrid",
            order,
            type="linesAndChars",
            linePitch=LINE_PITCH,
            charSpace=CHAR_SPACE,
        )

    def set_font_table(self, fonts: Iterable[Font]) -> None:
        """Declare the fonts with their fallbacks (w:altName) and the GB2312 charset, so a
        machine without 方正小标宋 or 仿宋_GB2312 substitutes a Chinese face, not a Latin one."""
        w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
        table = etree.Element(f"{{{w}}}fonts", nsmap={"w": w})
        seen = set()
        for font in fonts:
            if font.name in seen:
                continue
            seen.add(font.name)
            entry = etree.SubElement(table, f"{{{w}}}font", {f"{{{w}}}name": font.name})
            values = [("altName", font.fallback)] if font.fallback else []
            values += [
                ("charset", "86"),  # GB2312
                ("family", "modern" if "黑" in font.name else "roman"),
                ("pitch", "variable"),
            ]
            for tag, value in values:
                etree.SubElement(entry, f"{{{w}}}{tag}", {f"{{{w}}}val": value})
        xml = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)
        for rel in self.doc.part.rels.values():
            if rel.reltype == RT.FONT_TABLE:
                rel.target_part._blob = xml

    # ── content ──────────────────────────────────────────────────────────────────────
    def paragraph(
        self,
        style_id: str,
        text: str = "",
        *,
        container: DocxDocument | _Cell | None = None,
        keep_next: bool = False,
        **run: Any,
    ) -> Paragraph:
        container = container if container is not None else self.doc
        if isinstance(container, _Cell) and _is_fresh_cell(container):
            p = container.paragraphs[0]
        else:
            p = container.add_paragraph()
        self.style(p, style_id)
        if keep_next:
            ppr = p._p.get_or_add_pPr()
            child(ppr, "keepNext", PPR_ORDER)
            child(ppr, "keepLines", PPR_ORDER)
        if text:
            self.run(p, text, **run)
        return p

    def style(self, p: Paragraph, style_id: str) -> None:
        look = self.looks[style_id]
        ppr = p._p.get_or_add_pPr()
        child(ppr, "pStyle", PPR_ORDER, val=style_id)
        # Repeated on the paragraph so that a reader that ignores styles still lays it out.
        set_paragraph_format(ppr, look)

    def run(
        self,
        p: Paragraph,
        text: str,
        look: Type | None = None,
        *,
        highlight: str | None = None,
        breaks: Iterable[int] = (),
    ) -> Run:
        """A run with explicit fonts; breaks are offsets in text where a line break goes."""
        style_id = _style_id(p)
        look = look or self.looks[style_id].type
        cuts = [0, *sorted(breaks), len(text)]
        r = p.add_run()
        set_run_format(r._r.get_or_add_rPr(), look, highlight=highlight)
        for i, (start, end) in enumerate(zip(cuts, cuts[1:], strict=False)):
            if i:
                r._r.append(OxmlElement("w:br"))
            t = OxmlElement("w:t")
            t.text = text[start:end]
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            r._r.append(t)
        return r

    def indent(self, p: Paragraph, **chars: float) -> None:
        set_indent(p._p.get_or_add_pPr(), **chars)

    def border(
        self, p: Paragraph, edge: str, *, val: str, size: int, color: str, space: int = 1
    ) -> None:
        set_paragraph_border(
            p._p.get_or_add_pPr(), edge, val=val, size=size, color=color, space=space
        )

    def page_numbers(self, style_odd: str, style_even: str) -> None:
        """— N — in the footer: odd pages on the right, even pages on the left (GB/T 9704
        7.5: 单页码居右空一字，双页码居左空一字)."""
        self.doc.settings.odd_and_even_pages_header_footer = True
        section = self.doc.sections[0]
        for footer, style_id in (
            (section.footer, style_odd),
            (section.even_page_footer, style_even),
        ):
            footer.is_linked_to_previous = False
            p = footer.paragraphs[0]
            self.style(p, style_id)
            self._page_field(p)

    def _page_field(self, p: Paragraph) -> None:
        look = self.page_number
        self.run(p, "— ", look)
        for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None)):
            r = p.add_run()
            set_run_format(r._r.get_or_add_rPr(), look)
            if kind == "instr":
                instr = OxmlElement("w:instrText")
                instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                instr.text = text
                r._r.append(instr)
            else:
                r._r.append(OxmlElement("w:fldChar"))
                r._r[-1].set(qn("w:fldCharType"), kind)
        self.run(p, "1", look)
        r = p.add_run()
        set_run_format(r._r.get_or_add_rPr(), look)
        end = OxmlElement("w:fldChar")
        end.set(qn("w:fldCharType"), "end")
        r._r.append(end)
        self.run(p, " —", look)

    def table(
        self,
        widths: list[int],
        rows: int,
        *,
        borders: dict[str, tuple[str, int]],
        cell_margin: int = 108,
    ) -> Table:
        """A fixed-layout table across the text block; borders: edge → (val, eighths of a pt)."""
        table = self.doc.add_table(rows=rows, cols=len(widths))
        tblpr = table._tbl.tblPr
        child(tblpr, "tblW", TBLPR_ORDER, w=sum(widths), type="dxa")
        child(tblpr, "jc", TBLPR_ORDER, val="center")
        edges = child(tblpr, "tblBorders", TBLPR_ORDER)
        edge_order = ["top", "left", "bottom", "right", "insideH", "insideV"]
        for edge in edge_order:
            val, size = borders.get(edge, ("nil", 0))
            attrs: dict[str, str | int] = {"val": val}
            if val != "nil":
                attrs.update(sz=size, space=0, color="000000")
            child(edges, edge, edge_order, **attrs)
        child(tblpr, "tblLayout", TBLPR_ORDER, type="fixed")
        margins = child(tblpr, "tblCellMar", TBLPR_ORDER)
        for edge in ("left", "right"):
            child(margins, edge, ["top", "left", "bottom", "right"], w=cell_margin, type="dxa")
        grid = table._tbl.tblGrid
        for col, width in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
            col.set(qn("w:w"), str(width))
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                child(cell._tc.get_or_add_tcPr(), "tcW", TCPR_ORDER, w=width, type="dxa")
        return table

    def save(self, *, title: str, author: str, when: datetime) -> bytes:
        props = self.doc.core_properties
        props.title = title
        props.author = author
        props.last_modified_by = author
        props.created = when
        props.modified = when
        props.revision = 1
        props.comments = ""
        props.keywords = ""
        props.subject = ""
        props.category = ""
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


def _style_id(p: Paragraph) -> str:
    """The paragraph's w:pStyle, which Sheet.style gives every paragraph it makes."""
    ppr = p._p.pPr
    style = ppr.find(qn("w:pStyle")) if ppr is not None else None
    style_id = style.get(qn("w:val")) if style is not None else None
    if style_id is None:
        raise ValueError("a paragraph without a style: make it with Sheet.paragraph")
    return style_id


def _is_fresh_cell(cell: _Cell) -> bool:
    paragraphs = cell.paragraphs
    return (
        len(paragraphs) == 1
        and not paragraphs[0]._p.findall(qn("w:r"))
        and (paragraphs[0]._p.pPr is None or paragraphs[0]._p.pPr.find(qn("w:pStyle")) is None)
    )


def text_width(text: str) -> float:
    """Width in full-width characters: ASCII letters and digits are half a character."""
    return sum(0.5 if ord(ch) < 0x2E80 and ch not in "—…“”‘’" else 1 for ch in text)
