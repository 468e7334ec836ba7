"""Role × operation → HTTP status, for every API operation and every web URL (DESIGN.md §4).

Written out by hand, not derived from the workflow table, so that a change to who may do
what shows up here as a deliberate edit. Each action is tried on a case in a state where it
is allowed, so 200 means "done", 403 "your role never may", 400 "allowed role, refused
now", 404 "you cannot see this case", 401/302 "log in first".

Columns: admin, coordinator, leader, viewer, yizheng (head of the lead unit), yizheng_clerk
(handler of the lead unit), jiceng (head of the co-unit), zhongyi (head of an unrelated
unit), anonymous.
"""

from datetime import date

import pytest
import time_machine
from django.test import Client

from api.tests.helpers import BASE, ApiClient, register_body
from cases import actions
from cases.tests.factories import register

USERS = [
    "admin",
    "coordinator",
    "leader",
    "viewer",
    "yizheng",
    "yizheng_clerk",
    "jiceng",
    "zhongyi",
    None,
]
TODAY = date(2026, 6, 10)
GATES = {"format": True, "policy": True, "content": True, "resolution": True}

# Cases: R registered, A assigned, H handling, E handling with an extension request pending,
# U unit_approving, V reviewing, S signing, P replied (feedback window still open),
# C closed (a B reply with one commitment). Every assigned case: lead yizheng, co jiceng.
API = {
    "GET units": ("get", "/units", None, [200, 200, 200, 200, 200, 200, 200, 200, 401]),
    "GET list": ("get", "/cases", None, [200, 200, 200, 200, 200, 200, 200, 200, 401]),
    "GET handling case": ("get", "/cases/{H}", None, [200, 200, 200, 200, 200, 200, 200, 404, 401]),
    "GET registered case": (
        "get",
        "/cases/{R}",
        None,
        [200, 200, 200, 200, 404, 404, 404, 404, 401],
    ),
    "GET reply letter": (
        "get",
        "/cases/{P}/reply.docx",
        None,
        [200, 200, 200, 200, 200, 200, 200, 404, 401],
    ),
    "GET reply letter, no reply yet": (
        "get",
        "/cases/{H}/reply.docx",
        None,
        [400, 400, 400, 400, 400, 400, 400, 404, 401],
    ),
    "GET stats": ("get", "/stats?year=2026", None, [200, 200, 200, 200, 200, 403, 200, 200, 401]),
    "GET stats of another unit": (
        "get",
        "/stats?year=2026&unit=jiceng",
        None,
        [200, 200, 200, 200, 403, 403, 200, 403, 401],
    ),
    # The description is for logged-in users or token holders (issue 9 #12).
    "GET openapi": ("get", "/openapi.json", None, [200, 200, 200, 200, 200, 200, 200, 200, 302]),
    "GET docs": ("get", "/docs", None, [200, 200, 200, 200, 200, 200, 200, 200, 302]),
    "DELETE token": ("delete", "/auth/token", None, [204, 204, 204, 204, 204, 204, 204, 204, 401]),
    "register": ("post", "/cases", "REGISTER", [403, 201, 403, 403, 403, 403, 403, 403, 401]),
    "assign": (
        "post",
        "/cases/{R}/actions/assign",
        {"lead_unit": "zhongyi"},
        [403, 200, 403, 403, 404, 404, 404, 404, 401],
    ),
    "accept": (
        "post",
        "/cases/{A}/actions/accept",
        {},
        [403, 403, 403, 403, 200, 200, 403, 404, 401],
    ),
    # The head of the lead unit or the coordinator gives the case to one of its handlers.
    "assign_handler": (
        "post",
        "/cases/{A}/actions/assign_handler",
        {"handler": "yizheng_clerk"},
        [403, 200, 403, 403, 200, 403, 403, 404, 401],
    ),
    "return": (
        "post",
        "/cases/{A}/actions/return",
        {"reason": "不属于本处职责"},
        [403, 403, 403, 403, 200, 200, 403, 404, 401],
    ),
    "withdraw": (
        "post",
        "/cases/{R}/actions/withdraw",
        {"reason": "改办"},
        [403, 200, 403, 403, 404, 404, 404, 404, 401],
    ),
    "edit": (
        "post",
        "/cases/{H}/actions/edit",
        {"title": "关于加强基层卫生人才建设的建议"},
        [403, 200, 403, 403, 403, 403, 403, 404, 401],
    ),
    "communicate": (
        "post",
        "/cases/{H}/actions/communicate",
        {"stage": "during", "method": "phone", "summary": "电话沟通办理进展"},
        [403, 403, 403, 403, 200, 200, 403, 404, 401],
    ),
    # The lead unit may record an outside agency's opinion, so without naming one it is 400.
    "submit_opinion": (
        "post",
        "/cases/{H}/actions/submit_opinion",
        {"text": "同意主办意见"},
        [403, 403, 403, 403, 400, 400, 200, 404, 401],
    ),
    "request_extension": (
        "post",
        "/cases/{H}/actions/request_extension",
        {"until": "2026-08-31", "reason": "需开展专题调研"},
        [403, 403, 403, 403, 200, 200, 403, 404, 401],
    ),
    "decide_extension": (
        "post",
        "/cases/{E}/actions/decide_extension",
        {"approved": True},
        [403, 403, 200, 403, 403, 403, 403, 404, 401],
    ),
    "submit_reply": (
        "post",
        "/cases/{H}/actions/submit_reply",
        {"text": "答复正文", "reply_class": "A", "contact": "张伟", "phone": "12345678"},
        [403, 403, 403, 403, 200, 200, 403, 404, 401],
    ),
    "approve_reply": (
        "post",
        "/cases/{U}/actions/approve_reply",
        {"approved": True},
        [403, 403, 403, 403, 200, 403, 403, 404, 401],
    ),
    "review": (
        "post",
        "/cases/{V}/actions/review",
        {"passed": True, "gates": GATES},
        [403, 200, 403, 403, 403, 403, 403, 404, 401],
    ),
    "sign": (
        "post",
        "/cases/{S}/actions/sign",
        {"approved": True},
        [403, 403, 200, 403, 403, 403, 403, 404, 401],
    ),
    "record_feedback": (
        "post",
        "/cases/{P}/actions/record_feedback",
        {"result": "satisfied"},
        [403, 200, 403, 403, 403, 403, 403, 404, 401],
    ),
    # The feedback window (one month from the reply) has not passed yet.
    "close": (
        "post",
        "/cases/{P}/actions/close",
        {},
        [403, 400, 403, 403, 403, 403, 403, 404, 401],
    ),
    "reopen": (
        "post",
        "/cases/{C}/actions/reopen",
        {"reason": "代表提出新的意见"},
        [403, 200, 403, 403, 403, 403, 403, 404, 401],
    ),
    "add_outcome": (
        "post",
        "/cases/{H}/actions/add_outcome",
        {"kind": "policy", "title": "实施方案"},
        [403, 403, 403, 403, 200, 200, 403, 404, 401],
    ),
    "update_commitment": (
        "post",
        "/cases/{C}/actions/update_commitment",
        {"id": "{commitment}", "status": "fulfilled", "note": "已印发"},
        # The office too (issue 15): a promise outlives the unit's hold on the case.
        [403, 200, 403, 403, 200, 200, 403, 404, 401],
    ),
    # 催办: the office urges the handler and head, the lead unit's head its handler.
    "urge": (
        "post",
        "/cases/{H}/actions/urge",
        {"note": "请抓紧办理"},
        [403, 200, 403, 403, 200, 403, 403, 404, 401],
    ),
    "GET urge notice": (
        "get",
        "/cases/{H}/urge/{notice}.docx",
        None,
        [200, 200, 200, 200, 200, 200, 200, 404, 401],
    ),
    "unknown action": (
        "post",
        "/cases/{H}/actions/approve_all",
        {},
        [404, 404, 404, 404, 404, 404, 404, 404, 401],
    ),
}


def _walk(cast, case, upto: str):
    steps = ["accept", "reply_handler", "approve", "review", "sign", "feedback"]
    day = date(2026, 3, 2)
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, co_units=[cast.jiceng], assigned_on=day
    )
    for step in steps[: steps.index(upto) + 1] if upto in steps else []:
        if step == "accept":
            actions.accept_case(case, by=cast.yizheng_handler, on=day)
        elif step == "reply_handler":
            actions.submit_reply(
                case,
                by=cast.yizheng_handler,
                text="答复",
                reply_class="B",
                contact="赵",
                phone="1",
                commitments=[{"what": "年内出台方案", "due": date(2026, 12, 31)}],
                on=date(2026, 5, 20),
            )
        elif step == "approve":
            actions.approve_reply(case, by=cast.yizheng_head, approved=True, on=date(2026, 5, 21))
        elif step == "review":
            actions.review_reply(
                case, by=cast.coordinator, passed=True, gates=GATES, on=date(2026, 5, 22)
            )
        elif step == "sign":
            actions.sign_reply(case, by=cast.leader, approved=True, on=date(2026, 5, 25))
        elif step == "feedback":
            actions.record_feedback(
                case, by=cast.coordinator, result="satisfied", on=date(2026, 6, 1)
            )
    return case


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at its end; each
    test runs in a savepoint of it (pytest-django's `db`), so its action is undone too."""
    from django.db import transaction
    from django.test import override_settings

    from cases.tests.factories import Cast

    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast:
        yield _build_world(Cast())
        transaction.set_rollback(True)


def _build_world(cast):
    from letters.actions import configure_organisation

    # The letters need a configured commission (a placeholder one is refused).
    configure_organisation(
        by=None, name="江城市卫生健康委员会", codes={"reply": "江卫函"}, copy_to={}
    )
    with time_machine.travel(TODAY, tick=False):
        cases = {"R": register(cast, on=date(2026, 6, 1))}
        cases["A"] = register(cast, on=date(2026, 6, 1))
        actions.assign_case(
            cases["A"],
            by=cast.coordinator,
            lead_unit=cast.yizheng,
            co_units=[cast.jiceng],
            assigned_on=date(2026, 6, 8),
        )
        cases["H"] = _walk(cast, register(cast, on=date(2026, 3, 2)), "accept")
        cases["E"] = _walk(cast, register(cast, on=date(2026, 3, 2)), "accept")
        actions.request_extension(
            cases["E"], by=cast.yizheng_head, until=date(2026, 8, 31), reason="需调研"
        )
        cases["U"] = _walk(cast, register(cast, on=date(2026, 3, 2)), "reply_handler")
        cases["V"] = _walk(cast, register(cast, on=date(2026, 3, 2)), "approve")
        cases["S"] = _walk(cast, register(cast, on=date(2026, 3, 2)), "review")
        cases["P"] = _walk(cast, register(cast, on=date(2026, 3, 2)), "sign")
        cases["C"] = _walk(cast, register(cast, on=date(2026, 3, 2)), "feedback")
    ids = {key: case.pk for key, case in cases.items()}
    ids["commitment"] = cases["C"].commitments.get().pk
    ids["proposer"] = cases["R"].lead_proposer.pk
    with time_machine.travel(TODAY, tick=False):
        notice = actions.urge_case(cases["H"], by=cast.coordinator, note="请抓紧办理")
    ids["notice"] = notice.pk
    return ids


def _fill(value, ids):
    if isinstance(value, str):
        return int(value.format(**ids)) if value == "{commitment}" else value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _params(table):
    return [
        pytest.param(name, user, row[-1][i], id=f"{name}-{user or 'anonymous'}")
        for name, row in table.items()
        for i, user in enumerate(USERS)
    ]


@pytest.mark.parametrize(("operation", "username", "expected"), _params(API))
def test_api_permission_matrix(db, world, operation, username, expected):
    method, path, body, _ = API[operation]
    path = _fill(path, world)
    body = register_body(number="M-1", year=2026) if body == "REGISTER" else _fill(body, world)
    with time_machine.travel(TODAY, tick=False):
        if username is None:
            client = Client()
            response = getattr(client, method)(
                BASE + path,
                *([body] if method == "post" else []),
                **({"content_type": "application/json"} if method == "post" else {}),
            )
        else:
            api = ApiClient(username)
            if method == "delete":
                response = api.client.delete(BASE + path, HTTP_AUTHORIZATION=f"Bearer {api.token}")
            else:
                response = api.get(path) if method == "get" else api.post(path, body)
    assert response.status_code == expected, response.content.decode()[:300]


# The web pages: 302 for anonymous is the redirect to the login page; a performed action
# redirects (302) back to the case page.
WEB = {
    "login page": ("get", "/login/", None, [302, 302, 302, 302, 302, 302, 302, 302, 200]),
    # Public: the process answers "ok" (huiyin/health.py), nothing about any case.
    "health check": ("get", "/livez", None, [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    "home": ("get", "/", None, [200, 200, 200, 200, 200, 200, 200, 200, 302]),
    "change own password page": (
        "get",
        "/account/password/",
        None,
        [200, 200, 200, 200, 200, 200, 200, 200, 302],
    ),
    "proposers": ("get", "/proposers/", None, [200, 200, 200, 200, 200, 200, 200, 200, 302]),
    "proposer page": (
        "get",
        "/proposers/{proposer}/",
        None,
        [200, 200, 200, 200, 200, 200, 200, 200, 302],
    ),
    "no such proposer": (
        "get",
        "/proposers/999999/",
        None,
        [404, 404, 404, 404, 404, 404, 404, 404, 302],
    ),
    "print view": ("get", "/cases/{H}/print/", None, [200, 200, 200, 200, 200, 200, 200, 404, 302]),
    # A closed action card's form, fetched when opened: whoever sees the case gets 200 (the
    # form, or a notice when the action is not theirs to take now).
    "action card form": (
        "get",
        "/cases/{H}/actions/submit_reply/form/",
        None,
        [200, 200, 200, 200, 200, 200, 200, 404, 302],
    ),
    "action card form, no such action": (
        "get",
        "/cases/{H}/actions/no_such_action/form/",
        None,
        [404, 404, 404, 404, 404, 404, 404, 404, 302],
    ),
    "deadline preview": (
        "get",
        "/cases/{R}/deadline-preview/?assigned_on=2026-06-10",
        None,
        [403, 200, 403, 403, 404, 404, 404, 404, 302],
    ),
    "dashboard": ("get", "/dashboard/", None, [200, 200, 200, 200, 200, 403, 200, 200, 302]),
    "dashboard of another unit": (
        "get",
        "/dashboard/?unit=jiceng",
        None,
        [200, 200, 200, 200, 403, 403, 200, 403, 302],
    ),
    "annual summary": (
        "get",
        "/dashboard/report.docx?year=2026",
        None,
        [200, 200, 200, 200, 403, 403, 403, 403, 302],
    ),
    "import page": (
        "get",
        "/transfer/import/",
        None,
        [403, 200, 403, 403, 403, 403, 403, 403, 302],
    ),
    "import template": (
        "get",
        "/transfer/template.xlsx",
        None,
        [403, 200, 403, 403, 403, 403, 403, 403, 302],
    ),
    "export": (
        "get",
        "/transfer/export.xlsx?year=2026",
        None,
        [200, 200, 200, 200, 200, 200, 200, 200, 302],
    ),
    "export columns": (
        "get",
        "/transfer/export/columns/?query=year%3D2026",
        None,
        [200, 200, 200, 200, 200, 200, 200, 200, 302],
    ),
    "save default export columns": (
        "post",
        "/transfer/export/columns/",
        {"columns": ["number", "title"], "do": "save"},
        [302, 302, 302, 302, 302, 302, 302, 302, 302],
    ),
    "attach a file": (
        "post",
        "/cases/{H}/attachments/",
        "PDF",
        [403, 302, 403, 403, 302, 302, 403, 404, 302],
    ),
    "console": ("get", "/console/", None, [200, 403, 403, 403, 403, 403, 403, 403, 302]),
    "console users": (
        "get",
        "/console/users/",
        None,
        [200, 403, 403, 403, 403, 403, 403, 403, 302],
    ),
    "发文设置": (
        "get",
        "/console/organisation/",
        None,
        [200, 403, 403, 403, 403, 403, 403, 403, 302],
    ),
    "发文设置, save": (
        "post",
        "/console/organisation/",
        {"name": "武汉市卫生健康委员会", "code_reply": "武卫函"},
        [302, 403, 403, 403, 403, 403, 403, 403, 302],
    ),
    "calendar (read-only for coordinator and leader)": (
        "get",
        "/console/calendar/2026/",
        None,
        [200, 200, 200, 403, 403, 403, 403, 403, 302],
    ),
    "case list": ("get", "/cases/", None, [200, 200, 200, 200, 200, 200, 200, 200, 302]),
    "register form": ("get", "/cases/new/", None, [403, 200, 403, 403, 403, 403, 403, 403, 302]),
    "handling case page": (
        "get",
        "/cases/{H}/",
        None,
        [200, 200, 200, 200, 200, 200, 200, 404, 302],
    ),
    "registered case page": (
        "get",
        "/cases/{R}/",
        None,
        [200, 200, 200, 200, 404, 404, 404, 404, 302],
    ),
    "reply letter": (
        "get",
        "/cases/{P}/reply.docx",
        None,
        [200, 200, 200, 200, 200, 200, 200, 404, 302],
    ),
    "feedback form": (
        "get",
        "/cases/{P}/feedback-form.docx",
        None,
        [200, 200, 200, 200, 200, 200, 200, 404, 302],
    ),
    "assign": (
        "post",
        "/cases/{R}/actions/assign/",
        {"lead_unit": "zhongyi", "assigned_on": "2026-06-10"},
        [403, 302, 403, 403, 404, 404, 404, 404, 302],
    ),
    "accept": (
        "post",
        "/cases/{A}/actions/accept/",
        {},
        [403, 403, 403, 403, 302, 302, 403, 404, 302],
    ),
    "assign_handler": (
        "post",
        "/cases/{A}/actions/assign_handler/",
        {"handler": "yizheng_clerk"},
        [403, 302, 403, 403, 302, 403, 403, 404, 302],
    ),
    "communicate, incomplete": (
        "post",
        "/cases/{H}/actions/communicate/",
        {"stage": "during"},
        [403, 403, 403, 403, 400, 400, 403, 404, 302],
    ),
    "review": (
        "post",
        "/cases/{V}/actions/review/",
        {
            "passed": "1",
            "gates-format": "1",
            "gates-policy": "1",
            "gates-content": "1",
            "gates-resolution": "1",
        },
        [403, 302, 403, 403, 403, 403, 403, 404, 302],
    ),
    "sign": (
        "post",
        "/cases/{S}/actions/sign/",
        {"approved": "1"},
        [403, 403, 302, 403, 403, 403, 403, 404, 302],
    ),
    "urge": (
        "post",
        "/cases/{H}/actions/urge/",
        {"note": "请抓紧办理"},
        [403, 302, 403, 403, 302, 403, 403, 404, 302],
    ),
    "urge notice": (
        "get",
        "/cases/{H}/urge/{notice}.docx",
        None,
        [200, 200, 200, 200, 200, 200, 200, 404, 302],
    ),
    "unknown action": (
        "post",
        "/cases/{H}/actions/approve_all/",
        {},
        [404, 404, 404, 404, 404, 404, 404, 404, 302],
    ),
    # Notifications (issue 11): each user reads and marks their own; someone else's is 404.
    "notifications": (
        "get",
        "/notifications/",
        None,
        [200, 200, 200, 200, 200, 200, 200, 200, 302],
    ),
    "notifications, bad filter": (
        "get",
        "/notifications/?show=some",
        None,
        [400, 400, 400, 400, 400, 400, 400, 400, 302],
    ),
    "mark all notifications read": (
        "post",
        "/notifications/read-all/",
        {},
        [302, 302, 302, 302, 302, 302, 302, 302, 302],
    ),
    "mark a notification read, not one's own": (
        "post",
        "/notifications/999999/read/",
        {},
        [404, 404, 404, 404, 404, 404, 404, 404, 302],
    ),
    "notification settings": (
        "get",
        "/account/notifications/",
        None,
        [200, 200, 200, 200, 200, 200, 200, 200, 302],
    ),
    "notification settings, save": (
        "post",
        "/account/notifications/",
        {"digest": "on"},
        [302, 302, 302, 302, 302, 302, 302, 302, 302],
    ),
    "failed messages": (
        "get",
        "/console/outbox/",
        None,
        [200, 403, 403, 403, 403, 403, 403, 403, 302],
    ),
    "retry all failed messages": (
        "post",
        "/console/outbox/retry/",
        {},
        [302, 403, 403, 403, 403, 403, 403, 403, 302],
    ),
    "retry a message that does not exist": (
        "post",
        "/console/outbox/999999/retry/",
        {},
        [404, 403, 403, 403, 403, 403, 403, 403, 302],
    ),
    # No Django admin (issue 9 #8): the console is the only management UI.
    "django admin": ("get", "/admin/", None, [404, 404, 404, 404, 404, 404, 404, 404, 404]),
}


@pytest.mark.parametrize(("operation", "username", "expected"), _params(WEB))
def test_web_permission_matrix(db, world, operation, username, expected):
    from django.contrib.auth import get_user_model

    method, path, data, _ = WEB[operation]
    if data == "PDF":
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = {"file": SimpleUploadedFile("答复依据.pdf", b"%PDF-1.4\n%test\n", "application/pdf")}
    client = Client()
    if username is not None:
        client.force_login(get_user_model().objects.get(username=username))
    with time_machine.travel(TODAY, tick=False):
        response = getattr(client, method)(
            _fill(path, world), *([data] if method == "post" else [])
        )
    assert response.status_code == expected, response.content.decode()[:300]
