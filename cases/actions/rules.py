"""Setting the deadline rules of a category (administrators only)."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.record import record_event
from cases.deadline_rules import (
    ALL_LEVELS,
    SPECS,
    RuleSettingError,
    RuleSettingForbidden,
    check_rule,
    clear_rule_cache,
)
from cases.models import Category, DeadlineRuleSetting, Level
from orgs.access import standing_of
from orgs.models import Role

LEVEL_KEYS = (ALL_LEVELS, *Level.values)


@transaction.atomic
def set_deadline_rules(
    *, by: Any, category: str, name: str, rules: dict[str, str | None]
) -> dict[str, list[str | None]]:
    """Set rule `name` of `category` for each level in `rules` ("*": every level without
    its own setting); None removes the setting, so the level falls back to the next source
    (see cases.deadline_rules). Returns the changes, {level: [old, new]}.

    Dates already computed keep the rule they were computed with."""
    if not standing_of(by).has(Role.ADMIN):
        raise RuleSettingForbidden("只有系统管理员可以修改期限规则")
    if category not in Category.values:
        raise RuleSettingError(f"未知的类别：“{category}”")
    if name not in SPECS:
        raise RuleSettingError(f"未知的期限规则：“{name}”")
    checked: dict[str, str | None] = {}
    for level, rule in rules.items():
        if level not in LEVEL_KEYS:
            raise RuleSettingError(f"未知的级别：“{level}”")
        if rule is None or rule == "":
            checked[level] = None
            continue
        try:
            checked[level] = check_rule(name, rule)
        except RuleSettingError as exc:
            raise RuleSettingError(exc.message, field=level) from None

    rows = {
        row.level: row
        for row in DeadlineRuleSetting.objects.select_for_update().filter(
            category=category, name=name
        )
    }
    changes: dict[str, list[str | None]] = {}
    for level, rule in checked.items():
        row = rows.get(level)
        old = row.rule if row else None
        if old == rule:
            continue
        changes[level] = [old, rule]
        if rule is None:
            row.delete()  # type: ignore[union-attr]  (old != None, so the row exists)
        elif row is None:
            DeadlineRuleSetting.objects.create(
                category=category, level=level, name=name, rule=rule, updated_by=_user(by)
            )
        else:
            row.rule, row.updated_by, row.updated_at = rule, _user(by), timezone.now()
            row.save(update_fields=["rule", "updated_by", "updated_at"])
    if not changes:
        return changes
    record_event(
        actor=by,
        action="deadline_rules_changed",
        subject=f"期限规则 {category} {name}",
        details={"category": category, "name": name, "changes": changes},
    )
    clear_rule_cache()
    # Also after the commit: a reader in between may have cached the old rows.
    transaction.on_commit(clear_rule_cache)
    return changes


def _user(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None
