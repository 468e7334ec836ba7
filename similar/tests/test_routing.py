"""主办处室建议: from the most similar earlier cases and the topics' recent lead units, with
the reason in words; prefilled on the 交办 card; recorded at 交办 with whether it was
taken; the acceptance rate (acceptance(year) and /similar/routing/)."""

from datetime import date

import pytest
import time_machine

from api.tests.helpers import ApiClient, ok
from cases import actions
from cases.tests.factories import register
from similar import routing
from similar.models import RoutingSuggestion

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.fixture
def history(cast):
    """Earlier cases: 村医 ones led by 基层卫生健康处, hospital ones by 医政医管处."""
    led = [
        (2025, "关于提高乡村医生补助待遇的建议", ["基层卫生"], cast.jiceng),
        (2025, "关于解决乡村医生养老保障的建议", ["基层卫生"], cast.jiceng),
        (2024, "关于加强乡村医生队伍建设的建议", ["基层卫生"], cast.jiceng),
        (2024, "关于缓解医院停车难的建议", ["医疗服务"], cast.yizheng),
        (2025, "关于改善医院门诊就医体验的建议", ["医疗服务"], cast.yizheng),
        (2025, "关于推进检查结果互认的建议", ["医疗服务"], cast.yizheng),
    ]
    for year, title, topics, unit in led:
        case = register(cast, on=date(year, 3, 1), year=year, title=title, topics=topics)
        actions.assign_case(case, by=cast.coordinator, lead_unit=unit, on=date(year, 3, 2))


def test_the_suggestion_and_its_reason(history, cast):
    case = register(cast, on=TODAY, title="关于稳定乡村医生队伍的建议", topics=["基层卫生"])
    made = routing.suggest(case)
    assert made is not None and made.unit == cast.jiceng
    assert "最相似的3件中有3件由基层卫生健康处主办" in made.reason
    assert "主题“基层卫生”的办件近三年3件由基层卫生健康处主办" in made.reason


def test_topics_alone_suggest_too(history, cast):
    case = register(cast, on=TODAY, title="关于某某事项", content="", topics=["医疗服务"])
    made = routing.suggest(case)
    assert made is not None and made.unit == cast.yizheng
    assert made.reason == "主题“医疗服务”的办件近三年3件由医政医管处主办"


def test_nothing_to_go_by_no_suggestion(cast):
    case = register(cast, on=TODAY, title="关于某某事项", content="", topics=["新主题"])
    assert routing.suggest(case) is None


def test_the_assign_card_is_prefilled_and_says_why(history, cast, client_for):
    case = register(cast, on=TODAY, title="关于稳定乡村医生队伍的建议", topics=["基层卫生"])
    page = client_for(cast.coordinator).get(f"/cases/{case.pk}/").content.decode()
    assert "建议主办处室：<strong>基层卫生健康处</strong>" in page
    assert 'name="lead_unit" value="jiceng" id="f-assign-lead_unit-jiceng" checked' in page


def test_assign_records_whether_it_was_taken_and_the_rate(history, cast, client_for):
    api = ApiClient("coordinator")
    taken = register(cast, on=TODAY, title="关于稳定乡村医生队伍的建议", topics=["基层卫生"])
    missed = register(cast, on=TODAY, title="关于医院停车位不足的建议", topics=["医疗服务"])
    none = register(cast, on=TODAY, title="关于某某事项", content="", topics=["新主题"])
    ok(api.act(taken.pk, "assign", {"lead_unit": "jiceng"}))
    ok(api.act(missed.pk, "assign", {"lead_unit": "zhongyi"}))
    ok(api.act(none.pk, "assign", {"lead_unit": "zhongyi"}))
    rows = {r.case_id: r for r in RoutingSuggestion.objects.all()}
    assert rows[taken.pk].taken is True and rows[taken.pk].unit == cast.jiceng
    assert rows[missed.pk].taken is False and rows[missed.pk].unit == cast.yizheng
    assert rows[missed.pk].chosen == cast.zhongyi and rows[missed.pk].reason
    assert rows[none.pk].taken is None and rows[none.pk].unit is None

    found = routing.acceptance(2026)
    assert (found["assigned"], found["suggested"], found["taken"], found["missed"]) == (3, 2, 1, 1)
    assert found["rate"] == 0.5
    assert [m["case_id"] for m in found["misses"]] == [missed.pk]
    assert routing.acceptance(2025)["rate"] is None  # the history was not assigned via 交办 runs

    page = client_for(cast.leader).get("/similar/routing/?year=2026")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-figure="rate">50.0%' in text and missed.title in text


@pytest.mark.parametrize("year", ["abc", "1999", "99999999999999999999", "2026\x00"])
def test_the_page_refuses_a_bad_year(cast, client_for, year):
    assert client_for(cast.coordinator).get("/similar/routing/", {"year": year}).status_code == 400


def test_the_page_is_for_the_office_and_leaders(cast, client_for):
    assert client_for(cast.coordinator).get("/similar/routing/").status_code == 200
    assert client_for(cast.yizheng_head).get("/similar/routing/").status_code == 403
    assert client_for(cast.viewer).get("/similar/routing/").status_code == 403
