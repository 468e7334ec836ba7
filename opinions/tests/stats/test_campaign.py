"""Campaign statistics like seed 002's: "市解放思想大讨论领导小组办公室转来8期22条群众意见建议，
已回复17条，其中有条件解决的2条，暂时没有条件解决的1条，需要时间解决的14条"; "发放征求意见簿
400本，收回353本"; plus the suggestions entered from the books."""

from datetime import date

import pytest

from opinions.models import Campaign
from opinions.stats import opinion_figures, period_of
from opinions.tests.stats.conftest import AS_OF

pytestmark = pytest.mark.django_db


def test_campaign_figures_like_seed_002(cast, campaign):
    whole = period_of("all", AS_OF)
    f = opinion_figures(
        user=cast.leader, start=whole.start, end=whole.end, campaign_id=campaign.pk, as_of=AS_OF
    )
    forwarded = next(row for row in f["by_channel"] if row["code"] == "forwarded")
    assert (forwarded["received"], forwarded["answered"]) == (22, 17)
    assert f["received"] == 25  # the 22 forwarded and 3 from the books; not the others
    assert f["answered"] == 17
    assert f["by_result"] == {"solvable": 2, "not_solvable": 1, "needs_time": 14, "unfounded": 0}
    assert f["fix_open"] == 14
    assert f["campaign"] == {
        "id": campaign.pk,
        "name": "解放思想大讨论",
        "starts_on": "2026-10-01",
        "ends_on": "2026-11-30",
        "channels": ["forwarded", "book"],
        "books_issued": 400,
        "books_returned": 353,
        "book_return": {"numerator": 353, "denominator": 400, "rate": 0.8825},
        "book_suggestions": 3,
    }
    assert f["rates"]["reply"] == {"numerator": 17, "denominator": 25, "rate": 0.68}
    # All 17 answered the day after receipt, within 5 working days.
    assert f["rates"]["answer_on_time"] == {"numerator": 17, "denominator": 17, "rate": 1.0}


def test_campaign_within_a_period(cast, campaign):
    f = opinion_figures(
        user=cast.coordinator,
        start=date(2026, 10, 12),
        end=date(2026, 10, 16),
        campaign_id=campaign.pk,
        as_of=AS_OF,
    )
    assert f["received"] == 8  # the first three batches
    assert f["campaign"]["book_suggestions"] == 0
    assert f["campaign"]["books_issued"] == 400


def test_campaign_without_books(cast, campaign):
    other = Campaign.objects.get(name="另一活动")
    whole = period_of("all", AS_OF)
    f = opinion_figures(
        user=cast.leader, start=whole.start, end=whole.end, campaign_id=other.pk, as_of=AS_OF
    )
    assert f["received"] == 1
    assert f["campaign"]["books_issued"] is None and f["campaign"]["book_return"] is None
