"""督办一览 and the registration of a supervision item, on the web.

The board (GET /supervision/) lists the open items (every state but 已销号) that the user
may see, grouped by lead unit (the items not yet assigned first), each with its urgency,
its live light (supervision.light), its deadline and the working days left, its progress
and its state; the counts of the red, yellow and blue lights head it as filter chips.

It stays fast with tens of thousands of items, most of them closed: one query reads what
the light needs of the open items in scope (plain tuples, through the open-state indexes),
one the missed milestones, one the calendar; each light is supervision.light.light_of's
(the rule of the case page and the API); only the rows shown (at most SHOWN_LIMIT, the
most pressing first) are read in full, with their lead unit and supervision row joined.
The number of queries does not depend on the number of items.

The registration page (GET/POST /supervision/new/) is the coordinator's: it registers the
item (supervision.actions.register_supervision) and, when a lead unit is chosen, assigns
it (supervision.actions.assign) in the same transaction, so that a refused 交办 leaves
nothing registered.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from audit.record import today
from cases.figures import days_text, workdays_left
from cases.models import Case, Category
from cases.permissions import visible_cases
from huiyin.dates import check_date
from huiyin.errors import DomainError
from huiyin.formats import cn_date
from huiyin.text import LONG_TEXT_MAX, guard_form_text
from orgs.access import standing_of
from orgs.models import Role, Unit, UnitKind
from supervision import actions
from supervision.light import light_of
from supervision.models import Light, Milestone, Source, Supervision, Urgency
from supervision.spec import COLORS, GROUPS, RUNNING, SUPERVISION_STATES
from web.errors import web_error
from workdays.calendar import WorkdaySpan
from workflow.errors import ActionForbidden, CaseError

if TYPE_CHECKING:
    from huiyin.types import AnyUser, AuthedRequest, User

# ── the board ────────────────────────────────────────────────────────────────────────────

SHOWN_LIMIT = 500
# The open states in the spec's order (a fixed order: SQLite uses a partial index only for
# a condition spelt as the index's, and a set's order changes between processes).
OPEN_STATES = [state for state in SUPERVISION_STATES if state in GROUPS["open"]]
CHIPS = (Light.RED, Light.YELLOW, Light.BLUE)
# The most pressing first: overdue, behind, close to the deadline, the rest.
SEVERITY: dict[str, int] = {Light.RED: 0, Light.YELLOW: 1, Light.BLUE: 2, Light.NONE: 3}
# The light's colour word, printed beside its label so that it never rests on colour alone.
LIGHT_WORDS = {Light.RED: "红灯", Light.YELLOW: "黄灯", Light.BLUE: "蓝灯", Light.NONE: "无灯"}
# And a shape of its own for each light (octagon, triangle, clock), for the same reason.
LIGHT_ICONS = {
    Light.RED: "bi-exclamation-octagon-fill",
    Light.YELLOW: "bi-exclamation-triangle-fill",
    Light.BLUE: "bi-clock-fill",
    Light.NONE: "bi-check-circle",
}
UNASSIGNED = "尚未交办"
NO_BOARD = "只有委领导、督查室（议提案管理员）、查阅人员和处室人员可以查看督办一览"
BAD_LIGHT = "状态灯应为红灯、黄灯或蓝灯"
BAD_SOURCE = "督办来源不在可选范围内"


@dataclass(frozen=True)
class BoardQuery:
    light: str = ""
    source: str = ""


def parse_board_query(params: Any) -> BoardQuery:
    """The filters of the query string; CaseError (400) for a value outside the lists."""
    light = (params.get("light") or "").strip()
    source = (params.get("source") or "").strip()
    if light and light not in CHIPS:
        raise CaseError(BAD_LIGHT, field="light")
    if source and source not in Source.values:
        raise CaseError(BAD_SOURCE, field="source")
    return BoardQuery(light=light, source=source)


def may_see_board(user: AnyUser | None) -> bool:
    """The commission's roles see every item; a unit's head or handler, their units'."""
    standing = standing_of(user)
    return standing.sees_all or bool(standing.unit_ids)


@dataclass
class BoardRow:
    case: Case
    item: Supervision
    light: str
    days: str  # 剩 3 个工作日 / 今天到期 / 逾期 2 个工作日; "" when the clock does not run

    @property
    def light_label(self) -> str:
        return str(Light(self.light).label)

    @property
    def light_word(self) -> str:
        return LIGHT_WORDS[Light(self.light)]

    @property
    def light_icon(self) -> str:
        return LIGHT_ICONS[Light(self.light)]

    @property
    def state_label(self) -> str:
        return SUPERVISION_STATES.get(self.case.state, self.case.state)

    @property
    def state_color(self) -> str:
        return COLORS.get(self.case.state, "secondary")

    @property
    def overdue(self) -> bool:
        return self.light == Light.RED

    @property
    def lit(self) -> bool:
        """The light runs with the clock: from 交办 (a deadline) until the completion
        report is in, and not while the item is suspended."""
        return self.case.state in RUNNING and self.case.deadline is not None


ROW = (
    '<tr data-case="{pk}" data-light="{light}">'
    '<td class="text-nowrap" data-label="编号">{number}</td>'
    '<td class="hy-sv-title" data-label="督办事项"><a href="{url}">{title}</a></td>'
    '<td class="text-nowrap" data-label="紧急程度">'
    '<span class="hy-urgency hy-urgency-{urgency}">{urgency_label}</span></td>'
    '<td class="text-nowrap" data-label="状态灯">{light_badge}</td>'
    '<td class="text-nowrap" data-label="办理期限">{deadline}</td>'
    '<td class="text-nowrap" data-label="进度"><progress class="hy-sv-progress" max="100" '
    'value="{percent}" aria-label="完成进度"></progress> {percent}%</td>'
    '<td class="text-nowrap" data-label="状态">'
    '<span class="badge hy-state hy-state-{state_color}">{state_label}</span></td>'
    '<td class="text-nowrap hy-sv-notice">{notice}</td></tr>'
)
LIGHT_BADGE = (
    '<span class="hy-light hy-light-{}"><i class="bi {}" aria-hidden="true"></i> {} · {}</span>'
)
UNLIT = mark_safe(
    '<span class="hy-empty-value" title="尚未交办、已报办结或已中止的事项不亮灯">—</span>'
)
NO_DEADLINE = mark_safe('<span class="hy-empty-value">—</span>')
NOTICE_LINK = (
    '<a class="btn btn-sm btn-outline-secondary" href="{}" title="下载督办单（Word）">'
    '<i class="bi bi-file-earmark-word" aria-hidden="true"></i> 督办单</a>'
)


def _url_maker(name: str) -> Any:
    """reverse() once per page, not once per row (500 rows: a tenth of the page's time)."""
    marker = 2**31 - 1
    pattern = reverse(name, args=[marker]).replace(str(marker), "{}")
    return pattern.format


def rows_html(rows: list[BoardRow]) -> SafeString:
    """A group's rows as HTML, written by Python as web/rows.py writes the ledger's: every
    value through format_html, which escapes it."""
    case_url, notice_url = _url_maker("case-detail"), _url_maker("supervision_web:notice")
    out = []
    for row in rows:
        case, item = row.case, row.item
        if case.deadline is None:
            deadline: SafeString | str = NO_DEADLINE
        else:
            days = (
                format_html(
                    '<div class="small hy-sv-days{}">{}</div>',
                    " text-danger fw-semibold" if row.overdue else "",
                    row.days,
                )
                if row.days
                else ""
            )
            deadline = format_html("{}{}", cn_date(case.deadline), days)
        out.append(
            format_html(
                ROW,
                pk=case.pk,
                light=row.light,
                number=case.number,
                url=case_url(case.pk),
                title=case.title,
                urgency=item.urgency,
                urgency_label=item.get_urgency_display(),
                light_badge=format_html(
                    LIGHT_BADGE, row.light, row.light_icon, row.light_word, row.light_label
                )
                if row.lit
                else UNLIT,
                deadline=deadline,
                percent=item.progress_percent,
                state_color=row.state_color,
                state_label=row.state_label,
                notice=format_html(NOTICE_LINK, notice_url(case.pk)) if item.notice_number else "",
            )
        )
    return mark_safe("".join(out))  # noqa: S308  # each part escaped by format_html


@dataclass
class BoardGroup:
    unit: Unit | None
    rows: list[BoardRow] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.unit.name if self.unit is not None else UNASSIGNED

    @property
    def html(self) -> SafeString:
        return rows_html(self.rows)

    @property
    def anchor(self) -> str:
        return f"unit-{self.unit.pk}" if self.unit is not None else "unit-none"


@dataclass
class Board:
    on: date
    query: BoardQuery
    counts: dict[str, int]  # per light, over the open items in scope (source filter applied)
    total: int  # the open items in scope
    matching: int  # of those, the ones with the light asked for
    groups: list[BoardGroup]

    @property
    def shown(self) -> int:
        return sum(len(g.rows) for g in self.groups)

    @property
    def truncated(self) -> bool:
        return self.matching > self.shown


def open_items(user: User) -> Any:
    """The open supervision items the user may see (a QuerySet of cases)."""
    scope = Q(category=Category.SUPERVISION, state__in=OPEN_STATES)
    return visible_cases(user, Case.objects.filter(scope), parts=scope)


class Clock(NamedTuple):
    """What light_of reads of a case: enough to light an item without building the
    model instance (tens of thousands of them cost more than the whole page may)."""

    pk: int
    state: str
    deadline: date | None
    assigned_on: date | None


def _span(clocks: list[Clock], on: date) -> WorkdaySpan:
    """One calendar from the earliest running deadline to the latest (one query): the
    light's working days to each deadline and the rows' days left are read from it."""
    days = [c.deadline for c in clocks if c.state in RUNNING and c.deadline is not None]
    return WorkdaySpan(min([on, *days]), max([on, *days]))


def light_all(
    clocks: list[Clock], progress: dict[int, int], on: date, span: WorkdaySpan
) -> dict[int, str]:
    """Each item's light by supervision.light.light_of (the one rule), with the missed
    milestones of the running items read in one query and one calendar for them all."""
    missed = set(
        Milestone.objects.filter(
            reached_on__isnull=True,
            due__lt=on,
            case__category=Category.SUPERVISION,
            case__state__in=list(RUNNING),
        )
        .order_by()
        .values_list("case_id", flat=True)
        .distinct()
    )
    return {
        c.pk: light_of(
            c,  # type: ignore[arg-type]  # a Clock has what light_of reads of a Case
            on,
            progress=progress.get(c.pk, 0),
            missed_milestone=c.pk in missed,
            span=span,  # one calendar for the page
        )
        for c in clocks
    }


def _pressing(clock: Clock, light: str) -> tuple[int, date, int]:
    return SEVERITY[light], clock.deadline or date.max, clock.pk


def board(user: User, on: date, query: BoardQuery) -> Board:
    """The board as the user sees it on `on`: a fixed number of queries."""
    scoped = open_items(user)
    if query.source:
        scoped = scoped.filter(supervision__source=query.source)
    # What the light needs, of every open item in scope: plain tuples, not models.
    clocks, progress = [], {}
    for pk, state, deadline, assigned_on, percent in scoped.order_by().values_list(
        "id", "state", "deadline", "assigned_on", "supervision__progress_percent"
    ):
        clocks.append(Clock(pk, state, deadline, assigned_on))
        progress[pk] = percent or 0
    span = _span(clocks, on)
    light = light_all(clocks, progress, on, span)
    counts = Counter(light.values())
    wanted = [c for c in clocks if not query.light or light[c.pk] == query.light]
    shown = heapq.nsmallest(SHOWN_LIMIT, wanted, key=lambda c: _pressing(c, light[c.pk]))
    full = (
        Case.objects.filter(pk__in=[c.pk for c in shown])
        .select_related("lead_unit", "supervision")
        .defer(
            "content",
            "deadline_rule",
            "supervision__instruction",
            "supervision__completion_report",
            "supervision__quality_comment",
        )
        .order_by()
        .in_bulk()
    )
    rows = [full[c.pk] for c in shown if c.pk in full]  # a row gone meanwhile: left out
    days = _days_left(rows, on, span)
    groups: dict[int | None, BoardGroup] = {}
    for case in rows:
        group = groups.setdefault(case.lead_unit_id, BoardGroup(case.lead_unit))
        group.rows.append(BoardRow(case, case.supervision, light[case.pk], days.get(case.pk, "")))
    ordered = sorted(
        groups.values(),
        key=lambda g: (0, 0, "") if g.unit is None else (1, g.unit.sort_order, g.unit.code),
    )
    return Board(
        on=on,
        query=query,
        counts={key: counts.get(key, 0) for key in Light.values},
        total=len(clocks),
        matching=len(wanted),
        groups=ordered,
    )


def _days_left(rows: list[Case], on: date, span: WorkdaySpan) -> dict[int, str]:
    """剩/逾期 N 个工作日 of the running items, on the board's calendar."""
    running = [c for c in rows if c.state in RUNNING and c.deadline is not None]
    texts = {}
    for case in running:
        assert case.deadline is not None
        texts[case.pk] = days_text(workdays_left(span, on, case.deadline), case.deadline < on)
    return texts


def _chips(result: Board) -> list[dict[str, Any]]:
    return [
        {
            "light": key,
            "word": LIGHT_WORDS[key],
            "icon": LIGHT_ICONS[key],
            "label": Light(key).label,
            "count": result.counts[key],
            "active": result.query.light == key,
        }
        for key in CHIPS
    ]


@require_GET
@login_required
def board_page(request: HttpRequest) -> HttpResponse:
    if not may_see_board(request.user):
        raise PermissionDenied(NO_BOARD)
    on = today()
    context: dict[str, Any] = {
        "sources": Source.choices,
        "chosen": {k: request.GET.get(k, "") for k in ("light", "source")},
        "shown_limit": SHOWN_LIMIT,
        "may_register": standing_of(request.user).has(Role.COORDINATOR),
        "today": on,
    }
    try:
        query = parse_board_query(request.GET)
    except CaseError as exc:
        context["error"] = exc.message
        return render(request, "supervision/web/board.html", context, status=400)
    result = board(request.user, on, query)  # type: ignore[arg-type]  # login_required
    context.update(board=result, chips=_chips(result))
    return render(request, "supervision/web/board.html", context)


# ── registration ─────────────────────────────────────────────────────────────────────────

MILESTONE_ROWS = 5
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NOT_A_DATE = "请填写正确的日期（年-月-日）"
NEEDS_LEAD_UNIT = "填写协办单位、分管领导、办理期限或阶段性目标的，请选择承办单位以便交办"
NO_REGISTRAR = "只有督查室（议提案管理员）可以登记督办事项"
DEADLINE_HELP = "不填则交办时按紧急程度计算：红3个工作日、黄5个工作日、蓝15天、绿30天"


def _date_field(label: str, *, required: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DATE_INPUT,
        input_formats=["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"],
        error_messages={"invalid": NOT_A_DATE},
        help_text=help_text,
    )


def _leaders() -> Any:
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__role=Role.LEADER)
        .distinct()
        .order_by("username")
    )


class LeaderChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


class RegistrationForm(forms.Form):
    """登记督办事项, and optionally its 交办. Every text field passes huiyin.text's rule;
    messages in Chinese; `is-invalid` on the widgets of fields with errors."""

    source = forms.ChoiceField(label="督办来源", choices=[("", "请选择来源"), *Source.choices])
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, widget=forms.RadioSelect)
    title = forms.CharField(label="督办事项", max_length=300)
    document_number = forms.CharField(label="文号", max_length=60, required=False)
    issuer = forms.CharField(label="来文单位", max_length=100, required=False)
    document_date = _date_field("来文日期")
    received_on = _date_field("收到日期", required=True)
    instruction = forms.CharField(
        label="领导批示",
        max_length=LONG_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    content = forms.CharField(
        label="事项内容",
        max_length=LONG_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    lead_unit = forms.ModelChoiceField(
        label="承办单位",
        queryset=Unit.objects.filter(is_active=True).exclude(kind=UnitKind.EXTERNAL),
        to_field_name="code",
        required=False,
        empty_label="暂不交办（只登记）",
    )
    co_units = forms.ModelMultipleChoiceField(
        label="协办单位",
        queryset=Unit.objects.filter(is_active=True),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    leader_in_charge = LeaderChoice(
        label="分管领导",
        queryset=_leaders(),
        to_field_name="username",
        required=False,
        empty_label="不指定",
    )
    deadline = _date_field("办理期限", help_text=DEADLINE_HELP)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, MILESTONE_ROWS + 1):
            self.fields[f"milestone_title_{n}"] = forms.CharField(
                label=f"阶段性目标{n}",
                max_length=200,
                required=False,
                widget=forms.TextInput(
                    attrs={"class": "form-control form-control-sm"}
                    | ({"placeholder": "如：制定工作方案"} if n == 1 else {})
                ),
            )
            due = self.fields[f"milestone_due_{n}"] = _date_field(f"阶段性目标{n}的完成时限")
            due.widget = forms.DateInput(
                attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
            )
        guard_form_text(self.fields)
        self.milestone_errors: list[str] = []
        for name, f in self.fields.items():
            choosing = isinstance(f.widget, forms.Select | forms.RadioSelect)
            verb = "请选择" if choosing else "请填写"
            f.error_messages["required"] = f"{verb}{f.label}"
            f.error_messages["max_length"] = f"{f.label}不能超过%(limit_value)d个字符"
            f.error_messages["invalid_choice"] = f"{f.label}不在可选范围内"
            f.error_messages["invalid_list"] = f"{f.label}不在可选范围内"
            if isinstance(f.widget, forms.CheckboxSelectMultiple):  # a RadioSelect too
                css = "form-check-input"
            elif isinstance(f.widget, forms.RadioSelect):
                css = "btn-check"
            elif isinstance(f.widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            f.widget.attrs.setdefault("class", css)
            f.widget.attrs.setdefault("id", f"reg-{name}")
        # ModelMultipleChoiceField has its own key for a code that is not in the list.
        self.fields["co_units"].error_messages["invalid_choice"] = "协办单位不在可选范围内"
        self.fields["co_units"].error_messages["invalid_pk_value"] = "协办单位不在可选范围内"

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            widget = self.fields[name].widget if name in self.fields else None
            if widget is not None and "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def milestone_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [
            (n, self[f"milestone_title_{n}"], self[f"milestone_due_{n}"])
            for n in range(1, MILESTONE_ROWS + 1)
        ]

    def _window(self, name: str) -> None:
        value = self.cleaned_data.get(name)
        if value is None:
            return
        try:
            check_date(value, label=str(self.fields[name].label))
        except DomainError as exc:
            self.add_error(name, exc.message)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("document_date", "received_on", "deadline"):
            self._window(name)
        received, sent = data.get("received_on"), data.get("document_date")
        if received and received > today():
            self.add_error("received_on", "收到日期不能晚于今天")
        if received and sent and sent > received:
            self.add_error("document_date", "来文日期不能晚于收到日期")
        data["milestones"] = self._milestones(data)
        wants_assign = (
            data.get("co_units") or data.get("leader_in_charge") or data.get("deadline")
        ) or data["milestones"]
        if wants_assign and not data.get("lead_unit") and "lead_unit" not in self.errors:
            self.add_error("lead_unit", NEEDS_LEAD_UNIT)
        return data

    def _milestones(self, data: dict[str, Any]) -> list[tuple[str, date]]:
        found = []
        for n in range(1, MILESTONE_ROWS + 1):
            name, due = f"milestone_title_{n}", f"milestone_due_{n}"
            if name in self.errors or due in self.errors:
                continue
            text, day = (data.get(name) or "").strip(), data.get(due)
            if text and day is None:
                self.add_error(due, "请填写这一阶段性目标的完成时限")
            elif day is not None and not text:
                self.add_error(name, "请填写阶段性目标的内容")
            elif text and day is not None:
                self._window(due)
                found.append((text, day))
        return found


def require_registrar(user: AnyUser) -> None:
    """The action's own rule (supervision.actions.check_registrar), as a 403 page."""
    if not standing_of(user).has(Role.COORDINATOR):
        raise PermissionDenied(NO_REGISTRAR)


def register_and_assign(user: User, data: dict[str, Any]) -> Case:
    """登记, then 交办 when a lead unit is given: one transaction, so a refused 交办 leaves
    no half-made item (and no number taken)."""
    with transaction.atomic():
        case = actions.register_supervision(
            by=user,
            source=data["source"],
            urgency=data["urgency"],
            title=data["title"],
            received_on=data["received_on"],
            content=data["content"],
            document_number=data["document_number"],
            document_date=data["document_date"],
            issuer=data["issuer"],
            instruction=data["instruction"],
        )
        if data.get("lead_unit") is not None:
            actions.assign(
                case,
                by=user,
                lead_unit=data["lead_unit"],
                co_units=list(data.get("co_units") or []),
                leader_in_charge=data.get("leader_in_charge"),
                deadline=data.get("deadline"),
                milestones=data["milestones"],
            )
    return case


def _saved_message(case: Case) -> str:
    if case.deadline is None:
        return f"已登记督办事项 {case.number}，待交办"
    return f"已登记督办事项 {case.number}，并已交办，办理期限{case.deadline:%Y年%-m月%-d日}"


@require_http_methods(["GET", "POST"])
@login_required
def register_page(request: AuthedRequest) -> HttpResponse:
    require_registrar(request.user)
    status = 200
    if request.method == "POST":
        form = RegistrationForm(request.POST)
        if form.is_valid():
            try:
                case = register_and_assign(request.user, form.cleaned_data)
            except DomainError as exc:
                if isinstance(exc, ActionForbidden):
                    raise PermissionDenied(exc.message) from exc
                if exc.field == "milestones":
                    form.milestone_errors.append(exc.message)
                status = web_error(exc, form=form)
            else:
                messages.success(request, _saved_message(case))
                return redirect("case-detail", pk=case.pk)
        else:
            status = 400
    else:
        form = RegistrationForm(initial={"received_on": today()})
    return render(request, "supervision/web/register.html", {"form": form}, status=status)
