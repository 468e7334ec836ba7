"""Role × operation → HTTP status for 显示完整号码 (issue 16): the reveal of a person's phone
on an opinion's page and of a proposer's phone and address, written out by hand like
tests/test_permission_matrix.py (same columns: admin, coordinator, leader, viewer, yizheng
(head of the lead unit), yizheng_clerk (its handler), jiceng (head of the co-unit on A, no
unit on the proposer's case), zhongyi (an unrelated unit), anonymous).

Opinions: R received (待转办), A forwarded to 医政医管处 with 基层卫生健康处 as co-unit.
Proposer P (沈代表, with a phone and an address) leads a suggestion assigned to 医政医管处;
Q (韩代表) has no phone nor address (nothing to reveal).

The API (POST /api/v1/cases/{id}/reveal, opinions.api_views) answers as the page does, with
401 for no token: the same people, one REVEAL event for each reveal let through.
"""

from datetime import date

import pytest
import time_machine
from django.test import Client

from api.tests.helpers import BASE, ApiClient
from audit.models import AuditEvent
from audit.trail import SecurityAction
from tests.test_permission_matrix import _params

TODAY = date(2026, 6, 10)
PHONE = "13900002222"
PROPOSER_PHONE = "13700003333"

WEB = {
    "reveal the phone of a forwarded opinion": (
        "post", "/opinions/{A}/reveal-phone/", {}, [403, 200, 403, 403, 200, 200, 200, 404, 302],
    ),
    "reveal the phone of a received opinion": (
        "post", "/opinions/{R}/reveal-phone/", {}, [403, 200, 403, 403, 404, 404, 404, 404, 302],
    ),
    "reveal by GET": ("get", "/opinions/{A}/reveal-phone/", None, [405] * 8 + [302]),
    "reveal the phone of no opinion": (
        "post", "/opinions/{S}/reveal-phone/", {}, [404, 404, 404, 404, 404, 404, 404, 404, 302],
    ),
    "proposer page": ("get", "/proposers/{P}/", None, [200] * 8 + [302]),
    "reveal a proposer's phone and address": (
        "post", "/proposers/{P}/", {}, [403, 200, 403, 403, 200, 200, 403, 403, 302],
    ),
    "reveal a proposer with nothing to reveal": (
        "post", "/proposers/{Q}/", {}, [403, 403, 403, 403, 403, 403, 403, 403, 302],
    ),
}  # fmt: skip

API = {
    "API reveal of a forwarded opinion": (
        "post", "/cases/{A}/reveal", [403, 200, 403, 403, 200, 200, 200, 404, 401],
    ),
    "API reveal of a received opinion": (
        "post", "/cases/{R}/reveal", [403, 200, 403, 403, 404, 404, 404, 404, 401],
    ),
    "API reveal of no opinion": (
        "post", "/cases/{S}/reveal", [404, 404, 404, 404, 404, 404, 404, 404, 401],
    ),
    "API reveal of no case": (
        "post", "/cases/99999999/reveal", [404, 404, 404, 404, 404, 404, 404, 404, 401],
    ),
    "API reveal by GET": ("get", "/cases/{A}/reveal", [405] * 9),
    # The case's detail: the phone masked for everyone, those who may reveal included.
    "API detail of a forwarded opinion": (
        "get", "/cases/{A}", [200, 200, 200, 200, 200, 200, 200, 404, 401],
    ),
}  # fmt: skip

# Who may reveal, so a 200 must have written exactly one REVEAL event and a refusal none.
REVEALS = {"reveal the phone of a forwarded opinion", "reveal the phone of a received opinion",
           "reveal a proposer's phone and address"}  # fmt: skip


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from django.db import transaction
    from django.test import override_settings

    from cases.tests.factories import Cast

    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast:
        yield _build_world(Cast())
        transaction.set_rollback(True)


def _build_world(cast):
    from cases import actions as case_actions
    from cases.models import Proposer
    from cases.tests.factories import register
    from opinions import actions

    with time_machine.travel(TODAY, tick=False):
        received = actions.register_opinion(
            by=cast.coordinator, channel="phone", content="卫生院夜间没有医生值班", phone=PHONE
        )
        forwarded = actions.register_opinion(
            by=cast.coordinator, channel="phone", content="社区医院排队太久", phone=PHONE
        )
        actions.forward(forwarded, by=cast.leader, lead_unit=cast.yizheng, co_units=[cast.jiceng])
        shen = Proposer.objects.create(
            name="沈代表", kind="deputy", phone=PROPOSER_PHONE, address="浙江省杭州市西湖路8号3栋"
        )
        han = Proposer.objects.create(name="韩代表", kind="deputy")
        suggestion = register(
            cast,
            on=TODAY,
            lead_proposer={"name": "沈代表", "kind": "deputy"},
            joint_proposers=[{"name": "韩代表", "kind": "deputy"}],
        )
        case_actions.assign_case(suggestion, by=cast.coordinator, lead_unit=cast.yizheng)
    return {
        "R": received.pk,
        "A": forwarded.pk,
        "S": suggestion.pk,
        "P": shen.pk,
        "Q": han.pk,
    }


@pytest.mark.parametrize(("operation", "username", "expected"), _params(WEB))
def test_web_permission_matrix(db, world, operation, username, expected):
    from django.contrib.auth import get_user_model

    method, path, data, _ = WEB[operation]
    client = Client()
    if username is not None:
        client.force_login(get_user_model().objects.get(username=username))
    before = AuditEvent.objects.filter(action=SecurityAction.REVEAL).count()
    with time_machine.travel(TODAY, tick=False):
        response = getattr(client, method)(
            path.format(**world), *([data] if method == "post" else [])
        )
    assert response.status_code == expected, response.content.decode()[:300]
    written = AuditEvent.objects.filter(action=SecurityAction.REVEAL).count() - before
    assert written == (1 if expected == 200 and operation in REVEALS else 0)
    body = response.content.decode()
    full = PROPOSER_PHONE if "proposer" in operation else PHONE
    # The number in full only in an answer to a reveal that was let through.
    assert (full in body) == (expected == 200 and operation in REVEALS), operation


@pytest.mark.parametrize(("operation", "username", "expected"), _params(API))
def test_api_permission_matrix(db, world, operation, username, expected):
    method, path, _ = API[operation]
    path = path.format(**world)
    before = AuditEvent.objects.filter(action=SecurityAction.REVEAL).count()
    with time_machine.travel(TODAY, tick=False):
        if username is None:
            response = getattr(Client(), method)(BASE + path)
        else:
            api = ApiClient(username)
            response = api.get(path) if method == "get" else api.post(path)
    assert response.status_code == expected, response.content.decode()[:300]
    written = AuditEvent.objects.filter(action=SecurityAction.REVEAL).count() - before
    revealed = expected == 200 and method == "post"
    assert written == (1 if revealed else 0)
    # The number in full only in an answer to a reveal that was let through.
    assert (PHONE in response.content.decode()) == revealed, operation
