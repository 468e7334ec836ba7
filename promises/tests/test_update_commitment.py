"""更新承诺事项 after closing (回头看): statuses, reasons, history, settled_on, the audit
event, and who may update a promise."""

from datetime import date

import pytest

from audit.models import AuditEvent
from cases import actions
from cases.models import Case, CommitmentNote
from promises.tests.helpers import frozen, promised_case
from workflow.errors import ActionForbidden, CaseError

pytestmark = pytest.mark.django_db
DUE = date(2025, 12, 31)


@pytest.fixture
def closed(cast):
    return promised_case(cast, year=2025, promises=[("新建基层卫生人才培训基地", DUE)])


def _update(case, by, **kw):
    commitment = kw.pop("commitment", None) or case.commitments.get()
    with frozen(kw.pop("today", date(2026, 3, 2))):
        return actions.update_commitment(
            Case.objects.get(pk=case.pk), by=by, commitment_id=commitment.pk, **kw
        )


def test_the_promise_lives_on_after_closing_with_its_history(cast, closed):
    assert closed.state == "closed"
    c = closed.commitments.get()
    assert (c.unit, c.status, c.settled_on) == (cast.yizheng, "open", None)
    _update(closed, cast.yizheng_head, status="in_progress", note="已选址", on=date(2026, 1, 5))
    done = _update(
        closed, cast.yizheng_handler, status="fulfilled", note="基地已建成", on=date(2026, 3, 2)
    )
    assert (done.status, done.note, done.settled_on, done.reason) == (
        "fulfilled",
        "基地已建成",
        date(2026, 3, 2),
        "",
    )
    history = list(CommitmentNote.objects.filter(commitment=done).order_by("on", "id"))
    assert [(n.on, n.status, n.note, n.by) for n in history] == [
        (date(2026, 1, 5), "in_progress", "已选址", cast.yizheng_head),
        (date(2026, 3, 2), "fulfilled", "基地已建成", cast.yizheng_handler),
    ]
    events = list(closed.events.filter(action="update_commitment").order_by("id"))
    assert len(events) == 2
    assert events[-1].details["status"] == ["in_progress", "fulfilled"]
    assert events[-1].details["what"] == "新建基层卫生人才培训基地"
    assert (events[-1].from_state, events[-1].to_state) == ("closed", "closed")
    assert Case.objects.get(pk=closed.pk).state == "closed"


@pytest.mark.parametrize("status", ["partial", "unfulfilled"])
def test_partial_and_unfulfilled_need_a_reason(cast, closed, status):
    before = (AuditEvent.objects.count(), CommitmentNote.objects.count())
    with pytest.raises(CaseError, match="须填写原因") as err:
        _update(closed, cast.yizheng_head, status=status, note="未能完成", reason="  ")
    assert err.value.field == "reason"
    assert (AuditEvent.objects.count(), CommitmentNote.objects.count()) == before
    assert closed.commitments.get().status == "open"
    c = _update(closed, cast.yizheng_head, status=status, reason="省级资金未到位")
    assert (c.status, c.reason, c.settled_on) == (status, "省级资金未到位", date(2026, 3, 2))
    event = closed.events.filter(action="update_commitment").get()
    assert event.details["reason"] == "省级资金未到位"
    assert CommitmentNote.objects.get(commitment=c).note == "原因：省级资金未到位"


def test_back_to_in_progress_unsettles_and_clears_the_reason(cast, closed):
    _update(closed, cast.yizheng_head, status="unfulfilled", reason="资金未到位")
    c = _update(closed, cast.coordinator, status="in_progress", note="资金已落实，重新推进")
    assert (c.status, c.reason, c.settled_on) == ("in_progress", "", None)


def test_unknown_status_or_promise_is_refused(cast, closed):
    with pytest.raises(CaseError):
        _update(closed, cast.yizheng_head, status="cancelled")
    other = promised_case(cast, year=2025, promises=[("别的承诺", DUE)])
    with pytest.raises(CaseError, match="没有该承诺事项"):
        _update(closed, cast.yizheng_head, status="fulfilled", commitment=other.commitments.get())


def test_who_may_update_after_closing(cast, closed):
    # The office may, whatever the unit; the co-unit, another unit and leaders may not.
    assert _update(closed, cast.coordinator, status="in_progress").status == "in_progress"
    for user in (cast.leader, cast.viewer, cast.zhongyi_head, cast.jiceng_head):
        with pytest.raises(ActionForbidden):
            _update(closed, user, status="fulfilled")


def test_a_unit_that_is_not_the_owner_may_not_update(cast, closed):
    """The promise is 基层卫生健康处's (say, re-assigned to it): 医政医管处, still the lead
    unit, is refused; the office records it."""
    closed.commitments.update(unit=cast.jiceng)
    with pytest.raises(ActionForbidden, match="本处室"):
        _update(closed, cast.yizheng_head, status="fulfilled")
    assert _update(closed, cast.coordinator, status="fulfilled").status == "fulfilled"


def test_the_api_takes_the_reason(cast, closed):
    from api.tests.helpers import ApiClient

    client = ApiClient("yizheng")
    c = closed.commitments.get()
    with frozen(date(2026, 3, 2)):
        refused = client.post(
            f"/cases/{closed.pk}/actions/update_commitment", {"id": c.pk, "status": "partial"}
        )
        done = client.post(
            f"/cases/{closed.pk}/actions/update_commitment",
            {"id": c.pk, "status": "partial", "note": "完成一半", "reason": "用地未批"},
        )
    assert refused.status_code == 400
    assert done.status_code == 200
    c.refresh_from_db()
    assert (c.status, c.reason) == ("partial", "用地未批")
