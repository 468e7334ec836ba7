"""Every figure of DESIGN.md §5 on a hand-made year with known answers."""

import json
from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from cases import actions
from cases.tests.factories import register
from reports.stats import year_stats

pytestmark = pytest.mark.django_db
FROZEN = time_machine.travel(date(2026, 12, 31), tick=False)
GATES = {"format": True, "policy": True, "content": True, "resolution": True}


def _reply(cast, case, *, on, cls="A", unit_head=None):
    head = unit_head or cast.yizheng_head
    commitments = [{"what": "年内完成", "due": date(2026, 12, 31)}] if cls in ("B", "C") else []
    actions.submit_reply(
        case,
        by=head,
        text="答复",
        reply_class=cls if case.role == "lead" else "",
        contact="张",
        phone="1",
        commitments=commitments,
        on=on,
    )
    actions.review_reply(case, by=cast.coordinator, passed=True, gates=GATES, on=on)
    actions.sign_reply(case, by=cast.leader, approved=True, on=on)


def _assigned(cast, *, unit=None, received=date(2026, 3, 2), **kw):
    case = register(cast, on=received, **kw)
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=unit or cast.yizheng, assigned_on=received
    )
    head = {cast.yizheng: cast.yizheng_head, cast.jiceng: cast.jiceng_head}[unit or cast.yizheng]
    actions.accept_case(case, by=head, on=received)
    return case


@pytest.fixture
def year(cast):
    with FROZEN:
        # 1: municipal NPC, lead, A, satisfied, met face to face, on time (deadline 2026-06-02).
        a = _assigned(cast, topics=["基层卫生"], led_by="市人大常委会副主任")
        actions.communicate(
            a,
            by=cast.yizheng_head,
            stage="before",
            method="face_to_face",
            summary="面商",
            on=date(2026, 3, 10),
        )
        _reply(cast, a, on=date(2026, 5, 20), cls="A")
        actions.record_feedback(a, by=cast.coordinator, result="satisfied", on=date(2026, 5, 25))
        actions.add_outcome(
            a, by=cast.yizheng_head, kind="policy", title="基层人才方案", on=date(2026, 6, 1)
        )
        # 2: provincial CPPCC, lead (承办), B, replied late (deadline 2026-06-02), basically satisfied.
        b = _assigned(
            cast,
            category="cppcc_proposal",
            level="provincial",
            mode="undertake",
            topics=["基层卫生", "中医药"],
            lead_proposer="农工党市委会",
        )
        actions.communicate(
            b,
            by=cast.yizheng_head,
            stage="during",
            method="phone",
            summary="电话",
            on=date(2026, 4, 1),
        )
        _reply(cast, b, on=date(2026, 6, 3), cls="B")
        actions.record_feedback(
            b, by=cast.coordinator, result="basically_satisfied", on=date(2026, 6, 10)
        )
        # 3: co case (会办), signed → closed, no class, no feedback; site visit does not count (co).
        c = _assigned(cast, mode="co", external_lead="市发改委", unit=cast.jiceng)
        actions.communicate(
            c,
            by=cast.jiceng_head,
            stage="before",
            method="site_visit",
            summary="调研",
            on=date(2026, 3, 5),
        )
        _reply(cast, c, on=date(2026, 3, 20), unit_head=cast.jiceng_head)
        # 4: re-handled after 不满意, then replied again (A) and rated satisfied: counted once.
        d = _assigned(cast, unit=cast.jiceng)
        _reply(cast, d, on=date(2026, 4, 1), cls="C", unit_head=cast.jiceng_head)
        actions.record_feedback(d, by=cast.coordinator, result="unsatisfied", on=date(2026, 4, 10))
        _reply(cast, d, on=date(2026, 4, 20), cls="A", unit_head=cast.jiceng_head)
        actions.record_feedback(d, by=cast.coordinator, result="satisfied", on=date(2026, 4, 25))
        # 5: still handling: not replied.
        _assigned(cast, topics=["中医药"])
        # 6: registered, county level.
        register(cast, on=date(2026, 3, 2), level="county")
        # 7: withdrawn: not counted at all.
        w = register(cast, on=date(2026, 3, 2))
        actions.withdraw_case(w, by=cast.coordinator, reason="非我委职责", on=date(2026, 3, 3))
        # 8: replied, no feedback yet.
        h = _assigned(cast)
        _reply(cast, h, on=date(2026, 5, 1), cls="D")
        # Another year's case never counts in 2026.
        register(cast, on=date(2026, 3, 2), year=2025)
    return 2026


def test_every_figure_of_the_year(year):
    s = year_stats(year)
    assert s["total"] == 7
    assert s["by_category_level"] == {
        "npc_suggestion": {"provincial": 0, "municipal": 5, "county": 1},
        "cppcc_proposal": {"provincial": 1, "municipal": 0, "county": 0},
    }
    assert s["by_role"] == {"lead": 6, "co": 1}
    assert s["leader_led"] == 1
    assert s["replied"] == 5  # a, b, c, d, h
    assert s["replied_on_time"] == 4  # b was a day late
    assert s["on_time_rate"] == 0.8
    assert s["reply_class"] == {"A": 2, "B": 1, "C": 0, "D": 1}
    assert s["feedback"] == {"satisfied": 2, "basically_satisfied": 1, "unsatisfied": 0, "none": 1}
    assert s["satisfaction_rate"] == 1.0
    assert s["face_to_face_rate"] == round(1 / 6, 4)
    assert s["by_topic"] == {"基层卫生": 6, "人才": 4, "中医药": 2}
    assert s["outcomes"] == 1
    units = {row["unit"]: row for row in s["by_unit"]}
    assert units["yizheng"]["total"] == 4 and units["jiceng"]["total"] == 2
    assert units["yizheng"]["on_time_rate"] == round(2 / 3, 4)
    assert units["jiceng"]["reply_class"] == {"A": 1, "B": 0, "C": 0, "D": 0}


def test_unit_filter_counts_only_that_units_lead_cases(year, cast):
    s = year_stats(year, cast.jiceng)
    assert (s["total"], s["replied"], s["by_role"]) == (2, 2, {"lead": 1, "co": 1})


def test_an_empty_year_gives_zeros_and_nulls(db):
    s = year_stats(2019)
    assert s["total"] == 0 and s["replied"] == 0
    assert (
        s["on_time_rate"] is None
        and s["satisfaction_rate"] is None
        and s["face_to_face_rate"] is None
    )
    assert s["by_unit"] == [] and s["by_topic"] == {}


def test_the_command_prints_the_same_object_as_json(year):
    out = StringIO()
    call_command("stats", "--year", str(year), "--json", stdout=out)
    assert json.loads(out.getvalue()) == json.loads(json.dumps(year_stats(year)))
    table = StringIO()
    call_command("stats", "--year", str(year), stdout=table)
    assert "按期率 80.0%" in table.getvalue()


def test_queries_do_not_grow_with_cases(year, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        year_stats(year)
