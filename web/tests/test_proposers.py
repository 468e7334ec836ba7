"""代表委员: the directory with search and paging, and one proposer's cases by year, limited
to the cases the user may see."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import actions
from cases.models import Proposer
from cases.tests.factories import register
from cases.tests.test_listing import FROZEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(cast):
    """陈代表 leads three cases over two years (医政, 基层, not yet assigned) and joins one."""
    with FROZEN:
        Proposer.objects.create(
            name="民盟市委", kind="party", party="中国民主同盟", phone="0571-1234"
        )
        Proposer.objects.create(
            name="陈代表", kind="deputy", delegation="西湖区代表团", party="中国共产党"
        )
        old = register(cast, on=date(2025, 3, 3), title="2025年医政的建议", number="25-1")
        actions.assign_case(old, by=cast.coordinator, lead_unit=cast.yizheng)
        new = register(cast, on=date(2026, 3, 2), title="2026年基层的建议", number="26-1")
        actions.assign_case(new, by=cast.coordinator, lead_unit=cast.jiceng)
        register(cast, on=date(2026, 3, 2), title="2026年未交办的建议", number="26-2")
        joint = register(
            cast,
            on=date(2026, 3, 2),
            title="民盟领衔的提案",
            number="26-3",
            category="cppcc_proposal",
            lead_proposer={"name": "民盟市委", "kind": "party"},
            joint_proposers=[{"name": "陈代表", "kind": "deputy"}],
        )
        actions.assign_case(joint, by=cast.coordinator, lead_unit=cast.yizheng)
    return {"old": old, "new": new, "joint": joint}


def chen() -> Proposer:
    return Proposer.objects.get(name="陈代表")


def html_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_directory_with_counts(cases, client_for, cast):
    html = html_of(client_for(cast.coordinator), "/proposers/")
    assert "代表委员" in html and "共 4 条" in html  # 陈 刘 周 民盟
    assert f'href="/proposers/{chen().pk}/"' in html
    assert "西湖区代表团" in html and "4 件" in html  # three led, one joined
    # A unit head counts only the cases of the unit.
    html = html_of(client_for(cast.jiceng_head), "/proposers/?q=陈")
    assert "共 1 条" in html and "1 件" in html


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("?q=陈", ["陈代表"]),
        ("?kind=party", ["民盟市委"]),
        ("?party=民主同盟", ["民盟市委"]),
        ("?delegation=西湖", ["陈代表"]),
        ("?kind=deputy&party=共产党", ["陈代表"]),
        ("?q=没有这个人", []),
    ],
)
def test_search(cases, client_for, cast, query, names):
    html = html_of(client_for(cast.viewer), "/proposers/" + query)
    for p in Proposer.objects.all():
        assert (f">{p.name}</a>" in html) == (p.name in names), (query, p.name)
    if not names:
        assert "没有符合条件的代表委员" in html


def test_paging(cast, client_for):
    Proposer.objects.bulk_create(Proposer(name=f"代表{i:02d}", kind="deputy") for i in range(65))
    client = client_for(cast.coordinator)
    html = html_of(client, "/proposers/?kind=deputy")
    assert "共 65 条" in html and "第 1 / 3 页" in html
    assert "?kind=deputy&amp;page=2" in html
    html = html_of(client, "/proposers/?kind=deputy&page=3")
    assert "第 3 / 3 页" in html and ">代表64</a>" in html and ">代表00</a>" not in html
    assert client.get("/proposers/?page=x").status_code == 400  # issue 9 #16

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            html_of(client, "/proposers/")
        return len(ctx.captured_queries)

    before = queries()
    Proposer.objects.bulk_create(Proposer(name=f"委员{i}", kind="member") for i in range(40))
    assert queries() == before


@FROZEN
def test_proposer_page_groups_cases_by_year(cases, client_for, cast):
    html = html_of(client_for(cast.coordinator), f"/proposers/{chen().pk}/")
    assert "西湖区代表团" in html and "中国共产党" in html
    assert "共 4 件，其中领衔 3 件、联名 1 件" in html
    assert html.index("2026年</h3>") < html.index("2025年</h3>")  # the newest year first
    for case in cases.values():
        assert f'href="/cases/{case.pk}/"' in html
    assert "2026年未交办的建议" in html
    assert html.count(">联名<") == 1 and "民盟领衔的提案" in html


@FROZEN
def test_a_unit_head_sees_only_the_cases_of_the_unit(cases, client_for, cast):
    html = html_of(client_for(cast.yizheng_head), f"/proposers/{chen().pk}/")
    assert "2025年医政的建议" in html and "民盟领衔的提案" in html
    assert "2026年基层的建议" not in html and "2026年未交办的建议" not in html
    assert "共 2 件，其中领衔 1 件、联名 1 件" in html

    html = html_of(client_for(cast.zhongyi_head), f"/proposers/{chen().pk}/")
    assert "陈代表" in html and "没有您可以查看的办件" in html


def test_no_such_proposer_is_404(cast, client_for):
    client = client_for(cast.coordinator)
    response = client.get("/proposers/999999/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()
    assert client.get("/proposers/abc/").status_code == 404


def test_anonymous_is_sent_to_login(client, cases):
    assert client.get("/proposers/")["Location"].startswith("/login/")
    assert client.get(f"/proposers/{chen().pk}/")["Location"].startswith("/login/")
