"""Deadline rules (DESIGN.md §3), each configurable per category and level.

Where a rule comes from, first match wins: an administrator's setting in the database
(cases.DeadlineRuleSetting) for the case's level, then for every level ("*"); then
settings.HUIYIN_DEADLINE_RULES = {category: {level or "*": {name: rule}}} the same way;
then DEFAULT_RULES. Rules are strings understood by workdays.calendar.compute.

A computed date is stored with the rule that made it, so changing a rule affects only
dates computed afterwards.
"""

import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.signals import request_started

from huiyin.errors import DomainError, Forbidden
from workdays.calendar import RULE_RE, Due, compute

DEFAULT_RULES: dict[str, str] = {
    "reply": "months:3",  # the lead reply, from 交办
    "reply_max": "months:6",  # the latest an extension may reach, from 交办
    "unit_draft": "workdays_before:10",  # the lead unit's draft, before the reply deadline
    "co_unit_opinion": "months:1",  # an internal co-unit's opinion, from 交办
    "co_opinion": "months:1",  # our 会办 opinion to an external lead agency, from 交办
    "rehandle": "months:1",  # re-handling after 不满意, from the feedback
    "feedback_window": "months:1",  # from the reply date; then the case may be closed
    "return_window": "workdays:5",  # 申请退回, from 交办
}
ALL_LEVELS = "*"

PERIOD_KINDS = ("months", "workdays", "days")
KIND_LABELS = {
    "months": "个月",
    "workdays": "个工作日",
    "days": "天",
    "workdays_before": "个工作日",
}
# Sane bounds of each kind of period: a typo (30 months, 0 days) is refused.
BOUNDS = {"months": (1, 24), "workdays": (1, 250), "days": (1, 730), "workdays_before": (1, 60)}


@dataclass(frozen=True)
class RuleSpec:
    name: str
    label: str
    counted_from: str  # in words, for the settings page
    kinds: tuple[str, ...] = PERIOD_KINDS


# In the order of the work, as the settings page lists them.
RULE_SPECS: tuple[RuleSpec, ...] = (
    RuleSpec("reply", "答复期限", "自交办之日起；交办机关规定了办理期限的，以其为准"),
    RuleSpec("unit_draft", "处室初稿", "答复期限前，留出审核、签发时间", ("workdays_before",)),
    RuleSpec("co_unit_opinion", "协办处室意见", "自交办之日起，协办处室向主办处室提出意见"),
    RuleSpec("co_opinion", "会办意见", "自交办之日起，我委会办、外单位主办的件"),
    RuleSpec("rehandle", "不满意重新办理", "自登记“不满意”评价之日起"),
    RuleSpec("feedback_window", "征询意见期", "自答复之日起，期满未反馈的可办结"),
    RuleSpec("return_window", "申请退回", "自交办之日起，主办处室可申请退回"),
    RuleSpec("reply_max", "延期上限", "自交办之日起，延期后的答复期限不得晚于此"),
)
SPECS = {spec.name: spec for spec in RULE_SPECS}


class RuleSettingError(DomainError):
    """A refused change of a deadline rule, in Chinese; nothing was written."""


class RuleSettingForbidden(RuleSettingError, Forbidden):
    """The caller may not change deadline rules at all (the web answers 403)."""


def split_rule(rule: str) -> tuple[str, int]:
    """("months", 3) from "months:3"."""
    match = RULE_RE.match(rule.strip()) if isinstance(rule, str) else None
    if match is None:
        raise RuleSettingError(f"无法识别的期限规则：“{rule}”")
    return match.group(1), int(match.group(2))


def period_words(rule: str) -> str:
    """The period of a rule as it reads inside a sentence: "3个月", "5个工作日"."""
    kind, n = split_rule(rule)
    return f"{n}{KIND_LABELS[kind]}"


def describe(rule: str) -> str:
    """The rule as the settings page says it: "3 个月", "答复期限前 10 个工作日"."""
    kind, n = split_rule(rule)
    if kind == "workdays_before":
        return f"答复期限前 {n} 个工作日"
    return f"{n} {KIND_LABELS[kind]}"


def check_rule(name: str, rule: str) -> str:
    """The rule in its stored form, or RuleSettingError saying what is wrong with it."""
    spec = SPECS.get(name)
    if spec is None:
        raise RuleSettingError(f"未知的期限规则：“{name}”")
    kind, n = split_rule(rule)
    if kind not in spec.kinds:
        allowed = "、".join(KIND_LABELS[k] for k in spec.kinds)
        raise RuleSettingError(f"{spec.label}的单位只能是{allowed}")
    low, high = BOUNDS[kind]
    if not low <= n <= high:
        raise RuleSettingError(f"{spec.label}应在 {low} 到 {high} {KIND_LABELS[kind]}之间")
    return f"{kind}:{n}"


# The stored settings, shared by the process: every request starts with a fresh read (so a
# change made through another process shows at the next request), and work outside
# requests (commands, tasks) rereads them after a few seconds. A ledger import computes
# thousands of deadlines in one request; this keeps that at one query.
CACHE_SECONDS = 10.0
_stored_cache: tuple[float, dict[tuple[str, str, str], str]] | None = None


def clear_rule_cache(**kwargs: Any) -> None:
    global _stored_cache
    _stored_cache = None


request_started.connect(clear_rule_cache, dispatch_uid="huiyin-deadline-rule-cache")


def stored_rules() -> dict[tuple[str, str, str], str]:
    """{(category, level or "*", name): rule} as set by administrators."""
    global _stored_cache
    now = time.monotonic()
    cached = _stored_cache
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    from cases.models import DeadlineRuleSetting

    rows = DeadlineRuleSetting.objects.values_list("category", "level", "name", "rule")
    found = {(category, level, name): rule for category, level, name, rule in rows}
    _stored_cache = (now, found)
    return found


def rule_source(category: str, level: str, name: str) -> tuple[str, str]:
    """(rule, where it comes from): "level" (an administrator's setting for this level),
    else as fallback_rule."""
    if name not in DEFAULT_RULES:
        raise KeyError(name)
    own = stored_rules().get((category, level, name))
    return (own, "level") if own else fallback_rule(category, level, name)


def fallback_rule(category: str, level: str, name: str) -> tuple[str, str]:
    """What `level` (or "*") gets without a setting of its own, and from where: "all" (an
    administrator's setting for every level), "settings" (the settings module), "default"."""
    if level != ALL_LEVELS:
        rule = stored_rules().get((category, ALL_LEVELS, name))
        if rule:
            return rule, "all"
    overrides: dict[str, Any] = getattr(settings, "HUIYIN_DEADLINE_RULES", {}) or {}
    per_category = overrides.get(category, {})
    for key in dict.fromkeys((level, ALL_LEVELS)):
        rule = per_category.get(key, {}).get(name)
        if rule:
            return rule, "settings"
    return DEFAULT_RULES[name], "default"


def rule_for(category: str, level: str, name: str) -> str:
    return rule_source(category, level, name)[0]


def due_for(case, name: str, start: date) -> tuple[Due, dict[str, str]]:
    """The due date of rule `name` for this case from `start`, and how it was computed
    (stored beside the date so a provisional date can be recomputed later)."""
    rule = rule_for(case.category, case.level, name)
    return compute(rule, start), {"rule": rule, "from": start.isoformat()}


def explicit(day: date) -> tuple[Due, dict[str, str]]:
    return Due(day, False), {"explicit": day.isoformat()}
