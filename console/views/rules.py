"""Deadline rule settings: each rule per category and level, as number and unit."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from cases.actions.rules import set_deadline_rules
from cases.deadline_rules import (
    ALL_LEVELS,
    RULE_SPECS,
    SPECS,
    RuleSettingError,
    RuleSettingForbidden,
    describe,
    fallback_rule,
    split_rule,
    stored_rules,
)
from cases.models import Category, DeadlineRuleSetting, Level
from cases.models.choices import PROPOSAL_CATEGORIES
from console.forms import RuleForm, level_slug
from console.views.common import add_error, admin_required
from huiyin.types import AuthedRequest

LEVELS = [(ALL_LEVELS, "各级（默认）"), *Level.choices]
ORIGIN_LABELS = {"all": "各级设置", "settings": "配置文件", "default": "系统默认"}


def _inherited(category: str, level: str, name: str) -> tuple[str, str]:
    """What a level gets when it has no setting of its own, and from where, in words."""
    rule, origin = fallback_rule(category, level, name)
    return rule, ORIGIN_LABELS[origin]


def _cells(category: str, name: str) -> list[dict[str, Any]]:
    stored = stored_rules()
    cells = []
    for level, label in LEVELS:
        own = stored.get((category, level, name))
        rule, origin = (own, "") if own else _inherited(category, level, name)
        cells.append(
            {
                "level": level,
                "label": label,
                "text": describe(rule),
                "own": bool(own),
                "origin": origin,
            }
        )
    return cells


@admin_required
def rule_list(request: AuthedRequest) -> HttpResponse:
    updated = {
        (r.category, r.name): r
        for r in DeadlineRuleSetting.objects.select_related("updated_by").order_by("updated_at")
    }
    categories = [
        {
            "code": code,
            "label": label,
            "rules": [
                {
                    "spec": spec,
                    "cells": _cells(code, spec.name),
                    "updated": updated.get((code, spec.name)),
                }
                for spec in RULE_SPECS
            ],
        }
        for code, label in Category.choices
        if code in PROPOSAL_CATEGORIES  # the others' rules: opinions.rules, supervision.rules
    ]
    return render(request, "console/rules.html", {"categories": categories, "levels": LEVELS})


@admin_required
def rule_edit(request: AuthedRequest, category: str, name: str) -> HttpResponse:
    if category not in PROPOSAL_CATEGORIES or name not in SPECS:
        raise Http404("没有这项期限规则")
    spec = SPECS[name]
    stored = stored_rules()
    current = {level: stored.get((category, level, name)) for level, _ in LEVELS}
    default_kind = split_rule(_inherited(category, ALL_LEVELS, name)[0])[0]
    form = RuleForm(
        request.POST or None,
        name=name,
        levels=LEVELS,
        initial=RuleForm.initial_for(current, default_kind),
    )
    if request.method == "POST" and form.is_valid():
        try:
            changes = set_deadline_rules(
                by=request.user, category=category, name=name, rules=form.rules()
            )
        except RuleSettingForbidden as exc:
            raise PermissionDenied(exc.message) from None
        except RuleSettingError as exc:
            add_error(form, exc, {level: f"n-{level_slug(level)}" for level, _ in LEVELS})
        else:
            if changes:
                messages.success(
                    request,
                    f"已保存：{Category(category).label} · {spec.label}。"
                    "新规则只用于今后计算的期限，已计算的期限不变。",
                )
            else:
                messages.info(request, "没有修改")
            return redirect("console:rules")
    inherited = []
    for level, label in LEVELS:
        rule, origin = _inherited(category, level, name)
        inherited.append({"level": level, "label": label, "text": describe(rule), "origin": origin})
    return render(
        request,
        "console/rule_edit.html",
        {
            "category": category,
            "category_label": Category(category).label,
            "spec": spec,
            "form": form,
            "rows": list(zip(form.rows(), inherited, strict=True)),
        },
        status=400 if request.method == "POST" else 200,
    )
