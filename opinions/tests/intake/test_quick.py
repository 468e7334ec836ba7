"""快速登记 (/opinions/quick/): who may use it, the defaults (channel remembered, time now in
Asia/Shanghai), what a save does and shows (number, similar open opinions with 并件, today's
entries), and input that is refused without a 500."""

from datetime import datetime

import pytest
from django.urls import reverse

from audit.chain import changes_allowed
from audit.models import AuditEvent
from cases.models import Case
from opinions.models import Opinion
from opinions.quick import SESSION_CHANNEL

from .conftest import SHANGHAI

pytestmark = pytest.mark.django_db
URL = "/opinions/quick/"


def _post(client, **overrides):
    data = {
        "channel": "phone",
        "received_at": "2026-04-15 09:12",
        "requester": "王女士",
        "phone": "13812341234",
        "content": "市一院门诊挂号排队两个小时，希望增加窗口。",
        "campaign": "",
    }
    data.update(overrides)
    return client.post(URL, data)


def test_the_url_is_the_named_route():
    assert reverse("opinions_intake:quick") == URL


def test_anonymous_goes_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("who", ["leader", "viewer", "yizheng_head", "yizheng_handler", "outsider"])
def test_only_the_registrar_may_enter(cast, client_for, who):
    client = client_for(getattr(cast, who))
    assert client.get(URL).status_code == 403
    assert _post(client).status_code == 403
    assert not Case.objects.filter(category="public_opinion").exists()


def test_the_empty_form_defaults_to_phone_and_now(cast, client_for, clock):
    response = client_for(cast.coordinator).get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["channel"].value() == "phone"
    assert form["received_at"].value() == datetime(2026, 4, 15, 10, 30)  # shown in local time
    html = response.content.decode()
    assert 'value="2026-04-15 10:30"' in html  # local time, not UTC
    assert 'id="quick-channel"' in html and "autofocus" in html
    assert 'data-enter-submits="1"' in html
    assert "opinions/intake.js" in html
    assert "<script>" not in html  # no inline script (CSP)


def test_a_save_registers_through_the_action_and_comes_back_empty(cast, client_for, clock):
    client = client_for(cast.coordinator)
    response = _post(client, channel="wechat")
    assert response.status_code == 302 and response["Location"] == URL
    case = Case.objects.get(category="public_opinion")
    opinion = Opinion.objects.get(pk=case.pk)
    assert opinion.channel == "wechat"
    assert opinion.received_at == datetime(2026, 4, 15, 9, 12, tzinfo=SHANGHAI)
    assert (opinion.requester, opinion.phone) == ("王女士", "13812341234")
    assert case.content == "市一院门诊挂号排队两个小时，希望增加窗口。"
    assert case.received_on.isoformat() == "2026-04-15"
    assert case.deadline.isoformat() == "2026-04-22"  # 5 working days
    event = AuditEvent.objects.get(case=case)
    assert (event.action, event.actor) == ("register", cast.coordinator)

    page = client.get(URL)
    html = page.content.decode()
    assert f'已登记 <a class="fw-semibold" href="/cases/{case.pk}/">{case.number}</a>' in html
    assert opinion.code in html
    form = page.context["form"]
    assert form["content"].value() in (None, "")  # cleared
    assert form["channel"].value() == "wechat"  # remembered
    assert client.session[SESSION_CHANNEL] == "wechat"
    today = page.context["today_entries"]
    assert [row["case"].pk for row in today] == [case.pk]


def test_a_query_parameter_chooses_the_channel(cast, client_for, clock):
    client = client_for(cast.coordinator)
    assert client.get(URL + "?channel=visit").context["form"]["channel"].value() == "visit"
    assert client.get(URL + "?channel=nonsense").context["form"]["channel"].value() == "phone"


def test_today_lists_only_this_users_entries_of_today(cast, client_for, clock, opinion):
    from datetime import timedelta

    from cases.tests.factories import make_user
    from orgs.models import Role

    client = client_for(cast.coordinator)
    _post(client, content="昨天登记的意见")
    with changes_allowed():  # PostgreSQL refuses changing audit rows otherwise (issue 16)
        AuditEvent.objects.filter(case__content="昨天登记的意见").update(
            at=datetime(2026, 4, 14, 23, 50, tzinfo=SHANGHAI)
        )
    colleague = make_user("clerk2", (cast.office, Role.COORDINATOR))
    _post(client_for(colleague), content="同事登记的意见")
    rows = client.get(URL).context["today_entries"]
    assert rows == []
    for i in range(22):
        clock.shift(timedelta(minutes=1))
        _post(client, content=f"第{i}条意见：医院食堂饭菜太贵", received_at="2026-04-15 08:00")
    rows = client.get(URL).context["today_entries"]
    assert len(rows) == 20  # the last 20, newest first
    assert rows[0]["case"].content == "第21条意见：医院食堂饭菜太贵"
    assert rows[-1]["case"].content == "第2条意见：医院食堂饭菜太贵"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("content", "", "请填写意见内容"),
        ("content", "内容\x00有空字符", "不能含有控制字符"),
        ("requester", "王\x07女士", "不能含有控制字符"),
        ("phone", "138-abc", "电话号码只能包含数字"),
        ("phone", "1" * 21, "不能超过20个字符"),
        ("requester", "名" * 51, "不能超过50个字符"),
        ("received_at", "2026-04-16 09:00", "收到时间不能晚于现在"),
        ("received_at", "昨天下午", "收到时间格式应为"),
        ("channel", "fax", "选择一个有效的选项"),
        ("campaign", "999", "请选择列表中的征集活动"),
    ],
)
def test_bad_input_is_refused_with_a_reason(cast, client_for, clock, field, value, message):
    response = _post(client_for(cast.coordinator), **{field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Case.objects.filter(category="public_opinion").exists()


def test_similar_open_opinions_are_shown_with_a_merge_button(cast, client_for, clock, opinion):
    earlier = opinion("人民医院停车太难了，建议增加停车位", phone="13900000000")
    same_caller = opinion("别的事情：护士态度不好", phone="13812341234")
    client = client_for(cast.coordinator)
    _post(client, content="人民医院停车难，希望多建一些停车位", phone="13812341234")
    saved = Case.objects.filter(category="public_opinion").latest("pk")
    page = client.get(URL)
    shown = [row["case"].pk for row in page.context["saved"]["similar"]]
    assert shown == [same_caller.pk, earlier.pk]  # the same phone first
    html = page.content.decode()
    assert f'action="/cases/{saved.pk}/actions/merge/"' in html
    assert f'name="into" value="{earlier.pk}"' in html
    assert "同一电话" in html

    # The button posts to the case's own merge action.
    response = client.post(f"/cases/{saved.pk}/actions/merge/", {"into": earlier.pk})
    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.state == "merged"
    assert Opinion.objects.get(pk=saved.pk).merged_into_id == earlier.pk
    # A merged opinion has no merge button any more.
    assert "actions/merge/" not in client.get(URL).content.decode()


def test_no_similar_section_without_similar_opinions(cast, client_for, clock, opinion):
    opinion("村卫生室医生经常不在岗")
    client = client_for(cast.coordinator)
    _post(client, content="建议市中心医院延长夜间门诊时间", phone="")
    page = client.get(URL)
    assert page.context["saved"]["similar"] == []
    assert "相似的在办意见" not in page.content.decode()


def test_other_methods_are_refused(cast, client_for):
    assert client_for(cast.coordinator).put(URL).status_code == 405


def test_the_cursor_goes_to_the_first_wrong_field(cast, client_for, clock):
    response = _post(client_for(cast.coordinator), content="", phone="abc")
    field = response.context["form"].fields
    assert "autofocus" not in field["channel"].widget.attrs
    assert field["phone"].widget.attrs.get("autofocus") is True
    assert "is-invalid" in field["content"].widget.attrs["class"]


def test_the_time_is_one_text_box_and_takes_common_spellings(cast, client_for, clock):
    html = client_for(cast.coordinator).get(URL).content.decode()
    assert 'type="datetime-local"' not in html  # five Tab stops
    client = client_for(cast.coordinator)
    for typed in ("2026-04-15T08:05", "2026/04/15 08:05"):
        assert _post(client, received_at=typed).status_code == 302
    times = {o.received_at for o in Opinion.objects.all()}
    assert times == {datetime(2026, 4, 15, 8, 5, tzinfo=SHANGHAI)}
