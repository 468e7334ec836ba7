"""The 答复函 as .docx: GB/T 9704 page, fonts, and the parts of the letter."""

from datetime import date

import pytest
import time_machine

from cases.models import Case
from cases.tests.factories import register
from letters import layout
from letters.build import (
    letter_reply,
    reply_letter,
    reply_letter_filename,
    split_heading,
    title_breaks,
)
from letters.tests.helpers import (
    NS,
    Docx,
    alignment,
    attr,
    run_fonts,
    run_size,
    text_of,
    w,
    walk,
)
from workflow.errors import CaseError

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(date(2026, 12, 31), tick=False):
        yield


@pytest.fixture
def letter(cast):
    case = walk(
        cast,
        lead_proposer={"name": "陈光明", "kind": "deputy"},
        co_units=[cast.fagaiwei],
        commitments=[
            {"what": "年内出台基层卫生人才培养方案。", "due": date(2026, 12, 31)},
            {"what": "完成乡镇卫生院全科医生全覆盖", "due": date(2027, 6, 30)},
        ],
    )
    return case, Docx(reply_letter(case))


# ── page ────────────────────────────────────────────────────────────────────────────────


def test_page_is_a4_with_gbt9704_margins_and_grid(letter):
    _, doc = letter
    sect = doc.document.find("w:body/w:sectPr", NS)
    size = sect.find("w:pgSz", NS)
    assert (attr(size, "w"), attr(size, "h")) == ("11906", "16838")
    margins = sect.find("w:pgMar", NS)
    # 37, 26, 35 and 28 mm at 1440/25.4 twips a millimetre, rounded.
    assert {k: attr(margins, k) for k in ("top", "right", "bottom", "left", "gutter")} == {
        "top": "2098",
        "right": "1474",
        "bottom": "1984",
        "left": "1587",
        "gutter": "0",
    }
    grid = sect.find("w:docGrid", NS)
    assert attr(grid, "type") == "linesAndChars"
    assert attr(grid, "linePitch") == "579"
    assert attr(grid, "charSpace") == "-842"


def test_grid_holds_22_lines_of_28_characters():
    width = layout.PAGE_WIDTH - layout.MARGIN_LEFT - layout.MARGIN_RIGHT
    height = layout.PAGE_HEIGHT - layout.MARGIN_TOP - layout.MARGIN_BOTTOM
    assert (width, height) == (8845, 12756)  # 156 × 225 mm
    assert 22 * layout.LINE_PITCH <= height < 22 * (layout.LINE_PITCH + 1)
    pitch = (16 + layout.CHAR_SPACE / 4096) * 20  # twips per character of the grid
    assert 28 * pitch <= width < 28 * (16 + (layout.CHAR_SPACE + 1) / 4096) * 20
    # The condensed 3号 character fits 28 to the line without the grid too.
    assert 28 * (320 + layout.GRID_FIT) <= width


def test_body_lines_are_exactly_one_grid_line(letter):
    _, doc = letter
    spacing = doc.paragraph("近年来").find("w:pPr/w:spacing", NS)
    assert (attr(spacing, "line"), attr(spacing, "lineRule")) == ("579", "exact")


# ── fonts and sizes ─────────────────────────────────────────────────────────────────────


def test_every_run_has_a_chinese_font(letter):
    _, doc = letter
    runs = list(doc.document.iter(w("r")))
    for footer in doc.footers:
        runs += list(footer.iter(w("r")))
    assert len(runs) > 30
    chinese = {"方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"}
    for run in runs:
        fonts = run_fonts(run)
        assert fonts["eastAsia"] in chinese, fonts
        assert fonts["ascii"] == fonts["hAnsi"] == fonts["eastAsia"]


def test_every_style_font_names_the_chinese_face_and_no_theme_font(letter):
    _, doc = letter
    styles = doc.styles
    fonts = list(styles.iter(w("rFonts")))
    assert fonts
    for element in fonts:
        assert element.get(w("eastAsia")), element.attrib
        assert not any(k.endswith("Theme}") or "Theme" in k for k in element.attrib), element.attrib
    default = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", NS)
    assert attr(default, "eastAsia") == "仿宋_GB2312"
    by_id = {attr(s, "styleId"): s for s in styles.findall("w:style", NS)}
    expected = {
        "Normal": "仿宋_GB2312",
        "HYTitle": "方正小标宋简体",
        "HYBody": "仿宋_GB2312",
        "HYHeading1": "黑体",
        "HYHeading2": "楷体_GB2312",
        "HYPageNumberOdd": "宋体",
    }
    for style_id, font in expected.items():
        assert attr(by_id[style_id].find("w:rPr/w:rFonts", NS), "eastAsia") == font
    assert attr(by_id["HYTitle"].find("w:rPr/w:sz", NS), "val") == "44"
    assert attr(by_id["HYBody"].find("w:rPr/w:sz", NS), "val") == "32"


def test_font_table_gives_fallbacks(letter):
    _, doc = letter
    table = doc.xml("word/fontTable.xml")
    alt = {
        attr(f, "name"): attr(f.find("w:altName", NS), "val") for f in table.findall("w:font", NS)
    }
    assert alt["方正小标宋简体"] == "宋体"
    assert alt["仿宋_GB2312"] == "仿宋"
    assert alt["楷体_GB2312"] == "楷体"


def test_title_body_and_headings_in_their_fonts_and_sizes(letter):
    case, doc = letter
    title = doc.paragraph("关于市十五届人大五次会议")
    assert text_of(title) == f"关于市十五届人大五次会议第{case.number}号建议的答复"
    assert alignment(title) == "center"
    for run in title.findall("w:r", NS):
        assert run_fonts(run)["eastAsia"] == "方正小标宋简体"
        assert run_size(run) == 44
    # Too long for one line of 2号: broken after the session so the lines balance.
    assert title.find("w:r/w:br", NS) is not None

    body = doc.paragraph("近年来")
    (run,) = body.findall("w:r", NS)
    assert (run_fonts(run)["eastAsia"], run_size(run)) == ("仿宋_GB2312", 32)
    indent = body.find("w:pPr/w:ind", NS)
    assert attr(indent, "firstLineChars") == "200"

    heading1 = doc.paragraph("一、关于加大培养力度")
    assert [run_fonts(r)["eastAsia"] for r in heading1.findall("w:r", NS)] == ["黑体"]
    # A run-in heading: 楷体 up to its 。, then the body font.
    heading2 = doc.paragraph("（一）实施订单定向培养。")
    runs = heading2.findall("w:r", NS)
    assert [(text_of(r), run_fonts(r)["eastAsia"]) for r in runs] == [
        ("（一）实施订单定向培养。", "楷体_GB2312"),
        ("2023年以来累计培养订单定向医学生426名。", "仿宋_GB2312"),
    ]
    assert [run_size(r) for r in runs] == [32, 32]
    # Typed full-width indents are dropped: the paragraph indent does that job.
    assert "下一步，我委将进一步完善政策体系。" in doc.texts()


# ── the parts of the letter ─────────────────────────────────────────────────────────────


def test_class_mark_first_and_right_aligned(letter):
    _, doc = letter
    first = doc.body_paragraphs()[0]
    assert text_of(first) == "B类"
    assert alignment(first) == "right"
    assert run_fonts(first.find("w:r", NS))["eastAsia"] == "黑体"


def test_letterhead_doc_number_and_addressee(letter):
    case, doc = letter
    texts = doc.texts()
    assert texts[1] == "江城市卫生健康委员会"
    assert "江卫函〔2026〕1号" in texts  # the first letter signed in 2026
    assert alignment(doc.paragraph("江卫函")) == "right"
    assert "陈光明代表：" in texts
    opening = doc.paragraph("您提出的")
    assert text_of(opening) == (
        f"您提出的《关于加强基层医疗卫生人才队伍建设的建议》（第{case.number}号）收悉。"
        "我委高度重视，会同市发改委认真研究办理，现答复如下："
    )


def test_commitments_closing_signature_note_and_copy_to(letter):
    _, doc = letter
    texts = doc.texts()
    start = texts.index("我委承诺：")
    assert texts[start + 1 : start + 3] == [
        "1. 年内出台基层卫生人才培养方案（完成时间：2026年12月31日）",
        "2. 完成乡镇卫生院全科医生全覆盖（完成时间：2027年6月30日）",
    ]
    assert "感谢您对卫生健康工作的关心和支持！" in texts
    unit = doc.paragraph("江城市卫生健康委员会")  # the letterhead
    assert attr(unit.find("w:pPr/w:jc", NS), "val") == "center"
    signature = [
        p
        for p in doc.body_paragraphs()
        if attr(p.find("w:pPr/w:pStyle", NS), "val") == "HYSignature"
    ]
    assert [text_of(p) for p in signature] == ["江城市卫生健康委员会", "2026年5月25日"]
    assert all(alignment(p) == "right" for p in signature)
    assert attr(signature[1].find("w:pPr/w:ind", NS), "rightChars") == "400"  # 右空四字
    assert "（联系人：赵科员，联系电话：12345678）" in texts
    record = doc.document.find("w:body/w:tbl", NS)
    cells = [text_of(c) for c in record.iter(w("tc"))]
    assert cells == [
        "抄送：市人大常委会代表工委，市政府督查室。",
        "江城市卫生健康委员会办公室",
        "2026年5月25日印发",
    ]


def test_page_number_field_in_odd_and_even_footers(letter):
    _, doc = letter
    settings = doc.xml("word/settings.xml")
    assert settings.find("w:evenAndOddHeaders", NS) is not None
    sect = doc.document.find("w:body/w:sectPr", NS)
    refs = {attr(r, "type") for r in sect.findall("w:footerReference", NS)}
    assert refs == {"default", "even"}
    aligns = set()
    for footer in doc.footers:
        instr = "".join(t.text for t in footer.iter(w("instrText")))
        assert instr.strip() == "PAGE"
        kinds = [attr(f, "fldCharType") for f in footer.iter(w("fldChar"))]
        assert kinds == ["begin", "separate", "end"]
        assert text_of(footer) == "— 1 —"
        for run in footer.iter(w("r")):
            assert run_fonts(run)["eastAsia"] == "宋体"
            assert run_size(run) == 28
        aligns.add(alignment(footer.find("w:p", NS)))
    assert aligns == {"right", "left"}  # odd pages right, even pages left


@pytest.mark.parametrize(
    ("category", "proposer", "addressee", "you"),
    [
        ("npc_suggestion", {"name": "陈光明", "kind": "deputy"}, "陈光明代表：", "您"),
        ("cppcc_proposal", {"name": "林海燕", "kind": "member"}, "林海燕委员：", "您"),
        ("cppcc_proposal", {"name": "农工党市委会", "kind": "party"}, "农工党市委会：", "你们"),
        ("cppcc_proposal", {"name": "医卫界", "kind": "sector"}, "医卫界：", "你们"),
        ("npc_suggestion", {"name": "王代表", "kind": "deputy"}, "王代表：", "您"),
    ],
)
def test_addressee_by_proposer_kind(cast, category, proposer, addressee, you):
    case = walk(
        cast,
        category=category,
        session="市政协十三届五次会议" if category == "cppcc_proposal" else "市十五届人大五次会议",
        lead_proposer=proposer,
        reply_class="A",
    )
    doc = Docx(reply_letter(case))
    texts = doc.texts()
    assert addressee in texts
    assert texts[texts.index(addressee) + 1].startswith(f"{you}提出的")
    assert f"感谢{you}对卫生健康工作的关心和支持！" in texts
    kind_word = "提案" if category == "cppcc_proposal" else "建议"
    assert text_of(doc.paragraph("关于")).endswith(f"第{case.number}号{kind_word}的答复")
    copy_to = "市政协提案委" if category == "cppcc_proposal" else "市人大常委会代表工委"
    assert f"抄送：{copy_to}，市政府督查室。" in text_of(doc.document.find("w:body/w:tbl", NS))
    assert "我委承诺：" not in texts  # an A reply promises nothing


def test_co_case_has_no_class_mark(cast):
    case = walk(
        cast,
        mode="co",
        external_lead="市发改委",
        lead_proposer={"name": "陈光明", "kind": "deputy"},
        reply_class="",
    )
    assert case.state == "closed"
    doc = Docx(reply_letter(case))
    texts = doc.texts()
    assert not any(t.endswith("类") and len(t) == 2 for t in texts)
    assert texts[0] == "江城市卫生健康委员会"
    assert text_of(doc.paragraph("关于")).endswith(f"第{case.number}号建议的会办意见")
    assert "市发改委：" in texts
    assert any(t.startswith("陈光明提出的《") and "会办意见" in t for t in texts)
    assert reply_letter_filename(case) == f"第{case.number}号建议会办意见.docx"


def test_imported_case_without_reply_text_gets_the_placeholder(cast):
    case = register(cast, on=date(2026, 3, 2), lead_proposer={"name": "陈光明", "kind": "deputy"})
    # As the ledger import leaves history: closed, with a reply date and class, no Reply.
    Case.objects.filter(pk=case.pk).update(
        state="closed", replied_on=date(2026, 6, 22), reply_class="C"
    )
    case = Case.objects.get(pk=case.pk)
    doc = Docx(reply_letter(case))
    texts = doc.texts()
    assert texts[0] == "C类"
    assert f"关于市十五届人大五次会议第{case.number}号建议的答复" in texts
    placeholder = doc.paragraph("【请在此处填写答复正文】")
    assert attr(placeholder.find("w:r/w:rPr/w:highlight", NS), "val") == "yellow"
    assert "2026年6月22日" in texts
    assert "江卫函〔2026〕　　号" in texts  # imported without a 文号: filled in by hand
    assert any(t.startswith("（联系人：") for t in texts)


def test_no_reply_no_letter(cast):
    case = register(cast, on=date(2026, 3, 2))
    with pytest.raises(CaseError, match="此办件尚无答复，不能生成答复函"):
        reply_letter(case)


def test_a_draft_prints_with_a_blank_date(cast):
    from cases import actions

    case = register(cast, on=date(2026, 3, 2), lead_proposer={"name": "陈光明", "kind": "deputy"})
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 5)
    )
    actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 3, 6))
    actions.submit_reply(
        case,
        by=cast.yizheng_head,
        text="草稿正文",
        reply_class="A",
        contact="赵科员",
        phone="12345678",
        on=date(2026, 5, 20),
    )
    doc = Docx(reply_letter(case))
    texts = doc.texts()
    assert "草稿正文" in texts
    assert "　　　　年　　月　　日" in texts
    assert "江卫函〔2026〕　　号" in texts  # the number is given at 签发


def test_letter_uses_the_signed_reply_of_the_latest_round(cast):
    from cases import actions

    case = walk(cast, lead_proposer={"name": "陈光明", "kind": "deputy"}, text="第一轮答复")
    first = letter_reply(case)
    assert (first.round, first.text) == (1, "第一轮答复")
    actions.record_feedback(case, by=cast.coordinator, result="unsatisfied", on=date(2026, 6, 10))
    case = Case.objects.get(pk=case.pk)
    assert letter_reply(case) == first  # round 2 has no reply yet: the one that was sent
    actions.submit_reply(
        case,
        by=cast.yizheng_head,
        text="第二轮答复",
        reply_class="A",
        contact="张处长",
        phone="12345678",
        on=date(2026, 7, 1),
    )
    actions.review_reply(
        case, by=cast.coordinator, passed=False, comment="请补充数据", on=date(2026, 7, 2)
    )
    case = Case.objects.get(pk=case.pk)
    assert letter_reply(case).text == "第二轮答复"  # sent back, but the latest there is
    actions.submit_reply(
        case,
        by=cast.yizheng_head,
        text="第二轮答复（修改）",
        reply_class="A",
        contact="张处长",
        phone="12345678",
        on=date(2026, 7, 3),
    )
    actions.review_reply(case, by=cast.coordinator, passed=True, on=date(2026, 7, 3))
    actions.sign_reply(case, by=cast.leader, approved=True, on=date(2026, 7, 6))
    case = Case.objects.get(pk=case.pk)
    assert letter_reply(case).text == "第二轮答复（修改）"
    texts = Docx(reply_letter(case)).texts()
    assert "第二轮答复（修改）" in texts and "A类" == texts[0]
    assert "2026年7月6日" in texts


def test_handler_written_salutation_opening_and_thanks_are_not_doubled(cast):
    text = (
        "陈光明代表：\n"
        "您提出的《关于加强基层医疗卫生人才队伍建设的建议》收悉，现答复如下：\n"
        "一、正文。\n"
        "感谢您对我委工作的支持！"
    )
    case = walk(
        cast, lead_proposer={"name": "陈光明", "kind": "deputy"}, text=text, reply_class="A"
    )
    texts = Docx(reply_letter(case)).texts()
    assert texts.count("陈光明代表：") == 1
    assert sum("收悉" in t for t in texts) == 1
    assert sum(t.startswith("感谢") for t in texts) == 1


# ── pieces ──────────────────────────────────────────────────────────────────────────────


def test_split_heading():
    assert split_heading("一、总体情况") == ("HYHeading1", "一、总体情况", "")
    assert split_heading("十二、其他") == ("HYHeading1", "十二、其他", "")
    assert split_heading("（三）下一步。我们将继续") == (
        "HYHeading2",
        "（三）下一步。",
        "我们将继续",
    )
    assert split_heading("(二)半角括号") == ("HYHeading2", "(二)半角括号", "")
    assert split_heading("一是加强领导。") == ("HYBody", "", "一是加强领导。")
    assert split_heading("2023年以来") == ("HYBody", "", "2023年以来")


def test_title_breaks_balance_long_titles():
    short = "关于第5号建议的答复"
    assert title_breaks(short) == []
    title = "关于市十五届人大五次会议第20260005号建议的答复"
    (cut,) = title_breaks(title)
    assert title[:cut] == "关于市十五届人大五次会议"
