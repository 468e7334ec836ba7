"""The reply as it will be sent, for the leader who signs it: the same data and wording as
the .docx letter (letters.build.gather, letters.wording), laid out as HTML."""

from dataclasses import dataclass, field
from datetime import date

from cases.models import Case
from huiyin.formats import cn_date
from letters import wording
from letters.build import body_paragraphs, gather, split_heading


@dataclass
class Paragraph:
    text: str
    heading: str = ""  # a 一、 or （一） heading at the start
    level: int = 0  # 1 or 2 for a heading


@dataclass
class LetterPreview:
    class_mark: str
    doc_number: str
    title: str
    addressee: str
    opening: str
    paragraphs: list[Paragraph]
    commitments: list[str] = field(default_factory=list)
    commitments_intro: str = ""
    closing: str = ""
    signature: str = ""
    day: str = ""
    note: str = ""
    copy_to: str = ""


def letter_preview(case: Case, sign_day: date) -> LetterPreview:
    """The letter if it were signed on `sign_day` (the leader signs today)."""
    data = gather(case)
    data.on = data.on or sign_day
    data.year = data.on.year
    fields = data.fields
    paragraphs = body_paragraphs(data.text)
    # As the letter does: a salutation or 收悉 sentence the handler typed replaces ours.
    if paragraphs and paragraphs[0].replace(":", "：") == data.addressee:
        paragraphs = paragraphs[1:]
    opening = ""
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
    body = []
    for text in paragraphs:
        style, heading, rest = split_heading(text)
        level = {"HYHeading1": 1, "HYHeading2": 2}.get(style, 0)
        body.append(Paragraph(text=rest, heading=heading, level=level))
    closing = (wording.CLOSING_CO if data.is_co else wording.CLOSING).format(**fields)
    if paragraphs and "感谢" in paragraphs[-1]:
        closing = ""
    names = wording.COPY_TO_CO if data.is_co else wording.COPY_TO.get(case.category, [])
    signature = data.commission if wording.SIGNATURE is None else wording.SIGNATURE
    return LetterPreview(
        class_mark=f"{data.reply_class}类" if data.reply_class else "",
        doc_number=wording.DOC_NUMBER.format(**fields),
        title=(wording.TITLE_CO if data.is_co else wording.TITLE).format(**fields),
        addressee=data.addressee,
        opening=opening,
        paragraphs=body,
        commitments=[
            wording.COMMITMENT_ITEM.format(
                index=i, what=c.what.rstrip("。；;，, "), due=cn_date(c.due)
            )
            for i, c in enumerate(data.commitments, start=1)
        ],
        commitments_intro=wording.COMMITMENTS_INTRO if data.commitments else "",
        closing=closing,
        signature=signature,
        day=cn_date(data.on),
        note=wording.NOTE.format(**fields),
        copy_to=wording.COPY_TO_LINE.format(names="，".join(names)) if names else "",
    )
