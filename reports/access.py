"""Who may see which statistics: the same rule for the dashboard, the API and the summary.

Commission roles (coordinator, leader, viewer, admin) see the whole commission or any one
unit; a unit head (处室负责人) sees the cases their unit leads, and only those; everyone
else (handlers, users without a role) sees no statistics.
"""

from typing import Any

from huiyin.dates import year_window
from huiyin.text import text_problem, visible
from huiyin.types import AnyUser, User
from orgs.access import standing_of
from orgs.models import Unit
from workflow.errors import ActionForbidden, CaseError

NO_STATS = "只有议提案管理员、委领导、查阅人员和处室负责人可以查看统计"
OTHER_UNIT = "处室负责人只能查看本处室的统计"
NO_SUMMARY = "年度工作总结由办公室（议提案管理员）、委领导和查阅人员下载"
MIN_YEAR, MAX_YEAR = year_window()  # HUIYIN_DATE_MIN_YEAR / HUIYIN_DATE_MAX_YEAR
UNIT_CODE_MAX = 40  # orgs.Unit.code


class UnknownUnit(CaseError):
    def __init__(self, code: str) -> None:
        super().__init__(f"没有代码为“{code}”的单位", field="unit")


def may_see_stats(user: AnyUser) -> bool:
    standing = standing_of(user)
    return standing.sees_all or bool(standing.head_of)


def may_download_summary(user: User) -> bool:
    return standing_of(user).sees_all


def own_units(user: User) -> list[Unit]:
    """The units whose statistics a unit head may see: those they head."""
    head_of = standing_of(user).head_of
    return list(Unit.objects.filter(pk__in=head_of).order_by("sort_order", "code"))


def stats_unit(user: User, code: str | None) -> Unit | None:
    """The unit the user's statistics are about: None for the whole commission.

    A unit head who names no unit gets their own (the first, if they head several); naming
    another unit is refused (ActionForbidden), as is asking without a commission role or a
    unit to head. An unknown code is UnknownUnit."""
    code = (code or "").strip()
    standing = standing_of(user)
    unit = None
    if code:
        # A code with a NUL cannot even be looked up on PostgreSQL: unknown, like a typo.
        readable = not text_problem(code, max_length=UNIT_CODE_MAX)
        unit = Unit.objects.filter(code=code).first() if readable else None
        if unit is None:
            raise UnknownUnit(visible(code[:UNIT_CODE_MAX]))
    if standing.sees_all:
        return unit
    if not standing.head_of:
        raise ActionForbidden(NO_STATS)
    if unit is None:
        return own_units(user)[0]
    if unit.pk not in standing.head_of:
        raise ActionForbidden(OTHER_UNIT)
    return unit


def parse_year(raw: Any, default: int) -> int | None:
    """A year from a query string: the default when absent, None when not a sensible year."""
    if raw in (None, ""):
        return default
    try:
        year = int(str(raw).strip())
    except ValueError:
        return None
    return year if MIN_YEAR <= year <= MAX_YEAR else None
