"""Walking a case to a signed reply, and reading the .docx that comes out of it."""

import io
import zipfile
from datetime import date
from typing import Any

from lxml import etree

from cases import actions
from cases.models import Case
from cases.tests.factories import Cast, register

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}

BODY_TEXT = (
    "近年来，我委坚持以基层为重点，加强基层医疗卫生人才队伍建设。\n\n"
    "一、关于加大培养力度\n"
    "（一）实施订单定向培养。2023年以来累计培养订单定向医学生426名。\n"
    "二、关于完善激励机制。我委会同有关部门落实“两个允许”要求。\n"
    "\n"
    "　　下一步，我委将进一步完善政策体系。"
)


def w(name: str) -> str:
    return f"{{{W}}}{name}"


def walk(
    cast: Cast,
    *,
    reply_class: str = "B",
    text: str = BODY_TEXT,
    commitments: list[dict[str, Any]] | None = None,
    co_units: list | None = None,
    signed_on: date = date(2026, 5, 25),
    **register_overrides: Any,
) -> Case:
    """Register, assign to 医政医管处, reply, review and sign (time must be frozen later)."""
    case = register(cast, on=date(2026, 3, 2), **register_overrides)
    actions.assign_case(
        case,
        by=cast.coordinator,
        lead_unit=cast.yizheng,
        co_units=co_units or [],
        assigned_on=date(2026, 3, 5),
    )
    actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 3, 6))
    if commitments is None and reply_class in ("B", "C"):
        commitments = [{"what": "年内出台培养方案", "due": date(2026, 12, 1)}]
    actions.submit_reply(
        case,
        by=cast.yizheng_head,
        text=text,
        reply_class=reply_class,
        contact="赵科员",
        phone="12345678",
        commitments=commitments,
        on=date(2026, 5, 20),
    )
    actions.review_reply(case, by=cast.coordinator, passed=True, on=date(2026, 5, 22))
    actions.sign_reply(case, by=cast.leader, approved=True, on=signed_on)
    return Case.objects.get(pk=case.pk)


class Docx:
    """The XML parts of a .docx, parsed."""

    def __init__(self, blob: bytes) -> None:
        self.zip = zipfile.ZipFile(io.BytesIO(blob))
        self.names = self.zip.namelist()

    def xml(self, name: str):
        return etree.fromstring(self.zip.read(name))

    @property
    def document(self):
        return self.xml("word/document.xml")

    @property
    def styles(self):
        return self.xml("word/styles.xml")

    @property
    def footers(self) -> list:
        return [self.xml(n) for n in sorted(self.names) if n.startswith("word/footer")]

    def body_paragraphs(self) -> list:
        """The paragraphs directly in the body (not in tables)."""
        return self.document.findall("w:body/w:p", NS)

    def all_paragraphs(self) -> list:
        return self.document.findall(".//w:p", NS)

    def texts(self) -> list[str]:
        return [text_of(p) for p in self.body_paragraphs()]

    def paragraph(self, startswith: str):
        for p in self.all_paragraphs():
            if text_of(p).startswith(startswith):
                return p
        raise AssertionError(f"no paragraph starts with {startswith!r}: {self.texts()}")


def text_of(element) -> str:
    return "".join(t.text or "" for t in element.iter(w("t")))


def attr(element, name: str) -> str | None:
    return None if element is None else element.get(w(name))


def run_fonts(run) -> dict[str, str | None]:
    fonts = run.find("w:rPr/w:rFonts", NS)
    assert fonts is not None, etree.tostring(run, encoding="unicode")
    return {k: fonts.get(w(k)) for k in ("ascii", "hAnsi", "eastAsia", "cs")}


def run_size(run) -> int:
    return int(run.find("w:rPr/w:sz", NS).get(w("val")))


def alignment(paragraph) -> str | None:
    return attr(paragraph.find("w:pPr/w:jc", NS), "val")
