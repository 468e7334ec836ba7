"""Setting the deadline rules of a category (administrators only)."""

from django.db import IntegrityError, transaction
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
from cases.models import DeadlineRuleSetting, Level
from cases.models.choices import PROPOSAL_CATEGORIES
from huiyin.types import User
from orgs.access import standing_of
from orgs.models import Role

LEVEL_KEYS = (ALL_LEVELS, *Level.values)


@transaction.atomic
def set_deadline_rules(
    *, by: User, category: str, name: str, rules: dict[str, str | None]
) -> dict[str, list[str | None]]:
    """Set rule `name` of `category` for each level in `rules` ("*": every level without
    its own setting); None removes the setting, so the level falls back to the next source
    (see cases.deadline_rules). Returns the changes, {level: [old, new]}.

    Dates already computed keep the rule they were computed with."""
    if not standing_of(by).has(Role.ADMIN):
        raise RuleSettingForbidden("只有系统管理员可以修改期限规则")
    # The 议提案's rules; 群众意见 and 督办 have their own (opinions.rules, supervision.rules).
    if category not in PROPOSAL_CATEGORIES:
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
            if row is not None:  # always: old differs from None
                row.delete()
        elif row is None:
            # A new row has nothing to lock: of two administrators adding the same setting,
            # the unique constraint lets one through.
            try:
                with transaction.atomic():
                    DeadlineRuleSetting.objects.create(
                        category=category, level=level, name=name, rule=rule, updated_by=_user(by)
                    )
            except IntegrityError:
                raise RuleSettingError("期限规则刚被他人修改，请刷新后重试", field=level) from None
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


def _user(by: User | None) -> User | None:
    return by if getattr(by, "pk", None) else None
