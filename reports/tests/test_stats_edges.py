"""Edges of the year's statistics (reports.stats.year_stats) on rows written as the ledger
import writes them: history without a deadline, cases without topics or a lead unit,
units with the same total, rates that do not divide evenly. The rows are written directly,
so each test counts them into the summary rows (reports.tally) as an action would."""

from datetime import date

import pytest

from cases.models import Case, Communication, Outcome, Topic
from reports.stats import year_figures, year_stats
from reports.tally import refresh, refresh_all

pytestmark = pytest.mark.django_db

_numbers = iter(range(1, 10_000))


def row(cast, **fields) -> Case:
    """A counted 2026 case: municipal NPC suggestion, lead, handled by 医政医管处."""
    values = {
        "category": "npc_suggestion",
        "level": "municipal",
        "year": 2026,
        "number": f"E2026{next(_numbers):04d}",
        "title": "关于完善家庭医生签约服务的建议",
        "mode": "lead",
        "state": "handling",
        "received_on": date(2026, 3, 2),
        "assigned_on": date(2026, 3, 5),
        "deadline": date(2026, 6, 5),
        "last_action_on": date(2026, 3, 5),
        "lead_unit": cast.yizheng,
    }
    values.update(fields)
    topics = values.pop("topics", [])
    case = Case.objects.create(**values)
    case.topics.set([Topic.objects.get_or_create(name=name)[0] for name in topics])
    refresh([case.pk])
    return case


def replied(cast, on, **fields) -> Case:
    return row(cast, **{"state": "replied", "replied_on": on, "reply_class": "A", **fields})


def test_a_replied_case_without_a_deadline_counts_as_on_time(cast):
    replied(cast, date(2026, 7, 1), deadline=None)  # imported history: no 办理期限
    replied(cast, date(2026, 6, 5))  # on the deadline day
    replied(cast, date(2026, 6, 8))  # late
    row(cast, deadline=None)  # not replied: neither
    s = year_stats(2026)
    assert (s["total"], s["replied"], s["replied_on_time"]) == (4, 3, 2)
    assert s["on_time_rate"] == 0.6667
    assert year_figures(2026)["replied_on_time"] == 2
    (unit,) = s["by_unit"]
    assert (unit["replied"], unit["replied_on_time"], unit["on_time_rate"]) == (3, 2, 0.6667)


def test_cases_without_topics_add_no_key_to_by_topic(cast):
    row(cast)
    row(cast, topics=["医养结合"])
    row(cast, topics=["医养结合", "托育服务"])
    s = year_stats(2026)
    assert s["by_topic"] == {"医养结合": 2, "托育服务": 1}
    assert None not in s["by_topic"]


def test_by_unit_is_ordered_by_total_then_by_code(cast):
    for unit, n in ((cast.yizheng, 2), (cast.zhongyi, 3), (cast.jiceng, 2)):
        for _ in range(n):
            row(cast, lead_unit=unit)
    row(cast, state="registered", lead_unit=None, assigned_on=None, deadline=None)
    s = year_stats(2026)
    assert [(u["unit"], u["total"]) for u in s["by_unit"]] == [
        ("zhongyi", 3),
        ("jiceng", 2),
        ("yizheng", 2),
    ]
    assert s["total"] == 8  # the unassigned case counts in the year, not under a unit
    assert [u["name"] for u in s["by_unit"]] == ["中医药管理处", "基层卫生健康处", "医政医管处"]
    assert {u["kind"] for u in s["by_unit"]} == {"department"}


def test_the_unit_is_named_only_when_narrowed(cast):
    row(cast)
    row(cast, lead_unit=cast.jiceng)
    assert year_stats(2026)["unit"] is None
    narrowed = year_stats(2026, cast.jiceng)
    assert (narrowed["unit"], narrowed["total"]) == ("jiceng", 1)
    assert [u["unit"] for u in narrowed["by_unit"]] == ["jiceng"]


def test_withdrawn_and_other_years_are_not_counted_nor_their_outcomes(cast):
    counted = replied(cast, date(2026, 5, 1))
    withdrawn = row(cast, state="withdrawn", lead_unit=None)
    earlier = replied(cast, date(2025, 5, 1), year=2025)
    for case in (counted, withdrawn, earlier, counted):
        Outcome.objects.create(case=case, kind="policy", title="实施方案", on=date(2026, 6, 1))
    refresh_all()
    s = year_stats(2026)
    assert (s["total"], s["outcomes"]) == (1, 2)
    assert year_stats(2025)["outcomes"] == 1


def test_every_count_has_its_own_filter(cast):
    lead = replied(cast, date(2026, 5, 1), led_by="市人大常委会副主任", feedback_result="satisfied")
    replied(cast, date(2026, 5, 2), reply_class="B", feedback_result="unsatisfied")
    replied(cast, date(2026, 5, 3), reply_class="C", feedback_result="basically_satisfied")
    replied(cast, date(2026, 5, 4), reply_class="D")
    co = row(cast, mode="co", external_lead="市发改委", state="closed", replied_on=date(2026, 5, 5))
    row(cast, level="county")
    row(cast, category="cppcc_proposal", level="provincial", state="registered", lead_unit=None)
    meet = {"round": 1, "stage": "before", "on": date(2026, 4, 1), "summary": "沟通"}
    Communication.objects.create(case=lead, method="site_visit", **meet)
    Communication.objects.create(case=lead, method="phone", **meet)  # not in person
    Communication.objects.create(case=co, method="face_to_face", **meet)  # a co case
    refresh_all()
    s = year_stats(2026)
    assert s["total"] == 7
    assert s["by_role"] == {"lead": 6, "co": 1}
    assert s["leader_led"] == 1
    assert (s["replied"], s["replied_on_time"]) == (5, 5)
    assert s["reply_class"] == {"A": 1, "B": 1, "C": 1, "D": 1}
    assert s["feedback"] == {"satisfied": 1, "basically_satisfied": 1, "unsatisfied": 1, "none": 1}
    assert s["satisfaction_rate"] == 0.6667
    assert (s["face_to_face"], s["face_to_face_rate"]) == (1, 0.1667)
    assert s["by_category_level"] == {
        "npc_suggestion": {"provincial": 0, "municipal": 5, "county": 1},
        "cppcc_proposal": {"provincial": 1, "municipal": 0, "county": 0},
    }
    figures = year_figures(2026)
    assert figures == {"year": 2026, **{k: s[k] for k in figures if k != "year"}}
