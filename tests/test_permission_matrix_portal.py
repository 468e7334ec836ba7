"""Role × operation → HTTP status for the proposer's link (issue 15, portal): every portal
URL and API call, written out by hand like tests/test_permission_matrix_lists.py.

Columns (USERS): admin, coordinator, leader, viewer, yizheng (head of the lead unit),
yizheng_clerk (its handler), jiceng (head of a co-unit), zhongyi (an unrelated unit's head),
anonymous. Case P is replied (lead 医政医管处, co 基层卫生健康处); `{L}` is a live link of
it, `{T}` that link's token. Only the 议提案管理员 manages links: the commission's other
roles and the units that see the case get 403, a unit that cannot see it 404, anonymous
401 (API) or the login page (302). The proposer's own page needs no login: the same for
everyone (the token is the key), 404 for a token that opens nothing.
"""

from datetime import date
from typing import Any

import pytest
import time_machine
from django.test import Client

from api.tests.helpers import BASE, ApiClient
from cases.tests.walks import case_in
from letters.tests.conftest import configure
from portal.actions import issue_link

USERS = ["admin", "coordinator", "leader", "viewer", "yizheng", "yizheng_clerk", "jiceng",
         "zhongyi", None]  # fmt: skip
TODAY = date(2026, 12, 31)

OFFICE = [403, 200, 403, 403, 403, 403, 403, 404, 401]
OFFICE_WEB = [403, 302, 403, 403, 403, 403, 403, 404, 302]
OFFICE_PAGE = [403, 200, 403, 403, 403, 403, 403, 404, 302]
OFFICE_DOCX = [403, 200, 403, 403, 403, 403, 403, 404, 302]
ANYONE = [200, 200, 200, 200, 200, 200, 200, 200, 200]
NOBODY = [404, 404, 404, 404, 404, 404, 404, 404, 404]

API: dict[str, tuple[str, str, Any, list[int]]] = {
    "POST proposer-link": ("post", "/cases/{P}/proposer-link", {}, OFFICE),
    "POST proposer-link, no such case": (
        "post", "/cases/99999999/proposer-link", {}, [404, 404, 404, 404, 404, 404, 404, 404, 401],
    ),
}  # fmt: skip

WEB: dict[str, tuple[str, str, Any, list[int]]] = {
    "issue": ("post", "/portal/cases/{P}/links/", {"confirm": "1"}, OFFICE_WEB),
    # The lead's link is live: the coordinator is asked first (a page), nothing issued.
    "issue, unconfirmed": ("post", "/portal/cases/{P}/links/", {}, OFFICE_PAGE),
    "link page": ("get", "/portal/cases/{P}/links/{L}/", None, OFFICE_PAGE),
    "revoke": ("post", "/portal/cases/{P}/links/{L}/revoke/", {}, OFFICE_WEB),
    "form with QR": ("post", "/portal/cases/{P}/feedback-form.docx", {}, OFFICE_DOCX),
    "proposer page": ("get", "/p/{T}/", None, ANYONE),
    "proposer letter": ("get", "/p/{T}/letter.docx", None, ANYONE),
    "proposer page, bad token": ("get", "/p/{X}/", None, NOBODY),
    "proposer rating, bad token": ("post", "/p/{X}/rate/", {"result": "satisfied"}, NOBODY),
}  # fmt: skip


@pytest.fixture
def world(cast):
    with time_machine.travel(TODAY, tick=False):
        configure()
        case = case_in(cast, "replied")
        link, token = issue_link(case, by=cast.coordinator)
        yield {"P": case.pk, "L": link.pk, "T": token, "X": "A" * 43}


def _client(cast, who):
    client = Client()
    if who is not None:
        user = {"yizheng": cast.yizheng_head, "yizheng_clerk": cast.yizheng_handler,
                "jiceng": cast.jiceng_head, "zhongyi": cast.zhongyi_head}.get(who)  # fmt: skip
        client.force_login(user or getattr(cast, who))
    return client


@pytest.mark.parametrize("name", list(API))
@pytest.mark.parametrize("column", range(len(USERS)))
def test_api(world, name, column):
    method, path, data, expected = API[name]
    who = USERS[column]
    with time_machine.travel(TODAY, tick=False):
        url = path.format(**world)
        if who is None:
            response = getattr(Client(), method)(BASE + url, data, content_type="application/json")
        else:
            response = ApiClient(who).post(url, data)
    assert response.status_code == expected[column], (who, response.content[:300])


@pytest.mark.parametrize("name", list(WEB))
@pytest.mark.parametrize("column", range(len(USERS)))
def test_web(world, cast, name, column):
    method, path, data, expected = WEB[name]
    who = USERS[column]
    with time_machine.travel(TODAY, tick=False):
        client = _client(cast, who)
        url = path.format(**world)
        response = client.get(url) if method == "get" else client.post(url, data or {})
    assert response.status_code == expected[column], (who, response.content[:300])
    if who is None and expected[column] == 302:
        assert "/login/" in response["Location"] or "login" in response["Location"]
