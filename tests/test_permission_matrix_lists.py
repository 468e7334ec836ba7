"""Role × operation → HTTP status for 清单化管理 (issue 14): every lists URL and API call,
written out by hand like tests/test_permission_matrix_supervision.py. 200/201/302 done, 400
allowed but refused now, 403 "your role never may", 404 "you cannot see this", 401/302
"log in first".

Columns (USERS): coordinator (办公室, made the list), leader (a 委领导), viewer, qd_owner (the
list's owner, who reviews its 销号: a 查阅人员 of the office), yizheng (head of the items'
lead unit), jiceng (head of the unit owning measure 2), zhongyi (an unrelated unit's head),
outsider (no role), anonymous.

List L (owner qd_owner) with items, each led by 医政医管处 with measure 1 (医政医管处) and
measure 2 (基层卫生健康处): H 整改中, measure 1 with evidence; S measure 1 submitted; X
measure 1 struck off; R both measures struck off; V 待销号; C 已销号. `{H1}` is H's
measure 1. New rows (the board, import, report, export pages) are added to WEB / API as
they are built: (method, path, data, expected per column)."""

from datetime import date
from typing import Any

import pytest
import time_machine
from django.test import Client

from api.tests.helpers import BASE, ApiClient

USERS = ["coordinator", "leader", "viewer", "qd_owner", "yizheng", "jiceng", "zhongyi",
         "outsider", None]  # fmt: skip
TODAY = date(2026, 4, 1)

ALL = [200, 200, 200, 200, 200, 200, 200, 200, 401]
SEEN = [200, 200, 200, 200, 200, 200, 404, 404, 401]  # the list's and items' people
OFFICE_ONLY = [201, 403, 403, 403, 403, 403, 403, 403, 401]
# Who may act on measure 1 (医政医管处's): the office and the lead unit; the commission's
# other roles and the co-unit are refused; the units that cannot see the item get 404.
ON_MEASURE_1 = [200, 403, 403, 403, 200, 403, 404, 404, 401]
ON_MEASURE_2 = [200, 403, 403, 403, 200, 200, 404, 404, 401]  # … and its own unit
REVIEWER = [403, 403, 403, 200, 403, 403, 404, 404, 401]  # the list's owner alone
REVIEWER_OR_OFFICE = [200, 403, 403, 200, 403, 403, 404, 404, 401]

API: dict[str, tuple[str, str, Any, list[int]]] = {
    "GET lists": ("get", "/lists", None, ALL),
    "GET list": ("get", "/lists/{L}", None, SEEN),
    "POST list": ("post", "/lists", {"name": "新清单", "starts_on": "2026-04-01"}, OFFICE_ONLY),
    "POST item": (
        "post", "/lists/{L}/items",
        {"title": "新事项", "lead_unit": "yizheng", "deadline": "2026-09-30",
         "measures": [{"text": "举措", "unit": "jiceng", "deadline": "2026-06-30"}]},
        [201, 403, 403, 201, 403, 403, 404, 404, 401],
    ),
    "POST evidence for measure 1": (
        "post", "/lists/items/{H}/evidence", {"PDF": "{H1}"},
        [201, 403, 403, 403, 201, 403, 404, 404, 401],
    ),
    "POST evidence for measure 2": (
        "post", "/lists/items/{H}/evidence", {"PDF": "{H2}"},
        [201, 403, 403, 403, 201, 201, 404, 404, 401],
    ),
    "POST evidence for the item": (
        "post", "/lists/items/{H}/evidence", {"PDF": ""},
        [201, 403, 403, 403, 201, 403, 404, 404, 401],
    ),
    "GET item": ("get", "/cases/{H}", None, SEEN),
    "report progress on measure 1": (
        "post", "/cases/{H}/actions/report_progress",
        {"measure": "{H1}", "text": "推进", "percent": 30}, ON_MEASURE_1,
    ),
    "report progress on measure 2": (
        "post", "/cases/{H}/actions/report_progress",
        {"measure": "{H2}", "text": "推进", "percent": 30}, ON_MEASURE_2,
    ),
    "report progress on the item": (
        "post", "/cases/{H}/actions/report_progress", {"text": "整体推进"}, ON_MEASURE_1,
    ),
    "submit measure 1": ("post", "/cases/{H}/actions/submit_measure", {"measure": "{H1}"},
                         ON_MEASURE_1),
    "review measure 1": (
        "post", "/cases/{S}/actions/review_measure", {"measure": "{S1}", "approved": True},
        REVIEWER,
    ),
    "reopen measure 1": (
        "post", "/cases/{X}/actions/reopen_measure", {"measure": "{X1}", "reason": "反弹"},
        REVIEWER_OR_OFFICE,
    ),
    "add a measure": (
        "post", "/cases/{H}/actions/add_measure",
        {"text": "新增举措", "owner_unit": "zhongyi", "deadline": "2026-06-30"},
        [200, 403, 403, 200, 200, 403, 404, 404, 401],
    ),
    "edit the item": ("post", "/cases/{H}/actions/edit", {"title": "改过的事项"},
                      REVIEWER_OR_OFFICE),
    "request strike-off": (
        "post", "/cases/{R}/actions/request_strike_off", {"note": "整改完成"},
        [403, 403, 403, 403, 200, 403, 404, 404, 401],
    ),
    "strike off": ("post", "/cases/{V}/actions/strike_off", {"approved": True}, REVIEWER),
    "reopen the item": ("post", "/cases/{C}/actions/reopen", {"reason": "问题反弹"},
                        REVIEWER_OR_OFFICE),
}  # fmt: skip

WEB_SEEN = [200, 200, 200, 200, 200, 200, 404, 404, 302]
WEB: dict[str, tuple[str, str, Any, list[int]]] = {
    "lists index": ("get", "/lists/", None, [200, 200, 200, 200, 200, 200, 200, 200, 302]),
    "list page": ("get", "/lists/{L}/", None, WEB_SEEN),
    "evidence upload for measure 1": (
        "post", "/lists/items/{H}/evidence/", {"PDF": "{H1}"},
        [302, 403, 403, 403, 302, 403, 404, 404, 302],
    ),
    "evidence upload for measure 2": (
        "post", "/lists/items/{H}/evidence/", {"PDF": "{H2}"},
        [302, 403, 403, 403, 302, 302, 404, 404, 302],
    ),
    "item page": ("get", "/cases/{H}/", None, WEB_SEEN),
    "closed item page": ("get", "/cases/{C}/", None, WEB_SEEN),
    "report progress on the web": (
        "post", "/cases/{H}/actions/report_progress/", {"measure": "{H2}", "text": "推进"},
        [302, 403, 403, 403, 302, 302, 404, 404, 302],
    ),
    "review a measure on the web": (
        "post", "/cases/{S}/actions/review_measure/", {"measure": "{S1}", "approved": "1"},
        [403, 403, 403, 302, 403, 403, 404, 404, 302],
    ),
    "request strike-off on the web": (
        "post", "/cases/{R}/actions/request_strike_off/", {"note": "完成"},
        [403, 403, 403, 403, 302, 403, 404, 404, 302],
    ),
    "strike off on the web": (
        "post", "/cases/{V}/actions/strike_off/", {"approved": "1"},
        [403, 403, 403, 302, 403, 403, 404, 404, 302],
    ),
    "reopen on the web": (
        "post", "/cases/{C}/actions/reopen/", {"reason": "反弹"},
        [302, 403, 403, 302, 403, 403, 404, 404, 302],
    ),
}  # fmt: skip


def _params(table: dict[str, tuple[str, str, Any, list[int]]]) -> list[Any]:
    return [
        pytest.param(name, user, row[-1][i], id=f"{name}-{user or 'anonymous'}")
        for name, row in table.items()
        for i, user in enumerate(USERS)
    ]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from django.db import transaction
    from django.test import override_settings

    from cases.tests.factories import Cast

    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast:
        yield _build_world(Cast())
        transaction.set_rollback(True)


def _build_world(cast: Any) -> dict[str, int]:
    from cases.tests.factories import make_user
    from lists import actions, measures
    from lists.models import Measure
    from lists.tests.factories import make_item, make_list, pdf
    from orgs.models import Role
    from reminders.tests.conftest import frozen

    owner = make_user("qd_owner", (cast.office, Role.VIEWER), full_name="钱督查")
    rect_list = make_list(cast, owner=owner)
    by_unit = {cast.yizheng.pk: cast.yizheng_head, cast.jiceng.pk: cast.jiceng_head}
    ids: dict[str, int] = {"L": rect_list.pk}

    def pair(case: Any) -> list[Measure]:
        return list(Measure.objects.filter(item_id=case.pk).order_by("seq"))

    def submit(case: Any, m: Measure) -> None:
        measures.attach_evidence(case, by=by_unit[m.unit_id], upload=pdf(), measure_id=m.pk)
        measures.submit_measure(case, by=by_unit[m.unit_id], measure_id=m.pk)

    def struck(case: Any, m: Measure) -> None:
        submit(case, m)
        measures.review_measure(case, by=owner, measure_id=m.pk, approved=True)

    cases = {key: make_item(cast, rect_list, title=f"事项{key}") for key in "HSXRVC"}
    with frozen(TODAY):
        first = pair(cases["H"])[0]
        measures.attach_evidence(cases["H"], by=cast.yizheng_head, upload=pdf(),
                                 measure_id=first.pk)  # fmt: skip
        submit(cases["S"], pair(cases["S"])[0])
        struck(cases["X"], pair(cases["X"])[0])
        for key in "RVC":
            for m in pair(cases[key]):
                struck(cases[key], m)
        for key in "VC":
            actions.request_strike_off(cases[key], by=cast.yizheng_head)
        actions.strike_off(cases["C"], by=owner, approved=True)
    for key, case in cases.items():
        ids[key] = case.pk
        for n, m in enumerate(pair(case), start=1):
            ids[f"{key}{n}"] = m.pk
    return ids


def _fill(value: Any, world: dict[str, int]) -> Any:
    """The world's ids in the paths and bodies ("{H1}" alone becomes the integer)."""
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in world:
            return world[value[1:-1]]
        return value.format(**world)
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, world) for v in value]
    return value


def _upload(data: dict[str, Any]) -> dict[str, Any]:
    """{"PDF": measure id or ""} → a multipart body with a file (and the measure)."""
    from lists.tests.factories import pdf

    found: dict[str, Any] = {"file": pdf()}
    if data["PDF"] != "":
        found["measure"] = str(data["PDF"])
    return found


@pytest.mark.parametrize(("operation", "username", "expected"), _params(API))
def test_api_permission_matrix(db, world, operation, username, expected):
    method, path, body, _ = API[operation]
    path, body = _fill(path, world), _fill(body, world)
    multipart = isinstance(body, dict) and "PDF" in body
    with time_machine.travel(TODAY, tick=False):
        headers: dict[str, str] = {}
        client = Client()
        if username is not None:
            api = ApiClient(username)
            client, headers = api.client, {"HTTP_AUTHORIZATION": f"Bearer {api.token}"}
        if method == "get":
            response = client.get(BASE + path, **headers)
        elif multipart:
            response = client.post(BASE + path, _upload(body), **headers)
        else:
            response = client.post(BASE + path, body or {}, content_type="application/json",
                                   **headers)  # fmt: skip
    assert response.status_code == expected, response.content.decode()[:300]


@pytest.mark.parametrize(("operation", "username", "expected"), _params(WEB))
def test_web_permission_matrix(db, world, operation, username, expected):
    from django.contrib.auth import get_user_model

    method, path, data, _ = WEB[operation]
    path, data = _fill(path, world), _fill(data, world)
    if isinstance(data, dict) and "PDF" in data:
        data = _upload(data)
    client = Client()
    if username is not None:
        client.force_login(get_user_model().objects.get(username=username))
    with time_machine.travel(TODAY, tick=False):
        response = getattr(client, method)(path, *([data] if method == "post" else []))
    assert response.status_code == expected, response.content.decode()[:300]
