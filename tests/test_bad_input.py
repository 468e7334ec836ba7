"""No input gives a 500 (issue 9 #9, #15, #16): every URL and API operation of the
permission matrix, and every form that writes, walked with NUL bytes, control characters,
overlong values and dates far out of range in its query string and its body.

Run it on PostgreSQL too (which cannot store or even compare a NUL):
DATABASE_URL=postgres://… .venv/bin/pytest tests/test_bad_input.py
"""

import json
from urllib.parse import urlencode

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client

from api.tests.helpers import BASE, ApiClient, register_body
from cases.dispatch import action_payloads
from tests import test_permission_matrix as matrix
from tests.test_permission_matrix import API, TODAY, USERS, WEB, _fill

world = matrix.world  # the matrix's cases, one of each state

NUL = "a\x00b"
CONTROL = "a\x01b\x1b[31m"
OVERLONG = "长" * 20_001
DATES = ("0001-01-01", "9999-12-31")
BAD_VALUES = (NUL, CONTROL, "x" * 300, "0001-01-01", "-5")
# Every parameter any page or API listing reads from its query string.
QUERY_NAMES = (
    "q", "state", "category", "level", "year", "unit", "overdue", "sort", "page", "page_size",
    "handler", "topic", "key", "led", "issuer", "due_within", "mode", "reply_class",
    "feedback", "counted", "role", "replied", "on_time", "met", "lead_unit", "lead_unit_kind",
    "received_from", "received_to", "replied_from", "replied_to", "kind", "delegation",
    "party", "assigned_on", "next", "columns",
)  # fmt: skip
REFUSED = {400, 403, 404, 409, 413, 422}


def _allowed_user(statuses: list[int]) -> str | None:
    """The first user the operation works for (so the bad input is what gets refused)."""
    for username, status in zip(USERS, statuses, strict=True):
        if status in (200, 201, 302, 400) and username is not None:
            return username
    return None


def _web_client(username: str | None) -> Client:
    client = Client()
    if username is not None:
        client.force_login(get_user_model().objects.get(username=username))
    return client


def _with_query(path: str, params: dict[str, str]) -> str:
    return path + ("&" if "?" in path else "?") + urlencode(params)


def _no_500(response, what: str) -> None:
    assert response.status_code < 500, (what, response.status_code, response.content[:300])


GETS = [name for name, row in WEB.items() if row[0] == "get"]
API_GETS = [name for name, row in API.items() if row[0] == "get"]


def _walk_query(get, path: str) -> None:
    """Each parameter alone with a NUL, then all of them at once with each bad value."""
    for name in QUERY_NAMES:
        _no_500(get(_with_query(path, {name: NUL})), name)
    for value in BAD_VALUES:
        _no_500(get(_with_query(path, dict.fromkeys(QUERY_NAMES, value))), repr(value[:10]))


@pytest.mark.parametrize("operation", GETS)
def test_web_pages_take_any_query_string(db, world, operation):
    _, path, _, statuses = WEB[operation]
    client = _web_client(_allowed_user(statuses) or "admin")
    with time_machine.travel(TODAY, tick=False):
        _walk_query(client.get, _fill(path, world))


@pytest.mark.parametrize("operation", API_GETS)
def test_api_reads_take_any_query_string(db, world, operation):
    _, path, _, statuses = API[operation]
    api = ApiClient(_allowed_user(statuses) or "admin")
    with time_machine.travel(TODAY, tick=False):
        _walk_query(lambda url: api.client.get(url, **api._headers()), BASE + _fill(path, world))


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/cases/", {"q": NUL}),
        ("/proposers/", {"q": NUL}),
        ("/transfer/export.xlsx", {"q": NUL}),
        ("/cases/", {"overdue": "zz"}),
        ("/cases/", {"state": "garbage"}),
        ("/cases/", {"category": "xx"}),
        ("/cases/", {"year": "abc"}),
        ("/cases/", {"page": "-5"}),
        ("/proposers/", {"kind": "martian"}),
        ("/transfer/export.xlsx", {"year": "abc"}),
    ],
)
def test_a_bad_filter_is_a_chinese_400_page_naming_the_parameter(db, world, path, params):
    response = _web_client("coordinator").get(path, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert "无效的筛选条件" in html
    assert f"（{next(iter(params))}）" in html
    assert "返回" in html or "清除筛选条件" in html
    assert 'class="hy-case-row' not in html  # no rows pretending to be an answer


def test_the_api_listing_refuses_a_nul_with_a_422(db, world):
    response = ApiClient("coordinator").get("/cases", {"q": NUL})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "q", "message": "不能含有控制字符（如空字符）"}]


def _text_fields(model) -> list[str]:
    import typing

    names = []
    for name, info in model.model_fields.items():
        if str in {info.annotation, *typing.get_args(info.annotation)}:
            names.append(name)
    return names


@pytest.mark.parametrize(
    "field", ["issuer", "session", "number", "title", "content", "lead_proposer", "led_by"]
)
@pytest.mark.parametrize("value", [NUL, CONTROL, "x" * 20_001])
def test_registering_refuses_control_characters_and_overlong_text(db, world, field, value):
    """The contract: a NUL or a control character in a text field of POST /api/v1/cases
    is a 400/422 (and so is text longer than its column)."""
    response = ApiClient("coordinator").post("/cases", register_body(**{field: value}))
    assert response.status_code in (400, 422), response.content.decode()[:300]
    assert response.json()["errors"][0]["field"] == field


def test_a_300_character_issuer_is_a_422_naming_it(db, world):
    response = ApiClient("coordinator").post("/cases", register_body(issuer="市" * 300))
    assert response.status_code == 422
    assert response.json()["detail"] == "交办机关：不能超过100个字符"


def test_line_breaks_are_for_multi_line_text_only(db, world):
    client = ApiClient("coordinator")
    refused = client.post("/cases", register_body(title="关于\n加强"))
    assert refused.status_code == 422
    assert refused.json()["detail"] == "标题：不能含有换行符或制表符"
    kept = client.post("/cases", register_body(number="LB-1", content="第一段\n\t第二段\r\n第三段"))
    assert kept.status_code == 201, kept.content.decode()[:300]


@pytest.mark.parametrize("field", ["received_on", "deadline"])
@pytest.mark.parametrize("value", DATES)
def test_registering_refuses_dates_out_of_the_window(db, world, field, value):
    response = ApiClient("coordinator").post("/cases", register_body(**{field: value}))
    assert response.status_code == 422
    assert response.json()["errors"][0] == {"field": field, "message": "须在2000年至2100年之间"}


API_POSTS = [name for name, row in API.items() if row[0] == "post" and row[2] != "REGISTER"]


@pytest.mark.parametrize("operation", API_POSTS)
def test_api_actions_refuse_bad_text_and_dates(db, world, operation):
    _, path, body, statuses = API[operation]
    username = _allowed_user(statuses)
    if username is None:
        pytest.skip("nobody may do this")
    api = ApiClient(username)
    action = path.rsplit("/", 1)[-1]
    model = action_payloads().get(action)
    path = _fill(path, world)
    base = _fill(body, world)
    with time_machine.travel(TODAY, tick=False):
        fields = _text_fields(model) if model else []
        names = list(dict.fromkeys([*fields, *base]))
        if model and "on" in model.model_fields:
            response = api.post(path, {**base, "on": "0001-01-01"})
            assert response.status_code == 422, response.content.decode()[:300]
        for value in (NUL, CONTROL, OVERLONG, *DATES):  # refused ones first: nothing changes
            for name in names:
                response = api.post(path, {**base, name: value})
                _no_500(response, f"{name}={value[:10]!r}")
                if name in fields and value in (NUL, CONTROL, OVERLONG):
                    assert response.status_code == 422, (name, response.content.decode()[:300])
        _no_500(api.post(path, raw=json.dumps({**base, "x": NUL})), "extra")
        _no_500(api.post(path, raw=b'{"reason": "a\\u0000b"}'), "escaped NUL")


WEB_FORMS = {
    # path, user, a valid body
    "register": ("/cases/new/", "coordinator", register_body(number="W-1")),
    "unit": (
        "/console/units/new/",
        "admin",
        {"code": "x1", "name": "新处室", "kind": "department"},
    ),
    "user": (
        "/console/users/new/",
        "admin",
        {
            "username": "newbie",
            "full_name": "新人",
            "email": "a@example.org",
            "password1": "Aa1-long-enough",
            "password2": "Aa1-long-enough",
        },
    ),
    "calendar day": (
        "/console/calendar/2026/day/",
        "admin",
        {"day": "2026-06-13", "kind": "workday", "note": "调休"},
    ),
    "calendar notice": (
        "/console/calendar/2026/notice/",
        "admin",
        {"text": "一、元旦：1月1日放假"},
    ),
    "login": ("/login/", None, {"username": "coordinator", "password": "pw-coordinator"}),
    "password": (
        "/account/password/",
        "viewer",
        {"old_password": "pw-viewer", "new_password1": "x", "new_password2": "x"},
    ),
}
for _name, (_method, _path, _body, _statuses) in WEB.items():
    if _method == "post" and isinstance(_body, dict) and "/actions/" in _path:
        WEB_FORMS[f"action {_name}"] = (_path, _allowed_user(_statuses), _body)
for _name, (_method, _path, _body, _statuses) in API.items():
    _action = _path.rsplit("/", 1)[-1]
    if _method == "post" and "/actions/" in _path and isinstance(_body, dict):
        WEB_FORMS.setdefault(f"action {_action}", (_path + "/", _allowed_user(_statuses), _body))


def _form_body(body: dict) -> dict:
    flat = {}
    for key, value in body.items():
        if isinstance(value, bool):
            flat[key] = "1" if value else "0"
        elif isinstance(value, dict | list):
            continue
        else:
            flat[key] = str(value)
    return flat


@pytest.mark.parametrize("form", list(WEB_FORMS))
def test_web_forms_refuse_bad_text_without_a_500(db, world, form):
    path, username, body = WEB_FORMS[form]
    if username is None and form != "login":
        pytest.skip("nobody may do this")
    client = _web_client(username)
    base = _form_body(_fill(body, world))
    names = [*base, "on", "comment", "summary", "reason", "text", "participants"]
    with time_machine.travel(TODAY, tick=False):
        for value in (NUL, CONTROL, OVERLONG, *DATES):  # refused ones first: nothing changes
            for name in dict.fromkeys(names):
                if username is None:
                    client = Client()  # not logged in by the previous attempt
                response = client.post(_fill(path, world), {**base, name: value})
                _no_500(response, f"{name}={value[:10]!r}")
                if name in base and value in (NUL, CONTROL) and not name.startswith("gates-"):
                    assert response.status_code != 302, (name, "accepted")


def test_the_token_endpoint_takes_a_nul_username(db):
    response = Client().post(
        BASE + "/auth/token",
        {"username": NUL, "password": NUL},
        content_type="application/json",
    )
    assert response.status_code in (400, 401, 422)


def test_a_request_django_refuses_gets_the_chinese_400_page(db):
    """handler400: e.g. a Host header that is not allowed (DisallowedHost)."""
    response = Client().get("/cases/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()
    api = Client().get("/api/v1/cases", HTTP_HOST="evil.example.com")
    assert api.status_code == 400 and api.json() == {"detail": "请求无效"}
