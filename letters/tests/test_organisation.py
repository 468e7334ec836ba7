"""发文设置: the console page (administrators only, audited), the refusal of letters while
it has placeholders (web and API alike), the commission's name in the page header."""

from datetime import date

import pytest
import time_machine
from django.test import Client

from api.tests.helpers import ApiClient
from audit.models import AuditEvent
from letters.actions import LetterSetupForbidden, configure_organisation
from letters.models import LetterSeries, Organisation
from letters.setup import current, is_placeholder_code, is_placeholder_name, problems
from letters.tests.conftest import TEST_COMMISSION, configure, unconfigure
from letters.tests.helpers import walk

pytestmark = pytest.mark.django_db

URL = "/console/organisation/"
SETTINGS_HINT = "系统管理 › 发文设置"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(date(2026, 12, 31), tick=False):
        yield


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(**overrides) -> dict[str, str]:
    data = {
        "name": "武汉市卫生健康委员会",
        "code_reply": "武卫函",
        "copy_to_npc_suggestion": "市人大常委会代表工委\n市政府督查室",
        "copy_to_cppcc_proposal": "市政协提案委\n\n市政府督查室",
        "copy_to_co": "",
        "contact": "王晓梅",
        "phone": "027-85550123",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("name", "placeholder"),
    [
        ("", True),
        ("市卫生健康委员会", True),  # the shipped default
        ("X市卫生健康委员会", True),
        ("某市卫生健康委员会", True),
        ("卫生健康委员会", True),
        ("武汉市卫生健康委员会", False),
        ("江城市卫生健康局", False),
    ],
)
def test_placeholder_names(name, placeholder):
    assert is_placeholder_name(name) is placeholder


@pytest.mark.parametrize(
    ("code", "placeholder"),
    [("", True), ("X卫函", True), ("Ｘ卫函", True), ("某卫函", True), ("武卫函", False)],
)
def test_placeholder_codes(code, placeholder):
    assert is_placeholder_code(code) is placeholder


def test_a_new_installation_is_a_placeholder(settings):
    unconfigure()
    settings.HUIYIN_COMMISSION_NAME = "市卫生健康委员会"
    setup = current()
    assert (setup.name, setup.code(), setup.stored) == ("市卫生健康委员会", "", False)
    assert problems(setup) == [
        "机关名称（现为“市卫生健康委员会”）",
        "答复函的发文机关代字（现为“空”）",
    ]


# ── the refusal, web and API ──────────────────────────────────────────────────────────


@pytest.fixture
def replied(cast):
    return walk(cast, lead_proposer={"name": "陈光明", "kind": "deputy"})


def test_web_download_is_refused_with_where_to_set_it(cast, replied):
    unconfigure()
    for user in (cast.coordinator, cast.admin):
        response = login(user).get(f"/cases/{replied.pk}/reply.docx")
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        page = response.content.decode()
        assert "发文设置尚未完成" in page and SETTINGS_HINT in page and URL in page
    # The administrator gets a button to the page; others are told to ask one.
    assert f'href="{URL}"' in page and "前往发文设置" in page
    coordinator_page = login(cast.coordinator).get(f"/cases/{replied.pk}/reply.docx")
    assert "前往发文设置" not in coordinator_page.content.decode()
    assert "请联系系统管理员完成发文设置" in coordinator_page.content.decode()
    # The 征询意见表 names the commission, so it waits for the name too.
    form = login(cast.coordinator).get(f"/cases/{replied.pk}/feedback-form.docx")
    assert form.status_code == 400 and "机关名称" in form.content.decode()


def test_a_letter_with_a_real_name_but_no_code_is_refused_the_form_is_not(cast, replied):
    LetterSeries.objects.all().delete()  # name set, 代字 not
    client = login(cast.coordinator)
    refused = client.get(f"/cases/{replied.pk}/reply.docx")
    assert refused.status_code == 400
    assert "答复函的发文机关代字（现为“空”）" in refused.content.decode()
    assert client.get(f"/cases/{replied.pk}/feedback-form.docx").status_code == 200


def test_api_download_is_refused_with_a_domain_error(cast, replied):
    LetterSeries.objects.update(code="X卫函")  # as the old letters had it
    response = ApiClient("coordinator").get(f"/cases/{replied.pk}/reply.docx")
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "organisation"
    assert "X卫函" in body["detail"] and URL in body["detail"]
    configure()
    fixed = ApiClient("coordinator").get(f"/cases/{replied.pk}/reply.docx")
    assert fixed.status_code == 200 and fixed.content.startswith(b"PK")


# ── the console page ──────────────────────────────────────────────────────────────────


def test_only_administrators_open_the_page(cast):
    assert login(cast.admin).get(URL).status_code == 200
    for user in (cast.coordinator, cast.leader, cast.viewer, cast.yizheng_head):
        assert login(user).get(URL).status_code == 403
        assert login(user).post(URL, form_data()).status_code == 403
    anonymous = Client().get(URL)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert Organisation.objects.get().name == TEST_COMMISSION  # nothing changed


def test_the_action_refuses_others_than_administrators(cast):
    with pytest.raises(LetterSetupForbidden):
        configure_organisation(
            by=cast.coordinator, name="武汉市卫生健康委员会", codes={"reply": "武卫函"}, copy_to={}
        )


def test_page_warns_while_unconfigured_and_shows_the_tab(cast):
    unconfigure()
    html = login(cast.admin).get(URL).content.decode()
    assert "发文设置尚未完成" in html and "答复函的发文机关代字（现为“空”）" in html
    assert 'aria-current="page" href="/console/organisation/"' in html  # the console tab
    assert "还没有签发过答复函" in html


def test_saving_writes_one_audit_event_with_old_and_new_values(cast):
    client = login(cast.admin)
    before = AuditEvent.objects.count()
    response = client.post(URL, form_data())
    assert response.status_code == 302 and response["Location"] == URL
    setup = current()
    assert (setup.name, setup.code(), setup.contact, setup.phone) == (
        "武汉市卫生健康委员会",
        "武卫函",
        "王晓梅",
        "027-85550123",
    )
    assert setup.copy_to["cppcc_proposal"] == ["市政协提案委", "市政府督查室"]
    assert setup.copy_to["co"] == []
    [event] = AuditEvent.objects.filter(pk__gt=0).order_by("-id")[:1]
    assert AuditEvent.objects.count() == before + 1
    assert (event.action, event.subject, event.actor) == (
        "organisation_configured",
        "发文设置",
        cast.admin,
    )
    changes = event.details["changes"]
    assert changes["name"] == [TEST_COMMISSION, "武汉市卫生健康委员会"]
    assert changes["code_reply"] == ["江卫函", "武卫函"]
    assert changes["contact"] == ["", "王晓梅"]
    # Saving the same again changes nothing and records nothing.
    again = client.post(URL, form_data(), follow=True)
    assert "没有修改" in again.content.decode()
    assert AuditEvent.objects.count() == before + 1
    page = client.get(URL).content.decode()
    assert 'value="武卫函"' in page and "发文设置尚未完成" not in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("code_reply", "X卫函", "不能用“X”等占位符"),
        ("code_reply", "WJH", "应为2至10个汉字"),
        ("name", "市卫生健康委员会", "不是完整的机关名称"),
        ("name", "武汉市卫生\x00健康委员会", "控制字符"),
        ("contact", "王\x07晓梅", "控制字符"),
        ("phone", "027-8555<script>", "联系电话只能含数字"),
        ("copy_to_co", "市发改委\x1b", "控制字符"),
        ("copy_to_co", "长" * 61, "不能超过60个字"),
    ],
)
def test_refused_input_keeps_the_form_and_changes_nothing(cast, field, value, message):
    client = login(cast.admin)
    before = AuditEvent.objects.count()  # after the login, which is in the trail
    response = client.post(URL, form_data(**{field: value}))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert current().name == TEST_COMMISSION and current().code() == "江卫函"
    assert AuditEvent.objects.count() == before


# ── the page header ───────────────────────────────────────────────────────────────────


def test_every_page_header_names_the_commission(cast):
    client = login(cast.viewer)
    assert f"{TEST_COMMISSION} · 议提案和群众意见办理" in client.get("/").content.decode()
    configure(name="武汉市卫生健康委员会")
    assert "武汉市卫生健康委员会 · 议提案和群众意见办理" in client.get("/cases/").content.decode()
    assert "武汉市卫生健康委员会" in Client().get("/login/").content.decode()


def test_contact_defaults_for_the_reply_form():
    from letters.setup import contact_defaults

    assert contact_defaults() == ("", "")
    configure(contact="王晓梅", phone="027-85550123")
    assert contact_defaults() == ("王晓梅", "027-85550123")
    unconfigure()
    assert contact_defaults() == ("", "")


def test_a_first_reply_starts_with_the_configured_phone(cast):
    from cases import actions
    from cases.tests.factories import register

    configure(contact="王晓梅", phone="027-85550123")
    with time_machine.travel(date(2026, 3, 10), tick=False):
        case = register(cast, on=date(2026, 3, 2))
        actions.assign_case(
            case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 5)
        )
        actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 3, 6))
        html = login(cast.yizheng_head).get(f"/cases/{case.pk}/").content.decode()
    assert 'value="027-85550123"' in html
