"""The rows that lists repeat (the ledger's cases, 我的待办's sections) and the small badges
inside them, written as HTML by Python rather than by a template per row.

A page of 20 ledger rows or 我的待办's hundred rows cost Django's template engine 10 ms
of CPU (about 1,500 variable lookups and two includes per row), half of what the page
costs: at 1,000,000 cases and 50 concurrent users that was the difference between
keeping up and not (issue 10). Every value goes through format_html, which escapes it;
the markup is the same the templates wrote. The badges are the one definition of how a
state and a deadline look on every page (templates call them through huiyin_tags).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from cases.figures import is_overdue
from huiyin.formats import cn_date
from workflow.tables import workflow_for

PROVISIONAL = mark_safe(
    ' <span class="badge text-bg-light border hy-provisional" '
    'title="该年度法定节假日安排尚未公布，期限按周末推算，公布后自动重算">暂定</span>'
)
EMPTY = mark_safe('<span class="hy-empty-value">—</span>')
OVERDUE_ICON = mark_safe('<i class="bi bi-exclamation-circle"></i> ')
KEY_BADGE = mark_safe(
    '<span class="badge text-bg-danger-subtle border border-danger-subtle '
    'text-danger-emphasis ms-1">重点</span>'
)


def state_badge(case: Any, label: str | None = None) -> SafeString:
    """The state as a coloured badge, in the colour the case's category declares."""
    workflow = workflow_for(case.category)
    return format_html(
        '<span class="badge hy-state hy-state-{}">{}</span>',
        workflow.colors.get(case.state, "secondary"),
        workflow.state_label(case.state) if label is None else label,
    )


def deadline_badge(
    day: date | None, provisional: bool = False, late: bool = False, days: str = ""
) -> SafeString:
    """A deadline: the date, 暂定 when its year's calendar is not confirmed, and when it
    has passed, in red with how long ago."""
    if not day:
        return EMPTY
    return format_html(
        '<span class="hy-deadline{}"{}>{}{}</span>{}{}',
        " text-danger fw-semibold" if late else "",
        mark_safe(' title="已逾期"') if late else "",
        OVERDUE_ICON if late else "",
        cn_date(day),
        PROVISIONAL if provisional else "",
        format_html(' <span class="badge text-bg-danger">{}</span>', days or "逾期")
        if late
        else "",
    )


def _marks(case: Any) -> SafeString:
    """重点 and 领办 beside a title."""
    led = (
        format_html(
            '<span class="badge hy-badge-led ms-1" title="领办：{}">领办</span>', case.led_by
        )
        if case.led_by
        else ""
    )
    return format_html("{}{}", KEY_BADGE if case.is_key else "", led)


def _soon(case: Any, days_label: str, title: bool) -> SafeString | str:
    if case.deadline_tone != "soon":
        return ""
    return format_html(
        ' <span class="badge hy-badge-soon"{}>即将到期{}</span>',
        mark_safe(' title="3个工作日内到期"') if title else "",
        f" · {days_label}" if days_label else "",
    )


def ledger_row(case: Any, today: date) -> SafeString:
    """One case of the ledger (web/views/ledger.py sets deadline_tone, days_label and
    handler_label on it). On a phone the other columns fold into the title cell."""
    category, level = case.get_category_display(), case.get_level_display()
    days_label = getattr(case, "days_label", "")
    unit = case.lead_unit.name if case.lead_unit else ""
    badge = state_badge(case)
    deadline = deadline_badge(
        case.deadline, case.deadline_provisional, is_overdue(case, today), days_label
    )
    phone_deadline = (
        format_html(
            ' <span class="text-body-secondary">答复期限</span> {}{}',
            deadline,
            _soon(case, days_label, title=False),
        )
        if case.deadline
        else ""
    )
    return format_html(
        '<tr class="{}">'
        '<td class="d-none d-md-table-cell text-nowrap">{}</td>'
        '<td class="hy-title-cell"><a href="{}">{}</a>{}'
        '<div class="d-md-none small text-body-secondary mt-1">{} · {} · {}{}</div>'
        '<div class="d-md-none small mt-1">{}{}</div></td>'
        '<td class="d-none d-md-table-cell text-nowrap small">{}<br>'
        '<span class="text-body-secondary">{} · {}年</span></td>'
        '<td class="d-none d-md-table-cell text-nowrap">{}</td>'
        '<td class="d-none d-lg-table-cell">{}</td>'
        '<td class="d-none d-lg-table-cell text-nowrap">{}</td>'
        '<td class="d-none d-md-table-cell text-nowrap">{}{}</td>'
        '<td class="d-none d-md-table-cell">{}</td>'
        "</tr>",
        f"hy-row-{case.deadline_tone}" if case.deadline_tone else "",
        case.number,
        reverse("case-detail", args=[case.pk]),
        case.title,
        _marks(case),
        case.number,
        category,
        level,
        f" · {unit}" if unit else "",
        badge,
        phone_deadline,
        category,
        level,
        case.year,
        badge,
        unit or "—",
        case.handler_label or "—",
        deadline,
        _soon(case, days_label, title=True),
        f"{case.reply_class}类" if case.reply_class else "—",
    )


def ledger_rows(cases: Any, today: date) -> SafeString:
    return format_html_join("\n", "{}", ((ledger_row(case, today),) for case in cases))


def _days(row: Any, icon: bool) -> SafeString:
    return format_html(
        '<span class="hy-days{}">{}{}</span>',
        f" hy-days-{row.tone}" if row.tone else "",
        OVERDUE_ICON if icon and row.tone == "overdue" else "",
        row.days_text,
    )


def todo_row(row: Any, section: Any) -> SafeString:
    """One case of a 我的待办 section (cases.todo.Row): what is due, when, and the button
    that opens the step to take."""
    case = row.case
    flag = (
        format_html(
            '<span class="badge text-bg-warning-subtle border border-warning-subtle '
            'text-warning-emphasis ms-1 hy-rehandle">{}</span>',
            row.flag,
        )
        if row.flag
        else ""
    )
    note = (
        format_html(
            '<div class="small text-body-secondary hy-todo-note">{}</div>',
            Truncator(row.note).chars(80),
        )
        if row.note
        else ""
    )
    due_text = cn_date(row.due) if row.due else "—"
    due_cell = (
        format_html("{}{}", cn_date(row.due), PROVISIONAL if row.due_provisional else "")
        if row.due
        else EMPTY
    )
    if section.action:
        button = format_html(
            '<a class="btn btn-sm btn-primary" href="{}#action-{}">{}</a>',
            row.url,
            section.action,
            section.action_label,
        )
    else:
        button = format_html(
            '<a class="btn btn-sm btn-outline-primary" href="{}">{}</a>',
            row.url,
            section.action_label,
        )
    return format_html(
        "<tr{}>"
        '<td class="d-none d-md-table-cell text-nowrap small">{}</td>'
        '<td class="hy-title-cell"><a href="{}">{}</a>{}{}{}'
        '<div class="d-md-none small mt-1"><span class="text-body-secondary">{} · {}</span> '
        "{} {}</div></td>"
        '<td class="d-none d-md-table-cell text-nowrap">{}</td>'
        '<td class="d-none d-md-table-cell text-nowrap">{}</td>'
        '<td class="text-end text-nowrap">{}</td>'
        "</tr>",
        format_html(' class="hy-row-{}"', row.tone) if row.tone else "",
        case.number,
        row.url,
        case.title,
        _marks(case),
        flag,
        note,
        case.number,
        section.due_label,
        due_text,
        _days(row, icon=False) if row.days_text else "",
        due_cell,
        _days(row, icon=True) if row.days_text else EMPTY,
        button,
    )


def todo_rows(section: Any) -> SafeString:
    return format_html_join("\n", "{}", ((todo_row(row, section),) for row in section.rows))


SELECTED = mark_safe(" selected")


def options(choices: Any, selected: Any) -> SafeString:
    """A select's options: (value, label) pairs, or names that are their own label; the
    one equal to `selected` is selected."""
    chosen = "" if selected is None else str(selected)
    pairs = ((c, c) if isinstance(c, str) else c for c in choices)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, SELECTED if str(value) == chosen else "", label) for value, label in pairs),
    )


# --- form fields --------------------------------------------------------------------------
# One field of a form generated from a payload model (web.forms.FormField): the case page
# shows every action card's form, some thirty fields, and an include per field cost it
# 2.6 ms of the template engine (issue 10). web/includes/field.html calls this.

# Widgets whose label names a group of inputs, not the one input `for` would point at.
_GROUP_WIDGETS = {"decision", "multiselect", "commitments", "gates"}
_REQUIRED_MARK = mark_safe(' <span class="text-danger" title="必填" aria-hidden="true">*</span>')


def _invalid(f: Any, name: str = "is-invalid") -> str:
    return f" {name}" if f.error else ""


def _checks(f: Any, fid: str, kind: str, checked: Any) -> SafeString:
    """The checkboxes or radio buttons of a field's choices."""
    invalid = _invalid(f) if kind == "radio" else ""
    return format_html_join(
        "",
        '<div class="form-check"><input class="form-check-input{}" type="{}" name="{}" '
        'value="{}" id="f-{}-{}"{}><label class="form-check-label" for="f-{}-{}">{}</label>'
        "</div>",
        (
            (
                invalid,
                kind,
                f.name,
                c.value,
                fid,
                c.value,
                mark_safe(" checked") if checked(c) else "",
                fid,
                c.value,
                c.label,
            )
            for c in f.choices
        ),
    )


def _control(f: Any, fid: str) -> SafeString:
    widget = f.widget
    if widget == "textarea":
        rows = 6 if f.name in ("text", "content") else 3
        return format_html(
            '<textarea class="form-control{}" name="{}" id="f-{}" rows="{}">{}</textarea>',
            _invalid(f),
            f.name,
            fid,
            rows,
            f.value,
        )
    if widget == "select":
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (c.value, mark_safe(" selected") if c.value == f.value else "", c.label)
                for c in f.choices
            ),
        )
        return format_html(
            '<select class="form-select{}" name="{}" id="f-{}"><option value="">{}</option>{}'
            "</select>",
            _invalid(f),
            f.name,
            fid,
            "请选择" if f.required else "不指定",
            options,
        )
    if widget == "multiselect":
        return format_html(
            '<div class="hy-checklist{}" role="group">{}</div>',
            _invalid(f, "is-invalid border-danger"),
            _checks(f, fid, "checkbox", lambda c: c.value in f.value),
        )
    if widget == "decision":
        return format_html(
            '<div role="radiogroup">{}</div>',
            _checks(f, fid, "radio", lambda c: c.value == f.value),
        )
    if widget == "gates":
        gates = format_html_join(
            "",
            '<div class="form-check form-check-inline"><input class="form-check-input" '
            'type="checkbox" name="{}" value="1" id="f-{}-{}"{}><label class="form-check-label" '
            'for="f-{}-{}">{}</label></div>',
            (
                (
                    g.name,
                    fid,
                    g.name,
                    mark_safe(" checked") if g.value else "",
                    fid,
                    g.name,
                    g.label,
                )
                for g in f.sub
            ),
        )
        return format_html('<div class="hy-gates{}">{}</div>', _invalid(f, "border-danger"), gates)
    if widget == "commitments":
        rows_html = format_html_join(
            "",
            '<div class="row g-1 mb-1"><div class="col-7"><input class="form-control '
            'form-control-sm{}" type="text" name="commitments-{}-what" value="{}" '
            'placeholder="承诺事项" aria-label="第{}项承诺事项"></div><div class="col-5">'
            '<input class="form-control form-control-sm{}" type="date" '
            'name="commitments-{}-due" value="{}" aria-label="第{}项完成时间" title="完成时间">'
            "</div></div>",
            (
                (_invalid(f), i, row["what"], i + 1, _invalid(f), i, row["due"], i + 1)
                for i, row in enumerate(f.value)
            ),
        )
        return format_html('<div class="hy-commitments">{}</div>', rows_html)
    kind = {"date": "date", "number": "number"}.get(widget, "text")
    return format_html(
        '<input class="form-control{}" type="{}" name="{}" id="f-{}" value="{}">',
        _invalid(f),
        kind,
        f.name,
        fid,
        f.value,
    )


def form_field(f: Any, prefix: Any = "", col: Any = "") -> SafeString:
    """The field's label, input, error and help, in its column: `prefix` makes its id unique
    on the page, `col` is a narrow field's column class (col-12 when not given)."""
    fid = f"{prefix or ''}-{f.name}"
    column = "col-12" if f.wide else (col or "col-12")
    if f.widget == "checkbox":
        body = format_html(
            '<div class="form-check mt-md-2"><input class="form-check-input{}" type="checkbox" '
            'name="{}" id="f-{}" value="1"{}><label class="form-check-label" for="f-{}">{}'
            "</label></div>",
            _invalid(f),
            f.name,
            fid,
            mark_safe(" checked") if f.value else "",
            fid,
            f.label,
        )
    else:
        label_for = "" if f.widget in _GROUP_WIDGETS else format_html(' for="f-{}"', fid)
        body = format_html(
            '<label class="form-label"{}>{}{}</label>{}',
            label_for,
            f.label,
            _REQUIRED_MARK if f.required else "",
            _control(f, fid),
        )
    return format_html(
        '<div class="{} hy-field hy-field-{}">{}{}{}</div>',
        column,
        f.widget,
        body,
        format_html('<div class="invalid-feedback d-block">{}</div>', f.error) if f.error else "",
        format_html('<div class="form-text">{}</div>', f.help) if f.help else "",
    )
