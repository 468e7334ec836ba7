"""The progress bulletin of a list per period, on the hand-made list of test_stats: what
falls in a month, a quarter, a year (at the months' boundaries), the units that sent
nothing, the document, the view's periods, and a fixed number of queries."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from docx import Document

from huiyin.periods import period_of
from lists.bulletin import bulletin_data, list_bulletin
from lists.tests.factories import make_item
from lists.tests.test_stats import AS_OF, build
from reminders.tests.conftest import frozen

pytestmark = pytest.mark.django_db


@pytest.fixture
def handmade(cast: Any) -> Any:
    return build(cast)


def _data(handmade: Any, period: str) -> dict[str, Any]:
    return bulletin_data(handmade.list, period_of(period), AS_OF)


def _seqs(measures: list[Any]) -> list[str]:
    return [f"{m.item.seq}.{m.seq}" for m in measures]


def test_what_was_struck_off_in_each_month(cast, handmade):
    may, june = _data(handmade, "2026-05"), _data(handmade, "2026-06")
    # 2 was struck off on 05-18; 1 on 06-01, the first day of June; 5's 销号 of 05-25 was
    # undone by its reopening.
    assert [i.seq for i in may["struck_items"]] == [2]
    assert [i.seq for i in june["struck_items"]] == [1]
    assert _seqs(may["struck_measures"]) == ["2.1", "1.1", "1.2", "5.1", "5.2"]
    assert _seqs(june["struck_measures"]) == ["3.1", "3.2"]
    quarter, year = _data(handmade, "2026-Q2"), _data(handmade, "2026")
    assert [i.seq for i in quarter["struck_items"]] == [2, 1]
    assert [i.seq for i in year["struck_items"]] == [2, 1]
    assert _data(handmade, "2026-Q1")["struck_items"] == []


def test_what_fell_overdue_in_each_month(cast, handmade):
    # Overdue from the day after the deadline, if not finished by the deadline.
    may = _data(handmade, "2026-05")
    assert [i.seq for i in may["fell_items"]] == [2]  # deadline 04-30, done 05-15
    assert _seqs(may["fell_measures"]) == ["1.1", "2.1"]  # deadline 04-30
    assert _data(handmade, "2026-04")["fell_items"] == []
    june = _data(handmade, "2026-06")
    assert june["fell_items"] == []  # 4's deadline 06-30 falls due on 07-01
    assert _seqs(june["fell_measures"]) == ["4.1"]  # 05-31; 5.1 and 5.2 were done 05-20
    july = _data(handmade, "2026-07")
    assert [i.seq for i in july["fell_items"]] == [4]
    assert _seqs(july["fell_measures"]) == ["4.2"]
    assert july["end"] == AS_OF  # the current month ends today


def test_reports_per_unit_and_the_units_that_sent_nothing(cast, handmade):
    april = _data(handmade, "2026-04")
    assert april["reports"] == 1 and april["submitted"] == 0  # m1's report on 04-15
    assert april["silent"] == ["基层卫生健康处", "中医药管理处"]
    may = _data(handmade, "2026-05")
    rows = {a["name"]: (a["reports"], a["submitted"]) for a in may["activity"]}
    assert rows == {"基层卫生健康处": (0, 3), "医政医管处": (0, 2), "中医药管理处": (1, 0)}
    assert may["silent"] == []
    # July: only m6 (中医, reported 07-06) and m7 (医政, nothing) are open.
    assert _data(handmade, "2026-07")["silent"] == ["医政医管处"]


def test_the_figures_at_the_end_of_the_period(cast, handmade):
    may = _data(handmade, "2026-05")
    f = may["f"]
    assert f["as_of"] == date(2026, 5, 31)
    # 2 finished (late) and struck off; 1 asked on 05-29, struck off only on 06-01.
    assert (f["items_finished"], f["items_struck_off"], f["items_submitted"]) == (2, 1, 1)
    assert f["items_overdue"] == 0 and f["on_time_rate"] == 0.5


def test_the_bulletin_document(cast, handmade):
    with frozen(AS_OF):
        doc = Document(io.BytesIO(list_bulletin(handmade.list, period_of("2026-05"), AS_OF)))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "履职测评问题清单整改工作进展通报"
    assert texts[1] == "（2026年5月）"
    assert (
        "本月（2026年5月1日至5月31日），清单新销号问题1项、具体举措5条；各处室共报送进展反馈1次，"
        "申请举措销号5条；新增逾期问题1项、具体举措2条。"
    ) in texts
    assert any(t.startswith("截至2026年5月31日，清单共列问题5项") for t in texts)
    rows = [[c.text for c in r.cells] for r in doc.tables[0].rows]
    assert rows[1] == ["2", "基层公共卫生服务不到位", "基层卫生健康处", "2026-04-30", "2026-05-18"]
    with frozen(AS_OF):
        doc = Document(io.BytesIO(list_bulletin(handmade.list, period_of("2026-07"), AS_OF)))
    texts = [p.text for p in doc.paragraphs]
    assert any(t.startswith("医政医管处有尚未完成的整改任务，本月既未报送进展") for t in texts)


def _get(client: Any, user: Any, pk: int, **params: str) -> Any:
    client.force_login(user)
    with frozen(AS_OF):
        return client.get(f"/lists/{pk}/bulletin.docx", params)


@pytest.mark.parametrize(
    ("period", "status", "text"),
    [
        ("2026-06", 200, ""),
        ("2026-Q2", 200, ""),
        ("2026", 200, ""),
        ("", 200, ""),  # the current quarter
        ("2026-13", 400, "统计期间"),
        ("2026-Q5", 400, "统计期间"),
        ("2027-01", 400, "尚未开始"),
        ("1999", 400, "统计年度"),
        ("2026-0\x006", 400, "控制字符"),
    ],
)
def test_the_view_reads_the_period(client, cast, handmade, period, status, text):
    response = _get(client, cast.coordinator, handmade.list.pk, period=period)
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert "bulletin" in response["Content-Disposition"]
    else:
        assert text in response.content.decode()


def test_fixed_queries(cast, handmade, django_assert_max_num_queries):
    with django_assert_max_num_queries(30) as small:
        _data(handmade, "2026-Q2")
    for n in range(8):
        make_item(cast, handmade.list, title=f"补充事项{n}", lead_unit=cast.zhongyi)
    with django_assert_max_num_queries(len(small.captured_queries)):
        _data(handmade, "2026-Q2")
