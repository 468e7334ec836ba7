"""Role × URL → status for the board, the registration page and the 督办单, written out by
hand in the columns of tests/test_permission_matrix_supervision.py: admin, coordinator,
leader, viewer, yizheng (head of the lead unit), yizheng_clerk (its handler), jiceng (head
of the co-unit), zhongyi (an unrelated unit), anonymous. These rows belong in that table
once /supervision/ is mounted in huiyin/urls.py."""

from datetime import date

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client

from cases.models import Case
from tests.test_permission_matrix import _params

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 10)
NEW = {
    "source": "meeting", "urgency": "red", "title": "委交班会议定事项",
    "received_on": TODAY.isoformat(), "lead_unit": "yizheng",
}  # fmt: skip

WEB = {
    "board": ("get", "/supervision/", None, [200, 200, 200, 200, 200, 200, 200, 200, 302]),
    "board, filtered": ("get", "/supervision/?light=red&source=meeting", None,
                        [200, 200, 200, 200, 200, 200, 200, 200, 302]),
    "board, bad filter": ("get", "/supervision/?light=pink", None,
                          [400, 400, 400, 400, 400, 400, 400, 400, 302]),
    "registration page": ("get", "/supervision/new/", None, [403, 200, 403, 403, 403, 403, 403, 403, 302]),
    "register and assign": ("post", "/supervision/new/", NEW, [403, 302, 403, 403, 403, 403, 403, 403, 302]),
    "督办单 of an assigned item": ("get", "/supervision/{A}/notice.docx", None,
                                [200, 200, 200, 200, 200, 200, 200, 404, 302]),
    "督办单 before 交办": ("get", "/supervision/{R}/notice.docx", None,
                        [400, 400, 400, 400, 404, 404, 404, 404, 302]),
}  # fmt: skip


@pytest.fixture
def world(cast):
    from supervision import actions

    with time_machine.travel(TODAY, tick=False):
        registered = actions.register_supervision(
            by=cast.coordinator, source="leader_instruction", urgency="green",
            title="落实急救电话接听率", received_on=TODAY,
        )  # fmt: skip
        assigned = actions.register_supervision(
            by=cast.coordinator, source="meeting", urgency="blue", title="预约诊疗",
            received_on=TODAY,
        )  # fmt: skip
        actions.assign(assigned, by=cast.coordinator, lead_unit=cast.yizheng,
                       co_units=[cast.jiceng], leader_in_charge=cast.leader)  # fmt: skip
    return {"R": registered.pk, "A": assigned.pk}


@pytest.mark.parametrize(("operation", "username", "expected"), _params(WEB))
def test_web_permission_matrix(world, operation, username, expected):
    method, path, data, _ = WEB[operation]
    before = Case.objects.count()
    client = Client()
    if username is not None:
        client.force_login(get_user_model().objects.get(username=username))
    with time_machine.travel(TODAY, tick=False):
        response = getattr(client, method)(path.format(**world), *([data] if data else []))
    assert response.status_code == expected, response.content.decode()[:300]
    if method == "post":  # only the coordinator's registration writes
        assert Case.objects.count() == before + (expected == 302 and username is not None)
