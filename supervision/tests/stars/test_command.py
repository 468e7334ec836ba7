"""`huiyin stats --category supervision --period 2026-Q2 [--json]`: the figures and stars
of supervision.ratings; the other branches of the command unchanged."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from reminders.tests.conftest import frozen
from supervision.tests.stars.conftest import AS_OF

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    with frozen(AS_OF):
        call_command("stats", *args, stdout=out)
    return out.getvalue()


def test_json_of_a_quarter(cast, quarter):
    data = json.loads(run("--category", "supervision", "--period", "2026-Q2", "--json"))
    assert (data["category"], data["period"], data["scope"]) == ("supervision", "2026-Q2", None)
    assert (data["start"], data["end"], data["as_of"]) == ("2026-04-01", "2026-06-30", "2026-07-06")
    assert data["completed"] == 10 and data["timing"]["early"] == 5
    stars = {s["code"]: [w["code"] for w in s["winners"]] for s in data["stars"]}
    assert stars == {
        "composite": ["yizheng"], "excellent": ["yizheng"], "quantity": ["yizheng"],
        "efficiency": ["jiceng", "yizheng"],
    }  # fmt: skip
    assert data["scoring"]["weights"] == {
        "quantity": 0.3, "quality": 0.4, "efficiency": 0.3, "min_items": 3, "origin": "default",
        "origin_label": "系统默认",
    }  # fmt: skip


def test_a_year_and_the_text(cast, quarter):
    text = run("--category", "supervision", "--year", "2026")
    assert "2026年度" in text and "经核查办结    12" in text
    assert "效率之星：" in text


def test_the_text_of_a_quarter(cast, quarter):
    text = run("--category", "supervision", "--period", "2026-Q2")
    assert "医政医管处：办结4 销号4  100×0.3 + 85×0.4 + 80×0.3 = 88" in text
    assert "2个单位并列" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--category", "supervision"], "--period"),
        (["--category", "supervision", "--period", "2026-Q9"], "统计期间应为"),
        (["--category", "supervision", "--period", "2026", "--year", "2026"], "只能选一种"),
        (["--year", "2026", "--period", "2026-Q2"], "仅用于 --category supervision"),
    ],
)
def test_refusals(cast, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_the_proposals_statistics_still_work(cast):
    data = json.loads(run("--year", "2026", "--json"))
    assert data["year"] == 2026
