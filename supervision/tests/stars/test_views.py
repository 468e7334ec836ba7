"""The ratings page, the .xlsx export and the bulletin: who may open what, bad input (400
with a Chinese message, never 500), the page's numbers and formula, and the files read back
(openpyxl, python-docx) with the figures in them."""

import io

import pytest
from django.test import Client
from docx import Document
from openpyxl import load_workbook

from reminders.tests.conftest import frozen
from supervision.tests.stars.conftest import AS_OF

pytestmark = [pytest.mark.django_db]

PAGE = "/supervision/stats/"
XLSX = "/supervision/stats.xlsx"
DOCX = "/supervision/bulletin.docx"
Q2 = "?period=2026-Q2"


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def get(user, url):
    with frozen(AS_OF):
        return client_for(user).get(url)


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
    user = getattr(cast, who) if who else None
    assert get(user, PAGE).status_code == page
    assert get(user, XLSX + Q2).status_code == xlsx
    assert get(user, DOCX + Q2).status_code == docx


def test_only_get(cast):
    client = client_for(cast.coordinator)
    for url in (PAGE, XLSX, DOCX):
        assert client.post(url).status_code == 405


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?period=2026-Q5", "统计期间应为"),
        ("?period=abc", "统计期间应为"),
        ("?period=1999", "统计年度"),
        ("?period=2026-12", "尚未开始"),  # today is 2026-07-06
        ("?period=" + "9" * 5000, "统计期间应为"),
        ("?period=2026-Q2%00", "统计期间应为"),
    ],
)
def test_bad_periods_are_400(cast, query, message):
    for url in (PAGE, XLSX, DOCX):
        response = get(cast.coordinator, url + query)
        assert response.status_code == 400, url
        assert message in response.content.decode()


def test_the_page_shows_the_figures_stars_and_formula(cast, quarter):
    response = get(cast.leader, PAGE + Q2)
    assert response.status_code == 200
    html = response.content.decode()
    assert "2026年第二季度" in html and "督查督办统计" in html
    assert 'data-rate="on_time">8/10<' in html  # 按时办结率 80.0%
    assert '<td class="text-end fw-bold" data-score="composite">80.75</td>' in html
    working = html.split('data-working="jiceng">')[1].split("</td>")[0]
    assert working == "75×0.3 + 80×0.4 + 87.5×0.3 = 80.75"
    small = html.split('data-working="zhongyi">')[1].split("</td>")[0]
    assert "办结不足 3 件" in small
    assert "综合得分 = 数量得分×0.3 + 质量得分×0.4 + 效率得分×0.3" in html
    star = html.split('data-star="efficiency"')[1].split("</div></div>")[0]
    assert 'data-winner="yizheng"' in star and 'data-winner="jiceng"' in star and "并列" in star
    assert "本季度（2026年4月1日至6月30日）共新登记督办事项14项" in html  # the draft
    assert 'href="/supervision/stats.xlsx?period=2026-Q2"' in html
    assert 'href="/supervision/bulletin.docx?period=2026-Q2"' in html
    assert "<script>" not in html  # strict CSP


def test_the_default_period_is_the_current_quarter(cast, quarter):
    html = get(cast.coordinator, PAGE).content.decode()
    assert "2026年第三季度" in html
    assert '<option value="2026-Q3" selected>' in html


def test_a_unit_head_sees_own_unit_only(cast, quarter):
    html = get(cast.jiceng_head, PAGE + Q2).content.decode()
    assert 'data-unit="jiceng"' in html
    assert 'data-unit="yizheng"' not in html and "医政医管处" not in html
    assert "下载通报" not in html and "通报基本情况" not in html


def test_the_workbook_reads_back(cast, quarter):
    response = get(cast.coordinator, XLSX + Q2)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["总体", "各单位评分", "评星", "按来源", "按紧急程度", "按状态"]
    overall = {row[0]: row[1:] for row in book["总体"].iter_rows(min_row=3, values_only=True)}
    assert overall["经核查办结"][0] == 10
    assert overall["按时办结率"][:2] == (0.8, "8/10")
    units = {row[0]: row for row in book["各单位评分"].iter_rows(min_row=3, values_only=True)}
    jiceng = units["基层卫生健康处"]
    assert jiceng[-3] == 80.75 and jiceng[-2] == "75×0.3 + 80×0.4 + 87.5×0.3 = 80.75"
    assert jiceng[-1] == "效率之星"
    stars = {row[0]: row[1] for row in book["评星"].iter_rows(min_row=3, values_only=True)}
    assert stars["效率之星"] == (
        "基层卫生健康处（按时办结率75.0%，4件中3件按时）、医政医管处（按时办结率75.0%，4件中3件按时）"
    )


def test_the_bulletin_reads_back(cast, quarter):
    response = get(cast.coordinator, DOCX + Q2)
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "督查督办工作通报" in text and "（2026年第二季度）" in text
    for heading in (
        "一、基本情况",
        "二、督办事项分布",
        "三、逾期未办结事项",
        "四、各单位评价情况",
        "五、评星结果",
    ):
        assert heading in text
    assert "本季度经核查办结督办事项10项，已销号9项" in text
    assert "按时办结率80.0%" in text
    assert "截至2026年7月6日，已过办理期限尚未办结的督办事项2项" in text
    assert "基层卫生健康处、医政医管处并列获评效率之星" in text
    cells = [[c.text for c in row.cells] for table in doc.tables for row in table.rows]
    assert ["医政医管处", "4", "4", "75.0%\n3/4", "100", "85", "80", "88"] in cells
    overdue = [row for row in cells if row[0].startswith("DB2026-")]
    assert [row[2] for row in overdue] == ["基层卫生健康处", "中医药管理处"]  # by unit
    assert overdue[1][5] == "4"  # due 06-30: 07-01, 02, 03, 06
