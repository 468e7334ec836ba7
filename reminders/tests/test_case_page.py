"""The coordinator sees on the case page where each of the case's deadlines stands on the
ladder: the step it is on and the next one with its day. Nobody else sees it, and it
costs the page one query."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reminders import status
from reminders.tests.conftest import frozen

pytestmark = pytest.mark.django_db


def _page(client, case):
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _block(html: str) -> str:
    start = html.index('id="reminders"')
    return html[start : html.index("</section>", start)]


def test_the_coordinator_sees_the_step_and_the_next_one(cast, case_due, client_for):
    with frozen(date(2026, 6, 15)):
        html = _page(client_for(cast.coordinator), case_due)
    block = _block(html)
    assert "催办进度" in block
    # The reply: by the calendar past 06-12's step (nothing was run: not "sent"), the
    # next on 06-18.
    assert "按工作日历推算" in block and "不表示提醒已经发出" in block
    assert "答复期限" in block and "2026年6月22日（剩余4个工作日）" in block
    assert "按期限应处环节：" in block and "当前环节" not in block
    assert "到期前5个工作日提醒" in block
    assert "下一环节：到期前1个工作日提醒，2026年6月18日" in block
    # The unit's draft target (06-05) is overdue: the daily digest, the next rung none
    # (the leader is not told of the unit's internal target).
    assert "处室初稿期限" in block and "逾期每日汇总" in block


def test_after_the_deadline_the_leader_is_the_next_step(cast, case_due, client_for):
    with frozen(date(2026, 6, 23)):
        block = _block(_page(client_for(cast.coordinator), case_due))
    assert "已超期1个工作日" in block
    assert "下一环节：逾期报分管领导，2026年6月25日" in block
    assert "text-bg-danger" in block


def test_nobody_but_the_coordinator_sees_it(cast, case_due, client_for):
    with frozen(date(2026, 6, 15)):
        for user in (cast.yizheng_head, cast.yizheng_handler, cast.leader, cast.viewer):
            assert 'id="reminders"' not in _page(client_for(user), case_due), user


def _queries(client, case) -> int:
    with CaptureQueriesContext(connection) as ctx:
        _page(client, case)
    return len(ctx.captured_queries)


def test_the_block_costs_the_coordinator_one_query_and_the_others_none(
    cast, case_due, client_for, monkeypatch
):
    clients = {user: client_for(user) for user in (cast.coordinator, cast.yizheng_head)}
    with frozen(date(2026, 6, 15)):
        for client in clients.values():
            _page(client, case_due)  # warm the caches the page keeps
        shown = {user: _queries(client, case_due) for user, client in clients.items()}
        monkeypatch.setattr(status, "case_steps", lambda case, today: [])
        hidden = {user: _queries(client, case_due) for user, client in clients.items()}
    assert shown[cast.coordinator] - hidden[cast.coordinator] <= 1
    assert shown[cast.yizheng_head] == hidden[cast.yizheng_head]


def test_a_replied_case_shows_its_feedback_window(cast, client_for, monkeypatch):
    from cases import actions
    from cases.tests.factories import register

    gates = {"format": True, "policy": True, "content": True, "resolution": True}
    with frozen(date(2026, 8, 12)):
        case = register(cast, on=date(2026, 8, 1))
        actions.assign_case(
            case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 8, 3)
        )
        actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 8, 4))
        on = date(2026, 8, 10)
        actions.submit_reply(
            case, by=cast.yizheng_head, text="答复", reply_class="A", contact="张", phone="1", on=on
        )
        actions.review_reply(case, by=cast.coordinator, passed=True, gates=gates, on=on)
        actions.sign_reply(case, by=cast.leader, approved=True, on=on)
    client = client_for(cast.coordinator)
    with frozen(date(2026, 9, 1)):
        _page(client, case)
        block = _block(_page(client, case))
        before = _queries(client, case)
    assert "征询意见期" in block and "2026年9月10日" in block
    assert "下一环节：征询意见期满可办结，2026年9月11日" in block
    monkeypatch.setattr(status, "case_steps", lambda case, today: [])
    with frozen(date(2026, 9, 1)):
        assert before - _queries(client, case) <= 1
