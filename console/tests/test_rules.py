"""Deadline rule settings: stored per category and level, read by rule_for before the
settings module and the defaults, changing only deadlines computed afterwards."""

from datetime import date

import pytest
import time_machine

from audit.models import AuditEvent
from cases import actions
from cases.actions.rules import set_deadline_rules
from cases.deadline_rules import (
    RuleSettingError,
    RuleSettingForbidden,
    clear_rule_cache,
    rule_for,
    rule_source,
)
from cases.models import DeadlineRuleSetting
from cases.tests.factories import register

pytestmark = pytest.mark.django_db
FROZEN = time_machine.travel(date(2026, 3, 25), tick=False)


def assign(cast, on=date(2026, 3, 20), **overrides):
    case = register(cast, on=date(2026, 3, 2), **overrides)
    return actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, co_units=[cast.jiceng], assigned_on=on
    )


@FROZEN
def test_a_setting_changes_the_deadline_of_cases_assigned_afterwards(cast):
    before = assign(cast)
    assert (before.deadline, before.unit_deadline) == (date(2026, 6, 22), date(2026, 6, 5))

    set_deadline_rules(
        by=cast.admin,
        category="npc_suggestion",
        name="reply",
        rules={"municipal": "months:2"},
    )
    set_deadline_rules(
        by=cast.admin,
        category="npc_suggestion",
        name="unit_draft",
        rules={"*": "workdays_before:5"},
    )
    after = assign(cast)
    assert (after.deadline, after.unit_deadline) == (date(2026, 5, 20), date(2026, 5, 13))
    assert after.deadline_rule == {"rule": "months:2", "from": "2026-03-20"}

    # Only what was set: other levels and the other category keep the default.
    provincial = assign(cast, level="provincial")
    cppcc = assign(cast, category="cppcc_proposal")
    assert provincial.deadline == cppcc.deadline == date(2026, 6, 22)
    # The case assigned earlier keeps its deadline.
    before.refresh_from_db()
    assert before.deadline == date(2026, 6, 22)


@FROZEN
def test_co_unit_and_return_window_rules(cast):
    set_deadline_rules(
        by=cast.admin, category="npc_suggestion", name="co_unit_opinion", rules={"*": "workdays:20"}
    )
    case = assign(cast)
    co = case.assignments.get(kind="co")
    assert co.deadline == date(2026, 4, 20)


def test_where_a_rule_comes_from(cast, settings):
    settings.HUIYIN_DEADLINE_RULES = {"cppcc_proposal": {"county": {"reply": "months:4"}}}
    assert rule_source("cppcc_proposal", "county", "reply") == ("months:4", "settings")
    assert rule_source("cppcc_proposal", "municipal", "reply") == ("months:3", "default")
    set_deadline_rules(
        by=cast.admin, category="cppcc_proposal", name="reply", rules={"*": "days:60"}
    )
    # A setting for every level wins over the settings module's rule for one level …
    assert rule_source("cppcc_proposal", "county", "reply") == ("days:60", "all")
    set_deadline_rules(
        by=cast.admin, category="cppcc_proposal", name="reply", rules={"county": "months:5"}
    )
    # … and a setting for the level wins over both.
    assert rule_for("cppcc_proposal", "county", "reply") == "months:5"
    assert rule_for("cppcc_proposal", "provincial", "reply") == "days:60"
    # Clearing a setting falls back to the next source.
    set_deadline_rules(
        by=cast.admin, category="cppcc_proposal", name="reply", rules={"*": None, "county": None}
    )
    assert rule_for("cppcc_proposal", "county", "reply") == "months:4"
    assert not DeadlineRuleSetting.objects.exists()


def test_the_change_is_audited_once(cast):
    changes = set_deadline_rules(
        by=cast.admin,
        category="npc_suggestion",
        name="rehandle",
        rules={"*": "workdays:15", "provincial": "months:1", "county": None},
    )
    assert changes == {"*": [None, "workdays:15"], "provincial": [None, "months:1"]}
    [event] = AuditEvent.objects.filter(action="deadline_rules_changed")
    assert event.actor == cast.admin and event.subject == "期限规则 npc_suggestion rehandle"
    assert event.details["changes"] == {
        "*": [None, "workdays:15"],
        "provincial": [None, "months:1"],
    }
    # The same values again: nothing to record.
    set_deadline_rules(
        by=cast.admin, category="npc_suggestion", name="rehandle", rules={"*": "workdays:15"}
    )
    assert AuditEvent.objects.filter(action="deadline_rules_changed").count() == 1


@pytest.mark.parametrize(
    ("name", "rule", "message"),
    [
        ("reply", "months:0", "1 到 24 个月"),
        ("reply", "months:30", "1 到 24 个月"),
        ("reply", "workdays:300", "1 到 250 个工作日"),
        ("reply", "days:1000", "1 到 730 天"),
        ("reply", "workdays_before:5", "单位只能是个月、个工作日、天"),
        ("unit_draft", "months:1", "单位只能是个工作日"),
        ("unit_draft", "workdays_before:90", "1 到 60 个工作日"),
        ("reply", "weeks:2", "无法识别"),
        ("reply", "months:-1", "无法识别"),
    ],
)
def test_bad_values_are_refused_and_nothing_written(cast, name, rule, message):
    with pytest.raises(RuleSettingError, match=message) as caught:
        set_deadline_rules(
            by=cast.admin,
            category="npc_suggestion",
            name=name,
            rules={"*": "months:2" if name == "reply" else None, "municipal": rule},
        )
    assert caught.value.field == "municipal"
    assert not DeadlineRuleSetting.objects.exists()
    assert not AuditEvent.objects.filter(action="deadline_rules_changed").exists()


def test_only_admins_and_known_rules(cast):
    with pytest.raises(RuleSettingForbidden):
        set_deadline_rules(
            by=cast.coordinator, category="npc_suggestion", name="reply", rules={"*": "months:2"}
        )
    for category, name, level in [
        ("supervision", "reply", "*"),
        ("npc_suggestion", "urge", "*"),
        ("npc_suggestion", "reply", "national"),
    ]:
        with pytest.raises(RuleSettingError, match="未知"):
            set_deadline_rules(
                by=cast.admin, category=category, name=name, rules={level: "months:2"}
            )
    assert not DeadlineRuleSetting.objects.exists()


def test_a_rolled_back_reader_does_not_keep_a_stale_rule(cast):
    assert rule_for("npc_suggestion", "municipal", "reply") == "months:3"  # now cached
    set_deadline_rules(
        by=cast.admin, category="npc_suggestion", name="reply", rules={"*": "months:2"}
    )
    assert rule_for("npc_suggestion", "municipal", "reply") == "months:2"
    DeadlineRuleSetting.objects.all().delete()  # behind the cache's back, as another process
    clear_rule_cache()  # what the next request does
    assert rule_for("npc_suggestion", "municipal", "reply") == "months:3"


# --- the pages ------------------------------------------------------------------------


def test_the_rules_page_lists_every_rule_in_chinese(cast, client_for):
    html = client_for(cast.admin).get("/console/rules/").content.decode()
    for text in (
        "人大代表建议",
        "政协提案",
        "答复期限",
        "3 个月",
        "处室初稿",
        "答复期限前 10 个工作日",
        "协办处室意见",
        "会办意见",
        "不满意重新办理",
        "征询意见期",
        "申请退回",
        "5 个工作日",
        "延期上限",
        "6 个月",
        "只影响今后计算的期限",
        "省级",
        "市级",
        "县级",
    ):
        assert text in html, text


def test_the_edit_page_saves_and_keeps_a_refused_value(cast, client_for):
    client = client_for(cast.admin)
    url = "/console/rules/npc_suggestion/reply/"
    assert "答复期限" in client.get(url).content.decode()
    refused = client.post(url, {"n-all": "", "n-municipal": "0", "kind-municipal": "months"})
    html = refused.content.decode()
    assert refused.status_code == 400
    assert 'name="n-municipal"' in html and 'value="0"' in html
    refused = client.post(url, {"n-all": "", "n-county": "40", "kind-county": "months"})
    assert refused.status_code == 400
    assert "答复期限应在 1 到 24 个月之间" in refused.content.decode()
    assert not DeadlineRuleSetting.objects.exists()

    saved = client.post(
        url, {"n-all": "2", "kind-all": "months", "n-county": "45", "kind-county": "days"}
    )
    assert saved.status_code == 302
    assert rule_for("npc_suggestion", "county", "reply") == "days:45"
    assert rule_for("npc_suggestion", "municipal", "reply") == "months:2"
    page = client.get("/console/rules/").content.decode()
    assert "45 天" in page and "新规则只用于今后计算的期限" in page
    # Back on the edit page, the saved values are filled in.
    html = client.get(url).content.decode()
    assert 'name="n-county" value="45"' in html.replace(' class="form-control"', "")


def test_unknown_rule_pages_are_404(cast, client_for):
    client = client_for(cast.admin)
    assert client.get("/console/rules/npc_suggestion/nonsense/").status_code == 404
    assert client.get("/console/rules/supervision/reply/").status_code == 404
