"""公开预览 on the case page and the 公开答复 card: the masking shown before publishing."""

import re

import pytest

from cases.tests.walks import case_in
from disclosure import actions
from disclosure.models import Disclosure
from disclosure.tests.helpers import FROZEN, signed
from web.tests.pages import case_page_with_cards


def page(client, user, case) -> str:
    """The case page with the forms of its closed cards."""
    client.force_login(user)
    return case_page_with_cards(client, case.pk)


@FROZEN
def test_the_coordinator_sees_the_preview_with_the_masked_parts_marked(client, cast):
    case = signed(cast)
    html = page(client, cast.coordinator, case)
    assert 'id="disclosure"' in html and "公开预览" in html
    assert '<mark title="姓名">张某</mark>' in html
    assert '<mark title="手机号码">139****5678</mark>' in html
    assert '<mark title="门牌地址">***</mark>' in html
    assert "尚未决定是否公开" in html
    count = int(re.search(r'class="hy-masked-count">(\d+)<', html).group(1))
    assert count >= 10
    # The 公开答复 card and its choices.
    assert f'action="/cases/{case.pk}/actions/disclose/"' in html
    assert 'name="mode" value="summary"' in html and 'name="mode" value="none"' in html


@FROZEN
def test_leaders_see_the_preview_the_units_and_viewers_do_not(client, cast):
    case = signed(cast)
    assert "公开预览" in page(client, cast.leader, case)
    leader_html = page(client, cast.leader, case)
    assert "actions/disclose/" not in leader_html  # the coordinator decides
    for user in (cast.yizheng_head, cast.yizheng_handler, cast.viewer):
        assert 'id="disclosure"' not in page(client, user, case)


@pytest.mark.parametrize("state", ["reviewing", "signing"])
@FROZEN
def test_the_draft_on_its_way_to_signing_is_previewed(client, cast, state):
    case = case_in(cast, state, number=f"2026{state}")
    html = page(client, cast.coordinator, case)
    assert "公开预览" in html and "签发后请在“公开答复”中决定" in html
    assert "actions/disclose/" not in html


@FROZEN
def test_no_preview_before_a_draft_reaches_review(client, cast):
    case = case_in(cast, "handling")
    assert 'id="disclosure"' not in page(client, cast.coordinator, case)


@FROZEN
def test_publishing_from_the_card_and_the_decision_shown_after(client, cast):
    case = signed(cast)
    client.force_login(cast.coordinator)
    response = client.post(
        f"/cases/{case.pk}/actions/disclose/", {"mode": "summary", "summary": ""}
    )
    assert response.status_code == 400
    assert "请填写公开摘要" in response.content.decode()
    assert not Disclosure.objects.exists()
    response = client.post(f"/cases/{case.pk}/actions/disclose/", {"mode": "full"})
    assert response.status_code == 302
    found = Disclosure.objects.get(case=case)
    html = page(client, cast.coordinator, case)
    assert "全文公开" in html and f'href="/disclosure/{found.pk}/"' in html
    assert f'action="/cases/{case.pk}/actions/withdraw_disclosure/"' in html
    # The timeline says how it was decided.
    assert "公开答复" in html and f"{found.masked_count}处个人信息" in html


@FROZEN
def test_not_published_shows_the_reason_and_withdrawn_says_so(client, cast):
    case = signed(cast)
    actions.disclose(case, by=cast.coordinator, mode="none", reason="涉及患者隐私")
    html = page(client, cast.coordinator, case)
    assert "不公开" in html and "涉及患者隐私" in html
    actions.disclose(case, by=cast.coordinator, mode="full")
    actions.withdraw_disclosure(case, by=cast.coordinator, reason="内容需要更正")
    html = page(client, cast.leader, case)
    assert "已撤回公开" in html and "内容需要更正" in html


@FROZEN
def test_a_newly_signed_round_asks_for_a_new_decision(client, cast):
    from cases import actions as case_actions
    from cases.tests.walks import GATES

    case = signed(cast)
    actions.disclose(case, by=cast.coordinator, mode="full")
    case_actions.record_feedback(case, by=cast.coordinator, result="unsatisfied")
    case_actions.submit_reply(
        case,
        by=cast.yizheng_head,
        text="第二轮答复：患者王建国的问题已解决。",
        reply_class="A",
        contact="赵科员",
        phone="12345678",
    )
    case_actions.review_reply(case, by=cast.coordinator, passed=True, gates=GATES)
    html = page(client, cast.coordinator, case)
    assert "第2轮答复待签发" in html  # the new draft is previewed
    assert '患者<mark title="姓名">王某某</mark>的问题' in html
    case_actions.sign_reply(case, by=cast.leader, approved=True)
    html = page(client, cast.coordinator, case)
    assert "已有新一轮签发的答复，公开的仍是第1轮的答复" in html
    second = actions.disclose(case, by=cast.coordinator, mode="full")
    assert second.reply.round == 2 and "王某某" in second.published_text
    assert "已有新一轮签发的答复" not in page(client, cast.coordinator, case)


def test_the_templates_compare_no_mode_or_state_literal():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "templates"
    values = {"full", "summary", "none", "signing", "reviewing", "signed", "replied"}
    found = [
        (path.name, value)
        for path in root.rglob("*.html")
        for value in values
        if re.search(rf"""==\s*["']{value}["']|["']{value}["']\s*==""", path.read_text())
    ]
    assert found == []


@FROZEN
def test_a_summary_is_previewed_masked_after_a_failed_submit_and_once_published(client, cast):
    case = signed(cast)
    client.force_login(cast.coordinator)
    summary = "已为患者王建国（13700001111）减免医疗费用。"
    response = client.post(
        f"/cases/{case.pk}/actions/disclose/",
        {"mode": "summary", "summary": summary, "on": "2099-01-01"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "这段摘要公开时显示为" in html
    assert '<mark title="姓名">王某某</mark>' in html
    assert '<mark title="手机号码">137****1111</mark>' in html
    assert "摘要同样自动遮蔽个人信息" in html  # the field's help says so
    actions.disclose(case, by=cast.coordinator, mode="summary", summary=summary)
    html = page(client, cast.coordinator, case)
    section = html[html.index('id="disclosure"') :]
    assert "公开的摘要" in section and "自动遮蔽 2 处" in section
    assert (
        '患者<mark title="姓名">王某某</mark>（<mark title="手机号码">137****1111</mark>）'
        in section
    )
    actions.disclose(case, by=cast.coordinator, mode="full")
    assert "公开的摘要" not in page(client, cast.coordinator, case)
