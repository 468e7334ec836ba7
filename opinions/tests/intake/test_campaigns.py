"""征集活动: the writes (validated, audited), the list with its figures, the forms, and who
may see and change them."""

from datetime import date

import pytest

from audit.models import AuditEvent
from huiyin.errors import Forbidden
from opinions import actions
from opinions.campaigns import CampaignError, create_campaign, update_campaign
from opinions.models import Campaign

pytestmark = pytest.mark.django_db
LIST, NEW = "/opinions/campaigns/", "/opinions/campaigns/new/"


def _values(**overrides):
    values = {
        "name": "解放思想大讨论",
        "starts_on": date(2026, 3, 1),
        "ends_on": date(2026, 6, 30),
        "channels": ["book", "web", "phone"],
        "books_issued": 400,
        "books_returned": 353,
        "note": "委机关发放征求意见簿",
    }
    values.update(overrides)
    return values


def test_create_writes_the_campaign_and_one_event(cast):
    campaign = create_campaign(by=cast.coordinator, **_values())
    assert campaign.channels == ["web", "phone", "book"]  # in the channels' own order
    assert (campaign.books_issued, campaign.books_returned) == (400, 353)
    event = AuditEvent.objects.get(action="campaign_create")
    assert event.actor == cast.coordinator
    assert event.subject == "征集活动 解放思想大讨论"
    assert event.details["books_returned"] == 353
    assert event.details["starts_on"] == "2026-03-01"


def test_update_keeps_the_changes_and_writes_nothing_when_nothing_changed(cast):
    campaign = create_campaign(by=cast.coordinator, **_values())
    update_campaign(campaign, by=cast.coordinator, books_returned=360)
    event = AuditEvent.objects.get(action="campaign_update")
    assert event.details["changes"] == {"books_returned": [353, 360]}
    update_campaign(campaign, by=cast.coordinator, **_values(books_returned=360))
    assert AuditEvent.objects.filter(action="campaign_update").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"books_returned": 401}, "books_returned", "不能多于发放的"),
        ({"books_issued": None, "books_returned": 3}, "books_issued", "请同时填写发放数量"),
        ({"books_issued": -1}, "books_issued", "应在0到"),
        ({"ends_on": date(2026, 2, 28)}, "ends_on", "结束日期不能早于开始日期"),
        ({"starts_on": None}, "starts_on", "请填写开始日期"),
        ({"starts_on": date(1999, 12, 31), "ends_on": None}, "starts_on", "不能早于2000年"),
        ({"name": "  "}, "name", "请填写活动名称"),
        ({"name": "活动\x00"}, "name", "不能含有控制字符"),
        ({"name": "长" * 101}, "name", "不能超过100个字符"),
        ({"channels": ["fax"]}, "channels", "不在可选范围内"),
        ({"note": "说明\x1b"}, "note", "不能含有控制字符"),
    ],
)
def test_bad_values_are_refused_naming_the_field(cast, overrides, field, message):
    with pytest.raises(CampaignError) as refused:
        create_campaign(by=cast.coordinator, **_values(**overrides))
    assert refused.value.field == field
    assert message in refused.value.message
    assert not Campaign.objects.exists()
    assert not AuditEvent.objects.filter(action="campaign_create").exists()


def test_names_are_unique_ignoring_case(cast):
    create_campaign(by=cast.coordinator, **_values(name="Open Day"))
    with pytest.raises(CampaignError, match="已有名为"):
        create_campaign(by=cast.coordinator, **_values(name="open day"))
    other = create_campaign(by=cast.coordinator, **_values(name="另一个"))
    with pytest.raises(CampaignError, match="已有名为"):
        update_campaign(other, by=cast.coordinator, name="OPEN DAY")


@pytest.mark.parametrize("who", ["leader", "viewer", "yizheng_head", "outsider"])
def test_only_the_coordinator_writes(cast, who):
    with pytest.raises(Forbidden):
        create_campaign(by=getattr(cast, who), **_values())
    assert not Campaign.objects.exists()


# --- the pages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "list_status", "new_status"),
    [
        ("coordinator", 200, 200),
        ("leader", 200, 403),
        ("viewer", 200, 403),
        ("yizheng_head", 403, 403),
        ("outsider", 403, 403),
    ],
)
def test_who_sees_and_who_edits(cast, client_for, who, list_status, new_status):
    campaign = create_campaign(by=cast.coordinator, **_values())
    client = client_for(getattr(cast, who))
    assert client.get(LIST).status_code == list_status
    assert client.get(NEW).status_code == new_status
    assert client.get(f"/opinions/campaigns/{campaign.pk}/edit/").status_code == new_status
    posted = client.post(NEW, {"name": "x", "starts_on": "2026-01-01"}).status_code
    assert posted == (302 if new_status == 200 else 403)
    assert Campaign.objects.filter(name="x").exists() == (new_status == 200)


def test_anonymous_goes_to_login(client):
    for url in (LIST, NEW, "/opinions/campaigns/1/edit/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_list_shows_the_figures_without_merged_duplicates(cast, client_for, clock, opinion):
    campaign = create_campaign(by=cast.coordinator, **_values())
    create_campaign(
        by=cast.coordinator, **_values(name="空活动", books_issued=None, books_returned=None)
    )
    main = opinion("医院停车难", campaign=campaign)
    duplicate = opinion("医院停车难！", campaign=campaign)
    opinion("护士态度不好", campaign=campaign)
    opinion("不属于活动")
    actions.merge(duplicate, by=cast.coordinator, into=main)
    response = client_for(cast.leader).get(LIST)
    rows = {r["campaign"].name: r for r in response.context["rows"]}
    assert rows["解放思想大讨论"]["campaign"].opinion_count == 2
    assert rows["解放思想大讨论"]["return_rate"] == 88.2
    assert rows["解放思想大讨论"]["channels"] == "网站、电话、意见簿"
    assert rows["空活动"]["campaign"].opinion_count == 0
    assert rows["空活动"]["return_rate"] is None
    html = response.content.decode()
    assert "新建征集活动" not in html  # a leader does not edit


def test_the_form_creates_and_edits(cast, client_for):
    client = client_for(cast.coordinator)
    response = client.post(
        NEW,
        {
            "name": "医院开放日",
            "starts_on": "2026-05-01",
            "ends_on": "",
            "channels": ["book", "visit"],
            "books_issued": "50",
            "books_returned": "",
            "note": "",
        },
    )
    assert response.status_code == 302 and response["Location"] == LIST
    campaign = Campaign.objects.get(name="医院开放日")
    assert campaign.channels == ["book", "visit"] and campaign.ends_on is None
    edit = f"/opinions/campaigns/{campaign.pk}/edit/"
    page = client.get(edit)
    assert page.context["form"]["name"].value() == "医院开放日"
    response = client.post(
        edit,
        {
            "name": "医院开放日",
            "starts_on": "2026-05-01",
            "books_issued": "50",
            "books_returned": "51",
        },
    )
    assert response.status_code == 400
    assert "不能多于发放的" in response.content.decode()
    response = client.post(
        edit,
        {
            "name": "医院开放日",
            "starts_on": "2026-05-01",
            "books_issued": "50",
            "books_returned": "48",
        },
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.books_returned == 48
    assert client.get("/opinions/campaigns/99999/edit/").status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "starts_on": "2026-05-01"}, "请填写活动名称"),
        ({"name": "x", "starts_on": "五月一日"}, "开始日期格式应为"),
        (
            {"name": "x", "starts_on": "2026-05-01", "ends_on": "2026-04-01"},
            "结束日期不能早于开始日期",
        ),
        ({"name": "x", "starts_on": "2026-05-01", "books_issued": "-3"}, "不能为负数"),
        ({"name": "x", "starts_on": "2026-05-01", "books_issued": "abc"}, "请填写整数"),
        ({"name": "x", "starts_on": "2026-05-01", "channels": ["fax"]}, "不在可选范围内"),
        ({"name": "x\x00", "starts_on": "2026-05-01"}, "不能含有控制字符"),
    ],
)
def test_the_form_refuses_bad_input_with_400(cast, client_for, data, message):
    response = client_for(cast.coordinator).post(NEW, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Campaign.objects.exists()
