"""What the UX review of 回头看 asked for, on hand-made data (as of 2026-07-01):

  2025, B类, 医政医管处: 已兑现 (due 2025-10-31), 未开始 overdue (2026-01-31),
    推进中 not yet due (2026-12-31);
  2026, C类, 基层卫生健康处: 未开始, not yet due (2026-12-31).

/promises/ opens on the latest year with promises the user sees and offers those years;
an overdue promise is flagged on the case page as on the list; the list keeps the promise,
its due date and status in view on a phone; the dashboard's 承诺兑现率 names the year it is
about; the .xlsx writes dates as dates and the ledger's words.
"""

import io
import re
from datetime import date, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from cases import actions
from cases.tests.factories import make_unit, make_user
from orgs.models import Role
from promises.tests.helpers import frozen, promised_case
from transfer.exporting import DATE_FORMAT

pytestmark = pytest.mark.django_db
TODAY = date(2026, 7, 1)


@pytest.fixture
def world(cast):
    old = promised_case(
        cast,
        year=2025,
        title="关于建设区域医疗中心的建议",
        lead_proposer="王代表",
        promises=[
            ("启动区域医疗中心建设", date(2025, 10, 31)),
            ("出台配套政策", date(2026, 1, 31)),
            ("建成并投入使用", date(2026, 12, 31)),
        ],
    )
    done = old.commitments.get(what="启动区域医疗中心建设")
    with frozen(date(2025, 11, 3)):
        actions.update_commitment(
            old, by=cast.yizheng_head, commitment_id=done.pk, status="fulfilled",
            note="已开工", on=date(2025, 11, 3),
        )  # fmt: skip
    new = promised_case(
        cast,
        year=2026,
        reply_class="C",
        unit=cast.jiceng,
        head=cast.jiceng_head,
        title="关于增加村医补贴的建议",
        promises=[("争取省级资金", date(2026, 12, 31))],
    )
    return {"old": old, "new": new}


def _get(user, url):
    client = Client()
    client.force_login(user)
    with frozen(TODAY):
        response = client.get(url)
    assert response.status_code == 200, url
    return response


def _title(html: str) -> str:
    return re.search(r'id="hy-promises-title">([^<]*)<', html).group(1)


# ── the year the list opens on ──────────────────────────────────────────────────────────


def test_the_list_opens_on_the_latest_year_with_the_users_promises(cast, world):
    html = _get(cast.jiceng_head, "/promises/").content.decode()
    assert "2026年B类、C类件" in _title(html)  # not last year's, where the unit has none
    assert "争取省级资金" in html
    years = re.findall(r'data-year="(\d+)"', html)
    assert years == ["2026"]  # the unit's own years only
    html = _get(cast.yizheng_head, "/promises/").content.decode()
    assert "2025年" in _title(html) and "出台配套政策" in html
    html = _get(cast.coordinator, "/promises/").content.decode()
    assert "2026年" in _title(html)
    assert re.findall(r'data-year="(\d+)"', html) == ["2026", "2025"]
    assert 'data-year="2026" aria-current="page"' in html


def test_the_year_links_keep_the_filters_and_the_empty_list_names_the_years(cast, world):
    html = _get(cast.coordinator, "/promises/?year=2024&class=B").content.decode()
    empty = html[html.index('id="hy-promises-empty"') :]
    empty = empty[: empty.index("</td>")]
    assert "2024年B类件没有符合条件的承诺事项" in empty
    assert "有承诺事项的年度：" in empty
    assert '<a href="?year=2026&amp;class=B">2026年</a>' in empty
    assert '<a href="?year=2025&amp;class=B">2025年</a>' in empty


def test_a_unit_without_promises_is_told_so(cast, world):
    head = make_user("kejiao_head", (make_unit("kejiao", "科技教育处"), Role.HEAD))
    html = _get(head, "/promises/").content.decode()
    assert "各年度都还没有本处室的承诺事项" in html and "data-year=" not in html
    assert "2025年" in _title(html)  # none anywhere: last year, as before


def test_the_default_year_costs_one_query(cast, world):
    client = Client()
    client.force_login(cast.coordinator)
    client.get("/promises/?year=2026")  # the session's first save is not the page's work
    with frozen(TODAY), CaptureQueriesContext(connection) as given:
        client.get("/promises/?year=2026")
    with frozen(TODAY), CaptureQueriesContext(connection) as default:
        client.get("/promises/")
    assert len(default.captured_queries) == len(given.captured_queries)
    assert sum("DISTINCT" in q["sql"] for q in given.captured_queries) == 1


# ── a phone, and the ledger's words ─────────────────────────────────────────────────────


def _header(html: str) -> list[tuple[str, str]]:
    table = html[html.index('id="hy-promises-table"') :]
    head = table[: table.index("</thead>")]
    return re.findall(r'<th scope="col"(?: class="([^"]*)")?>([^<]*)</th>', head)


def test_on_a_phone_the_promise_its_due_date_and_status_stay_in_view(cast, world):
    html = _get(cast.coordinator, "/promises/?year=2025").content.decode()
    header = _header(html)
    shown = [label for cls, label in header if "d-none" not in cls]
    assert shown == ["承诺事项", "完成时间", "状态"]
    assert header[0] == ("d-none d-md-table-cell", "编号")
    assert "案号" not in html
    row = html[html.index("出台配套政策") :]
    row = row[: row.index("</tr>")]
    # Under the promise on a phone: its case (number, linked) and the facts hidden there.
    assert re.search(
        r'<div class="d-md-none small text-body-secondary"><a href="/cases/\d+/#commitments">', row
    )
    assert "B类 · 王代表" in row and " · 医政医管处" in row
    assert '<span class="badge text-bg-danger">逾期</span>' in row
    assert "text-danger fw-semibold" in row  # the due date, in red


# ── the case page ───────────────────────────────────────────────────────────────────────


def test_the_case_page_flags_an_overdue_promise_as_the_list_does(cast, world):
    html = _get(cast.yizheng_head, f"/cases/{world['old'].pk}/").content.decode()
    section = html[html.index('id="commitments"') :]
    section = section[: section.index("</section>")]
    items = section.split('<li class="list-group-item"')[1:]
    late = [i for i in items if i.startswith(' data-late="1"')]
    assert len(items) == 3 and len(late) == 1
    assert "出台配套政策" in late[0]
    assert '<span class="badge text-bg-danger">逾期</span>' in late[0]
    assert 'class="hy-deadline hy-deadline-late"' in late[0] and "2026年1月31日前" in late[0]
    assert all("逾期" not in i for i in items if i not in late)
    # Fulfilled on time, or not yet due: no flag; the list says the same.
    listed = _get(cast.yizheng_head, "/promises/?year=2025").content.decode()
    assert listed.count('data-late="1"') == 1


# ── the dashboard ───────────────────────────────────────────────────────────────────────


def _card(html: str) -> str:
    card = html[html.index('data-card="commitments"') :]
    return card[: card.index("hy-kpi-note")]


def test_the_dashboard_card_is_about_the_latest_year_with_a_rate(cast, world):
    html = _get(cast.coordinator, "/dashboard/?year=2026").content.decode()
    card = _card(html)
    # 2026's one promise is not due: the card is about 2025's (1 of the 2 due, 50.0%).
    assert "2025年承诺兑现率" in card
    assert (
        '<a class="hy-fig" href="/promises/?year=2025" title="查看2025年承诺兑现率的承诺事项">50.0%</a>'
        in card
    )
    assert "/promises/?year=2025&amp;overdue=1" in card
    assert "2024年无数据，不作比较" in card  # no promise that year
    # The statistics object stays the dashboard year's.
    stats = _get(cast.coordinator, "/dashboard/?year=2026").context["stats"]
    assert stats["commitments"]["total"] == 1
    assert stats["commitment_fulfilment_rate"] is None


def test_the_card_keeps_its_year_once_that_year_has_a_rate(cast, world):
    new = world["new"]
    c = new.commitments.get()
    with frozen(TODAY):
        actions.update_commitment(
            new, by=cast.jiceng_head, commitment_id=c.pk, status="fulfilled", note="已到位",
            on=TODAY,
        )  # fmt: skip
    card = _card(_get(cast.coordinator, "/dashboard/?year=2026").content.decode())
    assert "2026年承诺兑现率" in card and 'href="/promises/?year=2026"' in card
    assert "100.0%" in card and "较2025年" in card and "▲ 50.0 个百分点" in card


# ── the .xlsx ───────────────────────────────────────────────────────────────────────────


def test_the_xlsx_writes_dates_as_dates_and_the_ledgers_words(cast, world):
    response = _get(cast.coordinator, "/promises/export.xlsx?year=2025")
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A2"].value == "截至2026年7月1日"
    header = [c.value for c in ws[5]]
    assert header[0] == "编号" and header[3] == "答复类别"
    rows = {r[4].value: r for r in ws.iter_rows(min_row=6)}
    done = rows["启动区域医疗中心建设"]
    assert done[3].value == "B类"
    assert done[5].value == datetime(2025, 10, 31) and done[5].number_format == DATE_FORMAT
    assert done[10].value == datetime(2025, 11, 3) and done[12].value == datetime(2025, 11, 3)
    assert done[12].number_format == DATE_FORMAT
    assert rows["建成并投入使用"][12].value is None  # not settled: an empty cell
