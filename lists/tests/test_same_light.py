"""One light per item wherever it is shown: the item's page, the list page, the board, the
主体责任清单 and the API read it from lists.light (item_key / measure_key), and an item with
an open measure past its deadline is at least 滞后 even while its own deadline is ahead."""

import re
from datetime import date

import pytest
from django.urls import reverse

from api.tests.helpers import ApiClient, ok
from lists import light
from lists.actions import MeasureIn
from lists.page import item_rows
from lists.tests.factories import make_item, make_list
from reminders.tests.conftest import frozen

pytestmark = pytest.mark.django_db
DAY = date(2026, 5, 6)  # the first measure (due 04-30) is late; the item is due 06-30


@pytest.fixture
def item(cast):
    rect_list = make_list(cast)
    return make_item(
        cast,
        rect_list,
        measures=[
            MeasureIn("制定方案", cast.yizheng, date(2026, 4, 30)),
            MeasureIn("落实到位", cast.yizheng, date(2026, 6, 30)),
        ],
    )


def test_a_late_measure_holds_its_item_back(cast, item):
    row = item.list_item
    key, measures = item_rows(row, list(row.measures.order_by("seq")), DAY)
    assert [k for _, k in measures][0] == light.OVERDUE
    assert key == light.BEHIND
    # Without the late measure the item's own clock decides.
    lights = light.Lights(DAY, date(2026, 3, 2), date(2026, 6, 30))
    own = light.item_key(
        lights, start=date(2026, 3, 2), deadline=date(2026, 6, 30), progress=60,
        state="handling", started_on=date(2026, 3, 10),
    )  # fmt: skip
    assert own == light.NORMAL


def test_every_page_and_the_api_show_the_same_light(client, cast, item):
    rect_list = item.list_item.rect_list
    behind = light.shown(light.BEHIND)
    client.force_login(cast.coordinator)
    with frozen(DAY):
        board = client.get(reverse("lists:board", args=[rect_list.pk])).content.decode()
        listing = client.get(reverse("lists:detail", args=[rect_list.pk])).content.decode()
        page = client.get(reverse("case-detail", args=[item.pk])).content.decode()
        api = ok(ApiClient("coordinator").get(f"/lists/{rect_list.pk}"))
        detail = ok(ApiClient("coordinator").get(f"/cases/{item.pk}"))
    item_row = re.search(rf'hy-gantt-item[^>]*data-light="(\w+)" data-case="{item.pk}"', board)
    assert item_row is not None and item_row.group(1) == behind.key
    assert behind.label in listing and behind.label in page
    assert api["items"][0]["light"] == light.BEHIND == detail["light"]
    # The second has used half its working days with nothing reported: 滞后 on its own.
    assert [m["light"] for m in detail["measures"]] == [light.OVERDUE, light.BEHIND]
