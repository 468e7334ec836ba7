"""Plan an import without writing (dry run), then apply the plan.

plan_import reads the file, cleans every cell, matches each row with the case it
describes (same category, level, issuer, year and number) and says per row: new,
changed (which columns), unchanged, or error (which column, which value, why).
apply_import writes a plan without errors, all or nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction

from audit.record import today
from cases.actions.importing import (
    DATA_FIELDS,
    HANDLING_FIELDS,
    UNITS_ADMIN_ONLY,
    CaseRecord,
    ImportItem,
    cases_handled_in_system,
    check_importer,
    derive_state,
    import_cases,
    jsonable,
    may_create_units,
    new_unit,
    state_label,
    validate_case_data,
    validate_handling,
)
from cases.models import Case, Mode
from cases.models.choices import PROPOSAL_CATEGORIES
from huiyin.types import User
from orgs.models import Unit
from transfer import cleaning
from transfer.cleaning import CellError, key
from transfer.columns import BY_KEY, REQUIRED
from transfer.ledger import ledger_queryset, record_of
from transfer.reading import Table, read_table
from workflow.errors import ActionForbidden, CaseError

if TYPE_CHECKING:
    from transfer.ledger import LedgerCase

NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"
UNKNOWN_UNIT = "unknown_unit"  # RowError.code of a unit not in the system (--create-units)
STATUS_LABELS = {NEW: "新增", CHANGED: "更新", UNCHANGED: "无变化", ERROR: "错误"}
MAX_LENGTHS = {
    "number": 40,
    "title": 300,
    "issuer": 100,
    "session": 100,
    "external_lead": 100,
    "led_by": 100,
    "delegation": 100,
    "party": 50,
}
PROPOSER_MAX = 100
TOPIC_MAX = 50  # as register stores topics: cut to the field's length
# Columns whose value says something about how the case was handled: a row with any of
# them filled describes the handling in full; a row with none leaves it as it is.
HANDLING_COLUMNS = (
    "lead_unit",
    "co_units",
    "assigned_on",
    "replied_on",
    "reply_class",
    "feedback_result",
    "state",
)
EMPTY_HANDLING: dict[str, Any] = {
    "co_units": [],
    "reply_class": "",
    "feedback_result": "",
    "state": "",
}
TEXT_FIELDS: tuple[str, ...] = ("issuer", "session", "title", "content", "external_lead", "led_by")
TEXT_FIELDS += ("lead_proposer", "delegation", "party")


@dataclass
class RowError:
    row: int
    column: str  # the column's header in Chinese ("" for the whole row)
    message: str
    code: str = ""  # the kind of problem, for callers that act on it (UNKNOWN_UNIT)

    def __str__(self) -> str:
        where = f"「{self.column}」" if self.column else ""
        return f"第{self.row}行{where}：{self.message}"


@dataclass
class RowPlan:
    row: int
    status: str
    number: str = ""
    title: str = ""
    changed_columns: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    item: ImportItem | None = None
    seen: str = ""  # the matched case as planned against, to notice a change before apply


@dataclass
class ImportPlan:
    filename: str
    create_units: bool = False
    header_row: int = 1
    rows: list[RowPlan] = field(default_factory=list)
    header_errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    # The export's computed columns (答复期限, 承办人 …) found in the file: not imported.
    computed_columns: list[str] = field(default_factory=list)
    new_units: list[Unit] = field(default_factory=list)  # created on apply
    unknown_units: list[str] = field(default_factory=list)  # names to ask an admin for

    @property
    def errors(self) -> list[RowError]:
        return self.header_errors + [e for r in self.rows for e in r.errors]

    @property
    def has_unknown_units(self) -> bool:
        """Some errors name units the system lacks (which --create-units would create)."""
        return any(e.code == UNKNOWN_UNIT for e in self.errors)

    @property
    def has_errors(self) -> bool:
        return bool(self.header_errors) or any(r.status == ERROR for r in self.rows)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def items(self) -> list[ImportItem]:
        return [r.item for r in self.rows if r.item is not None]

    def summary(self) -> str:
        text = (
            f"共{len(self.rows)}行：新增{self.count(NEW)}件，更新{self.count(CHANGED)}件，"
            f"无变化{self.count(UNCHANGED)}件"
        )
        if self.has_errors:
            text += f"，错误{len(self.errors)}处（{self.count(ERROR)}行）"
        return text


@dataclass
class ImportSummary:
    source: str
    created: int
    updated: int
    unchanged: int
    units_created: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"已导入：新增{self.created}件，更新{self.updated}件，无变化{self.unchanged}件"
        if self.units_created:
            text += f"；新建单位{len(self.units_created)}个：{'、'.join(self.units_created)}"
        return text


class _Units:
    """Units by name or code, compared after normalisation; unknown names either errors
    or units to create."""

    def __init__(self, create: bool) -> None:
        self.create = create
        self.known: dict[str, Unit] = {}
        units = list(Unit.objects.all())
        for unit in units:
            self.known.setdefault(key(unit.name), unit)
        for unit in units:
            self.known.setdefault(key(unit.code), unit)
        self.new: dict[str, Unit] = {}
        self.unknown: dict[str, str] = {}

    def find(self, name: str, *, lead: bool) -> Unit:
        found = self.known.get(key(name)) or self.new.get(key(name))
        if found is not None:
            return found
        if not self.create:
            self.unknown.setdefault(key(name), name)
            raise CellError(f"系统中没有单位“{name}”", code=UNKNOWN_UNIT)
        unit = new_unit(name, lead=lead)
        if len(name) > 100:
            raise CellError(f"单位名称“{name}”超过100字")
        self.new[key(name)] = unit
        return unit


def plan_import(
    data: bytes, filename: str, *, user: User, create_units: bool = False
) -> ImportPlan:
    """Read and check a ledger file and say what importing it would do. Writes nothing.

    Raises ActionForbidden for a non-coordinator and ImportFileError for a file that
    cannot be read as a ledger."""
    check_importer(user)
    if create_units and not may_create_units(user):
        raise ActionForbidden(UNITS_ADMIN_ONLY)
    table = read_table(data, filename)
    plan = ImportPlan(filename=filename, create_units=create_units, header_row=table.header_row)
    plan.ignored_columns = list(table.ignored)
    plan.computed_columns = list(table.computed)
    for written, first in table.duplicates:
        plan.header_errors.append(RowError(table.header_row, written, f"与“{first}”列重复"))
    for column in REQUIRED:
        if column.key not in table.columns:
            plan.header_errors.append(
                RowError(table.header_row, column.label, f"缺少必填列“{column.label}”")
            )
    if plan.header_errors:
        return plan
    _Planner(plan, table, create_units).run()
    return plan


class _Planner:
    def __init__(self, plan: ImportPlan, table: Table, create_units: bool) -> None:
        self.plan, self.table = plan, table
        self.units = _Units(create_units)
        self.today = today()

    def run(self) -> None:
        parsed = [self._parse(number, cells) for number, cells in self.table.rows]
        existing = self._existing({p[1]["year"] for p in parsed if p[1].get("year")})
        seen: dict[tuple[Any, ...], int] = {}
        rewrites: list[tuple[RowPlan, ImportItem, int]] = []  # row, its item, its case
        for number, values, errors in parsed:
            row = RowPlan(row=number, status=ERROR, number=values.get("number") or "")
            row.title = values.get("title") or ""
            row.errors = errors
            self.plan.rows.append(row)
            identity = self._identity(values)
            if identity is not None:
                if identity in seen:
                    row.errors.append(
                        self._error(
                            number,
                            "number",
                            f"与第{seen[identity]}行重复（同一类别、级别、交办机关、年度的编号"
                            f"“{values['number']}”）",
                        )
                    )
                else:
                    seen[identity] = number
            if row.errors:
                continue
            self._plan_row(row, values, existing)
            item = row.item
            if item is not None and item.rewrite_handling and item.case_id:
                rewrites.append((row, item, item.case_id))
        handled = cases_handled_in_system(case_id for _, _, case_id in rewrites)
        for row, item, case_id in rewrites:
            if case_id in handled:
                self._refuse_rewrite(row, item)
        for row in self.plan.rows:
            if row.errors:
                row.status, row.item = ERROR, None
        self.plan.new_units = list(self.units.new.values())
        self.plan.unknown_units = list(self.units.unknown.values())

    def _error(self, number: int, field_name: str, message: str, code: str = "") -> RowError:
        column = BY_KEY[field_name].label if field_name in BY_KEY else ""
        return RowError(number, self.table.headers.get(field_name, column), message, code)

    # Cells into values

    def _parse(self, number: int, cells: list[Any]) -> tuple[int, dict[str, Any], list[RowError]]:
        values: dict[str, Any] = {}
        errors: list[RowError] = []
        for name, index in self.table.columns.items():
            raw = cells[index] if index < len(cells) else None
            try:
                values[name] = self._clean(name, raw, values)
            except CellError as exc:
                errors.append(self._error(number, name, exc.message, exc.code))
        for column in REQUIRED:
            if column.key in values and values[column.key] in (None, "", []):
                errors.append(self._error(number, column.key, "不能为空"))
        for name, limit in MAX_LENGTHS.items():
            value = values.get(name)
            if isinstance(value, str) and len(value) > limit:
                errors.append(self._error(number, name, f"超过{limit}字（{len(value)}字）"))
        for name in ("lead_proposer", "joint_proposers"):
            for person in values.get(name) or []:
                if len(person) > PROPOSER_MAX:
                    errors.append(self._error(number, name, f"姓名“{person}”超过{PROPOSER_MAX}字"))
        return number, values, errors

    def _clean(self, name: str, raw: Any, values: dict[str, Any]) -> Any:
        c = cleaning
        if name in ("category", "level", "year", "mode", "reply_class", "state"):
            parser = {
                "category": c.parse_category,
                "level": c.parse_level,
                "year": c.parse_year,
                "mode": c.parse_mode,
                "reply_class": c.parse_reply_class,
                "state": c.parse_state,
            }[name]
            return parser(raw)
        if name == "feedback_result":
            return c.parse_rating(raw)
        if name in ("assigned_on", "explicit_deadline", "replied_on"):
            return c.parse_date(raw)
        if name == "is_key":
            return c.parse_bool(raw)
        if name == "number":
            return c.clean_code(raw)
        if name == "content":
            return c.clean_block(raw)
        if name == "lead_proposer":
            return c.split_lead(raw)
        if name == "joint_proposers":
            return c.split_list(raw)
        if name == "topics":
            return c.unique([t[:TOPIC_MAX] for t in c.split_list(raw)])
        if name == "lead_unit":
            text = c.clean_text(raw)
            return self.units.find(text, lead=True) if text else None
        if name == "co_units":
            return [self.units.find(n, lead=False) for n in c.split_list(raw)]
        return c.clean_text(raw)

    def _identity(self, values: dict[str, Any]) -> tuple[Any, ...] | None:
        parts = (values.get(f) for f in ("category", "level", "year", "number"))
        category, level, year, number = parts
        if not (category and level and year and number):
            return None
        return (category, level, key(values.get("issuer", "")), year, key(number))

    # Rows into planned writes

    def _existing(self, years: set[int]) -> "_Existing":
        return _Existing(years)

    def _plan_row(self, row: RowPlan, values: dict[str, Any], existing: "_Existing") -> None:
        try:
            case = existing.find(
                values["category"],
                values["level"],
                values.get("issuer", ""),
                values["year"],
                values["number"],
            )
        except CellError as exc:
            row.errors.append(self._error(row.row, "issuer", exc.message))
            return
        before = record_of(case) if case is not None else None
        record = self._record(values, before)
        for name, message in validate_case_data(record):
            row.errors.append(self._error(row.row, _column_of(name), message))
        changes = _differences(before, record) if before else {}
        rewrite = before is None or any(f in changes for f in HANDLING_FIELDS)
        if rewrite:
            for name, message in validate_handling(record, on=self.today):
                row.errors.append(self._error(row.row, _column_of(name), message))
        if row.errors:
            return
        if before is not None and not changes:
            row.status = UNCHANGED
            return
        row.status = NEW if before is None else CHANGED
        row.seen = fingerprint(before) if before else ""
        row.changed_columns = [BY_KEY[f].label for f in BY_KEY if f in changes]
        row.item = ImportItem(
            row=row.row,
            record=record,
            case_id=case.pk if case else None,
            old_state=case.state if case else "",
            changes={f: [jsonable(old), jsonable(new)] for f, (old, new) in changes.items()},
            rewrite_handling=rewrite,
            seen_updated_at=case.updated_at if case else None,
        )

    def _record(self, values: dict[str, Any], before: CaseRecord | None) -> CaseRecord:
        given = set(values)
        record = CaseRecord(
            category=values["category"],
            level=values["level"],
            year=values["year"],
            number=values["number"],
            issuer=values.get("issuer", ""),
        )
        if before is not None:
            # The stored spelling of the identity stays (it matched after normalisation).
            record = CaseRecord(**{**before.__dict__})
        for name in DATA_FIELDS:
            if name not in given:
                continue
            value = values[name]
            if name == "lead_proposer":
                value = value[0] if value else ""
            if name == "joint_proposers":
                lead = values.get("lead_proposer") or []
                value = cleaning.unique(lead[1:] + value)
                first = key(lead[0]) if lead else key(record.lead_proposer)
                value = [v for v in value if key(v) != first]
            if name in ("delegation", "party") and not value:
                continue  # the person's attributes: an empty cell does not clear them
            setattr(record, name, value)
        if "joint_proposers" not in given and len(values.get("lead_proposer") or []) > 1:
            record.joint_proposers = cleaning.unique(values["lead_proposer"][1:])
        if values.get("mode"):
            record.mode = values["mode"]
        elif before is None:
            record.mode = Mode.LEAD
        if before is None or any(values.get(c) for c in HANDLING_COLUMNS):
            # The row describes the handling; a column the file lacks keeps its value.
            for name in HANDLING_FIELDS:
                if name == "mode":
                    continue
                if name in given:
                    setattr(record, name, values[name])
                elif before is None or name == "state":
                    setattr(record, name, [] if name == "co_units" else EMPTY_HANDLING.get(name))
            record.reply_class = record.reply_class or ""
            record.feedback_result = record.feedback_result or ""
            if not record.state:
                derived = derive_state(record)
                # Without a 状态 the row names a stage (assigned, replied, rated); a case at
                # that stage keeps its finer state (办理中, 审核中, closed without a rating …).
                if before is not None and derive_state(before) == derived:
                    record.state = before.state
                else:
                    record.state = derived
        elif values.get("explicit_deadline"):
            record.explicit_deadline = values["explicit_deadline"]
        return record

    def _refuse_rewrite(self, row: RowPlan, item: ImportItem) -> None:
        columns = [BY_KEY[f].label for f in HANDLING_FIELDS if f in item.changes]
        row.errors.append(
            RowError(
                row.row,
                "、".join(columns),
                f"该件已在系统中办理（当前“{state_label(item.old_state)}”），导入不能修改其"
                f"{'、'.join(columns)}；请在办件页面操作，或在表中保留系统中的值",
            )
        )


def _column_of(field_name: str) -> str:
    return field_name if field_name in BY_KEY else ""


class _Existing:
    """The cases of the file's years, by identity. A row without 交办机关 matches the case
    without one, or else the only case of that category, level, year and number."""

    def __init__(self, years: set[int]) -> None:
        self.exact: dict[tuple[Any, ...], LedgerCase] = {}
        self.loose: dict[tuple[Any, ...], list[LedgerCase]] = {}
        if not years:
            return
        cases = Case.objects.filter(year__in=sorted(years), category__in=PROPOSAL_CATEGORIES)
        for case in ledger_queryset(cases).order_by("pk").iterator(chunk_size=2000):
            ident = (case.category, case.level, case.year, key(case.number))
            self.exact[(*ident, key(case.issuer))] = case
            self.loose.setdefault(ident, []).append(case)

    def find(
        self, category: str, level: str, issuer: str, year: int, number: str
    ) -> "LedgerCase | None":
        ident = (category, level, year, key(number))
        hit = self.exact.get((*ident, key(issuer)))
        if hit is not None or key(issuer):
            return hit
        candidates = self.loose.get(ident, [])
        if len(candidates) > 1:
            issuers = "、".join(c.issuer for c in candidates)
            raise CellError(
                f"系统中有多件编号“{number}”的同类办件（交办机关：{issuers}），请填写交办机关"
            )
        return candidates[0] if candidates else None


def _normal(name: str, value: Any) -> Any:
    if name in TEXT_FIELDS:
        return key(value)
    if name == "joint_proposers":
        return [key(v) for v in value]
    if name == "topics":
        return sorted({key(v) for v in value})
    if name == "lead_unit":
        return _unit_id(value)
    if name == "co_units":
        return sorted(_unit_id(u) for u in value)
    return value


def _unit_id(unit: Unit | None) -> str:
    if unit is None:
        return ""
    return str(unit.pk) if unit.pk is not None else f"new:{unit.name}"


def fingerprint(record: CaseRecord) -> str:
    fields = ("category", "level", "issuer", "year", "number") + DATA_FIELDS + HANDLING_FIELDS
    return repr([_normal(name, getattr(record, name)) for name in fields])


def _check_fresh(plan: "ImportPlan") -> None:
    """Refuse a plan whose cases changed after it was made (another user's edit)."""
    seen = {
        r.item.case_id: r for r in plan.rows if r.item is not None and r.item.case_id is not None
    }
    ids = sorted(seen)
    moved = set(ids)
    for start in range(0, len(ids), 900):
        chunk = Case.objects.filter(pk__in=ids[start : start + 900])
        if connection.features.has_select_for_update:
            chunk = chunk.select_for_update(of=("self",))
        for case in ledger_queryset(chunk):
            if fingerprint(record_of(case)) == seen[case.pk].seen:
                moved.discard(case.pk)
    if moved:
        numbers = "、".join(
            str(seen[pk].row) for pk in sorted(moved, key=lambda pk: seen[pk].row)[:10]
        )
        raise CaseError(
            f"检查之后有{len(moved)}件办件被修改或删除（第{numbers}行），请重新检查后再导入"
        )


def _differences(before: CaseRecord, after: CaseRecord) -> dict[str, tuple[Any, Any]]:
    return {
        name: (getattr(before, name), getattr(after, name))
        for name in DATA_FIELDS + HANDLING_FIELDS
        if _normal(name, getattr(before, name)) != _normal(name, getattr(after, name))
    }


def apply_import(
    plan: ImportPlan,
    *,
    user: User,
    source_name: str,
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Write a checked plan: all of it or, on any error, nothing."""
    if plan.has_errors:
        raise CaseError(f"导入文件有{len(plan.errors)}处错误，未导入任何数据；请修改后重新导入")
    check_importer(user)
    try:
        with transaction.atomic():
            _check_fresh(plan)
            counts = import_cases(plan.items, by=user, source=source_name, progress=progress)
    except BaseException:
        # The units made for the plan were rolled back with everything else.
        for unit in plan.new_units:
            unit.pk, unit._state.adding = None, True
        raise
    return ImportSummary(
        source=source_name,
        created=counts["created"],
        updated=counts["updated"],
        unchanged=plan.count(UNCHANGED),
        units_created=[u.name for u in plan.new_units],
    )
