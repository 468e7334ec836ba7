"""The 征询意见表: the proposer's rating form, sent with the reply."""

from datetime import date

import pytest
import time_machine

from cases.tests.factories import register
from letters.build import (
    feedback_form,
    feedback_form_available,
    feedback_form_filename,
    letter_available,
)
from letters.tests.helpers import NS, Docx, attr, run_fonts, text_of, w, walk
from workflow.errors import CaseError

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(date(2026, 12, 31), tick=False):
        yield


def rows(doc: Docx) -> list[list[str]]:
    table = doc.document.find("w:body/w:tbl", NS)
    return [[text_of(tc) for tc in tr.findall("w:tc", NS)] for tr in table.findall("w:tr", NS)]


def test_form_table_for_a_suggestion(cast):
    case = walk(cast, lead_proposer={"name": "陈光明", "kind": "deputy"})
    doc = Docx(feedback_form(case))
    assert doc.texts()[0] == "市人大代表建议办理情况征询意见表"
    choices = "□满意　　□基本满意　　□不满意"
    assert rows(doc) == [
        ["建议编号", f"第{case.number}号", "答复类别", "B类"],
        ["建议标题", "关于加强基层医疗卫生人才队伍建设的建议"],
        ["领衔人", "陈光明", "答复日期", "2026年5月25日"],
        ["承办单位", "江城市卫生健康委员会"],
        ["办理结果评价", choices],
        ["办理态度评价", choices],
        ["意见和建议", ""],
        ["代表（委员）签名", "", "日期", "年　　月　　日"],
    ]
    # Merged value cells span the three columns after the label.
    title_row = doc.document.find("w:body/w:tbl", NS).findall("w:tr", NS)[1]
    assert attr(title_row.findall("w:tc", NS)[1].find("w:tcPr/w:gridSpan", NS), "val") == "3"
    note = doc.texts()[-1]
    assert note.startswith("说明：请在相应的“□”内打“√”")
    assert "联系人：赵科员，联系电话：12345678" in note
    assert feedback_form_filename(case) == f"第{case.number}号建议征询意见表.docx"


def test_form_has_the_letter_page_and_fonts(cast):
    case = walk(
        cast,
        category="cppcc_proposal",
        session="市政协十三届五次会议",
        lead_proposer={"name": "农工党市委会", "kind": "party"},
        reply_class="A",
    )
    doc = Docx(feedback_form(case))
    assert doc.texts()[0] == "市政协提案办理情况征询意见表"
    assert rows(doc)[0][:1] == ["提案编号"]
    assert rows(doc)[2][1] == "农工党市委会"
    sect = doc.document.find("w:body/w:sectPr", NS)
    assert attr(sect.find("w:pgSz", NS), "w") == "11906"
    assert attr(sect.find("w:pgMar", NS), "top") == "2098"
    assert attr(sect.find("w:docGrid", NS), "linePitch") == "579"
    title = doc.body_paragraphs()[0].find("w:r", NS)
    assert run_fonts(title)["eastAsia"] == "方正小标宋简体"
    for run in doc.document.iter(w("r")):
        assert run_fonts(run)["eastAsia"] in {"方正小标宋简体", "仿宋_GB2312", "黑体"}
    assert any("PAGE" in "".join(t.text for t in f.iter(w("instrText"))) for f in doc.footers)


def test_no_form_for_a_co_case(cast):
    case = walk(cast, mode="co", external_lead="市发改委", reply_class="")
    with pytest.raises(CaseError, match="会办"):
        feedback_form(case)


def test_availability_for_the_buttons(cast):
    bare = register(cast, on=date(2026, 3, 2))
    assert not letter_available(bare) and not feedback_form_available(bare)
    case = walk(cast)
    assert letter_available(case) and feedback_form_available(case)
    co = walk(cast, mode="co", external_lead="市发改委", reply_class="")
    assert letter_available(co) and not feedback_form_available(co)
