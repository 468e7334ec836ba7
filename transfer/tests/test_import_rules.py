"""The importer refuses exactly what the actions refuse, with the same words, because it
calls the same validators (cases.actions.validation); and it moves a case's state only
through the engine (the hidden `import` transition), which records where it came from."""

import ast
import inspect
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from audit.models import AuditEvent
from cases import actions
from cases.actions import importing, importing_rows, validation
from cases.actions.importing import CaseRecord, validate_case_data, validate_handling
from cases.models import Case, Category, Level, Mode
from cases.models import Role as CaseRole
from cases.tests.factories import make_unit, register
from transfer.planning import apply_import, plan_import
from transfer.tests.helpers import basic_file, basic_row
from workflow import engine
from workflow.errors import CaseError
from workflow.vocabulary import Event, State

pytestmark = pytest.mark.django_db

ASSIGNED_ON, REPLIED_ON = date(2026, 3, 5), date(2026, 5, 20)


# Cases in the state each action needs, built through the actions.


def _assigned(cast: Any, **overrides: Any) -> Case:
    case = register(cast, on=date(2026, 3, 2), **overrides)
    actions.assign_case(case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=ASSIGNED_ON)
    return case


def _handling(cast: Any, **overrides: Any) -> Case:
    case = _assigned(cast, **overrides)
    actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 3, 6))
    return case


def _replied(cast: Any) -> Case:
    case = _handling(cast)
    _reply(cast, case, reply_class="A")
    actions.review_reply(case, by=cast.coordinator, passed=True, on=date(2026, 5, 15))
    actions.sign_reply(case, by=cast.leader, approved=True, on=REPLIED_ON)
    return case


def _reply(cast: Any, case: Case, **kw: Any) -> None:
    data = {"text": "答复正文", "contact": "张处长", "phone": "12345678", "on": date(2026, 5, 1)}
    actions.submit_reply(case, by=cast.yizheng_head, **(data | kw))


def _assign(cast: Any, **kw: Any) -> None:
    case = register(cast, on=date(2026, 3, 2))
    data = {"lead_unit": cast.yizheng, "assigned_on": ASSIGNED_ON}
    actions.assign_case(case, by=cast.coordinator, **(data | kw))


def _register(cast: Any, **kw: Any) -> None:
    register(cast, on=date(2026, 3, 2), **kw)


def _inactive(cast: Any) -> Any:
    unit = make_unit("tingyong", "已撤销处")
    unit.is_active = False
    unit.save()
    return unit


# One table: the bad input as the action takes it, as the importer's record holds it,
# and (where a ledger can say it) as cells of a row; the one message both give.
# `record` overrides a replied lead case with a unit and dates; `cells` a row like it.
TABLE = [
    pytest.param(
        lambda cast: _reply(cast, _handling(cast), reply_class=""),
        lambda cast: {"reply_class": ""},
        {"答复类别": ""},
        validation.REPLY_CLASS_MISSING,
        id="a lead reply without a class",
    ),
    pytest.param(
        lambda cast: _reply(cast, _handling(cast), reply_class="E"),
        lambda cast: {"reply_class": "E"},
        None,  # a ledger cell "E" is refused earlier, as unreadable (test_import_errors)
        validation.REPLY_CLASS_MISSING,
        id="an unknown class",
    ),
    pytest.param(
        lambda cast: _reply(
            cast, _handling(cast, mode=Mode.CO, external_lead="市发改委"), reply_class="A"
        ),
        lambda cast: {"mode": Mode.CO, "external_lead": "市发改委", "state": State.CLOSED},
        {"办理方式": "会办", "主办单位": "市发改委", "状态": "已办结"},
        "会办意见不分答复类别",
        id="a class on a co-unit opinion",
    ),
    pytest.param(
        lambda cast: actions.record_feedback(_replied(cast), by=cast.coordinator, result="很满意"),
        lambda cast: {"feedback_result": "很满意", "state": State.CLOSED},
        None,  # a ledger cell 很满意 is refused earlier, as unreadable (test_import_errors)
        "请选择办理结果评价（满意、基本满意、不满意）",
        id="an unknown rating",
    ),
    pytest.param(
        lambda cast: _assign(cast, deadline=ASSIGNED_ON),
        lambda cast: {"explicit_deadline": ASSIGNED_ON},
        {"办理期限": "2026-03-05"},
        "办理期限须晚于交办日期",
        id="a deadline not after the assignment",
    ),
    pytest.param(
        lambda cast: _assign(cast, lead_unit=cast.fagaiwei),
        lambda cast: {"lead_unit": cast.fagaiwei},
        {"承办处室": "市发改委"},
        "市发改委不能作为主办处室",
        id="an outside agency as lead unit",
    ),
    pytest.param(
        lambda cast: _assign(cast, lead_unit=_inactive(cast)),
        lambda cast: {"lead_unit": _inactive(cast)},
        {"承办处室": "已撤销处"},
        "已撤销处不能作为主办处室",
        id="an inactive lead unit",
    ),
    pytest.param(
        lambda cast: _assign(cast, co_units=[cast.yizheng]),
        lambda cast: {"co_units": [cast.yizheng]},
        {"协办处室": "医政医管处"},
        "协办处室不能与主办处室相同",
        id="the lead unit as a co-unit",
    ),
    pytest.param(
        lambda cast: _assign(cast, co_units=[cast.jiceng, cast.jiceng]),
        lambda cast: {"co_units": [cast.jiceng, cast.jiceng]},
        {"协办处室": "基层卫生健康处、基层卫生健康处"},
        "协办处室有重复",
        id="a co-unit twice",
    ),
    pytest.param(
        lambda cast: _register(cast, title="  "),
        lambda cast: {"title": ""},
        None,  # 标题 is a required column: an empty cell is refused as such
        "请填写标题",
        id="a blank title",
    ),
    pytest.param(
        lambda cast: _register(cast, year=1999),
        lambda cast: {"year": 1999},
        {"年度": 1999},
        "年度“1999”无效",
        id="a year out of range",
    ),
    pytest.param(
        lambda cast: _register(cast, mode=Mode.CO, external_lead=""),
        lambda cast: {"mode": Mode.CO, "external_lead": "", "state": State.CLOSED},
        {"办理方式": "会办", "状态": "已办结"},
        "会办件请填写主办单位",
        id="a co-unit case without its lead agency",
    ),
]

REPLIED_CELLS = {
    "承办处室": "医政医管处",
    "交办日期": "2026-03-05",
    "答复日期": "2026-05-20",
    "答复类别": "A",
    "状态": "已答复",
}


def _record(cast: Any, **overrides: Any) -> CaseRecord:
    fields: dict[str, Any] = {
        "category": Category.NPC_SUGGESTION,
        "level": Level.MUNICIPAL,
        "year": 2026,
        "number": "1",
        "title": "关于第1项工作的建议",
        "lead_proposer": "陈代表",
        "lead_unit": cast.yizheng,
        "assigned_on": ASSIGNED_ON,
        "replied_on": REPLIED_ON,
        "reply_class": "A",
        "state": State.REPLIED,
    }
    return CaseRecord(**(fields | overrides))


def _import_messages(record: CaseRecord) -> list[str]:
    errors = validate_case_data(record) + validate_handling(record)
    return [message for _, message in errors]


@pytest.mark.parametrize(("act", "record", "cells", "message"), TABLE)
def test_the_importer_refuses_what_the_action_refuses(cast, act, record, cells, message):
    with pytest.raises(CaseError) as refused:
        act(cast)
    assert refused.value.message == message

    assert message in _import_messages(_record(cast, **record(cast)))

    if cells is not None:
        plan = plan_import(
            basic_file(basic_row("1", **(REPLIED_CELLS | cells))),
            "台账.xlsx",
            user=cast.coordinator,
        )
        assert message in [e.message for e in plan.errors]
        assert not plan.items


def test_the_table_rows_are_otherwise_importable(cast):
    """Without the bad input, the base record and row of the table are accepted."""
    assert _import_messages(_record(cast)) == []
    plan = plan_import(
        basic_file(basic_row("1", **REPLIED_CELLS)), "台账.xlsx", user=cast.coordinator
    )
    assert not plan.has_errors


def test_history_may_lack_the_itemised_commitments_of_a_b_or_c_reply(cast):
    """The one rule of submit_reply that imported history is let off (a ledger has no
    commitments, nor a reply's text, contact or phone): documented in validation."""
    with pytest.raises(CaseError, match="^B类答复须列明承诺事项及完成时间$"):
        _reply(cast, _handling(cast), reply_class="B")
    assert _import_messages(_record(cast, reply_class="B")) == []
    plan = plan_import(
        basic_file(basic_row("1", **REPLIED_CELLS | {"答复类别": "C类"})),
        "台账.xlsx",
        user=cast.coordinator,
    )
    assert not plan.has_errors
    # history=True waives only that rule: commitments where none belong stay refused.
    item = [{"what": "年内出台方案", "due": date(2026, 12, 1)}]
    with pytest.raises(CaseError, match="^A类答复不登记承诺事项$"):
        validation.check_reply(
            role=CaseRole.LEAD, reply_class="A", commitments=item, on=REPLIED_ON, history=True
        )
    # Said where it is allowed: the validators' module and the importer's call.
    assert "itemised commitments" in validation.__doc__
    assert "history=True" in inspect.getsource(importing_rows.validate_handling)


def test_the_importer_holds_no_copy_of_the_actions_messages():
    source = inspect.getsource(importing_rows) + inspect.getsource(importing)
    for message in (
        "答复类别（A、B、C、D）",
        "会办意见不分答复类别",
        "不能作为主办处室",
        "协办处室不能与主办处室相同",
        "协办处室有重复",
        "办理期限须晚于交办日期",
        "满意、基本满意、不满意",
    ):
        assert message not in source


# The state: only through the engine.

IMPORT_SOURCES = [
    *sorted(
        p
        for p in Path(settings.BASE_DIR, "transfer").rglob("*.py")
        if not {"tests", "migrations"} & set(p.parts)
    ),
    *sorted(Path(settings.BASE_DIR, "cases", "actions").glob("importing*.py")),
]
RECORDS = {"record", "r", "before", "after"}  # CaseRecord variables: a plan, not a case


def _state_writes(path: Path) -> list[str]:
    """Where a module writes a `state`: `x.state = …` on anything but a CaseRecord,
    `state=` passed to anything but CaseRecord(…), a `"state"` column given to update."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                elements = target.elts if isinstance(target, ast.Tuple) else [target]
                for t in elements:
                    if isinstance(t, ast.Attribute) and t.attr == "state":
                        if not (isinstance(t.value, ast.Name) and t.value.id in RECORDS):
                            found.append(f"{path.name}: {ast.unparse(node)}")
        if isinstance(node, ast.Call):
            func = ast.unparse(node.func)
            for kw in node.keywords:
                if kw.arg == "state" and func != "CaseRecord":
                    found.append(f"{path.name}: {func}(state={ast.unparse(kw.value)})")
            if func.endswith(("update", "bulk_update", "bulk_create")):
                if "'state'" in ast.unparse(node):
                    found.append(f"{path.name}: {ast.unparse(node)}")
    return found


def test_the_importer_writes_no_state_but_the_initial_one():
    writes = [w for path in IMPORT_SOURCES for w in _state_writes(path)]
    # A new case is created in its workflow's initial state (as register creates one);
    # every other state is the engine's to write.
    assert writes == ["importing.py: Case(state=workflow_for(r.category).initial)"]
    assert "state" not in importing.HANDLING_COLUMNS
    text = "\n".join(p.read_text(encoding="utf-8") for p in IMPORT_SOURCES)
    assert not re.search(r"\bcase\.state\s*=[^=]", text)


def test_imported_states_go_through_the_engine(cast, monkeypatch):
    calls: list[tuple[str, Any]] = []

    def spy_many(moves, **kw):
        calls.append(("import_states", ([(c.state, to) for c, to, _ in moves], kw["new"])))
        return engine.import_states(moves, **kw)

    def spy_one(case, action, **kw):
        calls.append(("apply_transition", (action, case.state, kw["to"])))
        return engine.apply_transition(case, action, **kw)

    monkeypatch.setattr(importing, "import_states", spy_many)
    monkeypatch.setattr(importing, "apply_transition", spy_one)
    rows = [
        basic_row("1"),
        basic_row("2", 承办处室="医政医管处", 交办日期="2026-03-05"),
        basic_row("3", **REPLIED_CELLS | {"满意度": "满意", "状态": "已办结"}),
    ]
    plan = plan_import(basic_file(*rows), "台账.xlsx", user=cast.coordinator)
    apply_import(plan, user=cast.coordinator, source_name="台账.xlsx")
    # New cases: created registered, then moved by the engine, all of a chunk at once.
    initial = State.REGISTERED
    targets = [State.REGISTERED, State.ASSIGNED, State.CLOSED]
    assert calls == [("import_states", ([(initial, to) for to in targets], True))]
    events = AuditEvent.objects.filter(action=Event.IMPORT).order_by("case__number")
    assert [(e.case.number, e.from_state, e.to_state) for e in events] == [
        ("1", "", State.REGISTERED),
        ("2", "", State.ASSIGNED),
        ("3", "", State.CLOSED),
    ]
    assert list(Case.objects.order_by("number").values_list("state", flat=True)) == targets

    # An existing case: apply_transition with the hidden import transition.
    calls.clear()
    again = [basic_row("1", **REPLIED_CELLS), rows[1] | {"标题": "改过的标题"}]
    plan = plan_import(basic_file(*again), "台账.xlsx", user=cast.coordinator)
    apply_import(plan, user=cast.coordinator, source_name="台账.xlsx")
    assert calls == [
        ("apply_transition", (Event.IMPORT, State.REGISTERED, State.REPLIED)),
        ("apply_transition", (Event.IMPORT, State.ASSIGNED, None)),
    ]
    last = {e.case.number: e for e in AuditEvent.objects.filter(action=Event.IMPORT)}
    assert (last["1"].from_state, last["1"].to_state) == (State.REGISTERED, State.REPLIED)
    assert (last["2"].from_state, last["2"].to_state) == (State.ASSIGNED, State.ASSIGNED)
    assert Case.objects.get(number="1").state == State.REPLIED
    assert AuditEvent.objects.filter(case__isnull=False).count() == 5  # one per case and import


def test_the_engine_refuses_an_import_whose_case_moved_meanwhile(cast):
    case = register(cast, on=date(2026, 3, 2))
    stale = Case.objects.get(pk=case.pk)
    Case.objects.filter(pk=case.pk).update(state=State.WITHDRAWN)  # another user, meanwhile
    with pytest.raises(CaseError, match=engine.CHANGED_MEANWHILE):
        engine.import_states(
            [(stale, State.CLOSED, {})], by=cast.coordinator, on=date(2026, 12, 31)
        )
    with pytest.raises(CaseError, match=engine.CHANGED_MEANWHILE):
        engine.apply_transition(
            stale, Event.IMPORT, by=cast.coordinator, on=date(2026, 12, 31), to=State.CLOSED
        )
    assert Case.objects.get(pk=case.pk).state == State.WITHDRAWN
    assert not AuditEvent.objects.filter(action=Event.IMPORT).exists()


def test_the_engine_checks_a_new_case_starts_in_the_initial_state(cast):
    case = register(cast, on=date(2026, 3, 2))
    actions.assign_case(case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=ASSIGNED_ON)
    with pytest.raises(ValueError, match="initial state"):
        engine.import_states(
            [(case, State.CLOSED, {})], by=cast.coordinator, on=date(2026, 12, 31), new=True
        )
    with pytest.raises(ValueError, match="cannot lead to"):
        engine.import_states([(case, "archived", {})], by=cast.coordinator, on=date(2026, 12, 31))
