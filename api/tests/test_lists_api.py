"""The lists through the API (/api/v1/lists …): scoping and paging, one list with its items,
measures and lights in a fixed number of queries, making a list and adding an item (403,
422, Idempotency-Key), 佐证材料 by multipart, and an item's whole life through the cases'
action endpoint: progress → evidence → submit → review → request → strike off → reopen."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.models import IdempotencyKey
from api.tests.helpers import BASE, ApiClient, ok
from lists.actions import MeasureIn
from lists.models import Item, Measure, RectList
from lists.tests.factories import START, make_item, make_list, pdf
from reminders.tests.conftest import frozen

pytestmark = pytest.mark.django_db
DAY = date(2026, 4, 1)


def _measures(case):
    return list(Measure.objects.filter(item_id=case.pk).order_by("seq"))


def _upload(api, case_id, measure_id=None, name="佐证.pdf"):
    data = {"file": pdf(name)}
    if measure_id is not None:
        data["measure"] = str(measure_id)
    return api.client.post(
        f"{BASE}/lists/items/{case_id}/evidence", data, HTTP_AUTHORIZATION=f"Bearer {api.token}"
    )


def _list_body(**over):
    body = {
        "name": "形式主义官僚主义专项整治",
        "kind": "projects",
        "origin": "委党组",
        "reports_to": "委党组",
        "starts_on": "2026-03-02",
        "ends_on": "2026-12-31",
    }
    return body | over


def _item_body(**over):
    body = {
        "title": "发文数量偏多",
        "lead_unit": "yizheng",
        "deadline": "2026-09-30",
        "category": "文风会风",
        "leader": "leader",
        "co_units": ["zhongyi"],
        "indicator": {"name": "发文量", "unit": "件", "baseline": 120, "target": 84,
                      "direction": "down"},
        "measures": [
            {"text": "严格发文审核", "unit": "yizheng", "deadline": "2026-06-30"},
            {"text": "合并同类文件", "unit": "jiceng", "deadline": "2026-08-31",
             "handler": "", "weight": 2},
        ],
    }  # fmt: skip
    return body | over


# --- GET /lists --------------------------------------------------------------------------


def test_the_lists_are_scoped_counted_and_paged(cast):
    first = make_list(cast, name="履职测评问题清单")
    second = make_list(cast, name="党建工作台账")
    make_item(cast, first)  # 医政医管处 leads, 基层卫生健康处 owns a measure
    make_item(cast, first, measures=[], title="事项二")
    with frozen(DAY):
        seen = ok(ApiClient("coordinator").get("/lists"))
        assert seen["count"] == 2 and seen["pages"] == 1
        assert [r["code"] for r in seen["items"]] == [second.code, first.code]  # newest first
        row = seen["items"][1]
        assert row["owner"] == "coordinator" and row["reports_to"] == "市人大常委会"
        assert row["counts"] == {"items": 2, "items_struck_off": 0}
        paged = ok(ApiClient("viewer").get("/lists", {"page": 2, "page_size": 1}))
        assert paged["count"] == 2 and paged["pages"] == 2
        assert [r["id"] for r in paged["items"]] == [first.pk]
        # A unit sees the lists in which it leads an item or owns a measure.
        assert [r["id"] for r in ok(ApiClient("jiceng").get("/lists"))["items"]] == [first.pk]
        assert ok(ApiClient("zhongyi").get("/lists")) == {
            "count": 0, "page": 1, "pages": 1, "items": [],
        }  # fmt: skip
        bad = ApiClient("coordinator").get("/lists", {"page_size": 1000})
    assert bad.status_code == 422 and "每页条数" in bad.json()["detail"]


# --- GET /lists/{id} ---------------------------------------------------------------------


def test_a_list_with_its_items_measures_and_lights(cast):
    rect_list = make_list(cast)
    case = make_item(cast, rect_list)
    first, second = _measures(case)
    with frozen(DAY):
        api = ApiClient("yizheng")
        assert _upload(api, case.pk, first.pk).status_code == 201
        api.act(case.pk, "report_progress", {"measure": first.pk, "text": "初稿", "percent": 60})
        found = ok(ApiClient("coordinator").get(f"/lists/{rect_list.pk}"))
    assert found["code"] == "QD2026-01" and found["counts"]["items"] == 1
    (item,) = found["items"]
    assert item["id"] == case.pk and item["number"] == "QD2026-01-001"
    assert item["state"] == "handling" and item["state_label"] == "整改中"
    assert item["lead_unit"] == "yizheng" and item["leader_name"] == "李主任"
    assert item["indicator"]["baseline"] == 61.0 and item["indicator"]["direction"] == "up"
    assert item["progress"] == 15  # (60×1 + 0×3) / 4
    m1, m2 = item["measures"]
    assert (m1["id"], m1["unit"], m1["percent"], m1["status"]) == (
        first.pk, "yizheng", 60, "in_progress",
    )  # fmt: skip
    assert len(m1["evidence"]) == 1 and m2["evidence"] == []
    # 2026-04-01: 60% done with 22 of the first measure's 41 working days used: 正常; the
    # second, nothing done with 22 of 83 used (26% > the margin of 20): 滞后; the item at
    # 15% (26 − 15 ≤ 20): 正常.
    assert (m1["light"], m2["light"], item["light"]) == ("normal", "behind", "normal")


def test_a_unit_sees_only_its_items_and_an_invisible_list_is_404(cast):
    rect_list = make_list(cast)
    mine = make_item(cast, rect_list)
    make_item(cast, rect_list, title="中医事项", lead_unit=cast.zhongyi,
              measures=[MeasureIn("中医举措", cast.zhongyi, date(2026, 5, 29))])  # fmt: skip
    with frozen(DAY):
        seen = ok(ApiClient("jiceng").get(f"/lists/{rect_list.pk}"))
        assert [i["id"] for i in seen["items"]] == [mine.pk]
        assert len(ok(ApiClient("leader").get(f"/lists/{rect_list.pk}"))["items"]) == 2
        other = make_list(cast, name="另一个清单")
        for path in (f"/lists/{other.pk}", "/lists/999999", "/lists/abc"):
            response = ApiClient("jiceng").get(path)
            assert response.status_code == 404, path
        assert ApiClient("outsider").get(f"/lists/{rect_list.pk}").json() == {
            "detail": "清单不存在"
        }


def _queries_for_list(cast, rect_list):
    api = ApiClient("coordinator")
    with frozen(DAY), CaptureQueriesContext(connection) as seen:
        ok(api.get(f"/lists/{rect_list.pk}"))
    return len(seen)


def test_a_list_is_read_in_a_fixed_number_of_queries(cast):
    rect_list = make_list(cast)
    make_item(cast, rect_list)
    one = _queries_for_list(cast, rect_list)
    for n in range(6):
        case = make_item(cast, rect_list, title=f"事项{n}", co_units=[cast.zhongyi])
        with frozen(DAY):
            ApiClient("yizheng")  # a token per user is made once
            _upload(ApiClient("yizheng"), case.pk, _measures(case)[0].pk)
    assert _queries_for_list(cast, rect_list) == one
    assert one <= 12


# --- POST /lists -------------------------------------------------------------------------


def test_the_office_makes_a_list_once_per_key(cast):
    api = ApiClient("coordinator")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api.token}", "HTTP_IDEMPOTENCY_KEY": "list-key-0001"}
    body = _list_body(owner="leader", delegates=["viewer"])
    with frozen(DAY):
        made = api.client.post(f"{BASE}/lists", body, content_type="application/json", **headers)
        again = api.client.post(f"{BASE}/lists", body, content_type="application/json", **headers)
    first = ok(made, 201)
    assert first["code"] == "QD2026-01" and first["owner"] == "leader"
    assert first["delegates"] == ["viewer"] and first["kind"] == "projects"
    assert ok(again, 201)["id"] == first["id"]
    assert RectList.objects.count() == 1
    assert IdempotencyKey.objects.get(key="list-key-0001").summary == str(first["id"])


@pytest.mark.parametrize("username", ["leader", "viewer", "yizheng", "outsider"])
def test_only_the_office_makes_lists(cast, username):
    with frozen(DAY):
        response = ApiClient(username).post("/lists", {})  # refused before the body is read
    assert response.status_code == 403
    assert RectList.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_list_body(name=""), "name"),
        (_list_body(starts_on="2026-02-30"), "starts_on"),
        (_list_body(starts_on="1899-01-01"), "starts_on"),
        (_list_body(extra="x"), "extra"),
        (_list_body(name="清单\x00"), "name"),
        (_list_body(delegates="yizheng"), "delegates"),
    ],
)
def test_a_bad_list_body_is_422(cast, body, field):
    with frozen(DAY):
        response = ApiClient("coordinator").post("/lists", body)
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]


def test_refused_list_bodies_name_their_field(cast):
    with frozen(DAY):
        api = ApiClient("coordinator")
        late = api.post("/lists", _list_body(ends_on="2026-01-01"))
        kind = api.post("/lists", _list_body(kind="other"))
        owner = api.post("/lists", _list_body(owner="nobody"))
        not_json = api.post("/lists", raw="{name")
    assert (late.status_code, late.json()["field"]) == (400, "ends_on")
    assert (kind.status_code, kind.json()["field"]) == (400, "kind")
    assert (owner.status_code, owner.json()["field"]) == (400, "owner")
    assert not_json.status_code == 422
    assert RectList.objects.count() == 0


# --- POST /lists/{id}/items --------------------------------------------------------------


def test_an_item_is_added_with_its_measures(cast):
    rect_list = make_list(cast)
    with frozen(DAY):
        made = ok(ApiClient("coordinator").post(f"/lists/{rect_list.pk}/items", _item_body()), 201)
    assert made["category"] == "list_item" and made["number"] == "QD2026-01-001"
    assert made["state"] == "handling" and made["deadline"] == "2026-09-30"
    assert made["leader_in_charge"] == "leader" and made["leader_name"] == "李主任"
    assert made["led_by"] == ""  # 领办 is the 议提案's; an item's leader is its own field
    assert {a["unit"] for a in made["assignments"]} == {"yizheng", "zhongyi", "jiceng"}
    assert "report_progress" in made["available_actions"]
    assert [m["text"] for m in made["measures"]] == ["严格发文审核", "合并同类文件"]
    assert made["measures"][1]["weight"] == 2 and made["item_category"] == "文风会风"
    assert made["indicator"]["target"] == 84.0 and made["list"]["id"] == rect_list.pk
    item = Item.objects.get(pk=made["id"])
    assert item.leader == cast.leader and item.rect_list == rect_list


def test_an_item_s_leader_may_be_free_text(cast):
    rect_list = make_list(cast)
    with frozen(DAY):
        made = ok(
            ApiClient("coordinator").post(
                f"/lists/{rect_list.pk}/items", _item_body(leader="陈副主任", measures=[])
            ),
            201,
        )
    assert made["leader_name"] == "陈副主任" and made["leader_in_charge"] is None
    assert Item.objects.get(pk=made["id"]).leader is None


def test_adding_an_item_is_refused_in_order(cast):
    rect_list = make_list(cast)
    make_item(cast, rect_list)
    path = f"/lists/{rect_list.pk}/items"
    with frozen(DAY):
        assert ApiClient("zhongyi").post(path, _item_body()).status_code == 404  # unseen list
        assert ApiClient("yizheng").post(path, _item_body()).status_code == 403
        api = ApiClient("coordinator")
        unknown = api.post(path, _item_body(lead_unit="nowhere"))
        measure_unit = api.post(
            path, _item_body(measures=[{"text": "x", "unit": "nowhere", "deadline": "2026-06-30"}])
        )
        early = api.post(path, _item_body(deadline="2026-01-05"))
        no_title = api.post(path, _item_body(title=""))
        weight = api.post(
            path,
            _item_body(measures=[{"text": "x", "unit": "yizheng", "deadline": "2026-06-30",
                                  "weight": 0}]),
        )  # fmt: skip
    assert (unknown.status_code, unknown.json()["field"]) == (400, "lead_unit")
    assert (measure_unit.status_code, measure_unit.json()["field"]) == (400, "measures.0.unit")
    assert (early.status_code, early.json()["field"]) == (400, "deadline")
    assert no_title.status_code == 422 and weight.status_code == 422
    assert Item.objects.count() == 1


def test_an_item_is_added_once_per_key(cast):
    rect_list = make_list(cast)
    api = ApiClient("coordinator")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api.token}", "HTTP_IDEMPOTENCY_KEY": "item-key-0001"}
    with frozen(DAY):
        answers = [
            api.client.post(
                f"{BASE}/lists/{rect_list.pk}/items",
                _item_body(),
                content_type="application/json",
                **headers,
            )  # fmt: skip
            for _ in range(2)
        ]
    assert [r.status_code for r in answers] == [201, 201]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert Item.objects.count() == 1


# --- evidence ----------------------------------------------------------------------------


def test_evidence_is_uploaded_by_the_measure_s_unit_only(cast):
    case = make_item(cast, make_list(cast))
    first, second = _measures(case)
    with frozen(DAY):
        mine = _upload(ApiClient("jiceng"), case.pk, second.pk, "席位.pdf")
        other = _upload(ApiClient("jiceng"), case.pk, first.pk)
        unseen = _upload(ApiClient("zhongyi"), case.pk, first.pk)
        wrong = _upload(ApiClient("yizheng"), case.pk, 999999)
        bad = _upload(ApiClient("yizheng"), case.pk, "abc")
        missing = ApiClient("yizheng").client.post(
            f"{BASE}/lists/items/{case.pk}/evidence", {"measure": str(first.pk)},
            HTTP_AUTHORIZATION=f"Bearer {ApiClient('yizheng').token}",
        )  # fmt: skip
    body = ok(mine, 201)
    assert body["filename"] == "席位.pdf" and body["measure"] == second.pk
    assert body["item"] == case.pk
    assert other.status_code == 403 and unseen.status_code == 404
    assert (wrong.status_code, wrong.json()["field"]) == (400, "measure")
    assert bad.status_code == 422 and missing.status_code == 422
    assert list(second.evidence.values_list("attachment_id", flat=True)) == [body["id"]]
    assert first.evidence.count() == 0


def test_evidence_for_a_case_that_is_not_an_item_is_404(cast):
    from cases.tests.factories import register

    other = register(cast, on=START)
    with frozen(DAY):
        assert _upload(ApiClient("coordinator"), other.pk).status_code == 404


# --- the item's life through the actions -------------------------------------------------


def _row(api, case):
    """The item as GET /lists/{id} shows it."""
    rect_list = Item.objects.get(pk=case.pk).rect_list_id
    (row,) = [i for i in ok(api.get(f"/lists/{rect_list}"))["items"] if i["id"] == case.pk]
    return row


def test_an_item_from_progress_to_strike_off_and_back(cast):
    case = make_item(cast, make_list(cast))
    first, second = _measures(case)
    yizheng, jiceng, office = ApiClient("yizheng"), ApiClient("jiceng"), ApiClient("coordinator")
    with frozen(DAY):
        # Progress: a unit on its own measure only; a bad payload is 422.
        ok(yizheng.act(case.pk, "report_progress",
                       {"measure": first.pk, "text": "方案初稿", "percent": 50}))  # fmt: skip
        assert _row(office, case)["progress"] == 12  # (50×1) / 4
        assert jiceng.act(case.pk, "report_progress",
                          {"measure": first.pk, "text": "越权"}).status_code == 403  # fmt: skip
        assert (
            yizheng.act(
                case.pk, "report_progress", {"measure": first.pk, "text": "x", "percent": 150}
            ).status_code
            == 422
        )
        assert yizheng.act(case.pk, "report_progress", {"percent": 10}).status_code == 422
        assert yizheng.act(case.pk, "report_progress", raw="[").status_code == 422
        # Submitting without evidence is refused; with it, done.
        refused = yizheng.act(case.pk, "submit_measure", {"measure": first.pk})
        assert refused.status_code == 400 and "佐证材料" in refused.json()["detail"]
        assert _upload(yizheng, case.pk, first.pk).status_code == 201
        ok(yizheng.act(case.pk, "submit_measure", {"measure": first.pk, "note": "已印发"}))
        # Only the reviewer (the list's owner) reviews; a refusal needs its reason.
        assert "review_measure" not in ok(yizheng.get(f"/cases/{case.pk}"))["available_actions"]
        assert (
            yizheng.act(
                case.pk, "review_measure", {"measure": first.pk, "approved": True}
            ).status_code
            == 403
        )
        no_reason = office.act(case.pk, "review_measure", {"measure": first.pk, "approved": False})
        assert (no_reason.status_code, no_reason.json()["field"]) == (400, "comment")
        assert "review_measure" in ok(office.get(f"/cases/{case.pk}"))["available_actions"]
        ok(office.act(case.pk, "review_measure", {"measure": first.pk, "approved": True}))
        # The item may not be requested while a measure is open.
        early = yizheng.act(case.pk, "request_strike_off", {"note": "完成"})
        assert early.status_code in (400, 403)
        assert _upload(jiceng, case.pk, second.pk).status_code == 201
        ok(jiceng.act(case.pk, "submit_measure", {"measure": second.pk}))
        ok(office.act(case.pk, "review_measure", {"measure": second.pk, "approved": True}))
        assert jiceng.act(case.pk, "request_strike_off", {}).status_code == 403  # not the lead
        assert "request_strike_off" in ok(yizheng.get(f"/cases/{case.pk}"))["available_actions"]
        requested = ok(yizheng.act(case.pk, "request_strike_off", {"note": "整改完成"}))
        assert requested["state"] == "reviewing"
        assert yizheng.act(case.pk, "strike_off", {"approved": True}).status_code == 403
        assert office.act(case.pk, "strike_off", {"approved": "maybe"}).status_code == 422
        closed = ok(office.act(case.pk, "strike_off", {"approved": True, "comment": "同意"}))
        assert closed["state"] == "closed"
        row = _row(office, case)
        assert (row["progress"], row["light"], row["struck_off_on"]) == (100, "done", "2026-04-01")
        # 问题反弹: the reviewer or the office, with a reason; never the unit.
        assert yizheng.act(case.pk, "reopen", {"reason": "反弹"}).status_code == 403
        assert office.act(case.pk, "reopen", {}).status_code == 422
        back = ok(office.act(case.pk, "reopen",
                             {"reason": "群众反映又出现占线", "deadline": "2026-08-31"}))  # fmt: skip
    assert back["state"] == "handling" and back["deadline"] == "2026-08-31"
    actions_done = [e["action"] for e in back["timeline"]]
    assert actions_done[-1] == "reopen" and actions_done.count("review_measure") == 2
    item = Item.objects.get(pk=case.pk)
    assert item.struck_off_on is None and item.completed_on is None


def test_get_case_shows_the_item_s_fields(cast):
    case = make_item(cast, make_list(cast))
    with frozen(DAY):
        found = ok(ApiClient("coordinator").get(f"/cases/{case.pk}"))
        done = ok(ApiClient("coordinator").act(case.pk, "report_progress", {"text": "整体推进"}))
    assert found["progress"] == 0 and len(found["measures"]) == 2
    assert done["seq"] == 1 and len(done["measures"]) == 2


def test_the_openapi_document_lists_the_lists_endpoints(cast):
    with frozen(DAY):
        document = ok(ApiClient("coordinator").get("/openapi.json"))
    paths = document["paths"]
    assert set(paths[f"{BASE}/lists"]) == {"get", "post"}
    assert set(paths[f"{BASE}/lists/{{list_id}}"]) == {"get"}
    assert set(paths[f"{BASE}/lists/{{list_id}}/items"]) == {"post"}
    upload = paths[f"{BASE}/lists/items/{{item_id}}/evidence"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    for action in ("report_progress", "submit_measure", "review_measure", "request_strike_off",
                   "strike_off", "reopen"):  # fmt: skip
        assert f"{BASE}/cases/{{case_id}}/actions/{action}" in paths, action
