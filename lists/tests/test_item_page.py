"""A list item's case page on the web: who sees it, its measures with their lights and
evidence, the cards offered to each relation, a progress report and an evidence upload
through the page's forms, and the case it was raised from linked both ways."""

from datetime import date

import pytest
from django.urls import reverse

from lists import actions
from lists.models import Evidence, Item, MeasureStatus
from lists.tests.factories import make_item, make_list, pdf
from reminders.tests.conftest import frozen

pytestmark = pytest.mark.django_db
DAY = date(2026, 4, 1)


@pytest.fixture
def item(cast):
    return make_item(cast, make_list(cast))


def _page(client, user, case):
    client.force_login(user)
    with frozen(DAY):
        return client.get(reverse("case-detail", args=[case.pk]))


def test_the_item_page_for_its_units_and_the_office(client, cast, item):
    page = _page(client, cast.coordinator, item)
    assert page.status_code == 200
    text = page.content.decode()
    assert "制定急救调度改造方案" in text and "增加调度席位和人员" in text
    assert "急救电话10秒接听率" in text and "履职测评问题清单" in text
    assert "action-strike_off" not in text  # nothing to review yet
    # The measure's owner unit (a co-unit) sees it and may report; an unrelated unit may not.
    assert _page(client, cast.jiceng_head, item).status_code == 200
    assert _page(client, cast.zhongyi_head, item).status_code == 404


def test_progress_and_evidence_through_the_page(client, cast, item):
    first = Item.objects.get(pk=item.pk).measures.get(seq=1)
    client.force_login(cast.yizheng_head)
    with frozen(DAY):
        page = client.post(
            reverse("case-action", args=[item.pk, "report_progress"]),
            {
                "measure": str(first.pk),
                "text": "方案已起草",
                "percent": "40",
                "on": DAY.isoformat(),
            },
        )
        assert page.status_code == 302, page.content.decode()[:2000]
        upload = client.post(
            reverse("lists:evidence", args=[item.pk]), {"measure": str(first.pk), "file": pdf()}
        )
        assert upload.status_code == 302
    first.refresh_from_db()
    assert first.percent == 40 and first.status == MeasureStatus.IN_PROGRESS
    assert Evidence.objects.filter(measure=first).count() == 1
    # A unit that does not own the measure cannot upload for it.
    client.force_login(cast.jiceng_head)
    with frozen(DAY):
        refused = client.post(
            reverse("lists:evidence", args=[item.pk]), {"measure": str(first.pk), "file": pdf()}
        )
    assert refused.status_code == 403
    assert Evidence.objects.filter(measure=first).count() == 1


def test_the_item_page_reads_a_fixed_number_of_queries(client, cast, django_assert_max_num_queries):
    rect_list = make_list(cast)
    small = make_item(cast, rect_list)
    client.force_login(cast.coordinator)
    with frozen(DAY):
        with django_assert_max_num_queries(60) as small_count:
            client.get(reverse("case-detail", args=[small.pk]))
    from lists.actions import MeasureIn

    many = [MeasureIn(f"举措{n}", cast.yizheng, date(2026, 5, 29)) for n in range(12)]
    big = make_item(cast, rect_list, measures=many, title="另一个问题")
    with frozen(DAY):
        with django_assert_max_num_queries(len(small_count.captured_queries)):
            client.get(reverse("case-detail", args=[big.pk]))


def test_a_case_put_on_a_list_shows_the_item(client, cast):
    from cases.tests.factories import register

    source = register(cast, on=date(2026, 3, 2))
    rect_list = make_list(cast)
    with frozen(DAY):
        made = actions.add_to_list(
            source, by=cast.coordinator, rect_list=rect_list, deadline=date(2026, 9, 30),
            lead_unit=cast.yizheng,
        )  # fmt: skip
    text = _page(client, cast.coordinator, source).content.decode()
    assert made.number in text and "已列入整改清单" in text
    back = _page(client, cast.coordinator, made).content.decode()
    assert source.number in back
