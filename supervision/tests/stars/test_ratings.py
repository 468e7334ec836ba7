"""The ratings and stars of a hand-made quarter (conftest.py): the distributions, each
unit's sub-scores and composite, the stars with a tie, the minimum volume and the weights
changed through the settings; the periods; who sees which units; a fixed number of queries
whatever the number of items."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huiyin.errors import DomainError
from huiyin.periods import period_of
from reminders.tests.conftest import frozen
from supervision.ratings import period_figures, scope_units, stars
from supervision.tests.stars.conftest import AS_OF, EARLY, QUARTER, done
from supervision.weights import check_weights
from workflow.errors import ActionForbidden

pytestmark = pytest.mark.django_db


def figures(user=None, period=QUARTER):
    with frozen(AS_OF):
        return period_figures(period_of(period), user=user, as_of=AS_OF)


def units(f):
    return {u["code"]: u for u in f["by_unit"]}


def winners(f):
    return {s["code"]: sorted(w["code"] for w in s["winners"]) for s in f["stars"]}


# ── periods ──────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("text", "code", "start", "end", "label"),
    [
        ("2026-Q2", "2026-Q2", date(2026, 4, 1), date(2026, 6, 30), "2026年第二季度"),
        ("2026-q4", "2026-Q4", date(2026, 10, 1), date(2026, 12, 31), "2026年第四季度"),
        ("2026-05", "2026-05", date(2026, 5, 1), date(2026, 5, 31), "2026年5月"),
        ("2028-02", "2028-02", date(2028, 2, 1), date(2028, 2, 29), "2028年2月"),
        ("2026-12", "2026-12", date(2026, 12, 1), date(2026, 12, 31), "2026年12月"),
        (" 2026 ", "2026", date(2026, 1, 1), date(2026, 12, 31), "2026年度"),
    ],
)
def test_periods(text, code, start, end, label):
    p = period_of(text)
    assert (p.code, p.start, p.end, p.label) == (code, start, end, label)


@pytest.mark.parametrize(
    "text", ["", "2026-Q5", "2026-Q0", "2026-13", "2026-00", "2026-5", "26-Q1", "2026Q2",
             "2026-Q2x", "Q2", "1900", "２０２６", "2026-01-01"],
)  # fmt: skip
def test_bad_periods(text):
    with pytest.raises(DomainError):
        period_of(text)


# ── the figures ──────────────────────────────────────────────────────────────────────────


def test_the_quarters_distributions(cast, quarter):
    f = figures()
    assert (f["completed"], f["closed"], f["awaiting_rating"]) == (10, 9, 1)
    assert f["timing"] == {"early": 5, "on_time": 3, "late": 1, "partial": 1}
    assert f["quality"] == {
        "excellent": 4, "good": 4, "fair": 1, "poor": 0, "rated": 9, "unrated": 1,
    }  # fmt: skip
    assert f["rates"]["on_time"] == {"numerator": 8, "denominator": 10, "rate": 0.8}
    assert f["rates"]["early"]["rate"] == 0.5
    assert f["average_quality"] == 86.67  # (4×100 + 4×80 + 60) / 9 = 780 / 9
    # Received in the quarter: the ten, the sent-back one, the overdue one, the Q3 item
    # registered on 06-25 and the one never assigned; not the Q1 item.
    assert (f["received"], f["unassigned"]) == (14, 1)
    # Overdue on 07-06: the zhongyi item due 06-30 and the sent-back jiceng item due 06-15.
    assert f["overdue_open"] == 2
    states = {r["code"]: r["received"] for r in f["by_state"]}
    assert (states["closed"], states["partial"], states["handling"], states["registered"]) == (
        10, 1, 2, 1,
    )  # fmt: skip
    sources = {r["code"]: r for r in f["by_source"]}
    assert [r["code"] for r in f["by_source"]][0] == "superior_decision"  # the seed's order
    assert (sources["meeting"]["received"], sources["meeting"]["completed"]) == (2, 2)
    assert sources["public_concern"]["on_time"]["rate"] == 0.0  # y4, late
    assert sources["office_supervision"]["received"] == 1
    red = {r["code"]: r for r in f["by_urgency"]}["red"]
    assert (red["received"], red["completed"], red["overdue_open"]) == (3, 2, 1)


def test_each_units_figures_and_scores(cast, quarter):
    u = units(figures())
    y, j, z = u["yizheng"], u["jiceng"], u["zhongyi"]
    assert y["timing"] == {"early": 1, "on_time": 2, "late": 1, "partial": 0}
    assert (y["completed"], y["closed"], j["closed"], j["quality"]["unrated"]) == (4, 4, 3, 1)
    assert y["scores"] == {
        "quantity": 100.0, "quality": 85.0, "efficiency": 80.0, "composite": 88.0,
        "working": "100×0.3 + 85×0.4 + 80×0.3 = 88",
    }  # fmt: skip
    assert j["scores"]["working"] == "75×0.3 + 80×0.4 + 87.5×0.3 = 80.75"
    assert (z["scores"]["quantity"], z["scores"]["composite"]) == (50.0, 85.0)
    assert (z["overdue_open"], j["overdue_open"], y["overdue_open"]) == (1, 1, 0)
    assert z["eligible"] == {
        "composite": False, "excellent": False, "efficiency": False, "quantity": True,
    }  # fmt: skip
    assert y["stars"] == ["综合之星", "优秀之星", "数量之星", "效率之星"]
    assert j["stars"] == ["效率之星"]


def test_the_stars_with_a_tie_and_the_minimum(cast, quarter):
    f = figures()
    assert winners(f) == {
        "composite": ["yizheng"],
        "excellent": ["yizheng"],  # zhongyi's 100 has only 2 rated items (minimum 3)
        "quantity": ["yizheng"],
        "efficiency": ["jiceng", "yizheng"],  # both 3/4; zhongyi's 2/2 is below the minimum
    }
    efficiency = {s["code"]: s for s in f["stars"]}["efficiency"]
    assert efficiency["tied"] and "并列" in efficiency["note"]
    assert {w["value"] for w in efficiency["winners"]} == {"75.0%（3/4）"}
    assert [s["label"] for s in f["stars"]] == ["综合之星", "优秀之星", "数量之星", "效率之星"]


def test_a_lower_minimum_lets_the_small_unit_compete(cast, quarter, settings):
    settings.HUIYIN_STAR_MIN_ITEMS = 2
    f = figures()
    assert winners(f)["efficiency"] == ["zhongyi"]  # 2/2
    assert winners(f)["excellent"] == ["zhongyi"]  # 100
    assert winners(f)["composite"] == ["yizheng"]  # 88 > 85
    assert f["scoring"]["weights"]["min_items"] == 2


def test_weights_from_the_settings(cast, quarter, settings):
    settings.HUIYIN_STAR_WEIGHTS = {"quantity": 0, "quality": 0.25, "efficiency": 0.75}
    f = figures()
    u = units(f)
    # jiceng: 80×0.25 + 87.5×0.75 = 20 + 65.625 = 85.63 (rounded half up);
    # yizheng: 85×0.25 + 80×0.75 = 81.25.
    assert u["jiceng"]["scores"]["composite"] == 85.63
    assert u["yizheng"]["scores"]["composite"] == 81.25
    assert winners(f)["composite"] == ["jiceng"]
    assert f["scoring"]["formula"] == "综合得分 = 数量得分×0 + 质量得分×0.25 + 效率得分×0.75"
    assert f["scoring"]["weights"]["origin"] == "settings"


def test_weights_that_do_not_add_up_are_refused(cast, quarter, settings):
    settings.HUIYIN_STAR_WEIGHTS = {"quantity": 0.5, "quality": 0.5, "efficiency": 0.5}
    with pytest.raises(DomainError, match="之和应为1"):
        figures()


def test_outside_the_quarter(cast, quarter):
    q1 = units(figures(period="2026-Q1"))["yizheng"]
    assert (q1["completed"], q1["quality"]["poor"], q1["scores"]["quality"]) == (1, 1, 0.0)
    july = figures(period="2026-07")
    assert units(july)["yizheng"]["timing"]["early"] == 1  # 07-01 against 07-10
    year = figures(period="2026")
    assert year["completed"] == 12  # the quarter's ten, Q1's and Q3's
    june = figures(period="2026-06")
    assert june["completed"] == 10 and june["received"] == 3  # registered 06-03, 06-22, 06-25


def test_ties_in_quantity_all_win(cast, settings):
    with frozen(AS_OF):
        for unit, head in ((cast.yizheng, cast.yizheng_head), (cast.jiceng, cast.jiceng_head)):
            done(cast, unit, head, EARLY, "good")
    f = figures()
    assert winners(f) == {
        "composite": [], "excellent": [], "quantity": ["jiceng", "yizheng"], "efficiency": [],
    }  # fmt: skip
    composite = {s["code"]: s for s in f["stars"]}["composite"]
    assert "没有单位满足条件" in composite["note"]


def test_an_empty_quarter(cast):
    f = figures()
    assert (f["completed"], f["by_unit"], f["average_quality"]) == (0, [], None)
    assert all(not s["winners"] for s in f["stars"])
    assert f["rates"]["on_time"]["rate"] is None


def test_stars_of_rows_tie_on_printed_values():
    """Two composites equal once rounded are a tie (the page prints two decimals)."""
    weights = check_weights({"quantity": "0.3", "quality": "0.4", "efficiency": "0.3"}, 1)

    def row(code, composite):
        return {
            "code": code, "name": code, "completed": 3, "closed": 3,
            "quality": {"rated": 3}, "rates": {"on_time": {"numerator": 3, "denominator": 3, "rate": 1.0}},
            "scores": {"composite": composite, "quality": 80.0},
        }  # fmt: skip

    found = stars([row("a", 80.5), row("b", 80.5), row("c", 80.49)], weights)
    assert [w["code"] for w in found[0]["winners"]] == ["a", "b"] and found[0]["tied"]


# ── scope ────────────────────────────────────────────────────────────────────────────────


def test_a_unit_head_sees_own_units_and_stars_compared_with_all(cast, quarter):
    f = figures(cast.jiceng_head)
    assert f["scope"] == ["jiceng"]
    assert [u["code"] for u in f["by_unit"]] == ["jiceng"]
    j = f["by_unit"][0]
    assert j["scores"]["quantity"] == 75.0  # against yizheng's 4, though yizheng is hidden
    assert winners(f) == {
        "composite": [],
        "excellent": [],
        "quantity": [],
        "efficiency": ["jiceng"],
    }
    assert (f["completed"], f["received"], f["overdue_open"]) == (4, 5, 1)  # own only
    assert sum(r["completed"] for r in f["by_source"]) == 4


@pytest.mark.parametrize("who", ["yizheng_handler", "outsider"])
def test_handlers_and_others_have_no_statistics(cast, who):
    with pytest.raises(ActionForbidden):
        scope_units(getattr(cast, who))


@pytest.mark.parametrize("who", ["coordinator", "leader", "viewer", "admin"])
def test_commission_roles_see_everything(cast, who):
    assert scope_units(getattr(cast, who)) is None


# ── queries ──────────────────────────────────────────────────────────────────────────────


def _queries(user=None) -> int:
    with CaptureQueriesContext(connection) as ctx, frozen(AS_OF):
        period_figures(period_of(QUARTER), user=user, as_of=AS_OF)
    return len(ctx.captured_queries)


def test_a_fixed_number_of_queries(cast, quarter):
    before = _queries()
    head = _queries(cast.jiceng_head)
    with frozen(AS_OF):
        for _ in range(6):
            done(cast, cast.zhongyi, cast.zhongyi_head, EARLY, "good", urgency="green")
            done(cast, cast.jiceng, cast.jiceng_head, date(2026, 6, 16), "poor", source="meeting")
    # 5: with the console's weights (supervision.weights, one row read).
    assert _queries() == before == 5
    assert _queries(cast.jiceng_head) == head <= 6
