"""opinions.stats.opinion_figures on hand-made opinions (conftest: A–G in the week of
2026-11-02, seen on 2026-11-20): every count, every rate with its numerator and
denominator, the breakdowns, the scope of a unit head, and a query count that does not grow
with the number of opinions."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opinions.models import Opinion
from opinions.stats import opinion_figures, period_of, without_phones
from opinions.tests.stats.conftest import AS_OF, MONDAY, SUNDAY, handled, new
from reminders.tests.conftest import frozen
from workflow.errors import ActionForbidden, CaseError

pytestmark = pytest.mark.django_db


def figures(user, start=MONDAY, end=SUNDAY, **kw):
    return opinion_figures(user=user, start=start, end=end, as_of=AS_OF, **kw)


def r(numerator, denominator):
    return {
        "numerator": numerator,
        "denominator": denominator,
        "rate": None if denominator == 0 else round(numerator / denominator, 4),
    }


def test_counts_of_the_week(cast, week):
    f = figures(cast.leader)
    assert f["start"] == "2026-11-02" and f["end"] == "2026-11-08" and f["as_of"] == "2026-11-20"
    assert f["scope"] is None
    assert (f["received"], f["merged"], f["counted"]) == (7, 1, 6)  # X and Y are outside
    assert (f["forwarded"], f["forwarded_on_time"]) == (5, 4)  # B forwarded a day late
    # D was rated 不满意 and is handled again: not answered now.
    assert (f["answered"], f["answered_on_time"]) == (3, 2)  # B late; C within its extension
    assert (f["closed"], f["running"]) == (2, 3)
    assert f["overdue_open"] == 3  # D (due again 11-13), E (11-10), G (11-11)
    assert f["forward_overdue_open"] == 1  # E, never forwarded
    assert f["fix_open"] == 1  # B's "needs time" measure
    assert f["unassigned"] == 1  # E (the merged F is in no row)
    assert f["by_result"] == {"solvable": 1, "needs_time": 1, "not_solvable": 1, "unfounded": 0}
    assert f["feedback"] == {
        "satisfied": 1,
        "basically_satisfied": 1,
        "unsatisfied": 1,
        "rated": 3,
        "unrated": 1,  # C
    }


def test_rates_carry_numerator_and_denominator(cast, week):
    f = figures(cast.coordinator)
    assert f["rates"] == {
        "forward_on_time": r(4, 5),
        "answer_on_time": r(2, 3),
        "reply": r(3, 6),
        "satisfaction": r(2, 3),
    }
    assert f["rates"]["answer_on_time"]["rate"] == 0.6667


def test_an_approved_extension_moves_the_deadline_an_answer_is_judged_by(cast, week):
    c = week["C"]
    c.refresh_from_db()
    assert c.deadline == date(2026, 11, 12) and c.replied_on == date(2026, 11, 11)
    on_time = figures(cast.leader)["by_unit"]
    jiceng = next(u for u in on_time if u["code"] == "jiceng")
    assert jiceng["answered_on_time"] == 1


def test_breakdowns_by_channel_and_area(cast, week):
    f = figures(cast.viewer)
    channels = {row["code"]: row["received"] for row in f["by_channel"]}
    assert channels == {
        "web": 1,
        "phone": 3,
        "email": 1,
        "wechat": 1,
        "app": 0,
        "book": 1,
        "forwarded": 0,
        "visit": 0,
    }
    assert [row["label"] for row in f["by_channel"]][:2] == ["网站", "电话"]
    areas = {row["code"]: row["received"] for row in f["by_area"]}
    # G has no confirmed area: it counts under the suggested one.
    suggested = Opinion.objects.get(pk=week["G"].pk).suggested_area
    expected = {"service": 2, "digital": 1, "primary": 1, "management": 2}
    expected[suggested] = expected.get(suggested, 0) + 1
    assert {k: v for k, v in areas.items() if v} == expected
    assert len(f["by_area"]) == 7
    answered = {row["code"]: row["answered"] for row in f["by_area"]}
    assert answered["service"] == 2 and answered["digital"] == 1 and answered["primary"] == 0


def test_by_unit(cast, week):
    rows = {u["code"]: u for u in figures(cast.leader)["by_unit"]}
    assert list(rows) == ["jiceng", "yizheng", "zhongyi"]  # sort_order, then code
    yizheng, jiceng, zhongyi = rows["yizheng"], rows["jiceng"], rows["zhongyi"]
    assert (yizheng["received"], yizheng["answered"], yizheng["answered_on_time"]) == (2, 2, 1)
    assert (yizheng["closed"], yizheng["overdue_open"], yizheng["rated"], yizheng["satisfied"]) == (
        2,
        0,
        2,
        2,
    )
    assert yizheng["rates"] == {
        "answer_on_time": r(1, 2),
        "reply": r(2, 2),
        "satisfaction": r(2, 2),
    }
    assert (jiceng["received"], jiceng["answered"], jiceng["overdue_open"]) == (2, 1, 1)
    assert jiceng["rates"] == {"answer_on_time": r(1, 1), "reply": r(1, 2), "satisfaction": r(0, 1)}
    assert zhongyi["rates"]["answer_on_time"]["rate"] is None
    assert zhongyi["rates"]["reply"] == r(0, 1)
    assert zhongyi["name"] == "中医药管理处"


def test_period_bounds_are_local_dates(cast, week):
    assert figures(cast.leader, start=date(2026, 11, 1), end=date(2026, 11, 1))["received"] == 1
    assert figures(cast.leader, start=date(2026, 11, 9), end=date(2026, 11, 9))["received"] == 1
    assert figures(cast.leader, start=date(2026, 11, 1), end=date(2026, 11, 9))["received"] == 9


def test_a_unit_head_sees_only_their_units_opinions(cast, week):
    f = figures(cast.jiceng_head)
    assert f["scope"] == ["jiceng"]
    assert [u["code"] for u in f["by_unit"]] == ["jiceng"]
    assert (f["received"], f["answered"], f["overdue_open"], f["unassigned"]) == (2, 1, 1, 0)
    assert f["rates"]["reply"] == r(1, 2)
    # Their unit's row even in a period without any of its opinions.
    empty = figures(cast.jiceng_head, start=date(2026, 1, 1), end=date(2026, 1, 31))
    assert [u["code"] for u in empty["by_unit"]] == ["jiceng"] and empty["received"] == 0


@pytest.mark.parametrize("who", ["yizheng_handler", "outsider"])
def test_no_statistics_without_a_role(cast, week, who):
    with pytest.raises(ActionForbidden):
        figures(getattr(cast, who))


def test_unknown_campaign_is_refused(cast, week):
    with pytest.raises(CaseError, match="征集活动"):
        figures(cast.leader, campaign_id=999999)


def test_an_empty_period_has_null_rates(cast):
    f = figures(cast.leader)
    assert f["received"] == 0 and f["by_unit"] == []
    assert all(v["rate"] is None for v in f["rates"].values())


def _queries(user) -> int:
    user = type(user).objects.get(pk=user.pk)  # a fresh user: the standing is read again
    with CaptureQueriesContext(connection) as ctx:
        figures(user, start=date(2026, 10, 1), end=date(2026, 11, 30))
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["leader", "jiceng_head"])
def test_query_count_does_not_grow_with_the_opinions(
    cast, week, who, django_assert_max_num_queries
):
    user = getattr(cast, who)
    with django_assert_max_num_queries(8):
        figures(user)
    before = _queries(user)
    with frozen(AS_OF):
        for i in range(12):
            unit, head = [(cast.jiceng, cast.jiceng_head), (cast.zhongyi, cast.zhongyi_head)][i % 2]
            channel = ["app", "visit", "forwarded"][i % 3]
            handled(
                cast,
                new(cast, date(2026, 10, 5 + i), channel, "other"),
                unit,
                head,
                date(2026, 10, 5 + i),
            )
    assert _queries(user) == before
    assert before <= 4


def test_the_custom_period_is_checked():
    with pytest.raises(CaseError, match="早于"):
        period_of("custom", AS_OF, date(2026, 11, 9), date(2026, 11, 2))
    with pytest.raises(CaseError, match="开始和结束"):
        period_of("custom", AS_OF, None, date(2026, 11, 2))
    assert period_of("week", AS_OF).start == date(2026, 11, 16)
    assert period_of("month", AS_OF).start == date(2026, 11, 1)
    assert period_of("year", AS_OF).start == date(2026, 1, 1)


def test_phone_numbers_are_masked_in_any_text():
    assert without_phones("请回电13812341234谢谢") == "请回电138****1234谢谢"
    assert without_phones("电话 0635-8412345。") == "电话 063****2345。"
    assert without_phones("第12号床") == "第12号床"
