"""The 整改情况报告 (.docx) and the report page on the hand-made list of test_stats: the
drafted summary and the totals read back with python-docx, the same numbers on the page,
the 截至 date, who may see what, and a fixed number of queries."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

import pytest
from docx import Document

from cases.tests.factories import make_unit, make_user
from lists.report import list_report
from lists.tests.factories import make_item
from lists.tests.test_stats import AS_OF, build
from orgs.models import Role
from reminders.tests.conftest import frozen

pytestmark = pytest.mark.django_db

SUMMARY = (
    "截至2026年7月15日，清单共列问题5项、具体举措9条，已完成整改3项，整改完成率60.0%，"
    "按期整改率66.7%，已销号2项，销号率40.0%；尚有2项正在整改中，其中逾期1项。"
    "具体举措已销号7条，逾期未完成2条。已完成整改的问题中，1项已申请销号、待审核。"
)


@pytest.fixture
def handmade(cast: Any) -> Any:
    return build(cast)


def _docx(content: bytes) -> Any:
    return Document(io.BytesIO(content))


def _texts(doc: Any) -> list[str]:
    return [p.text for p in doc.paragraphs]


def _rows(table: Any) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def _get(client: Any, user: Any, url: str, **params: str) -> Any:
    client.force_login(user)
    with frozen(AS_OF):
        return client.get(url, params)


def test_the_report_says_the_totals(cast, handmade):
    with frozen(AS_OF):
        doc = _docx(list_report(handmade.list))
    texts = _texts(doc)
    assert texts[0] == "关于履职测评问题清单整改情况的报告"
    assert "市人大常委会：" in texts  # 主送: the list's reports_to
    assert SUMMARY in texts
    assert "逾期问题的牵头处室：中医药管理处1项。" in texts
    # Per item: the problem's facts, its measures and its evidence.
    assert "（一）急救电话接听不及时" in texts
    assert any(t.startswith("责任领导：李主任；牵头处室：医政医管处；完成时限：2026年6月30日；"
                            "整改状态：已销号（2026年6月1日销号）") for t in texts)  # fmt: skip
    m1 = handmade.m[0]
    assert f"佐证材料：2份（佐证{m1.pk}.pdf、佐证{handmade.m[1].pk}.pdf）。" in texts
    assert any("组织医疗队下乡（责任处室：医政医管处；完成时限：2026年6月30日；逾期）" in t
               for t in texts)  # fmt: skip
    assert "整改进展：已走访5个县（2026年7月6日反馈）" in texts
    assert "整改状态：待销号（2026年7月10日申请销号）" in "".join(texts)
    # The totals table by lead unit ends with the list's totals.
    units, owned = doc.tables[0], doc.tables[1]
    assert _rows(units)[0][:3] == ["牵头处室", "事项", "已完成"]
    assert _rows(units)[-1] == ["合计", "5", "3", "2", "1", "60.0%", "66.7%", "40.0%"]
    assert ["中医药管理处", "1", "0", "0", "1", "0.0%", "—", "0.0%"] in _rows(units)
    assert _rows(owned)[-1] == ["合计", "9", "7", "0", "2"]
    assert texts[-1] == "2026年7月15日"  # the signature's date


def test_the_report_on_a_past_day(cast, handmade):
    with frozen(AS_OF):
        texts = _texts(_docx(list_report(handmade.list, date(2026, 5, 20))))
    summary = next(t for t in texts if t.startswith("截至2026年5月20日"))
    assert "已完成整改1项，整改完成率20.0%，按期整改率0.0%，已销号1项" in summary
    assert "整改进展：方案初稿（2026年4月15日反馈）" in texts  # not the later reports
    # Item 3's evidence was uploaded on 06-10: none yet.
    three = texts.index("（三）医疗服务投诉处理慢")
    assert "佐证材料：暂无。" in texts[three : three + 8]


def test_the_page_shows_the_numbers_of_the_report(client, cast, handmade):
    response = _get(client, cast.leader, f"/lists/{handmade.list.pk}/report/")
    assert response.status_code == 200
    page = response.content.decode()
    shown = dict(re.findall(r'data-rate="(\w+)">([^<]+)<', page))
    assert shown == {
        "completion_rate": "60.0%", "on_time_rate": "66.7%", "strike_off_rate": "40.0%",
    }  # fmt: skip
    docx = _get(client, cast.leader, f"/lists/{handmade.list.pk}/report.docx")
    texts = _texts(_docx(docx.content))
    summary = next(t for t in texts if t.startswith("截至"))
    for value in shown.values():
        assert value in summary
    assert SUMMARY in page  # the draft on the page is the report's
    assert 'data-unit="zhongyi"' in page and 'id="lr-report"' in page
    assert docx["Content-Disposition"].startswith('attachment; filename="QD2026-01-report-')


def test_who_may_see_what(client, cast, handmade):
    other = make_unit("guihua", "规划发展处")
    other_head = make_user("guihua", (other, Role.HEAD))
    pk = handmade.list.pk
    page, report = f"/lists/{pk}/report/", f"/lists/{pk}/report.docx"
    bulletin = f"/lists/{pk}/bulletin.docx"
    table = [
        (cast.leader, 200, 200, 200),
        (cast.coordinator, 200, 200, 200),  # the office, and the list's owner
        (cast.viewer, 200, 200, 200),
        (cast.jiceng_head, 200, 403, 403),  # holds items in the list, not its reviewer
        (other_head, 404, 404, 404),  # a unit with nothing in the list
        (cast.outsider, 404, 404, 404),
    ]
    for user, page_status, report_status, bulletin_status in table:
        got = (
            _get(client, user, page).status_code,
            _get(client, user, report).status_code,
            _get(client, user, bulletin, period="2026-06").status_code,
        )
        assert got == (page_status, report_status, bulletin_status), user.username
    client.logout()
    assert client.get(page).status_code == 302


def test_a_unit_page_shows_its_own_items_without_the_buttons(client, cast, handmade):
    page = _get(client, cast.jiceng_head, f"/lists/{handmade.list.pk}/report/").content.decode()
    assert 'data-figure="items">3<' in page
    assert "本单位可见的问题" in page
    assert 'id="lr-report"' not in page


def test_a_delegate_may_download_the_report(client, cast, handmade):
    handmade.list.delegates.add(cast.zhongyi_head)
    response = _get(client, cast.zhongyi_head, f"/lists/{handmade.list.pk}/report.docx")
    assert response.status_code == 200
    assert SUMMARY in _texts(_docx(response.content))  # the whole list, not 中医's items


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-13-01", "截至日期"),
        ("yesterday", "截至日期"),
        ("2026-07-16", "不能晚于今天"),
        ("2026-03-01", "不能早于清单开始日期"),
        ("1999-12-31", "截至日期"),
        ("2026-07\x0001", "控制字符"),
    ],
)
def test_a_bad_date_is_a_400_page(client, cast, handmade, value, message):
    response = _get(client, cast.leader, f"/lists/{handmade.list.pk}/report.docx", on=value)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_report_of_a_chosen_day(client, cast, handmade):
    response = _get(client, cast.leader, f"/lists/{handmade.list.pk}/report.docx", on="2026-05-20")
    assert response.status_code == 200
    assert any(t.startswith("截至2026年5月20日") for t in _texts(_docx(response.content)))


def test_fixed_queries(client, cast, handmade, django_assert_max_num_queries):
    pk = handmade.list.pk
    urls = [f"/lists/{pk}/report/", f"/lists/{pk}/report.docx"]
    counts = []
    for url in urls:
        # 40, and the .docx's export event in the security trail (the chain's lock, its
        # head, the insert: issue 16).
        with django_assert_max_num_queries(44) as captured:
            _get(client, cast.leader, url)
        counts.append(len(captured.captured_queries))
    for n in range(8):
        make_item(cast, handmade.list, title=f"补充事项{n}", lead_unit=cast.zhongyi)
    for url, count in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(count):
            assert _get(client, cast.leader, url).status_code == 200


def test_the_report_states_an_item_s_quantitative_target(client, cast):
    from lists.tests.factories import make_item, make_list

    rect_list = make_list(cast)
    make_item(cast, rect_list)  # 急救电话10秒接听率 61% → 目标99%
    url = f"/lists/{rect_list.pk}/report.docx"
    response = _get(client, cast.coordinator, url)
    texts = _texts(_docx(response.content))
    assert "量化目标：急救电话10秒接听率 61% → — → 目标99%。" in texts


def test_the_period_menu_starts_with_the_list(client, cast, handmade):
    page = _get(client, cast.coordinator, f"/lists/{handmade.list.pk}/report/").content.decode()
    assert "2026年度" in page and "2025年度" not in page
