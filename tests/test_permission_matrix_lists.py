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
measure 1, `{U}` the owner's user id. New rows (the board, import, report, export pages) are
added to WEB / API as they are built: (method, path, data, expected per column).

The pages beside the list (issue 14's helpers): the board and the 主体责任清单 follow the
list's visibility (a unit sees its own unit's 主体责任清单 only: another unit is 403, and a
unit head of several units would choose; the one-unit heads are sent to theirs); the
report page is every reader's (a unit's figures are its own), its .docx and the bulletin
the office's, leaders', viewers' and the list's reviewers' (a unit 403); 新建清单 and
导入清单 the office's alone. An import job `{T}` (with its digest `{D}`) is the
coordinator's own upload, made afresh for each test that needs one. A 302 from a logged-in
user must land where LANDS says (a refused form comes back to itself)."""

import re
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
# The report's documents name every unit: the commission's roles and the list's reviewers.
DOCUMENTS = [200, 200, 200, 200, 403, 403, 404, 404, 302]
WEB: dict[str, tuple[str, str, Any, list[int]]] = {
    "lists index": ("get", "/lists/", None, [200, 200, 200, 200, 200, 200, 200, 200, 302]),
    "list page": ("get", "/lists/{L}/", None, WEB_SEEN),
    # 增加事项: the office and the list's owner or delegates (lists/item_form.py).
    "add item form": ("get", "/lists/{L}/items/new/", None, [200, 403, 403, 200, 403, 403, 404, 404, 302]),
    "add item": (
        "post", "/lists/{L}/items/new/",
        {"title": "新问题", "lead_unit": "{YZ}", "deadline": "2026-09-30", "direction": "up"},
        [302, 403, 403, 302, 403, 403, 404, 404, 302],
    ),
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
    # 挂图作战 and 主体责任清单 (lists/board_urls.py)
    "board of the list": ("get", "/lists/{L}/board/", None, WEB_SEEN),
    "board of the list, filtered": (
        "get", "/lists/{L}/board/?unit=jiceng&light=normal&measures=0", None, WEB_SEEN,
    ),
    "board of every list": (
        "get", "/lists/board/", None,  # a unit without items sees an empty board
        [200, 200, 200, 200, 200, 200, 200, 403, 302],
    ),
    "board of an unknown list": (
        "get", "/lists/999999/board/", None, [404, 404, 404, 404, 404, 404, 404, 404, 302],
    ),
    "duty index": (
        "get", "/lists/duty/", None,  # a unit's head is sent to the unit's page
        [200, 200, 200, 200, 302, 302, 302, 403, 302],
    ),
    "duty of 医政医管处": (
        "get", "/lists/duty/yizheng/", None, [200, 200, 200, 200, 200, 403, 403, 403, 302],
    ),
    "duty of 基层卫生健康处": (
        "get", "/lists/duty/jiceng/", None, [200, 200, 200, 200, 403, 200, 403, 403, 302],
    ),
    "duty of 中医药管理处 (no items)": (
        "get", "/lists/duty/zhongyi/", None, [200, 200, 200, 200, 403, 403, 200, 403, 302],
    ),
    "duty of an external unit": (
        "get", "/lists/duty/fagaiwei/", None, [404, 404, 404, 404, 404, 404, 404, 404, 302],
    ),
    "duty of an unknown unit": (
        "get", "/lists/duty/nosuch/", None, [404, 404, 404, 404, 404, 404, 404, 404, 302],
    ),
    "new list form": ("get", "/lists/new/", None, [200, 403, 403, 403, 403, 403, 403, 403, 302]),
    "new list": (
        "post", "/lists/new/",
        {"name": "新清单", "kind": "problems", "starts_on": "2026-04-01", "owner": "{U}"},
        [302, 403, 403, 403, 403, 403, 403, 403, 302],
    ),
    # import and export (lists/import_urls.py)
    "import form": ("get", "/lists/import/", None, [200, 403, 403, 403, 403, 403, 403, 403, 302]),
    "import upload": ("post", "/lists/import/", {"XLSX": ""},
                      [302, 403, 403, 403, 403, 403, 403, 403, 302]),
    "import preview": (
        "get", "/lists/import/{T}/", None, [200, 403, 403, 403, 403, 403, 403, 403, 302],
    ),
    "import preview of no job": (
        "get", "/lists/import/nosuchjob/", None, [404, 403, 403, 403, 403, 403, 403, 403, 302],
    ),
    "import confirm": (
        "post", "/lists/import/{T}/confirm/", {"digest": "{D}"},
        [302, 403, 403, 403, 403, 403, 403, 403, 302],
    ),
    "export": ("get", "/lists/{L}/export.xlsx", None, WEB_SEEN),
    "整改台账": ("get", "/lists/{L}/ledger.xlsx", None, WEB_SEEN),
    "export of an unknown list": (
        "get", "/lists/999999/export.xlsx", None, [404, 404, 404, 404, 404, 404, 404, 404, 302],
    ),
    # 整改情况报告 and the bulletin (lists/report_urls.py)
    "report page": ("get", "/lists/{L}/report/", None, WEB_SEEN),
    "report .docx": ("get", "/lists/{L}/report.docx", None, DOCUMENTS),
    "report .docx as of a day": ("get", "/lists/{L}/report.docx?on=2026-03-31", None, DOCUMENTS),
    "bulletin .docx": ("get", "/lists/{L}/bulletin.docx", None, DOCUMENTS),
    "bulletin .docx of a month": (
        "get", "/lists/{L}/bulletin.docx?period=2026-03", None, DOCUMENTS,
    ),
}  # fmt: skip
# Where a logged-in user's 302 goes (the rest of the 302s are the login page's).
LANDS = {
    "new list": r"^/lists/\d+/$",
    "add item": r"^/cases/\d+/$",
    "import upload": r"^/lists/import/[\w-]+/$",
    "import confirm": r"^/lists/\d+/$",
    "duty index": r"^/lists/duty/{user}/$",  # the unit heads' usernames are their units' codes
}
for _name, (_method, _path, _, _) in WEB.items():
    if "/actions/" in _path:  # a refused action shows the case page again (400)
        LANDS[_name] = r"^/cases/\d+/$"
    elif _path.endswith("/evidence/"):  # a refused upload comes back without the anchor
        LANDS[_name] = r"^/cases/\d+/#list-item$"


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
    ids: dict[str, int] = {"L": rect_list.pk, "U": owner.pk, "YZ": cast.yizheng.pk}

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
            actions.request_strike_off(cases[key], by=cast.yizheng_head, note="整改完成")
        actions.strike_off(cases["C"], by=owner, approved=True)
    for key, case in cases.items():
        ids[key] = case.pk
        for n, m in enumerate(pair(case), start=1):
            ids[f"{key}{n}"] = m.pk
    return ids


def _fill(value: Any, world: dict[str, Any]) -> Any:
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


def import_form(**fields: Any) -> dict[str, Any]:
    """导入清单's form with seed 003's messy workbook (lists.tests.messy)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from lists.tests import messy

    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    form: dict[str, Any] = {"name": "专项整治清单", "starts_on": "2026-03-02", "ends_on": "",
                            "reports_to": "市委"}  # fmt: skip
    form.update(fields)
    form["file"] = SimpleUploadedFile("清单.xlsx", messy.build(), content_type=xlsx)
    return form


def _web_body(data: Any) -> Any:
    if isinstance(data, dict) and "PDF" in data:
        return _upload(data)
    if isinstance(data, dict) and "XLSX" in data:
        return import_form()
    return data


@pytest.fixture
def import_media(settings, tmp_path):
    """Import jobs are folders under MEDIA_ROOT: a fresh one for each test."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def import_job(world, import_media) -> dict[str, str]:
    """The coordinator's upload of the messy list, previewed: its token and digest."""
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username="coordinator"))
    with time_machine.travel(TODAY, tick=False):
        uploaded = client.post("/lists/import/", import_form())
        assert uploaded.status_code == 302, uploaded.content.decode()[:300]
        page = client.get(uploaded["Location"])
    assert page.status_code == 200 and not page.context["plan"].has_errors
    return {"T": page.context["token"], "D": page.context["digest"]}


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
def test_web_permission_matrix(db, world, request, operation, username, expected):
    from django.contrib.auth import get_user_model

    method, path, data, _ = WEB[operation]
    ids: dict[str, Any] = dict(world)
    if "{T}" in path:
        ids.update(request.getfixturevalue("import_job"))
    elif path.startswith("/lists/import/"):
        request.getfixturevalue("import_media")
    path, data = _fill(path, ids), _web_body(_fill(data, ids))
    client = Client()
    if username is not None:
        client.force_login(get_user_model().objects.get(username=username))
    with time_machine.travel(TODAY, tick=False):
        response = getattr(client, method)(path, *([data] if method == "post" else []))
    assert response.status_code == expected, response.content.decode()[:300]
    if response.status_code == 302 and username is not None:
        lands = LANDS.get(operation, "").replace("{user}", username)
        assert lands and re.match(lands, response["Location"]), (operation, response["Location"])
    if response.status_code == 302 and username is None:
        assert response["Location"].startswith("/login/"), response["Location"]
