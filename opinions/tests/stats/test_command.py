"""`huiyin stats --category public_opinion … --json`: the figures of opinions.stats, stable
English keys; the 议提案 statistics of the same command unchanged."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from opinions.models import Campaign
from opinions.tests.stats.conftest import AS_OF
from reminders.tests.conftest import frozen

pytestmark = pytest.mark.django_db

KEYS = {
    "category",
    "start",
    "end",
    "as_of",
    "scope",
    "received",
    "merged",
    "counted",
    "forwarded",
    "forwarded_on_time",
    "answered",
    "answered_on_time",
    "closed",
    "running",
    "overdue_open",
    "forward_overdue_open",
    "fix_open",
    "by_result",
    "feedback",
    "rates",
    "by_channel",
    "by_area",
    "by_unit",
    "unassigned",
    "campaign",
}


def run(*args: str) -> str:
    out = StringIO()
    with frozen(AS_OF):
        call_command("stats", *args, stdout=out)
    return out.getvalue()


def test_json_of_a_date_range(cast, week):
    data = json.loads(
        run(
            "--category", "public_opinion", "--start", "2026-11-02", "--end", "2026-11-08", "--json"
        )
    )
    assert set(data) == KEYS
    assert data["category"] == "public_opinion"
    assert (data["received"], data["answered"], data["closed"]) == (7, 3, 2)
    assert data["rates"]["answer_on_time"] == {"numerator": 2, "denominator": 3, "rate": 0.6667}
    assert data["rates"]["reply"] == {"numerator": 3, "denominator": 6, "rate": 0.5}
    assert data["scope"] is None
    assert [u["code"] for u in data["by_unit"]] == ["jiceng", "yizheng", "zhongyi"]
    assert set(data["by_unit"][0]) == {
        "code",
        "name",
        "received",
        "answered",
        "answered_on_time",
        "closed",
        "overdue_open",
        "rated",
        "satisfied",
        "rates",
    }
    assert "1381234" not in json.dumps(data)  # the texts carry a phone; statistics never do


def test_json_of_a_year_and_of_a_campaign(cast, week):
    data = json.loads(run("--category", "public_opinion", "--year", "2026", "--json"))
    assert (data["start"], data["end"], data["received"]) == ("2026-01-01", "2026-12-31", 9)
    drive = Campaign.objects.create(
        name="解放思想大讨论", starts_on=AS_OF, books_issued=400, books_returned=353
    )
    data = json.loads(run("--category", "public_opinion", "--campaign", str(drive.pk), "--json"))
    assert data["received"] == 0
    assert data["campaign"]["book_return"] == {"numerator": 353, "denominator": 400, "rate": 0.8825}


def test_text_output(cast, week):
    out = run("--category", "public_opinion", "--start", "2026-11-02", "--end", "2026-11-08")
    assert "按时办结率" in out and "66.7%（2/3）" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "指定期间"),
        (("--year", "2026", "--start", "2026-01-01"), "只能选一种"),
        (("--start", "2026-13-01"), "日期"),
        (("--start", "2026-11-09", "--end", "2026-11-02"), "早于"),
        (("--year", "1800"), "之间"),
        (("--campaign", "999999"), "征集活动"),
    ],
)
def test_bad_arguments(cast, args, message):
    with pytest.raises(CommandError, match=message):
        run("--category", "public_opinion", *args)


def test_the_proposal_statistics_are_unchanged(cast):
    data = json.loads(run("--year", "2026", "--json"))
    assert data["year"] == 2026 and "by_category_level" in data
    with pytest.raises(CommandError, match="--year"):
        run()
