"""The 督办单 (/supervision/<id>/notice.docx): numbered at 交办 in its year, in the official
layout, with every field of the item; refused before 交办 (400) and to a unit that does not
handle the item (404)."""

import io
from datetime import date
from urllib.parse import quote

import docx
import pytest

from cases.tests.factories import register
from letters.build import DOCX_CONTENT_TYPE
from letters.models import LetterSeries
from letters.tests.conftest import TEST_COMMISSION, unconfigure
from reminders.tests.conftest import frozen
from supervision import actions
from supervision.notice import supervision_notice
from supervision.tests.board.conftest import TODAY, item

pytestmark = pytest.mark.django_db


def url(case) -> str:
    return f"/supervision/{case.pk}/notice.docx"


def texts(blob: bytes) -> tuple[list[str], list[list[str]]]:
    document = docx.Document(io.BytesIO(blob))
    rows = []
    for table in document.tables:
        for row in table.rows:
            cells: list[str] = []
            for cell in row.cells:  # a merged cell repeats: keep it once
                if not cells or cell.text != cells[-1]:
                    cells.append(cell.text)
            rows.append(cells)
    return [p.text for p in document.paragraphs], rows


@pytest.fixture
def assigned(cast):
    """The year's third 督办单: two items assigned before it."""
    item(cast, title="其一", unit=cast.jiceng, accept=False)
    item(cast, title="其二", unit=cast.jiceng, accept=False)
    with frozen(date(2026, 11, 2)):
        case = actions.register_supervision(
            by=cast.coordinator, source="leader_instruction", urgency="red",
            title="落实急救电话10秒接听率", received_on=date(2026, 10, 30),
            document_number="委领导批示〔2026〕12号", issuer="委办公室",
            document_date=date(2026, 10, 29),
            instruction="请医政处抓紧落实。\n请督查室跟踪问效。",
        )  # fmt: skip
        actions.assign(
            case, by=cast.coordinator, lead_unit=cast.yizheng, co_units=[cast.jiceng, cast.fagaiwei],
            leader_in_charge=cast.leader,
            milestones=[("制定整改方案", date(2026, 11, 3)), ("完成系统改造", date(2026, 11, 4))],
        )  # fmt: skip
    case.refresh_from_db()
    return case


def test_it_opens_and_says_everything(assigned):
    paragraphs, rows = texts(supervision_notice(assigned))
    assert paragraphs[0] == TEST_COMMISSION  # the red letterhead
    assert "督〔2026〕3号" in paragraphs
    assert "督办通知单" in paragraphs
    assert [f"{TEST_COMMISSION}督查室", "2026年11月2日"] == [p for p in paragraphs if p][-2:]
    table = {row[0]: row[1:] for row in rows}
    assert table["事项编号"] == [assigned.number, "紧急程度", "红色（特急）"]
    assert table["督办来源"] == ["委主要领导批示、交办事项"]
    assert table["督办事项"] == ["落实急救电话10秒接听率"]
    assert table["来文单位"] == ["委办公室", "来文日期", "2026年10月29日"]
    assert table["文　　号"] == ["委领导批示〔2026〕12号"]
    assert table["领导批示"] == ["请医政处抓紧落实。\n请督查室跟踪问效。"]
    assert table["承办单位"] == ["医政医管处", "分管领导", "李主任"]
    assert table["协办单位"] == ["基层卫生健康处、市发改委"]
    # Red: three working days from Monday 11-02.
    assert table["交办日期"] == ["2026年11月2日", "办理期限", "2026年11月5日"]
    assert table["阶段性\n目标"] == [
        "1. 制定整改方案（2026年11月3日前）\n2. 完成系统改造（2026年11月4日前）"
    ]
    asks = table["办理要求"][0]
    assert asks.startswith("请于2026年11月5日前将办理情况书面报送委督查室。")
    assert "按阶段性目标的时限及时反馈进展情况" in asks
    props = docx.Document(io.BytesIO(supervision_notice(assigned))).core_properties
    assert props.title == "督办通知单（督〔2026〕3号）" and props.author == TEST_COMMISSION


def test_a_configured_code_and_a_stated_deadline(cast):
    LetterSeries.objects.create(kind="supervision", code="卫健督")
    case = item(cast, urgency="green", accept=False)
    with frozen(date(2026, 11, 2)):
        actions.assign(
            case, by=cast.coordinator, lead_unit=cast.yizheng, deadline=date(2026, 11, 20)
        )
    case.refresh_from_db()
    paragraphs, rows = texts(supervision_notice(case))
    assert "卫健督〔2026〕1号" in paragraphs
    table = {row[0]: row[1:] for row in rows}
    assert table["交办日期"][2] == "2026年11月20日"  # stated, not by the colour
    assert table["协办单位"] == ["无"] and table["阶段性\n目标"] == ["无"]
    assert table["承办单位"] == ["医政医管处", "分管领导", ""]


@pytest.mark.parametrize("who", ["coordinator", "leader", "viewer", "yizheng_head", "jiceng_head"])
def test_whoever_sees_the_item_downloads_it(client, cast, assigned, who):
    client.force_login(getattr(cast, who))  # 基层 is a co-unit: it sees the item too
    with frozen(TODAY):
        response = client.get(url(assigned))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_CONTENT_TYPE
    disposition = response["Content-Disposition"]
    assert f'filename="supervision-notice-{assigned.number}.docx"' in disposition
    assert quote(f"督办通知单_{assigned.number}.docx") in disposition
    assert "督〔2026〕3号" in texts(response.content)[0]


def test_refused_to_others_and_before_assignment(client, cast, assigned):
    client.force_login(cast.zhongyi_head)  # not a unit of the item
    assert client.get(url(assigned)).status_code == 404
    client.force_login(cast.outsider)
    assert client.get(url(assigned)).status_code == 404
    client.logout()
    assert client.get(url(assigned)).status_code == 302  # to the login page
    registered = item(cast)
    client.force_login(cast.coordinator)
    response = client.get(url(registered))
    assert response.status_code == 400
    assert response.content.decode() == "此督办事项尚未交办，交办后才有督办单"
    assert client.get("/supervision/999999/notice.docx").status_code == 404
    with frozen(TODAY):
        proposal = register(cast, on=TODAY)
    assert client.get(url(proposal)).status_code == 404  # not a supervision item


def test_a_placeholder_organisation_is_a_400(client, cast, assigned):
    unconfigure()
    client.force_login(cast.coordinator)
    response = client.get(url(assigned))
    assert response.status_code == 400
    assert "发文设置尚未完成" in response.content.decode()
