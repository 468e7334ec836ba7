"""The statistics page, the .xlsx export and the weekly bulletin: who may open them, bad
input (400 with a Chinese message, never 500), and the files read back (openpyxl,
python-docx) with the figures in them."""

import io
import json
from datetime import date

import pytest
from django.test import Client
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from opinions.models import Area, Opinion
from opinions.tests.stats.conftest import AS_OF
from reminders.tests.conftest import frozen

pytestmark = pytest.mark.django_db

PAGE = "/opinions/stats/"
XLSX = "/opinions/stats.xlsx"
DOCX = "/opinions/bulletin.docx"
WEEK = "?period=custom&start=2026-11-02&end=2026-11-08"


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("who", "page", "xlsx", "docx"),
    [
        ("coordinator", 200, 200, 200),
        ("leader", 200, 200, 200),
        ("viewer", 200, 200, 200),
        ("admin", 200, 200, 200),
        ("yizheng_head", 200, 200, 403),
        ("yizheng_handler", 403, 403, 403),
        ("outsider", 403, 403, 403),
        (None, 302, 302, 302),
    ],
)
def test_who_may_open_what(cast, who, page, xlsx, docx):
    client = client_for(getattr(cast, who) if who else None)
    with frozen(AS_OF):
        assert client.get(PAGE).status_code == page
        assert client.get(XLSX).status_code == xlsx
        assert client.get(DOCX).status_code == docx


def test_only_get(cast):
    client = client_for(cast.coordinator)
    for url in (PAGE, XLSX, DOCX):
        assert client.post(url).status_code == 405


def test_the_page_shows_the_figures(cast, week):
    with frozen(AS_OF):
        response = client_for(cast.leader).get(PAGE + WEEK)
    assert response.status_code == 200
    html = response.content.decode()
    assert "群众意见建议统计" in html
    assert 'data-rate="answer_on_time">2/3<' in html  # the rate card's fraction
    assert 'data-rate="forward_on_time">4/5<' in html
    assert 'data-unit="jiceng"' in html and 'data-unit="zhongyi"' in html
    assert "13812341234" not in html and "138****" not in html  # no phone in statistics
    charts = json.loads(
        html.split('id="op-stats-data" type="application/json">')[1].split("</script>")[0]
    )
    assert {p["name"]: p["value"] for p in charts["channels"]}["电话"] == 3
    assert "<script>" not in html  # no inline script (strict CSP)
    # The tab back to the 议提案 dashboard, and the export with the same filters.
    assert 'href="/dashboard/"' in html
    assert (
        'href="/opinions/stats.xlsx?period=custom&amp;start=2026-11-02&amp;end=2026-11-08"' in html
    )


def test_the_page_of_a_campaign(cast, campaign):
    with frozen(AS_OF):
        response = client_for(cast.coordinator).get(f"{PAGE}?campaign={campaign.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    card = html.split('id="op-campaign-card"')[1].split("</section>")[0]
    assert "发放征求意见簿 <b>400</b> 本，收回 <b>353</b> 本（收回率 88.2%，353/400）" in card
    assert "意见簿登记意见建议 <b>3</b> 条" in card
    assert "收到意见建议 <b>25</b> 条，已答复 <b>17</b> 条" in card
    assert "有条件解决的 <b>2</b> 条" in card and "需要时间解决的 <b>14</b> 条" in card
    assert f'<option value="{campaign.pk}" selected>' in html
    assert '<option value="all" selected>' in html  # a campaign alone: its whole span
    with frozen(AS_OF):
        book = load_workbook(
            io.BytesIO(client_for(cast.coordinator).get(f"{XLSX}?campaign={campaign.pk}").content)
        )
    overall = {row[0]: row[1] for row in book["总体"].iter_rows(min_row=3, values_only=True)}
    assert overall["发放意见簿（本）"] == 400 and overall["意见簿收集意见建议（条）"] == 3
    assert "（全部）" in book["总体"]["A1"].value


def test_a_unit_head_sees_only_their_row(cast, week):
    with frozen(AS_OF):
        html = client_for(cast.jiceng_head).get(PAGE + WEEK).content.decode()
    assert 'data-unit="jiceng"' in html
    assert 'data-unit="yizheng"' not in html and 'data-unit="zhongyi"' not in html
    assert 'id="op-bulletin"' not in html


def test_the_dashboard_has_a_tab_to_the_page(cast):
    with frozen(AS_OF):
        html = client_for(cast.leader).get("/dashboard/").content.decode()
    assert 'href="/opinions/stats/"' in html


@pytest.mark.parametrize(
    "query",
    [
        "?period=decade",
        "?period=custom&start=2026-11-09&end=2026-11-02",
        "?period=custom&start=2026-13-01&end=2026-11-02",
        "?period=custom&start=1900-01-01&end=2026-11-02",
        "?period=custom",
        "?campaign=abc",
        "?campaign=99999",
        "?campaign=%00",
        "?period=custom&start=%00&end=x",
    ],
)
def test_bad_input_is_400_in_chinese(cast, query):
    client = client_for(cast.coordinator)
    with frozen(AS_OF):
        page = client.get(PAGE + query)
        export = client.get(XLSX + query)
    assert page.status_code == 400 and export.status_code == 400
    assert 'id="op-stats-error"' in page.content.decode()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in export.content.decode())


@pytest.mark.parametrize("week", ["2026-02-30", "someday", "%00", "2030-01-07", "1800-01-06"])
def test_bad_bulletin_week_is_400(cast, week):
    with frozen(AS_OF):
        response = client_for(cast.leader).get(f"{DOCX}?week={week}")
    assert response.status_code == 400


def test_the_workbook_reads_back(cast, week):
    with frozen(AS_OF):
        response = client_for(cast.leader).get(XLSX + WEEK)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["总体", "按单位", "按渠道", "按领域"]
    overall = {row[0]: row[1:] for row in book["总体"].iter_rows(min_row=3, values_only=True)}
    assert overall["收到"][0] == 7
    assert overall["已答复"][0] == 3
    assert overall["按时办结率"][:2] == (0.6667, "2/3")
    assert overall["转办及时率"][:2] == (0.8, "4/5")
    assert overall["答复：需要时间解决"][0] == 1
    units = {row[0]: row for row in book["按单位"].iter_rows(min_row=3, values_only=True) if row[0]}
    assert units["基层卫生健康处"][1:4] == (2, 1, 1)
    assert units["基层卫生健康处"][8:11] == (1.0, 0.5, 0.0)
    channels = {row[0]: row[1] for row in book["按渠道"].iter_rows(min_row=3, values_only=True)}
    assert channels["电话"] == 3 and channels["合计"] == 7
    areas = {row[0]: row[1] for row in book["按领域"].iter_rows(min_row=3, values_only=True)}
    assert areas["医疗服务水平"] >= 2 and areas["合计"] == 7
    text = " ".join(str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row)
    assert "1381234" not in text


def test_a_unit_heads_workbook_has_only_their_unit(cast, week):
    with frozen(AS_OF):
        response = client_for(cast.yizheng_head).get(XLSX + WEEK)
    book = load_workbook(io.BytesIO(response.content))
    names = [row[0] for row in book["按单位"].iter_rows(min_row=3, values_only=True) if row[0]]
    assert names[0] == "医政医管处"
    assert "基层卫生健康处" not in names and "中医药管理处" not in names


def _bulletin_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def test_the_bulletin_reads_back(cast, week, settings):
    settings.HUIYIN_OPINION_RATE_FLOOR = 0.9
    with frozen(AS_OF):
        response = client_for(cast.leader).get(f"{DOCX}?week=2026-11-04")  # any day: its week
    assert response.status_code == 200
    assert "2026-11-02" in response["Content-Disposition"]
    text = _bulletin_text(response.content)
    assert "群众意见建议办理情况周报" in text
    assert "（2026年11月2日至11月8日）" in text
    # Volume: 7 this week, none the week before (X, received 11-01, is of that week: 1).
    assert "共收到群众意见建议7条，较上周（1条）增加6条、增长600.0%" in text
    assert "电话3条" in text
    assert "转办及时率80.0%" in text
    # Top three areas, most first (ties in the vocabulary's order); G counts under the
    # area suggested for it.
    counts = dict.fromkeys(Area.values, 0) | {
        "service": 2,
        "digital": 1,
        "primary": 1,
        "management": 2,
    }
    counts[Opinion.objects.get(pk=week["G"].pk).suggested_area] += 1
    top = sorted((c for c in Area.values if counts[c]), key=lambda c: -counts[c])[:3]
    labels = dict(Area.choices)
    listed = "、".join(f"{labels[c]}（{counts[c]}条，占{counts[c] / 7 * 100:.1f}%）" for c in top)
    assert f"本周群众反映较多的领域依次为：{listed}。" in text
    # Units below 90% named with the rate that is low (year to date: X counts for 医政).
    assert "医政医管处（按时办结率50.0%" in text
    assert "基层卫生健康处（回复率50.0%，满意率0.0%）" in text
    # The overdue list as of today, whenever received: X (11-01), E, G, D and Y (11-09),
    # oldest deadline first, with the working days since the deadline.
    assert (
        "已过答复期限尚未答复的群众意见建议共5条（超期天数为答复期限次日至截止日的工作日数）"
        in text
    )
    rows = [line for line in text.splitlines() if line.startswith("YJ2026-")]
    assert [row.split(" | ")[3] for row in rows] == [
        "2026-11-06",
        "2026-11-10",
        "2026-11-11",
        "2026-11-13",
        "2026-11-16",
    ]
    e_row = next(line for line in rows if "未转办" in line)
    assert "2026-11-10 | 8" in e_row  # 11-11 … 11-20: 8 working days
    assert "1381234" not in text  # the titles' phone numbers are masked
    assert "电话138****1234：门诊挂号" in rows[0]
    # The commission's official layout (letters.official): A4, 方正小标宋 title, 仿宋 body.
    document = Document(io.BytesIO(response.content))
    section = document.sections[0]
    assert (section.page_width.mm, section.page_height.mm) == pytest.approx((210, 297), abs=0.5)
    assert section.top_margin.mm == pytest.approx(37, abs=0.5)
    fonts = {
        p.style.name: p.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia"))
        for p in document.paragraphs
        if p.runs
    }
    assert fonts["公文标题"] == "方正小标宋简体"
    assert fonts["正文"] == "仿宋_GB2312"
    assert fonts["一级标题"] == "黑体"


def test_the_bulletin_of_a_quiet_week(cast):
    with frozen(AS_OF):
        response = client_for(cast.coordinator).get(DOCX)  # last full week: 11-09 … 11-15
    assert response.status_code == 200
    text = _bulletin_text(response.content)
    assert "（2026年11月9日至11月15日）" in text
    assert "未收到群众意见建议" in text
    assert "没有超期未办结的群众意见建议" in text


def test_default_bulletin_week_is_the_last_full_week():
    from opinions.bulletin import last_full_week

    assert last_full_week(date(2026, 11, 20)) == date(2026, 11, 9)
    assert last_full_week(date(2026, 11, 16)) == date(2026, 11, 9)
    assert last_full_week(date(2026, 11, 15)) == date(2026, 11, 2)
