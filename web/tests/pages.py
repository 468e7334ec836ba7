"""The case page as its user can reach it: the page, then the form of every closed action
card, fetched as the browser fetches it when the card is opened (web.views.case_action_card).
Tests of what a card offers read this, not the page alone."""

import re

from django.test import Client

_CARD_FORM = re.compile(r'hx-get="(/cases/\d+/actions/[\w-]+/form/\?seen=\d+)"')


def card_urls(html: str) -> list[str]:
    """The addresses of the closed cards' forms on a case page."""
    return _CARD_FORM.findall(html)


def case_page_with_cards(client: Client, pk: int) -> str:
    """The case page's HTML followed by each closed card's form (each fetched with 200)."""
    response = client.get(f"/cases/{pk}/")
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    parts = [html]
    for url in card_urls(html):
        card = client.get(url)
        assert card.status_code == 200, (url, card.status_code)
        parts.append(card.content.decode())
    return "".join(parts)
