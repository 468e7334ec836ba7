"""Role × operation → HTTP status for 回头看 (issue 15): the promises list, its exports and
the update of a promise after its case closed, written out by hand.

Columns (USERS): admin, coordinator, leader, viewer, yizheng (head of the promise's owner
unit), yizheng_clerk (its handler), jiceng (head of another unit with a promise of its
own), zhongyi (a unit with none), outsider (no role), anonymous.

Case C: closed a year ago, a B reply by 医政医管处 with one promise `{P}`; case J: closed, a
C reply by 基层卫生健康处 with `{Q}`. The list is every unit's for the commission's roles
and the unit's own for a unit (an empty list is still 200); the .docx report names every
unit: the commission's roles only; someone with neither role nor unit is refused (403).
The update is the owner unit's and the office's (cases.actions.handling)."""

from datetime import date

import pytest
from django.test import Client

from api.tests.helpers import BASE, token_for
from promises.tests.helpers import frozen, promised_case

USERS = ["admin", "coordinator", "leader", "viewer", "yizheng", "yizheng_clerk", "jiceng",
         "zhongyi", "outsider", None]  # fmt: skip
TODAY = date(2026, 6, 10)
READERS = [200, 200, 200, 200, 200, 200, 200, 200, 403, 302]

WEB = {
    "GET list": ("/promises/?year=2025", READERS),
    "GET list, needs time tab": ("/promises/?year=2025&tab=opinions", READERS),
    "GET xlsx": ("/promises/export.xlsx?year=2025", READERS),
    "GET docx": ("/promises/report.docx?year=2025&class=B",
                 [200, 200, 200, 200, 403, 403, 403, 403, 403, 302]),
    "GET case page with promises": ("/cases/{C}/", [200, 200, 200, 200, 200, 200, 404, 404, 404, 302]),
}  # fmt: skip
API = {
    "update C's promise": (
        "/cases/{C}/actions/update_commitment", {"id": "{P}", "status": "in_progress"},
        [403, 200, 403, 403, 200, 200, 404, 404, 404, 401],
    ),
    "update J's promise": (
        "/cases/{J}/actions/update_commitment",
        {"id": "{Q}", "status": "unfulfilled", "reason": "资金不足"},
        [403, 200, 403, 403, 404, 404, 200, 404, 404, 401],
    ),
}  # fmt: skip


@pytest.fixture
def world(cast):
    c = promised_case(cast, year=2025, promises=[("建成区域医疗中心", date(2026, 5, 29))])
    j = promised_case(
        cast,
        year=2025,
        reply_class="C",
        unit=cast.jiceng,
        head=cast.jiceng_head,
        promises=[("提高村医补贴", date(2026, 3, 31))],
    )
    return {
        "C": c.pk,
        "J": j.pk,
        "P": c.commitments.get().pk,
        "Q": j.commitments.get().pk,
    }


def _fill(text: str, ids: dict[str, int]) -> str:
    for key, value in ids.items():
        text = text.replace("{" + key + "}", str(value))
    return text


@pytest.mark.parametrize("name", WEB)
def test_web(cast, world, name):
    path, expected = WEB[name]
    got = []
    for username in USERS:
        client = Client()
        if username:
            client.force_login(_user(cast, username))
        with frozen(TODAY):
            got.append(client.get(_fill(path, world)).status_code)
    assert got == expected


def _user(cast, username):
    return {
        "yizheng": cast.yizheng_head,
        "yizheng_clerk": cast.yizheng_handler,
        "jiceng": cast.jiceng_head,
        "zhongyi": cast.zhongyi_head,
    }.get(username) or getattr(cast, username)


@pytest.mark.parametrize("name", API)
def test_api(cast, world, name):
    path, data, expected = API[name]
    got = []
    for username in USERS:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(username)}"} if username else {}
        body = {k: int(_fill(v, world)) if k == "id" else v for k, v in data.items()}
        with frozen(TODAY):
            response = Client().post(
                BASE + _fill(path, world), body, content_type="application/json", **headers
            )
        got.append(response.status_code)
    assert got == expected
