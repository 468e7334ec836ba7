"""From an action's name and payload to the action function, for every entry point (API,
web, commands): it reads the category's spec (workflow.tables, e.g. proposals/spec.py).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from pydantic import BaseModel

from cases.models import Case
from cases.permissions import relations
from orgs.models import Unit
from workflow.errors import ActionForbidden, CaseError
from workflow.tables import ActionSpec, all_actions, workflow_for

if TYPE_CHECKING:
    from huiyin.types import User
else:
    User = Any


def unit_by_code(code: str | None, field: str) -> Unit | None:
    if not code:
        return None
    unit = Unit.objects.filter(code=code.strip(), is_active=True).first()
    if unit is None:
        raise CaseError(f"没有代码为“{code}”的单位", field=field)
    return unit


def user_by_name(username: str | None, field: str) -> User | None:
    if not username:
        return None
    user = get_user_model().objects.filter(username=username.strip(), is_active=True).first()
    if user is None:
        raise CaseError(f"没有用户“{username}”", field=field)
    return user


def action_payloads() -> dict[str, type[BaseModel]]:
    """Every action name any category declares, with the payload model it takes."""
    return {name: spec.payload for name, spec in all_actions().items() if spec.payload}


def spec_for(case: Case, action: str) -> ActionSpec:
    """The action's spec in the case's category; an action it does not have (or one no
    user is offered) is refused."""
    spec = workflow_for(case.category).transitions.get(action)
    if spec is None or spec.hidden:
        raise CaseError(f"没有“{action}”这项操作")
    return spec


def check_actor(user: User, case: Case, action: str) -> ActionSpec:
    """The role pre-check shared by every entry point, before any input is looked at: a
    role that may never do this on this case is ActionForbidden (403)."""
    spec = spec_for(case, action)
    if not relations(user, case) & spec.actors:
        raise ActionForbidden(f"您没有{spec.label}此办件的权限")
    return spec


def perform(case: Case, action: str, *, by: User, payload: BaseModel) -> Case:
    spec = spec_for(case, action)
    if spec.run is None:
        raise CaseError(f"没有“{action}”这项操作")
    spec.run(case, by, payload)
    case.refresh_from_db()
    return case


def available_actions(user: User, case: Case, today: date) -> list[str]:
    """The actions the user may perform on the case now, in the workflow table's order."""
    mine = relations(user, case)
    return [
        spec.action
        for spec in workflow_for(case.category).offered()
        if case.state in spec.sources and mine & spec.actors and spec.available(case, today, mine)
    ]
