"""The registration page (/supervision/new/): who may use it, what it refuses (in Chinese,
beside the field, with nothing written), and registering with or without 交办 in one go."""

from datetime import date

import pytest

from cases.models import Assignment, Case
from reminders.tests.conftest import frozen
from supervision.models import ItemNumber, Milestone, Supervision
from supervision.tests.board.conftest import TODAY
from workflow.vocabulary import State

pytestmark = pytest.mark.django_db

URL = "/supervision/new/"
BASE = {
    "source": "leader_instruction",
    "urgency": "red",
    "title": "落实急救电话10秒接听率",
    "document_number": "委领导批示〔2026〕12号",
    "issuer": "委办公室",
    "document_date": "2026-11-06",
    "received_on": "2026-11-09",
    "instruction": "请医政处抓紧落实，11月底前报结果。\n请督查室跟踪。",
    "content": "急救电话10秒接听率须达到99%以上。",
}


def post(client, user, data):
    client.force_login(user)
    with frozen(TODAY):
        return client.post(URL, data)


def errors(response) -> dict[str, list[str]]:
    form = response.context["form"]
    return {name: [str(e) for e in errs] for name, errs in form.errors.items()}


# ── who ────────────────────────────────────────────────────────────────────────────────


def test_anonymous_goes_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("who", ["leader", "viewer", "admin", "yizheng_head", "outsider"])
def test_only_the_coordinator_may_register(client, cast, who):
    user = getattr(cast, who)
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert post(client, user, BASE | {"lead_unit": "yizheng"}).status_code == 403
    assert not Case.objects.exists()


def test_the_form_offers_the_six_sources_and_four_colours(client, cast):
    client.force_login(cast.coordinator)
    with frozen(TODAY):
        response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    for label in (
        "上级重大决策部署和重要文件", "上级领导批示、交办事项及建议提案", "重要会议议定事项",
        "委主要领导批示、交办事项", "市委办、市政府办督查督办事项", "人民群众关心的热点问题",
    ):  # fmt: skip
        assert label in page
    # Each colour is a radio button with its name as its label, not a colour alone.
    for value, label in (("red", "红色（特急）"), ("yellow", "黄色（紧急）"),
                         ("blue", "蓝色（一般）"), ("green", "绿色（常规）")):  # fmt: skip
        assert f'type="radio" name="urgency" value="{value}"' in page
        assert 'for="reg-urgency_' in page and label in page
    assert 'value="2026-11-09"' in page  # 收到日期 defaults to today
    assert "医政医管处" in page and "市发改委" in page  # lead-unit and co-unit choices
    assert "李主任" in page  # the leaders


# ── refusals ───────────────────────────────────────────────────────────────────────────


def test_missing_fields_are_named_in_chinese(client, cast):
    response = post(client, cast.coordinator, {"received_on": "2026-11-09"})
    assert response.status_code == 400
    found = errors(response)
    assert found["source"] == ["请选择督办来源"]
    assert found["urgency"] == ["请选择紧急程度"]
    assert found["title"] == ["请填写督办事项"]
    page = response.content.decode()
    assert "请选择督办来源" in page and "is-invalid" in page
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"urgency": "purple"}, "urgency", "紧急程度不在可选范围内"),
        ({"source": "rumour"}, "source", "督办来源不在可选范围内"),
        ({"received_on": "2026-11-10"}, "received_on", "收到日期不能晚于今天"),
        ({"received_on": "11/09/2026"}, "received_on", "请填写正确的日期（年-月-日）"),
        ({"document_date": "2026-11-10"}, "document_date", "来文日期不能晚于收到日期"),
        ({"document_date": "1899-01-01"}, "document_date", "来文日期须在"),
        ({"title": "落实\x00急救"}, "title", "控制字符"),
        ({"title": "长" * 301}, "title", "督办事项不能超过300个字符"),
        ({"co_units": ["jiceng"]}, "lead_unit", "请选择承办单位"),
        ({"deadline": "2026-11-30"}, "lead_unit", "请选择承办单位"),
        ({"lead_unit": "nowhere"}, "lead_unit", "承办单位不在可选范围内"),
        ({"lead_unit": "fagaiwei"}, "lead_unit", "承办单位不在可选范围内"),  # external
        ({"lead_unit": "yizheng", "co_units": ["nowhere"]}, "co_units", "协办单位不在可选范围内"),
        ({"lead_unit": "yizheng", "leader_in_charge": "yizheng"}, "leader_in_charge", "不在可选范围内"),
        ({"lead_unit": "yizheng", "milestone_title_1": "制定方案"}, "milestone_due_1", "完成时限"),
        ({"lead_unit": "yizheng", "milestone_due_2": "2026-11-10"}, "milestone_title_2", "内容"),
    ],
)  # fmt: skip
def test_bad_values_are_refused_beside_their_field(client, cast, change, field, message):
    response = post(client, cast.coordinator, BASE | change)
    assert response.status_code == 400
    assert any(message in e for e in errors(response).get(field, [])), errors(response)
    assert not Case.objects.exists()


def test_a_refused_assign_registers_nothing(client, cast):
    """The action's refusals come back beside the field; the registration is undone with
    the 交办 (one transaction), so no item and no number is left behind."""
    response = post(
        client, cast.coordinator,
        BASE | {"lead_unit": "yizheng", "co_units": ["yizheng"]},
    )  # fmt: skip
    assert response.status_code == 400
    assert errors(response)["co_units"] == ["协办处室不能与主办处室相同"]
    response = post(
        client, cast.coordinator, BASE | {"lead_unit": "yizheng", "deadline": "2026-11-09"}
    )
    assert errors(response)["deadline"] == ["办理期限须晚于交办日期"]
    # Red: due 11-12; a milestone after it is refused, above the form and in its fieldset.
    response = post(
        client, cast.coordinator,
        BASE | {"lead_unit": "yizheng", "milestone_title_1": "制定方案", "milestone_due_1": "2026-11-20"},
    )  # fmt: skip
    assert response.status_code == 400
    assert response.context["form"].milestone_errors == [
        "阶段性目标的时限须在交办日期之后、办理期限之前"
    ]
    assert 'id="reg-milestones-error"' in response.content.decode()
    assert not Case.objects.exists() and not Supervision.objects.exists()
    assert not ItemNumber.objects.filter(last__gt=0).exists()


# ── registering ────────────────────────────────────────────────────────────────────────


def test_register_without_assigning(client, cast):
    response = post(client, cast.coordinator, BASE)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    item = Supervision.objects.get(pk=case.pk)
    assert (case.number, case.state, case.issuer, case.received_on, case.is_key) == (
        "DB2026-0001",
        State.REGISTERED,
        "委办公室",
        TODAY,
        True,
    )
    assert (item.source, item.urgency, item.document_number, item.document_date) == (
        "leader_instruction",
        "red",
        "委领导批示〔2026〕12号",
        date(2026, 11, 6),
    )
    assert item.instruction.startswith("请医政处抓紧落实") and item.notice_number is None
    assert case.deadline is None and case.lead_unit is None
    with frozen(TODAY):
        page = client.get(response["Location"]).content.decode()
    assert "已登记督办事项 DB2026-0001，待交办" in page


def test_register_and_assign_in_one_go(client, cast):
    data = BASE | {
        "lead_unit": "yizheng",
        "co_units": ["jiceng", "fagaiwei"],
        "leader_in_charge": "leader",
        "milestone_title_1": "制定整改方案",
        "milestone_due_1": "2026-11-10",
        "milestone_title_3": "完成系统改造",  # rows may be left empty in between
        "milestone_due_3": "2026-11-11",
    }
    response = post(client, cast.coordinator, data)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    item = Supervision.objects.get(pk=case.pk)
    # Red: three working days from Monday 11-09.
    assert (case.state, case.lead_unit, case.assigned_on, case.deadline) == (
        State.ASSIGNED,
        cast.yizheng,
        TODAY,
        date(2026, 11, 12),
    )
    assert case.leader_in_charge == cast.leader and item.notice_number == 1
    co = set(Assignment.objects.filter(case=case, kind="co").values_list("unit__code", flat=True))
    assert co == {"jiceng", "fagaiwei"}
    assert list(Milestone.objects.filter(case=case).values_list("title", "due")) == [
        ("制定整改方案", date(2026, 11, 10)),
        ("完成系统改造", date(2026, 11, 11)),
    ]
    with frozen(TODAY):
        page = client.get(response["Location"]).content.decode()
    assert "并已交办，办理期限2026年11月12日" in page


def test_a_stated_deadline_wins_over_the_colour(client, cast):
    post(client, cast.coordinator, BASE | {"urgency": "green", "lead_unit": "jiceng",
                                           "deadline": "2026-11-30"})  # fmt: skip
    case = Case.objects.get()
    assert case.deadline == date(2026, 11, 30) and case.explicit_deadline == date(2026, 11, 30)
    assert case.leader_in_charge is None and not case.is_key
