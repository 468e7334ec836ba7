"""督办评星权重 set in the console: the administrator only, checked (they sum to 1), one audit
event with the old and the new values, and the stars computed with them afterwards."""

from decimal import Decimal

import pytest
from django.test import Client

from audit.models import AuditEvent
from supervision.weights import WeightsForbidden, WeightsInvalid, current_weights, set_star_weights

pytestmark = pytest.mark.django_db


def test_the_administrator_sets_them_and_they_are_used(cast):
    assert current_weights().origin in ("default", "settings")
    set_star_weights(by=cast.admin, quantity="0.2", quality="0.5", efficiency="0.3", min_items=5)
    weights = current_weights()
    assert (weights.quantity, weights.quality, weights.min_items) == (
        Decimal("0.2"), Decimal("0.5"), 5
    )  # fmt: skip
    assert weights.origin == "console"
    assert weights.formula() == "综合得分 = 数量得分×0.2 + 质量得分×0.5 + 效率得分×0.3"
    event = AuditEvent.objects.get(action="star_weights")
    assert event.actor == cast.admin and event.details["new"]["quality"] == 0.5


def test_refused_unless_an_administrator_and_summing_to_one(cast):
    with pytest.raises(WeightsForbidden):
        set_star_weights(by=cast.coordinator, quantity="0.3", quality="0.4", efficiency="0.3",
                         min_items=3)  # fmt: skip
    with pytest.raises(WeightsInvalid, match="之和应为1"):
        set_star_weights(by=cast.admin, quantity="0.3", quality="0.4", efficiency="0.4",
                         min_items=3)  # fmt: skip
    assert not AuditEvent.objects.filter(action="star_weights").exists()


def test_the_console_page(cast):
    admin = Client()
    admin.force_login(cast.admin)
    page = admin.get("/console/star-weights/")
    assert page.status_code == 200 and "综合得分" in page.content.decode()
    bad = admin.post(
        "/console/star-weights/",
        {"quantity": "0.5", "quality": "0.5", "efficiency": "0.5", "min_items": "3"},
    )
    assert bad.status_code == 200 and "之和应为1" in bad.content.decode()
    done = admin.post(
        "/console/star-weights/",
        {"quantity": "0.4", "quality": "0.3", "efficiency": "0.3", "min_items": "2"},
    )
    assert done.status_code == 302 and current_weights().min_items == 2
    coordinator = Client()
    coordinator.force_login(cast.coordinator)
    assert coordinator.get("/console/star-weights/").status_code == 403
    assert Client().get("/console/star-weights/").status_code == 302
