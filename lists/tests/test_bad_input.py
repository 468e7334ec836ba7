"""No input to the lists gives a 500 (issue 14, as tests/test_bad_input.py does for the
cases): every lists page of the permission matrix walked with NUL bytes, control
characters, 10,000-character strings, dates far out of range and ids too large for any
column in its query string and its path; the lists API and the lists' actions with bad
bodies (unknown units and measures, a measure of another item); the web forms (新建清单,
导入清单, 佐证材料, the actions' cards) with the same. A refusal is a 400/404/422 (a 403 for
a role that never may) and writes nothing.

The world is the matrix's (tests/test_permission_matrix_lists.py): list L, items H (整改中,
measure 1 with evidence), S (measure 1 submitted), X (measure 1 struck off), R, V, C."""

import json
from typing import Any
from urllib.parse import urlencode

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from api.tests.helpers import BASE, ApiClient
from lists.models import Evidence, Item, Measure, Progress, RectList
from lists.tests.factories import pdf
from tests import test_permission_matrix_lists as matrix
from tests.test_permission_matrix_lists import API, TODAY, USERS, WEB, _fill, import_form

world = matrix.world  # the matrix's list and items, one of each state
import_media = matrix.import_media
import_job = matrix.import_job

NUL = "a\x00b"
CONTROL = "a\x01b\x1b[31m"
LONG = "长" * 10_000
OVERLONG = "长" * 20_001  # one more than a long text (huiyin.text.LONG_TEXT_MAX) holds
HUGE = str(2**63)  # too large for any integer column
BAD_VALUES = (NUL, CONTROL, LONG, "0001-01-01", "9999-12-31", "2026-13-45", "-5", "abc", HUGE)
# Every parameter a lists page reads from its query string, and a few it does not.
QUERY_NAMES = (
    "list", "unit", "leader", "category", "light", "page", "measures", "on", "period",
    "q", "state", "year", "sort", "page_size",
)  # fmt: skip
REFUSED = {400, 404, 422}
ANSWERED = {200, 302, *REFUSED}  # a parameter a page does not read is ignored


def _allowed_user(statuses: list[int]) -> str | None:
    """The first user the operation works for, so that the bad input is what is refused."""
    for username, status in zip(USERS, statuses, strict=True):
        if status in (200, 201, 302) and username is not None:
            return username
    return None


def _web_client(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _with_query(path: str, params: dict[str, str]) -> str:
    return path + ("&" if "?" in path else "?") + urlencode(params)


def _answered(response: Any, what: str, allowed: set[int] = ANSWERED) -> None:
    assert response.status_code in allowed, (what, response.status_code, response.content[:300])


def _counts() -> tuple[int, ...]:
    """What a refused request must leave as it was."""
    return (
        RectList.objects.count(),
        Item.objects.count(),
        Measure.objects.count(),
        Progress.objects.count(),
        Evidence.objects.count(),
        *Measure.objects.order_by("pk").values_list("status", flat=True),
    )


def _rows(rows: list[tuple[Any, ...]], name: Any, xfails: dict[str, str]) -> list[Any]:
    """pytest params of the rows, named by name(n, row); a row whose repr is in xfails is a
    known fault (strict: the day it is fixed, the mark must go)."""
    assert set(xfails) <= {repr(row) for row in rows}, "an xfail names no row"
    return [
        pytest.param(
            *row,
            id=name(n, row),
            marks=[pytest.mark.xfail(strict=True, reason=xfails[repr(row)])]
            if repr(row) in xfails
            else [],
        )  # fmt: skip
        for n, row in enumerate(rows)
    ]


def _field_id(n: int, row: tuple[Any, ...]) -> str:
    return f"{row[0]}-{n}"


SQLITE = connection.vendor == "sqlite"


# ── query strings ───────────────────────────────────────────────────────────────────────

WEB_GETS = [name for name, row in WEB.items() if row[0] == "get" and _allowed_user(row[3])]


@pytest.mark.parametrize("operation", WEB_GETS)
def test_every_lists_page_takes_any_query_string(db, world, request, operation):
    _, path, _, statuses = WEB[operation]
    ids: dict[str, Any] = dict(world)
    if "{T}" in path:
        ids.update(request.getfixturevalue("import_job"))
    username = _allowed_user(statuses)
    assert username is not None
    client = _web_client(username)
    path = _fill(path, ids)
    before = _counts()
    with time_machine.travel(TODAY, tick=False):
        for name in QUERY_NAMES:
            _answered(client.get(_with_query(path, {name: NUL})), f"{name}=NUL")
        for value in BAD_VALUES:
            _answered(client.get(_with_query(path, dict.fromkeys(QUERY_NAMES, value))), value[:10])
    assert _counts() == before


@pytest.mark.parametrize("operation", [n for n, row in API.items() if row[0] == "get"])
def test_the_lists_api_reads_take_any_query_string(db, world, operation):
    _, path, _, statuses = API[operation]
    username = _allowed_user(statuses)
    assert username is not None
    api = ApiClient(username)
    url = BASE + _fill(path, world)
    with time_machine.travel(TODAY, tick=False):
        for name in QUERY_NAMES:
            response = api.client.get(_with_query(url, {name: NUL}), **api._headers())
            _answered(response, name)
        for value in BAD_VALUES:
            query = dict.fromkeys(QUERY_NAMES, value)
            response = api.client.get(_with_query(url, query), **api._headers())
            _answered(response, value[:10])


BAD_FILTERS = [
    # the board's filters: a value outside its choices is a 400 page, never an empty board
    *[("/lists/{L}/board/", {k: v}) for k, v in [
        ("list", "abc"), ("list", HUGE), ("list", "999999"), ("list", "-1"), ("unit", "nosuch"),
        ("unit", NUL), ("unit", "fagaiwei"), ("leader", "无此人"), ("leader", CONTROL),
        ("category", LONG), ("light", "purple"), ("page", "0"), ("page", "abc"),
        ("page", HUGE), ("measures", "maybe"),
    ]],
    ("/lists/board/", {"unit": "nosuch"}),
    ("/lists/board/", {"list": NUL}),
    ("/lists/board/", {"light": LONG}),
    ("/lists/", {"page": "abc"}),
    ("/lists/", {"page": NUL}),
    ("/lists/", {"page": "-5"}),
    ("/lists/", {"page": HUGE}),
    ("/lists/{L}/", {"page": "abc"}),
    ("/lists/{L}/", {"page": LONG}),
    ("/lists/duty/yizheng/", {"page": "0"}),
    ("/lists/duty/yizheng/", {"page": CONTROL}),
    # the report's 截至 date and the bulletin's period
    *[("/lists/{L}/report.docx", {"on": v}) for v in [
        "abc", "2026-13-45", "2026-02-30", "0001-01-01", "9999-12-31", "2027-01-05",
        "2026-01-05", NUL, LONG,
    ]],
    *[("/lists/{L}/bulletin.docx", {"period": v}) for v in [
        "abc", "2026-13", "2026-Q5", "2026-Q0", "9999", "0001", "2027-01", "2026-05", NUL,
        CONTROL, LONG,
    ]],
]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "params"), BAD_FILTERS, ids=[f"{p} {next(iter(q))}" for p, q in BAD_FILTERS]
)
def test_a_bad_filter_is_a_400_page(db, world, path, params):
    with time_machine.travel(TODAY, tick=False):
        response = _web_client("coordinator").get(_fill(path, world), params)
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("text/html")
    assert "清单" in response.content.decode() or "筛选" in response.content.decode()


PAGING = [
    {"page": "0"}, {"page": "abc"}, {"page": NUL}, {"page": "-1"}, {"page_size": "0"},
    {"page_size": "1000"}, {"page_size": LONG},
    {"page": HUGE},  # beyond any OFFSET: refused, not a database error
]  # fmt: skip


@pytest.mark.parametrize("params", PAGING)
def test_the_lists_api_listing_refuses_bad_paging(db, world, params):
    response = ApiClient("coordinator").get("/lists", params)
    assert response.status_code == 422, (params, response.content[:300])


# ── ids in the path ─────────────────────────────────────────────────────────────────────

BAD_PATHS = [
    ("get", "/lists/abc/"), ("get", f"/lists/{HUGE}/"), ("get", "/lists/0/"),
    ("get", f"/lists/{HUGE}/board/"), ("get", f"/lists/{HUGE}/report/"),
    ("get", f"/lists/{HUGE}/report.docx"), ("get", f"/lists/{HUGE}/bulletin.docx"),
    ("get", f"/lists/{HUGE}/export.xlsx"), ("get", f"/lists/{HUGE}/ledger.xlsx"),
    ("get", "/lists/duty/%00/"), ("get", "/lists/duty/" + "x" * 10_000 + "/"),
    ("get", "/lists/duty/医政医管处/"), ("get", "/lists/duty/a%01b/"),
    ("get", "/lists/import/%00/"), ("get", "/lists/import/" + "x" * 10_000 + "/"),
    ("get", "/lists/import/a.b/"), ("get", "/lists/import/..%2F..%2Fetc/"),
    ("post", "/lists/import/a.b/confirm/"), ("post", "/lists/import/nosuchjob/confirm/"),
    ("post", f"/lists/items/{HUGE}/evidence/"), ("post", "/lists/items/999999/evidence/"),
    ("get", f"/cases/{HUGE}/"), ("post", f"/cases/{HUGE}/actions/report_progress/"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path"), BAD_PATHS, ids=[p[:60] for _, p in BAD_PATHS])
def test_an_id_that_is_no_list_is_a_404(db, world, import_media, method, path):
    client = _web_client("coordinator")
    with time_machine.travel(TODAY, tick=False):
        response = getattr(client, method)(path, *([{"text": "x"}] if method == "post" else []))
    assert response.status_code == 404, response.content[:300]


API_PATHS = [
    ("get", "/lists/abc"), ("get", f"/lists/{HUGE}"), ("get", "/lists/-1"),
    ("post", f"/lists/{HUGE}/items"), ("post", "/lists/abc/items"),
    ("post", f"/lists/items/{HUGE}/evidence"), ("post", "/lists/items/abc/evidence"),
    ("post", f"/cases/{HUGE}/actions/report_progress"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path"), API_PATHS, ids=[p for _, p in API_PATHS])
def test_an_api_id_that_is_no_list_is_refused(db, world, method, path):
    api = ApiClient("coordinator")
    with time_machine.travel(TODAY, tick=False):
        if method == "get":
            response = api.get(path)
        else:
            response = api.post(path, {"text": "x", "title": "x"})
    assert response.status_code in (404, 422), response.content[:300]


# ── the lists API's bodies ──────────────────────────────────────────────────────────────

LIST_BODY = {"name": "新清单", "starts_on": "2026-04-01"}
BAD_LISTS = [
    ("name", NUL), ("name", CONTROL), ("name", LONG), ("name", ""), ("name", 5),
    ("kind", "martian"), ("origin", LONG), ("reports_to", NUL), ("description", NUL),
    ("starts_on", "0001-01-01"), ("starts_on", "9999-12-31"), ("starts_on", "2026-02-30"),
    ("starts_on", "abc"), ("starts_on", None), ("ends_on", "2026-01-01"),
    ("owner", "nobody"), ("owner", NUL), ("owner", LONG), ("delegates", ["nobody"]),
    ("delegates", "viewer"), ("delegates", [NUL]), ("delegates", ["viewer"] * 21),
    ("colour", "red"),
]  # fmt: skip


@pytest.mark.parametrize(("field", "value"), _rows(BAD_LISTS, _field_id, {}))
def test_a_bad_list_is_refused_and_nothing_made(db, world, field, value):
    api = ApiClient("coordinator")
    before = _counts()
    with time_machine.travel(TODAY, tick=False):
        response = api.post("/lists", {**LIST_BODY, field: value})
    assert response.status_code in (400, 422), response.content[:300]
    assert _counts() == before


ITEM_BODY: dict[str, Any] = {
    "title": "新事项", "lead_unit": "yizheng", "deadline": "2026-09-30",
    "measures": [{"text": "举措", "unit": "jiceng", "deadline": "2026-06-30"}],
}  # fmt: skip
MEASURE = ITEM_BODY["measures"][0]
BAD_ITEMS = [
    ("title", NUL), ("title", LONG), ("title", ""), ("title", "一\n二"), ("description", NUL),
    ("category", LONG), ("leader", CONTROL), ("source", NUL),
    ("lead_unit", "nosuch"), ("lead_unit", "fagaiwei"), ("lead_unit", NUL), ("lead_unit", ""),
    ("co_units", ["nosuch"]), ("co_units", [NUL]), ("co_units", "jiceng"),
    ("deadline", "0001-01-01"), ("deadline", "9999-12-31"), ("deadline", "2026-01-05"),
    ("deadline", "abc"),
    ("measures", [{**MEASURE, "unit": "nosuch"}]), ("measures", [{**MEASURE, "unit": NUL}]),
    ("measures", [{**MEASURE, "text": ""}]), ("measures", [{**MEASURE, "text": NUL}]),
    ("measures", [{**MEASURE, "text": OVERLONG}]), ("measures", [{**MEASURE, "weight": 0}]),
    ("measures", [{**MEASURE, "weight": 101}]), ("measures", [{**MEASURE, "weight": HUGE}]),
    ("measures", [{**MEASURE, "deadline": "0001-01-01"}]),
    ("measures", [{**MEASURE, "deadline": "2026-01-05"}]),
    ("measures", [{**MEASURE, "handler": "nobody"}]), ("measures", [{**MEASURE, "x": 1}]),
    ("measures", [MEASURE] * 101), ("measures", "举措"),
    ("indicator", {"name": "接听率", "baseline": "1e30"}),
    ("indicator", {"name": "接听率", "target": "abc"}),
    ("indicator", {"name": "接听率", "direction": "sideways"}),
    ("indicator", {"name": NUL}), ("indicator", {"name": ""}), ("indicator", {"target": 5}),
]  # fmt: skip


@pytest.mark.parametrize(("field", "value"), _rows(BAD_ITEMS, _field_id, {}))
def test_a_bad_item_is_refused_and_nothing_made(db, world, field, value):
    api = ApiClient("coordinator")
    before = _counts()
    with time_machine.travel(TODAY, tick=False):
        response = api.post(_fill("/lists/{L}/items", world), {**ITEM_BODY, field: value})
    assert response.status_code in (400, 422), response.content[:300]
    assert _counts() == before


# ── the actions' bodies: unknown measures, a measure of another item ─────────────────

# (who, item, action, body): every one refused with a 400/422 and nothing written.
BAD_ACTIONS = [
    ("coordinator", "H", "report_progress", {"measure": "{S1}", "text": "推进"}),  # S's
    ("coordinator", "H", "report_progress", {"measure": 999999, "text": "推进"}),
    ("coordinator", "H", "report_progress", {"measure": HUGE, "text": "推进"}),
    ("coordinator", "H", "report_progress", {"measure": int(HUGE), "text": "推进"}),
    ("coordinator", "H", "report_progress", {"measure": 0, "text": "推进"}),
    ("coordinator", "H", "report_progress", {"measure": "abc", "text": "推进"}),
    ("coordinator", "H", "report_progress", {"measure": [1], "text": "推进"}),
    ("coordinator", "H", "report_progress", {"measure": "{H1}", "text": NUL}),
    ("coordinator", "H", "report_progress", {"measure": "{H1}", "text": OVERLONG}),
    ("coordinator", "H", "report_progress", {"measure": "{H1}", "text": ""}),
    ("coordinator", "H", "report_progress", {"measure": "{H1}", "text": "x", "percent": 101}),
    ("coordinator", "H", "report_progress", {"measure": "{H1}", "text": "x", "percent": -1}),
    ("coordinator", "H", "report_progress", {"text": "x", "value": "1e30"}),
    ("coordinator", "H", "report_progress", {"text": "x", "value": "NaN"}),
    ("coordinator", "H", "report_progress", {"text": "x", "on": "0001-01-01"}),
    ("coordinator", "H", "report_progress", {"text": "x", "filter": "all"}),
    ("coordinator", "H", "submit_measure", {"measure": "{S1}"}),
    ("coordinator", "H", "submit_measure", {"measure": 999999}),
    ("coordinator", "H", "submit_measure", {"measure": int(HUGE)}),
    ("coordinator", "H", "submit_measure", {"measure": "{H1}", "note": CONTROL}),
    ("qd_owner", "S", "review_measure", {"measure": "{H1}", "approved": True}),
    ("qd_owner", "S", "review_measure", {"measure": "{S2}", "approved": True}),  # not submitted
    ("qd_owner", "S", "review_measure", {"measure": 999999, "approved": True}),
    ("qd_owner", "S", "review_measure", {"measure": "{S1}", "approved": "perhaps"}),
    ("qd_owner", "S", "review_measure", {"measure": "{S1}", "approved": False}),  # no reason
    ("qd_owner", "X", "reopen_measure", {"measure": "{R1}", "reason": "反弹"}),
    ("qd_owner", "X", "reopen_measure", {"measure": "{X2}", "reason": "反弹"}),  # not struck
    ("qd_owner", "X", "reopen_measure", {"measure": int(HUGE), "reason": "反弹"}),
    ("qd_owner", "X", "reopen_measure", {"measure": "{X1}", "reason": NUL}),
    ("coordinator", "H", "edit_measure", {"measure": "{S1}", "text": "改"}),
    ("coordinator", "H", "edit_measure", {"measure": int(HUGE), "text": "改"}),
    ("coordinator", "H", "edit_measure", {"measure": "{H1}", "owner_unit": "nosuch"}),
    ("coordinator", "H", "edit_measure", {"measure": "{H1}", "deadline": "9999-12-31"}),
    ("coordinator", "H", "edit_measure", {"measure": "{H1}", "deadline": "2026-01-05"}),
    ("coordinator", "H", "add_measure",
     {"text": "新增", "owner_unit": "nosuch", "deadline": "2026-06-30"}),
    ("coordinator", "H", "add_measure",
     {"text": "新增", "owner_unit": "fagaiwei", "deadline": "2026-06-30"}),
    ("coordinator", "H", "add_measure",
     {"text": "新增", "owner_unit": "jiceng", "handler": "nobody", "deadline": "2026-06-30"}),
    ("coordinator", "H", "add_measure",
     {"text": "新增", "owner_unit": "jiceng", "deadline": "0001-01-01"}),
    ("coordinator", "H", "add_measure",
     {"text": "新增", "owner_unit": "jiceng", "deadline": "2026-01-05"}),  # before the list
    ("coordinator", "H", "add_measure",
     {"text": "新增", "owner_unit": "jiceng", "deadline": "2026-06-30", "weight": 1000}),
    ("coordinator", "H", "edit", {"title": NUL}),
    ("coordinator", "H", "edit", {"deadline": "2026-01-05"}),
    ("coordinator", "H", "edit", {"item_category": LONG}),
    ("yizheng", "H", "request_strike_off", {"note": "完成"}),  # measures still open
    ("qd_owner", "V", "strike_off", {"approved": False}),  # no reason
    ("qd_owner", "V", "strike_off", {"approved": NUL}),
    ("qd_owner", "C", "reopen", {"reason": "反弹", "deadline": "2026-01-05"}),
    ("qd_owner", "C", "reopen", {"reason": OVERLONG}),
]  # fmt: skip


def _action_id(n: int, row: tuple[Any, ...]) -> str:
    return f"{n}-{row[2]}-{'-'.join(row[3])}"


@pytest.mark.parametrize(
    ("who", "item", "action", "body"),
    _rows(BAD_ACTIONS, _action_id, {}),
)
def test_a_bad_action_body_is_refused_and_nothing_written(db, world, who, item, action, body):
    api = ApiClient(who)
    before = _counts()
    with time_machine.travel(TODAY, tick=False):
        response = api.act(world[item], action, _fill(body, world))
    assert response.status_code in (400, 422), response.content[:300]
    assert _counts() == before


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"[]",
        b"null",
        b'{"text": "a\\u0000b"}',
        b'{"measure": 1e999}',
        b"\xff\xfe",
        b'{"text": "' + b"x" * 200_000 + b'"}',
    ],  # fmt: skip
)
def test_an_action_body_that_is_no_json_object_is_refused(db, world, raw):
    api = ApiClient("coordinator")
    before = _counts()
    with time_machine.travel(TODAY, tick=False):
        response = api.post(f"/cases/{world['H']}/actions/report_progress", raw=raw)
    assert response.status_code in (400, 413, 422), response.content[:300]
    assert _counts() == before


# ── 佐证材料 (API and web) ──────────────────────────────────────────────────────────────

BAD_EVIDENCE = [
    {"measure": "abc"}, {"measure": HUGE}, {"measure": "999999"}, {"measure": "{S1}"},
    {"measure": "0"}, {"measure": "-1"}, {"measure": NUL}, {"measure": "1.5"},
    {"measure": "{H1}", "file": None},
]  # fmt: skip


def _evidence_body(case: dict[str, Any], world: dict[str, int]) -> dict[str, Any]:
    body = {k: str(_fill(v, world)) for k, v in case.items() if k != "file"}
    if "file" not in case:
        body["file"] = pdf()
    return body


@pytest.mark.parametrize("case", BAD_EVIDENCE, ids=[str(i) for i in range(len(BAD_EVIDENCE))])
def test_evidence_for_an_unknown_measure_is_refused(db, world, case, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    api = ApiClient("coordinator")
    web = _web_client("coordinator")
    before = _counts()
    with time_machine.travel(TODAY, tick=False):
        response = api.client.post(
            BASE + f"/lists/items/{world['H']}/evidence", _evidence_body(case, world),
            **api._headers(),
        )  # fmt: skip
        assert response.status_code in (400, 404, 422), response.content[:300]
        # The web form lives on the item's page: a refusal goes back to it with the reason
        # (a success goes to #list-item).
        page = web.post(f"/lists/items/{world['H']}/evidence/", _evidence_body(case, world))
        assert page.status_code == 302 and page["Location"] == f"/cases/{world['H']}/"
        shown = web.get(page["Location"]).content.decode()
        assert "佐证材料未上传" in shown
    assert _counts() == before


# ── the web forms ───────────────────────────────────────────────────────────────────────

NEW_LIST = {"name": "新清单", "kind": "problems", "starts_on": "2026-04-01", "owner": "{U}"}
BAD_NEW_LISTS = [
    ("name", NUL), ("name", CONTROL), ("name", LONG), ("name", ""), ("kind", "martian"),
    ("origin", NUL), ("reports_to", LONG), ("description", NUL), ("starts_on", "0001-01-01"),
    ("starts_on", "9999-12-31"), ("starts_on", "abc"), ("ends_on", "2026-01-05"),
    ("owner", "abc"), ("owner", HUGE), ("owner", "999999"), ("owner", NUL),
    ("delegates", NUL), ("delegates", HUGE),
]  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value"),
    _rows(BAD_NEW_LISTS, _field_id, {}),
)  # fmt: skip
def test_the_new_list_form_refuses_bad_input(db, world, field, value):
    client = _web_client("coordinator")
    before = _counts()
    with time_machine.travel(TODAY, tick=False):
        response = client.post("/lists/new/", {**_fill(NEW_LIST, world), field: value})
    assert response.status_code == 400, response.content[:300]
    assert _counts() == before


BAD_UPLOADS = [
    ("name", NUL), ("name", LONG), ("reports_to", CONTROL), ("starts_on", "0001-01-01"),
    ("starts_on", "abc"), ("starts_on", ""), ("ends_on", "2026-01-05"), ("ends_on", "9999-12-31"),
    ("owner", "abc"), ("owner", HUGE), ("owner", "999999"),
]  # fmt: skip


@pytest.mark.parametrize(("field", "value"), _rows(BAD_UPLOADS, _field_id, {}))
def test_the_import_form_refuses_bad_input(db, world, import_media, field, value):
    client = _web_client("coordinator")
    with time_machine.travel(TODAY, tick=False):
        response = client.post("/lists/import/", {**import_form(), field: value})
    assert response.status_code == 400, response.content[:300]


@pytest.mark.parametrize(
    "data", [b"", b"plain text", b"PK\x03\x04broken zip", b"%PDF-1.4", b"\x00" * 1000]
)
def test_a_file_that_is_no_workbook_stays_on_the_import_form(db, world, import_media, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = import_form()
    form["file"] = SimpleUploadedFile("清单.xlsx", data)
    with time_machine.travel(TODAY, tick=False):
        response = _web_client("coordinator").post("/lists/import/", form)
    assert response.status_code == 400, response.content[:300]


@pytest.mark.parametrize("digest", [NUL, LONG, "", "stale"])
def test_confirming_with_a_bad_digest_imports_nothing(db, world, import_job, digest):
    client = _web_client("coordinator")
    before = _counts()
    with time_machine.travel(TODAY, tick=False):
        response = client.post(f"/lists/import/{import_job['T']}/confirm/", {"digest": digest})
    assert response.status_code == 302
    assert response["Location"] == f"/lists/import/{import_job['T']}/"
    assert _counts() == before


# The lists' actions through their cards on the item's page (the web's own parsing).
BAD_CARDS = [
    ("coordinator", "H", "report_progress", {"measure": "{S1}", "text": "推进"}),
    ("coordinator", "H", "report_progress", {"measure": "999999", "text": "推进"}),
    ("coordinator", "H", "report_progress", {"measure": HUGE, "text": "推进"}),
    ("coordinator", "H", "report_progress", {"measure": "abc", "text": "推进"}),
    ("coordinator", "H", "report_progress", {"measure": NUL, "text": "推进"}),
    ("coordinator", "H", "report_progress", {"measure": "{H1}", "text": NUL}),
    ("coordinator", "H", "report_progress", {"measure": "{H1}", "text": OVERLONG}),
    ("coordinator", "H", "report_progress", {"measure": "{H1}", "text": "x", "percent": "1e9"}),
    ("coordinator", "H", "report_progress", {"measure": "{H1}", "text": "x", "value": "NaN"}),
    ("coordinator", "H", "submit_measure", {"measure": "{S1}"}),
    ("coordinator", "H", "submit_measure", {"measure": HUGE}),
    ("qd_owner", "S", "review_measure", {"measure": "{H1}", "approved": "1"}),
    ("qd_owner", "S", "review_measure", {"measure": HUGE, "approved": "1"}),
    ("qd_owner", "X", "reopen_measure", {"measure": "{S1}", "reason": "反弹"}),
    ("coordinator", "H", "edit_measure", {"measure": "{S1}", "text": "改"}),
    ("coordinator", "H", "add_measure",
     {"text": "新增", "owner_unit": "nosuch", "deadline": "2026-06-30"}),
    ("coordinator", "H", "add_measure",
     {"text": "新增", "owner_unit": "jiceng", "deadline": "0001-01-01"}),
    ("coordinator", "H", "edit", {"deadline": "9999-12-31"}),
    ("coordinator", "H", "edit", {"deadline": "2026-01-05"}),
    ("qd_owner", "C", "reopen", {"reason": "反弹", "deadline": "2026-13-45"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("who", "item", "action", "body"),
    _rows(BAD_CARDS, _action_id, {}),
)
def test_a_bad_card_is_shown_again_with_a_400(db, world, who, item, action, body):
    client = _web_client(who)
    before = _counts()
    with time_machine.travel(TODAY, tick=False):
        response = client.post(f"/cases/{world[item]}/actions/{action}/", _fill(body, world))
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert _counts() == before


def test_the_api_action_bodies_are_json_only(db, world):
    """A form-encoded body to the API's action is refused, not read as empty."""
    api = ApiClient("coordinator")
    with time_machine.travel(TODAY, tick=False):
        response = api.client.post(
            BASE + f"/cases/{world['H']}/actions/report_progress",
            urlencode({"text": "推进"}),
            content_type="application/x-www-form-urlencoded",
            **api._headers(),
        )
    assert response.status_code in (400, 415, 422), response.content[:300]
    assert json.loads(response.content)["detail"]
