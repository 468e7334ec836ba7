"""The annual summary, read back from the .docx: every figure as year_stats counts it, in the
reply letter's layout, with the judgement sections left for the office."""

import io
from datetime import date

import docx
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from docx.oxml.ns import qn

from letters import layout
from reports.stats import year_stats
from reports.summary import annual_summary
from reports.tests.conftest import bulk_cases

pytestmark = pytest.mark.django_db
ON = date(2026, 12, 31)


def read(content: bytes) -> tuple[docx.document.Document, str]:
    document = docx.Document(io.BytesIO(content))
    return document, "\n".join(p.text for p in document.paragraphs)


def table_rows(document) -> dict[str, list[str]]:
    table = document.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header[:4] == ["单位", "办件数", "主办", "已答复"]
    return {row.cells[0].text: [c.text for c in row.cells[1:]] for row in table.rows[1:]}


def test_the_figures_of_the_hand_made_year(year):
    document, text = read(annual_summary(year, on=ON))
    # 一、基本情况, in seed 001's words.
    assert (
        "今年，我委共收到人大代表建议和政协委员提案（以下简称议提案）7件。"
        "其中，市建议5件、县建议1件，省提案1件；议提案主办（含承办、分办）6件，会办1件。"
    ) in text
    assert (
        "其中，领办件1件：市人大代表建议第" in text
        and "《关于加强基层医疗卫生人才队伍建设的建议》，由市人大常委会副主任领办，由我委主办。"
        in text
    )
    assert "从内容上看，2026年议提案关注基层卫生（6件）、人才（4件）、中医药（2件）等。" in text
    assert "均进一步增长（2025年共1件、主办1件），分别增加6件、5件。" in text
    # 二、办理情况.
    # 超期未复 beside the rate: the case still handling (due 2026-06-02) is past its
    # deadline; the registered one has none. The rate counts answers only (DESIGN.md §5).
    assert (
        "截至2026年12月31日，7件议提案已答复5件，正在办理2件；按期答复4件，"
        "按期答复率80.0%（按期答复件数÷已答复件数）；"
        "超期未复1件（已过答复期限尚未答复，未计入按期答复率）。"
    ) in text
    assert (
        "主办件答复中，A类（已解决或基本解决）2件、B类（正在解决或列入计划逐步解决）1件、"
        "C类（因条件限制需待以后解决）0件、D类（留作参考）1件，"
        "解决或列入计划逐步解决（A、B类）的占75.0%。"
    ) in text
    assert (
        "已评价3件，其中满意2件、基本满意1件、不满意0件，满意率（含基本满意）100.0%；"
        "尚未反馈评价1件。"
    ) in text
    assert "面商、座谈、实地调研或上门走访的1件，面商率16.7%。" in text
    assert "推动议提案成果转化1项（政策文件1项）。" in text
    assert "已于2026年5月20日答复（A类），代表委员评价为满意。" in text
    assert "另有1件尚未交办到主办单位，计入合计。" in text


def test_the_figures_equal_year_stats(year):
    """The same checks, derived from the statistics object instead of written out."""
    s = year_stats(year)
    document, text = read(annual_summary(year, on=ON))
    assert f"（以下简称议提案）{s['total']}件" in text
    assert f"主办（含承办、分办）{s['by_role']['lead']}件，会办{s['by_role']['co']}件" in text
    assert f"领办件{s['leader_led']}件" in text
    assert f"已答复{s['replied']}件，正在办理{s['total'] - s['replied']}件" in text
    assert f"按期答复{s['replied_on_time']}件，按期答复率{s['on_time_rate'] * 100:.1f}%" in text
    for cls, n in s["reply_class"].items():
        assert f"{cls}类（" in text and f"）{n}件" in text
    assert f"满意{s['feedback']['satisfied']}件" in text
    assert f"满意率（含基本满意）{s['satisfaction_rate'] * 100:.1f}%" in text
    assert f"面商率{s['face_to_face_rate'] * 100:.1f}%" in text
    for topic, n in s["by_topic"].items():
        assert f"{topic}（{n}件）" in text
    rows = table_rows(document)
    for unit in s["by_unit"]:
        total, lead, replied, on_time = rows[unit["name"]][:4]
        assert (int(total), int(lead), int(replied)) == (
            unit["total"],
            unit["by_role"]["lead"],
            unit["replied"],
        )
        assert on_time == f"{unit['on_time_rate'] * 100:.1f}%"
    assert rows["合计"][:3] == [str(s["total"]), str(s["by_role"]["lead"]), str(s["replied"])]


def test_units_are_grouped_divisions_affiliated_and_county_with_subtotals(year, cast):
    """The commission's own divisions are 委机关处室 (not 市直单位, which are the city's
    other bureaus); its hospitals 委直属单位."""
    bulk_cases(cast, 40, 2026)
    s = year_stats(2026)
    document, text = read(annual_summary(2026, on=ON))
    rows = table_rows(document)
    counties = [u for u in s["by_unit"] if u["kind"] == "county"]
    assert rows["县区卫健局小计"][0] == str(sum(u["total"] for u in counties))
    divisions = [u for u in s["by_unit"] if u["kind"] in ("office", "department")]
    assert rows["委机关处室小计"][0] == str(sum(u["total"] for u in divisions))
    assert "委直属单位小计" in rows and rows["合计"][0] == str(s["total"])
    assert "委机关处室主办" in text and "委直属单位主办" in text and "县区卫健局主办" in text
    assert "市直" not in text
    # 超期未复 beside 按期答复率, per unit and in all.
    header = [c.text for c in document.tables[0].rows[0].cells]
    assert header[4:6] == ["按期答复率", "超期未复"]
    assert rows["合计"][4] == str(s["overdue_unreplied"]) and s["overdue_unreplied"] > 0


def test_the_total_row_keeps_with_its_table(year, cast):
    """合计 never starts a page alone: every row before it keeps with the next, rows do
    not split, and the header row repeats."""
    bulk_cases(cast, 40, 2026)
    document, _ = read(annual_summary(2026, on=ON))
    table = document.tables[0]

    def keeps(row) -> bool:
        return all(
            p._p.pPr is not None and p._p.pPr.find(qn("w:keepNext")) is not None
            for cell in row.cells
            for p in cell.paragraphs
        )

    rows = table.rows
    assert rows[-1].cells[0].text == "合计"
    assert all(keeps(row) for row in rows[:-1])
    assert not keeps(rows[-1])
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in rows)
    assert rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    # The paragraph introducing the table keeps with it too.
    intro = table._tbl.getprevious()
    assert intro.tag == qn("w:p") and intro.find(qn("w:pPr")).find(qn("w:keepNext")) is not None


def test_a_long_table_keeps_its_last_rows_with_the_total(year, cast):
    from cases.models import Case
    from cases.tests.factories import make_unit
    from reports import summary
    from reports.tally import refresh_all

    for i in range(summary.KEEP_WHOLE_ROWS):
        case = Case.objects.filter(year=2026, lead_unit__isnull=False).first()
        assert case is not None
        case.pk, case.number = None, f"L{i}"  # a copy, led by a unit of its own
        case.lead_unit = make_unit(f"u{i}", f"第{i}处", "department")
        case.save()
    refresh_all()  # rows copied directly: counted as an action would count them
    document, _ = read(annual_summary(2026, on=ON))
    rows = document.tables[0].rows
    assert len(rows) - 1 > summary.KEEP_WHOLE_ROWS

    def keeps(row) -> bool:
        p = row.cells[0].paragraphs[0]._p
        return p.pPr is not None and p.pPr.find(qn("w:keepNext")) is not None

    flags = [keeps(row) for row in rows[1:]]
    assert flags[-summary.KEEP_TAIL_ROWS :] == [True] * (summary.KEEP_TAIL_ROWS - 1) + [False]
    assert flags[0] is False  # a long table may break in the middle


def test_judgement_sections_are_headed_placeholders(year):
    document, _ = read(annual_summary(year, on=ON))
    texts = [p.text for p in document.paragraphs]
    for heading in ("一、基本情况", "二、办理情况"):
        assert heading in texts
    for heading in ("三、主要做法及成效", "四、存在的问题", "五、下一步打算"):
        assert texts[texts.index(heading) + 1] == "【请填写】"
    assert texts[0] == "市卫生健康委员会\n2026年度议提案办理工作总结"
    assert texts[-2:] == ["市卫生健康委员会", "2026年12月31日"]


def test_the_layout_is_the_reply_letters(year):
    document, _ = read(annual_summary(year, on=ON))
    sect = document.sections[0]._sectPr
    size, margins = sect.find(qn("w:pgSz")), sect.find(qn("w:pgMar"))
    assert (int(size.get(qn("w:w"))), int(size.get(qn("w:h")))) == (
        layout.PAGE_WIDTH,
        layout.PAGE_HEIGHT,
    )
    assert int(margins.get(qn("w:top"))) == layout.MARGIN_TOP
    assert int(margins.get(qn("w:left"))) == layout.MARGIN_LEFT
    grid = sect.find(qn("w:docGrid"))
    assert int(grid.get(qn("w:linePitch"))) == layout.LINE_PITCH
    styles = {s.style_id: s for s in document.styles}
    fonts = styles["HYBody"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    title = styles["HYTitle"].element.rPr.find(qn("w:rFonts"))
    assert title.get(qn("w:eastAsia")) == "方正小标宋简体"
    footer = document.sections[0].footer._element.xml
    assert "PAGE" in footer and "— " in footer


def test_an_empty_year_still_makes_a_document(db):
    _, text = read(annual_summary(2019, on=ON))
    assert "2019年，我委未收到人大代表建议和政协委员提案。" in text
    assert "三、主要做法及成效" in text


def test_the_command_writes_the_file(year, tmp_path):
    out = tmp_path / "总结.docx"
    call_command("report", "--year", "2026", "-o", str(out))
    _, text = read(out.read_bytes())
    assert "（以下简称议提案）7件" in text
    with pytest.raises(CommandError, match="年度"):
        call_command("report", "--year", "1999", "-o", str(out))
    with pytest.raises(CommandError, match=".docx"):
        call_command("report", "--year", "2026", "-o", str(tmp_path / "x.pdf"))


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("coordinator", 200),
        ("leader", 200),
        ("viewer", 200),
        ("admin", 200),
        ("yizheng_head", 403),
        ("yizheng_handler", 403),
    ],
)
def test_the_download_button(year, cast, username, expected):
    client = Client()
    client.force_login(getattr(cast, username))
    response = client.get("/dashboard/report.docx?year=2026")
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"].startswith(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
        assert "summary-2026.docx" in response["Content-Disposition"]
        _, text = read(response.content)
        assert "（以下简称议提案）7件" in text


def test_the_download_refuses_a_bad_year_in_chinese(cast):
    client = Client()
    client.force_login(cast.coordinator)
    response = client.get("/dashboard/report.docx?year=20x6")
    assert response.status_code == 400
    assert "年度应为2000至2100之间的整数" in response.content.decode()
    assert Client().get("/dashboard/report.docx?year=2026").status_code == 302
