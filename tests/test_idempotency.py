"""A write sent twice is stored once (point 11), a stale page is told what happened (point 6),
and the API's answer to an action is built before its transaction commits."""

import json
import re
from datetime import date, datetime
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import OperationalError, connection, transaction
from django.test import Client

from api.models import IdempotencyKey
from api.tests.helpers import BASE, ApiClient
from audit.models import AuditEvent
from cases import actions
from cases.models import Case, Communication
from cases.tests.factories import register
from web.tests.pages import case_page_with_cards

pytestmark = pytest.mark.django_db

FROZEN = time_machine.travel(
    datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
)
COMMUNICATION = {
    "stage": "during",
    "method": "phone",
    "on": "2026-11-20",
    "summary": "电话沟通办理进展",
}


def handling(cast) -> Case:
    case = register(cast, on=date(2026, 9, 1))
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 9, 30)
    )
    actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 10, 9))
    return case


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def hidden(html: str, form_action: str, name: str) -> str:
    """The value of a hidden field in the form posting to `form_action`."""
    start = html.index(f'action="{form_action}"')
    form = html[start : html.index("</form>", start)]
    match = re.search(rf'name="{name}" value="([^"]*)"', form)
    assert match, name
    return match.group(1)


# --- API --------------------------------------------------------------------------------


@FROZEN
def test_the_same_key_twice_stores_one_communication(cast):
    case = handling(cast)
    api = ApiClient("yizheng")
    path = f"{BASE}/cases/{case.pk}/actions/communicate"
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api.token}", "HTTP_IDEMPOTENCY_KEY": "k-0001-abcd"}
    body = json.dumps(COMMUNICATION)
    first = api.client.post(path, body, content_type="application/json", **headers)
    second = api.client.post(path, body, content_type="application/json", **headers)
    assert first.status_code == second.status_code == 200
    assert Communication.objects.filter(case=case).count() == 1
    assert second.json()["communications"] == first.json()["communications"]
    assert AuditEvent.objects.filter(case=case, action="communicate").count() == 1
    # Another key is another communication.
    headers["HTTP_IDEMPOTENCY_KEY"] = "k-0002-abcd"
    api.client.post(path, body, content_type="application/json", **headers)
    assert Communication.objects.filter(case=case).count() == 2
    # Without a key nothing changes for clients that send none.
    assert api.post(f"/cases/{case.pk}/actions/communicate", COMMUNICATION).status_code == 200
    assert Communication.objects.filter(case=case).count() == 3


@FROZEN
def test_a_key_of_another_action_or_malformed_is_refused(cast):
    case = handling(cast)
    api = ApiClient("yizheng")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api.token}"}
    path = f"{BASE}/cases/{case.pk}/actions/"
    ok = api.client.post(
        path + "communicate",
        json.dumps(COMMUNICATION),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="shared-key-1",
        **auth,
    )
    assert ok.status_code == 200
    reused = api.client.post(
        path + "request_extension",
        json.dumps({"until": "2027-01-29", "reason": "需要调研"}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="shared-key-1",
        **auth,
    )
    assert reused.status_code == 409
    assert "Idempotency-Key" in reused.json()["detail"]
    bad = api.client.post(
        path + "communicate",
        json.dumps(COMMUNICATION),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="bad key\u0000",
        **auth,
    )
    assert bad.status_code == 400
    assert "Idempotency-Key" in bad.json()["detail"]
    assert Communication.objects.filter(case=case).count() == 1


@FROZEN
def test_a_failed_write_keeps_no_key_and_may_be_retried(cast):
    case = handling(cast)
    api = ApiClient("yizheng")
    path = f"{BASE}/cases/{case.pk}/actions/communicate"
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api.token}", "HTTP_IDEMPOTENCY_KEY": "retry-0001"}
    late = json.dumps(COMMUNICATION | {"on": "2026-12-31"})  # in the future: refused
    refused = api.client.post(path, late, content_type="application/json", **headers)
    assert refused.status_code == 400
    assert not IdempotencyKey.objects.exists()
    again = api.client.post(
        path, json.dumps(COMMUNICATION), content_type="application/json", **headers
    )
    assert again.status_code == 200
    assert Communication.objects.filter(case=case).count() == 1


@FROZEN
def test_register_with_a_key_twice_registers_one_case(cast):
    api = ApiClient("coordinator")
    data = {
        "category": "npc_suggestion",
        "level": "municipal",
        "year": 2026,
        "number": "20269001",
        "title": "关于幂等的建议",
        "lead_proposer": "陈代表",
        "mode": "lead",
        "received_on": "2026-11-20",
    }
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api.token}", "HTTP_IDEMPOTENCY_KEY": "reg-0001"}
    first = api.client.post(
        f"{BASE}/cases", json.dumps(data), content_type="application/json", **headers
    )
    second = api.client.post(
        f"{BASE}/cases", json.dumps(data), content_type="application/json", **headers
    )
    assert first.status_code == second.status_code == 201, first.content
    assert first.json()["id"] == second.json()["id"]
    assert Case.objects.filter(number="20269001").count() == 1


@FROZEN
@pytest.mark.django_db(transaction=True)
def test_a_connection_lost_after_the_commit_does_not_turn_the_saved_write_into_an_error(cast):
    """The answer is built inside the action's transaction: once it committed, nothing
    reads the database any more, so a connection dropped then costs nothing."""
    case = handling(cast)
    api = ApiClient("yizheng")
    committed = False
    original_exit = transaction.Atomic.__exit__

    def exit_and_watch(self, exc_type, exc, tb):
        nonlocal committed
        result = original_exit(self, exc_type, exc, tb)
        if exc_type is None and connection.get_autocommit():
            committed = True  # the outermost block just committed
        return result

    def dropped(execute, sql, params, many, context):
        if committed:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with (
        patch.object(transaction.Atomic, "__exit__", exit_and_watch),
        connection.execute_wrapper(dropped),
    ):
        response = api.post(f"/cases/{case.pk}/actions/communicate", COMMUNICATION)
    assert committed
    assert response.status_code == 200, response.content
    assert response.json()["communications"][0]["summary"] == "电话沟通办理进展"
    assert Communication.objects.filter(case=case).count() == 1


# --- web --------------------------------------------------------------------------------


@FROZEN
def test_a_double_clicked_web_form_is_stored_once(cast):
    case = handling(cast)
    head = logged_in(cast.yizheng_head)
    action = f"/cases/{case.pk}/actions/communicate/"
    html = case_page_with_cards(head, case.pk)
    key = hidden(html, action, "idempotency_key")
    seen = hidden(html, action, "seen_event")
    assert len(key) >= 8 and seen.isdigit()
    # Each rendered form has its own key.
    other = hidden(html, f"/cases/{case.pk}/actions/request_extension/", "idempotency_key")
    assert other != key
    data = COMMUNICATION | {"idempotency_key": key, "seen_event": seen}
    first = head.post(action, data)
    second = head.post(action, data)
    assert first.status_code == second.status_code == 302
    assert Communication.objects.filter(case=case).count() == 1
    page = head.get(second["Location"]).content.decode()
    assert "已提交过" in page


@FROZEN
def test_a_stale_tab_is_told_who_did_what_and_the_old_form_is_not_shown(cast):
    case = handling(cast)
    # The head's tab shows 提交答复; the reply is submitted elsewhere (another tab) before
    # this tab's form is sent.
    tab = logged_in(cast.yizheng_head)
    action = f"/cases/{case.pk}/actions/submit_reply/"
    html = case_page_with_cards(tab, case.pk)
    seen = hidden(html, action, "seen_event")
    key = hidden(html, action, "idempotency_key")
    actions.submit_reply(
        case,
        by=cast.yizheng_head,
        text="一、关于人才培养。我委将扩大定向培养规模。",
        reply_class="A",
        contact="张处长",
        phone="0571-8888 1234",
        commitments=[],
        on=date(2026, 11, 20),
    )
    stale = tab.post(
        action,
        {
            "text": "另一份答复",
            "reply_class": "A",
            "contact": "张处长",
            "phone": "0571-8888 1234",
            "on": "2026-11-23",
            "idempotency_key": key,
            "seen_event": seen,
        },
    )
    assert stale.status_code == 302
    page = tab.get(stale["Location"]).content.decode()
    assert "页面已过期" in page and "张处长" in page and "提交答复" in page
    assert "2026年11月23日" in page  # when it happened
    # The page shown is the current one: no 提交答复 form to send again.
    assert f'action="{action}"' not in page
    assert case.replies.count() == 1


@FROZEN
def test_a_current_page_is_not_called_stale(cast):
    case = handling(cast)
    head = logged_in(cast.yizheng_head)
    action = f"/cases/{case.pk}/actions/communicate/"
    html = case_page_with_cards(head, case.pk)
    data = COMMUNICATION | {
        "idempotency_key": hidden(html, action, "idempotency_key"),
        "seen_event": hidden(html, action, "seen_event"),
    }
    response = head.post(action, data)
    page = head.get(response["Location"]).content.decode()
    assert "页面已过期" not in page and "已提交过" not in page
    assert Communication.objects.filter(case=case).count() == 1
