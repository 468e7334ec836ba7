"""The case page builds only the card it shows open; the other cards' forms are fetched when
the user opens them (issue 10: building every form was a third of the page), from
/cases/<id>/actions/<action>/form/, built the same way."""

import re
from datetime import date

import pytest
from django.test import Client

from cases import actions
from cases.tests.factories import register
from web.tests.pages import card_urls

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found is not None, name
    return found.group(1)


def handling(cast):
    case = register(cast, on=date(2026, 3, 2))
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 3)
    )
    actions.accept_case(case, by=cast.yizheng_head)
    return case


def test_only_the_open_card_is_built_with_the_page(cast):
    case = register(cast, on=date(2026, 3, 2))
    html = client_of(cast.coordinator).get(f"/cases/{case.pk}/").content.decode()
    # 交办 is open, with its form; 退回/编辑 … are closed, their forms not on the page.
    assert f'action="/cases/{case.pk}/actions/assign/"' in html
    assert f'action="/cases/{case.pk}/actions/edit/"' not in html
    seen = hidden(html, "seen_event")
    assert f"/cases/{case.pk}/actions/edit/form/?seen={seen}" in card_urls(html)
    assert f"/cases/{case.pk}/actions/assign/form/?seen={seen}" not in card_urls(html)


def test_a_closed_card_s_form_is_the_one_the_page_would_have_built(cast):
    case = register(cast, on=date(2026, 3, 2), content="第一行")
    client = client_of(cast.coordinator)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    (url,) = [u for u in card_urls(page) if "/actions/edit/" in u]
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'action="/cases/{case.pk}/actions/edit/"' in html
    assert "第一行" in html  # prefilled from the case
    # The page's last event travels with the form: a post after someone else's step is told.
    assert hidden(html, "seen_event") == hidden(page, "seen_event")
    assert hidden(html, "idempotency_key")
    assert "<html" not in html  # a fragment, not a page


def test_an_action_no_longer_open_to_the_user_says_so(cast):
    case = handling(cast)
    # The coordinator's page was opened before the case moved on; 交办 is no longer theirs.
    html = client_of(cast.coordinator).get(f"/cases/{case.pk}/actions/assign/form/").content
    text = html.decode()
    assert "这项操作现在不能办理" in text
    assert "<form" not in text
    # Another user's step is not offered either: a leader cannot submit the reply.
    text = client_of(cast.leader).get(f"/cases/{case.pk}/actions/submit_reply/form/")
    assert "这项操作现在不能办理" in text.content.decode()


@pytest.mark.parametrize("seen", ["abc", "1" * 40, "-1", "１２"])
def test_a_bad_seen_value_falls_back_to_the_case_s_last_event(cast, seen):
    case = handling(cast)
    client = client_of(cast.yizheng_head)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    response = client.get(f"/cases/{case.pk}/actions/communicate/form/", {"seen": seen})
    assert response.status_code == 200
    assert hidden(response.content.decode(), "seen_event") == hidden(page, "seen_event")


def test_an_invisible_case_or_unknown_action_is_404(cast):
    case = handling(cast)
    assert (
        client_of(cast.zhongyi_head).get(f"/cases/{case.pk}/actions/urge/form/").status_code == 404
    )
    coordinator = client_of(cast.coordinator)
    assert coordinator.get(f"/cases/{case.pk}/actions/nothing/form/").status_code == 404
    assert coordinator.post(f"/cases/{case.pk}/actions/urge/form/").status_code == 405


def test_the_card_form_costs_a_bounded_number_of_queries(cast, django_assert_max_num_queries):
    case = handling(cast)
    client = client_of(cast.coordinator)
    with django_assert_max_num_queries(40):
        assert client.get(f"/cases/{case.pk}/actions/urge/form/").status_code == 200
