"""回头看's figures on hand-made data, exactly: the list page, its filters and tabs, the
.xlsx and the .docx report, and the statistics object's `commitments` (CLI and API).

2025 (as of 2026-03-02):
  case A, B类, 医政医管处: 已兑现 (due 2025-10-31), 部分兑现 (2025-12-31, reason),
    推进中 not yet due (2026-09-30), 未开始 overdue (2026-01-31);
  case B, C类, 基层卫生健康处: 未兑现 (2025-11-30, reason), 未开始 not yet due (2026-12-31);
  case E: a draft with a promise sent back by the office (never promised: not counted);
  a 2024 B case with a promise (another year).
  Two public opinions answered "needs time" (received 2025): one solved, one overdue.
"""

import io
import re
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from docx import Document
from openpyxl import load_workbook

from cases import actions
from cases.actions import accept_case
from cases.tests.factories import register
from opinions import actions as opinion_actions
from promises.figures import Filters, years_commitments
from promises.tests.helpers import GATES, frozen, promised_case
from reports.stats import year_stats
from web.tests.pages import case_page_with_cards

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 2)


def _set(case, by, what, status, reason="", on=date(2026, 2, 2)):
    c = case.commitments.get(what=what)
    with frozen(TODAY):
        actions.update_commitment(
            case, by=by, commitment_id=c.pk, status=status, reason=reason, note=f"{what}进展", on=on
        )


@pytest.fixture
def world(cast):
    a = promised_case(
        cast,
        year=2025,
        title="关于建设区域医疗中心的建议",
        promises=[
            ("启动区域医疗中心建设", date(2025, 10, 31)),
            ("完成设备采购", date(2025, 12, 31)),
            ("建成并投入使用", date(2026, 9, 30)),
            ("出台配套政策", date(2026, 1, 31)),
        ],
    )
    b = promised_case(
        cast,
        year=2025,
        reply_class="C",
        unit=cast.jiceng,
        head=cast.jiceng_head,
        title="关于增加村医补贴的建议",
        lead_proposer="林代表",
        promises=[("提高村医补贴标准", date(2025, 11, 30)), ("争取省级资金", date(2026, 12, 31))],
    )
    _set(a, cast.yizheng_head, "启动区域医疗中心建设", "fulfilled")
    _set(a, cast.yizheng_head, "完成设备采购", "partial", reason="部分设备尚未到货")
    _set(a, cast.yizheng_head, "建成并投入使用", "in_progress")
    _set(b, cast.jiceng_head, "提高村医补贴标准", "unfulfilled", reason="财政资金不足")
    with frozen(date(2025, 6, 1)):
        e = register(cast, on=date(2025, 3, 2), year=2025, title="退回的草稿")
        actions.assign_case(
            e, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2025, 3, 3)
        )
        accept_case(e, by=cast.yizheng_head, on=date(2025, 3, 4))
        actions.submit_reply(
            e, by=cast.yizheng_head, text="答复", reply_class="B", contact="张", phone="1",
            commitments=[{"what": "草稿里的承诺", "due": date(2025, 9, 1)}], on=date(2025, 4, 1),
        )  # fmt: skip
        actions.review_reply(
            e, by=cast.coordinator, passed=False, comment="请修改", on=date(2025, 4, 2),
            gates={**GATES, "content": False},
        )  # fmt: skip
    promised_case(cast, year=2024, promises=[("去年的承诺", date(2024, 12, 31))])
    with frozen(date(2025, 11, 6)):
        for done in (True, False):
            o = opinion_actions.register_opinion(
                by=cast.coordinator, channel="phone", content="挂号难"
            )
            opinion_actions.forward(o, by=cast.leader, lead_unit=cast.yizheng)
            accept_case(o, by=cast.yizheng_head)
            opinion_actions.answer(
                o, by=cast.yizheng_head, text="分步解决", result="needs_time",
                fix="年底前增设窗口", fix_due=date(2025, 12, 31),
            )  # fmt: skip
            if done:
                opinion_actions.complete_fix(o, by=cast.yizheng_head, note="已增设")
    return {"a": a, "b": b}


def _page(user, query=""):
    client = Client()
    client.force_login(user)
    with frozen(TODAY):
        response = client.get(f"/promises/?{query}")
    return response, response.content.decode()


def _figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="(\w+)">([^<]*)<', html))


ALL_2025 = {"total": "6", "fulfilled": "1", "partial": "1", "unfulfilled": "1", "open": "3",
            "overdue": "1", "rate": "25.0%"}  # fmt: skip


def test_the_list_counts_the_years_promises_exactly(cast, world):
    response, html = _page(cast.coordinator, "year=2025")
    assert response.status_code == 200
    assert _figures(html) == ALL_2025
    assert html.count('class="badge hy-commitment hy-commitment-') == 6
    assert "草稿里的承诺" not in html and "去年的承诺" not in html
    assert "林代表" in html and "财政资金不足" in html
    # By class, by unit, by status, overdue only.
    assert _figures(_page(cast.coordinator, "year=2025&class=B")[1]) == {
        "total": "4", "fulfilled": "1", "partial": "1", "unfulfilled": "0", "open": "2",
        "overdue": "1", "rate": "33.3%"}  # fmt: skip
    c_only = _figures(_page(cast.coordinator, "year=2025&class=C")[1])
    assert (c_only["total"], c_only["unfulfilled"], c_only["rate"]) == ("2", "1", "0.0%")
    assert _figures(_page(cast.coordinator, "year=2025&unit=jiceng")[1]) == c_only
    overdue = _page(cast.coordinator, "year=2025&overdue=1")[1]
    assert overdue.count('class="badge hy-commitment hy-commitment-') == 1
    assert "出台配套政策" in overdue
    opened = _page(cast.coordinator, "year=2025&status=open_any")[1]
    assert opened.count('class="badge hy-commitment hy-commitment-') == 3


def test_the_latest_year_with_promises_by_default_and_a_unit_sees_its_own(cast, world):
    assert _figures(_page(cast.coordinator)[1]) == ALL_2025
    html = _page(cast.jiceng_head)[1]
    assert _figures(html)["total"] == "2" and "启动区域医疗中心建设" not in html
    assert _page(cast.outsider)[0].status_code == 403


def test_the_needs_time_tab(cast, world):
    html = _page(cast.coordinator, "year=2025&tab=opinions")[1]
    assert "已解决 1 件，正在解决 1 件，其中超过计划完成日期 1 件" in html
    assert html.count("年底前增设窗口") == 2
    assert "逾期未解决" in html


def test_bad_filters_are_a_400_page(cast, world):
    for query in ("year=abc", "class=A", "unit=nowhere", "status=x", "page=0", "year=99999999999"):
        response, html = _page(cast.coordinator, query)
        assert response.status_code == 400, query
        assert "hy-promises-error" in html


def test_the_list_reads_a_fixed_number_of_queries(cast, world):
    client = Client()
    client.force_login(cast.coordinator)
    client.get("/promises/?year=2025")  # the session's first save is not the page's work
    with frozen(TODAY), CaptureQueriesContext(connection) as few:
        client.get("/promises/?year=2025")
    for k in range(5):
        promised_case(cast, year=2025, promises=[(f"多一项{k}", date(2026, 6, 30))])
    with frozen(TODAY), CaptureQueriesContext(connection) as many:
        client.get("/promises/?year=2025")
    assert len(few.captured_queries) == len(many.captured_queries) <= 14


def test_the_xlsx_holds_the_rows_and_figures(cast, world):
    client = Client()
    client.force_login(cast.coordinator)
    with frozen(TODAY):
        response = client.get("/promises/export.xlsx?year=2025&class=B")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A1"].value == "2025年B类件承诺事项兑现情况"
    summary = [c.value for c in ws[3]]
    assert summary[:12] == ["承诺总数", 4, "已兑现", 1, "部分兑现", 1, "未兑现", 0,
                            "推进中/未开始", 2, "逾期未兑现", 1]  # fmt: skip
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=6)]
    assert len(rows) == 4
    partial = next(r for r in rows if r[4] == "完成设备采购")
    assert partial[6:8] == ["医政医管处", "部分兑现"] and partial[11] == "部分设备尚未到货"
    overdue = next(r for r in rows if r[4] == "出台配套政策")
    assert overdue[8] == "是"


def test_the_docx_report_prints_the_figures_and_the_reasons(cast, world):
    client = Client()
    client.force_login(cast.coordinator)
    with frozen(TODAY):
        response = client.get("/promises/report.docx?year=2025")
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "2025年B类、C类件承诺事项兑现情况" in text
    assert "共有承诺事项6项，已兑现1项，部分兑现1项，未兑现1项" in text
    assert "兑现率25.0%" in text
    assert "原因：财政资金不足" in text and "原因：部分设备尚未到货" in text
    assert "出台配套政策" in text  # overdue
    assert "需要时间解决”的2件" in text
    cells = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert cells[-1] == ["合计", "6", "1", "1", "1", "3", "1", "25.0%"]
    assert ["医政医管处", "4", "1", "1", "0", "2", "1", "33.3%"] in cells


def test_the_statistics_object_carries_the_promises(cast, world):
    with frozen(TODAY):
        stats = year_stats(2025)
        assert stats["commitments"] == {
            "total": 6, "fulfilled": 1, "partial": 1, "unfulfilled": 1, "open": 3, "overdue": 1
        }  # fmt: skip
        assert stats["commitment_fulfilment_rate"] == 0.25
        assert year_stats(2025, cast.jiceng)["commitment_fulfilment_rate"] == 0.0
        assert year_stats(2023)["commitment_fulfilment_rate"] is None
        out = io.StringIO()
        call_command("stats", year=2025, json=True, stdout=out)
    import json

    assert json.loads(out.getvalue())["commitments"]["total"] == 6
    assert years_commitments([2025, 2024], None, TODAY)[2024]["commitments"]["total"] == 1
    assert Filters(2025).class_words == "B类、C类件"


def test_the_api_statistics_carry_the_promises(cast, world):
    from api.tests.helpers import ApiClient

    with frozen(TODAY):
        body = ApiClient("coordinator").get("/stats", {"year": 2025}).json()
    assert body["commitments"]["overdue"] == 1
    assert body["commitment_fulfilment_rate"] == 0.25


def test_the_dashboard_shows_the_fulfilment_rate(cast, world):
    client = Client()
    client.force_login(cast.coordinator)
    with frozen(TODAY):
        html = client.get("/dashboard/?year=2025").content.decode()
    card = html[html.index('data-card="commitments"') :]
    card = card[: card.index("hy-kpi-note")]
    assert "承诺兑现率" in card and "25.0%" in card
    assert "/promises/?year=2025&amp;overdue=1" in card


def test_the_case_page_shows_each_promise_with_its_history(cast, world):
    a = world["a"]
    c = a.commitments.get(what="完成设备采购")
    with frozen(TODAY):
        actions.update_commitment(
            a, by=cast.coordinator, commitment_id=c.pk, status="partial",
            reason="设备到货一半", on=TODAY,
        )  # fmt: skip
    client = Client()
    client.force_login(cast.yizheng_head)
    with frozen(TODAY):
        html = case_page_with_cards(client, a.pk)
    section = html[html.index('id="commitments"') :]
    assert "进展记录（2条）" in section
    assert "原因：设备到货一半" in section and "医政医管处" in section
    assert 'id="hy-update-commitment"' in html  # the card, on a closed case
