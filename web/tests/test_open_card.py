"""The case page opens the card the user most likely needs (issue 9, point 6): the first
available primary action; after a refused action, that action's card instead."""

import re
from datetime import date

import pytest
from django.test import Client

from cases import actions
from cases.tests.factories import register

pytestmark = pytest.mark.django_db


def open_cards(html: str) -> list[str]:
    return re.findall(r'id="action-body-(\w+)" class="accordion-collapse collapse show"', html)


def page_of(user, case) -> str:
    client = Client()
    client.force_login(user)
    return client.get(f"/cases/{case.pk}/").content.decode()


def test_the_first_primary_action_starts_open(cast):
    case = register(cast, on=date(2026, 3, 2))
    html = page_of(cast.coordinator, case)
    assert open_cards(html) == ["assign"]
    assert 'aria-expanded="true" aria-controls="action-body-assign"' in html

    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 3)
    )
    assert open_cards(page_of(cast.yizheng_head, case)) == ["accept"]


def test_no_card_is_open_without_a_primary_action(cast):
    case = register(cast, on=date(2026, 3, 2))
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 3)
    )
    # The coordinator may still edit or withdraw, but the next step is the unit's.
    html = page_of(cast.coordinator, case)
    assert "action-body-" in html and open_cards(html) == []


def test_a_refused_action_keeps_its_own_card_open(cast):
    case = register(cast, on=date(2026, 3, 2))
    client = Client()
    client.force_login(cast.coordinator)
    response = client.post(f"/cases/{case.pk}/actions/withdraw/", {"reason": ""})
    assert response.status_code == 400
    assert open_cards(response.content.decode()) == ["withdraw"]
