"""Every figure of DESIGN.md §5 on a hand-made year with known answers."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from reports.stats import year_stats

pytestmark = pytest.mark.django_db


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
    # Cells, open cases, unit names, topics, the promises (回头看).
    with django_assert_max_num_queries(5):
        year_stats(year)
