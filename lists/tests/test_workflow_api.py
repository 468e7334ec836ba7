"""The list items' workflow through the API's action endpoint (POST /cases/{id}/actions/…):
what each role is offered (`available_actions`), the measures' own actions (add, edit,
reopen), a refused 销号 going back with its reason, a retried action done once, and the
list's owner as the reviewer."""

from datetime import date

import pytest

from api.tests.helpers import BASE, ApiClient, ok
from cases.models import CaseUnit
from lists.models import Item, Measure, MeasureStatus, Progress
from lists.tests.factories import make_item, make_list, pdf
from reminders.tests.conftest import frozen
from workflow.vocabulary import State

pytestmark = pytest.mark.django_db
DAY = date(2026, 4, 1)


@pytest.fixture
def item(cast):
    return make_item(cast, make_list(cast))


def _measures(case):
    return list(Measure.objects.filter(item_id=case.pk).order_by("seq"))


def _offered(username, case):
    return set(ok(ApiClient(username).get(f"/cases/{case.pk}"))["available_actions"])


def _evidence(username, case, measure_id):
    api = ApiClient(username)
    response = api.client.post(
        f"{BASE}/lists/items/{case.pk}/evidence", {"file": pdf(), "measure": str(measure_id)},
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )  # fmt: skip
    assert response.status_code == 201, response.content


def test_each_role_is_offered_its_own_actions(cast, item):
    with frozen(DAY):
        lead, co, office = (
            _offered("yizheng", item),
            _offered("jiceng", item),
            _offered("coordinator", item),
        )
        viewer = _offered("viewer", item)
    assert {"report_progress", "submit_measure", "add_measure"} <= lead
    assert not lead & {"review_measure", "strike_off", "request_strike_off", "edit", "reopen"}
    assert {"report_progress", "submit_measure"} <= co and "add_measure" not in co
    assert {"report_progress", "add_measure", "edit_measure", "edit", "urge"} <= office
    assert "review_measure" not in office  # nothing submitted yet
    assert viewer == set()


def test_the_reviewer_is_offered_the_review_once_something_is_submitted(cast, item):
    first, _ = _measures(item)
    with frozen(DAY):
        _evidence("yizheng", item, first.pk)
        ok(ApiClient("yizheng").act(item.pk, "submit_measure", {"measure": first.pk}))
        assert "review_measure" in _offered("coordinator", item)  # the list's owner
        assert "review_measure" not in _offered("leader", item)


def test_a_measure_is_added_edited_and_its_unit_then_sees_the_item(cast, item):
    with frozen(DAY):
        assert ApiClient("zhongyi").get(f"/cases/{item.pk}").status_code == 404
        ok(ApiClient("yizheng").act(item.pk, "add_measure", {
            "text": "中医急救协同", "owner_unit": "zhongyi", "deadline": "2026-05-29",
        }))  # fmt: skip
        third = _measures(item)[2]
        assert (third.seq, third.unit_id, third.weight) == (3, cast.zhongyi.pk, 1)
        assert ApiClient("zhongyi").get(f"/cases/{item.pk}").status_code == 200
        assert CaseUnit.objects.filter(case=item, unit=cast.zhongyi).exists()
        refused = ApiClient("coordinator").act(
            item.pk, "add_measure", {"text": "x", "owner_unit": "nowhere", "deadline": "2026-05-29"}
        )
        assert (refused.status_code, refused.json()["field"]) == (400, "owner_unit")
        ok(ApiClient("coordinator").act(item.pk, "edit_measure", {
            "measure": third.pk, "deadline": "2026-06-12", "weight": 2,
        }))  # fmt: skip
        assert (
            ApiClient("yizheng")
            .act(item.pk, "edit_measure", {"measure": third.pk, "weight": 5})
            .status_code
            == 403
        )
    third.refresh_from_db()
    assert (third.deadline, third.weight) == (date(2026, 6, 12), 2)


def test_a_refused_strike_off_goes_back_with_its_reason(cast, item):
    first, second = _measures(item)
    office, lead = ApiClient("coordinator"), ApiClient("yizheng")
    with frozen(DAY):
        for m, who in ((first, "yizheng"), (second, "jiceng")):
            _evidence(who, item, m.pk)
            ok(ApiClient(who).act(item.pk, "submit_measure", {"measure": m.pk}))
        refused = ok(office.act(item.pk, "review_measure",
                                {"measure": first.pk, "approved": False, "comment": "材料不全"}))  # fmt: skip
        assert refused["state"] == State.HANDLING
        first.refresh_from_db()
        assert first.status == MeasureStatus.IN_PROGRESS and first.refused_reason == "材料不全"
        ok(lead.act(item.pk, "submit_measure", {"measure": first.pk}))
        for m in (first, second):
            ok(office.act(item.pk, "review_measure", {"measure": m.pk, "approved": True}))
        ok(lead.act(item.pk, "request_strike_off", {"note": "完成"}))
        no_reason = office.act(item.pk, "strike_off", {"approved": False})
        assert (no_reason.status_code, no_reason.json()["field"]) == (400, "comment")
        back = ok(office.act(item.pk, "strike_off", {"approved": False, "comment": "指标未达到"}))
    assert back["state"] == State.HANDLING
    assert back["timeline"][-1]["details"]["comment"] == "指标未达到"
    row = Item.objects.get(pk=item.pk)
    assert row.completed_on is None and row.progress == 100


def test_a_struck_off_measure_is_reopened(cast, item):
    first, _ = _measures(item)
    office = ApiClient("coordinator")
    with frozen(DAY):
        _evidence("yizheng", item, first.pk)
        ok(ApiClient("yizheng").act(item.pk, "submit_measure", {"measure": first.pk}))
        ok(office.act(item.pk, "review_measure", {"measure": first.pk, "approved": True}))
        assert "reopen_measure" in _offered("coordinator", item)
        assert office.act(item.pk, "reopen_measure", {"measure": first.pk}).status_code == 422
        ok(office.act(item.pk, "reopen_measure", {"measure": first.pk, "reason": "问题反弹"}))
    first.refresh_from_db()
    assert first.status != MeasureStatus.STRUCK_OFF and first.struck_off_on is None
    assert Item.objects.get(pk=item.pk).progress < 25


def test_a_retried_action_is_done_once(cast, item):
    first, _ = _measures(item)
    api = ApiClient("yizheng")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api.token}", "HTTP_IDEMPOTENCY_KEY": "progress-0001"}
    body = {"measure": first.pk, "text": "推进", "percent": 40}
    with frozen(DAY):
        answers = [
            api.client.post(
                f"{BASE}/cases/{item.pk}/actions/report_progress",
                body,
                content_type="application/json",
                **headers,
            )  # fmt: skip
            for _ in range(2)
        ]
    assert [r.status_code for r in answers] == [200, 200]
    assert Progress.objects.filter(item_id=item.pk).count() == 1


def test_the_owner_and_delegates_see_every_item_of_the_list(cast):
    """The reviewers of 销号 see every item of the list: they are office staff, leaders or
    viewers (who see every case); a unit head cannot be made one, through any door."""
    from cases.tests.factories import make_unit, make_user
    from orgs.models import Role

    ducha = make_unit("ducha", "督查室")
    make_user("ducha_head", (ducha, Role.HEAD))
    answer = ApiClient("coordinator").post(
        "/lists", {"name": "专项整治清单", "starts_on": "2026-03-02", "owner": "ducha_head"}
    )
    assert answer.status_code == 400, answer.content
    assert "清单负责人" in answer.json()["detail"]
    rect_list = make_list(cast, owner=cast.viewer)
    case = make_item(cast, rect_list)
    with frozen(DAY):
        seen = ok(ApiClient("viewer").get(f"/lists/{rect_list.pk}"))
        assert [i["id"] for i in seen["items"]] == [case.pk]
        assert ApiClient("viewer").get(f"/cases/{case.pk}").status_code == 200
