"""The rules an action checks on what it is given, shared by the actions and the importer.

Each validator returns the cleaned value or raises `CaseError` with the Chinese message
and the field as the action names it. The actions call them (`assign_case`,
`submit_reply`, `record_feedback`; the case's own fields are `register`'s
`validate_case_fields`), and so does the import of a ledger (`cases.actions.importing`),
on the history a row describes: the importer reports the same message under its own
column, so a rule and its wording live here once.

What imported history may lack, and why (the importer says so where it calls these):
- A reply's text, contact person and phone (`require_text` in `submit_reply`): a ledger
  row has no such columns; the signed letter is on paper. The reply is stored signed,
  with empty text.
- The itemised commitments of a B or C reply (`check_reply(..., history=True)`): a
  ledger gives the class, not the commitments with their dates. A B/C reply entered in
  the system must list them; an imported one may not have them. What history cannot
  hold either (commitments on an A/D reply or on a 会办 opinion) stays refused.
- The action date rules of the engine (`workflow.engine.check_on`: not in the future,
  not before the previous step): history has no previous step in the system. Its own
  dates are checked against each other instead (交办日期 and 答复日期 not after today,
  答复日期 not before 交办日期, 办理期限 after 交办日期 by `check_deadline`).
- A rating's date and attitude (`record_feedback`): a ledger has one 满意度 column; it is
  checked by `check_result`, dated on the reply date.
"""

from collections.abc import Hashable, Iterable
from datetime import date
from typing import Any

from cases.models import Case, FeedbackRating, ReplyClass
from cases.models import Role as CaseRole
from cases.models.choices import CLASSES_NEEDING_COMMITMENTS
from huiyin.dates import window_message, year_in_window
from huiyin.text import column_length, text_problem
from orgs.models import Unit, UnitKind
from workflow.errors import CaseError

REPLY_CLASS_MISSING = "请填写答复类别（A、B、C、D）"


def unit_key(unit: Unit) -> Hashable:
    """A unit's identity; one the import is about to create (no pk yet) by its name."""
    return unit.pk if unit.pk is not None else ("new", unit.name)


def check_lead_unit(unit: Unit | None) -> Unit:
    """交办: the lead unit is one of the commission's own, active units."""
    if unit is None:
        raise CaseError("请选择主办处室", field="lead_unit")
    if unit.kind == UnitKind.EXTERNAL or not unit.is_active:
        raise CaseError(f"{unit.name}不能作为主办处室", field="lead_unit")
    return unit


def check_co_units(lead_unit: Unit | None, co_units: Iterable[Unit]) -> list[Unit]:
    """交办: co-units differ from the lead unit and from each other."""
    units = list(co_units)
    keys = [unit_key(u) for u in units]
    if lead_unit is not None and unit_key(lead_unit) in keys:
        raise CaseError("协办处室不能与主办处室相同", field="co_units")
    if len(set(keys)) != len(keys):
        raise CaseError("协办处室有重复", field="co_units")
    return units


def check_deadline(deadline: date | None, assigned_on: date) -> date | None:
    """交办: a deadline set by the issuing body falls after the assignment."""
    if deadline is not None and deadline <= assigned_on:
        raise CaseError("办理期限须晚于交办日期", field="deadline")
    return deadline


def check_reply_class(value: str | None, *, role: str) -> str:
    """A lead unit's reply has a class A–D (`"b"` is `"B"`); a 会办 opinion has none."""
    value = (value or "").strip().upper()
    if role == CaseRole.CO:
        if value:
            raise CaseError("会办意见不分答复类别", field="reply_class")
        return ""
    if value not in ReplyClass.values:
        raise CaseError(REPLY_CLASS_MISSING, field="reply_class")
    return value


def clean_commitments(items: list[dict[str, Any]] | None, on: date) -> list[tuple[str, date]]:
    """承诺事项 of a reply dated `on`: each with its content and a due date not before it."""
    cleaned = []
    for i, item in enumerate(items or [], start=1):
        what = (item.get("what") or "").strip()
        due = item.get("due")
        if not what:
            raise CaseError(f"第{i}项承诺事项：请填写承诺内容", field="commitments")
        if not isinstance(due, date):
            raise CaseError(f"第{i}项承诺事项：请填写完成时间", field="commitments")
        if due < on:
            raise CaseError(f"第{i}项承诺事项：完成时间不能早于答复日期", field="commitments")
        cleaned.append((what, due))
    return cleaned


def check_reply(
    *,
    role: str,
    reply_class: str | None,
    commitments: list[dict[str, Any]] | None,
    on: date,
    history: bool = False,
) -> tuple[str, list[tuple[str, date]]]:
    """A reply's class and commitments: (the class, the commitments as (what, due)).

    B and C replies list their commitments, A and D replies and 会办 opinions have none.
    `history=True` (the import of a ledger) waives only the first rule: a ledger holds a
    reply's class, never its itemised commitments."""
    reply_class = check_reply_class(reply_class, role=role)
    if role == CaseRole.CO and commitments:
        raise CaseError("会办意见不登记承诺事项", field="commitments")
    promised = clean_commitments(commitments, on)
    if reply_class in CLASSES_NEEDING_COMMITMENTS and not promised and not history:
        raise CaseError(f"{reply_class}类答复须列明承诺事项及完成时间", field="commitments")
    if reply_class and reply_class not in CLASSES_NEEDING_COMMITMENTS and promised:
        raise CaseError(f"{reply_class}类答复不登记承诺事项", field="commitments")
    return reply_class, promised


def check_rating(value: str | None, *, field: str, label: str, required: bool) -> str:
    """A rating of the handling: 满意, 基本满意 or 不满意 (empty only when optional)."""
    value = (value or "").strip()
    if not value and not required:
        return ""
    if value not in FeedbackRating.values:
        raise CaseError(f"请选择{label}（满意、基本满意、不满意）", field=field)
    return value


def check_result(value: str | None, *, required: bool = True) -> str:
    """评价 of the handling's result (a ledger's 满意度)."""
    return check_rating(value, field="result", label="办理结果评价", required=required)


def check_attitude(value: str | None) -> str:
    """评价 of the handling's attitude, optional."""
    return check_rating(value, field="attitude", label="办理态度评价", required=False)


# A case's own text fields (register, edit, import): huiyin.text's rule, bounded by the
# column. The API and the web forms refuse the same earlier, field by field (payloads).
CASE_TEXT = {
    "issuer": "交办机关",
    "session": "届次",
    "number": "编号",
    "title": "标题",
    "content": "内容",
    "external_lead": "主办单位（外部）",
    "led_by": "领办领导",
}


def check_case_text(data: dict[str, Any]) -> None:
    """NUL and other control characters refused (line breaks only in 内容), lengths bounded."""
    for name, label in CASE_TEXT.items():
        value = data.get(name)
        if isinstance(value, str):
            limit = column_length(Case, name)
            problem = text_problem(value, max_length=limit, multiline=name == "content")
            if problem:
                raise CaseError(f"{label}{problem}", field=name)


def check_in_window(day: date | None, *, field: str, label: str) -> date | None:
    """A date a user or a file gives falls in the configured years (huiyin.dates)."""
    if day is not None and not year_in_window(day.year):
        raise CaseError(f"{label}{window_message()}", field=field)
    return day
