"""The ledger export's columns (导出列): the picker page, the user's saved default, and the
filter described in words for the printed page header."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cases.listing import NO_FEEDBACK, CaseFilter
from cases.models import Category, FeedbackRating, Level, Mode
from huiyin.errors import DomainError
from huiyin.types import AuthedRequest, User
from orgs.models import Unit
from proposals.spec import PROPOSAL_STATES
from reports.templatetags.reports_tags import stat_filter_chips
from transfer.actions import clean_columns, save_export_columns
from transfer.columns import BY_KEY, EXPORT_COLUMNS, PRINT_COLUMNS
from transfer.queries import default_columns

COLUMNS_PARAM = "columns"  # export.xlsx?columns=number,title,…: this export's columns
# The query string the picker carries back to the export (the ledger's filters).
MAX_QUERY = 4000
_CHOICES: dict[str, dict[str, str]] = {
    "category": dict(Category.choices),
    "level": dict(Level.choices),
    "state": PROPOSAL_STATES,
    "mode": dict(Mode.choices),
    "feedback": {**dict(FeedbackRating.choices), NO_FEEDBACK: "未评价"},
}
_WORDS = {
    "category": "类别",
    "level": "级别",
    "state": "状态",
    "mode": "办理方式",
    "feedback": "满意度",
    "handler": "承办人",
    "topic": "主题",
    "issuer": "交办机关",
    "reply_class": "答复类别",
}


def describe_filter(case_filter: CaseFilter) -> str:
    """筛选条件：2026年度；人大代表建议；已逾期；关键词“托育” … — for the page header."""
    params = case_filter.params()
    parts: list[str] = []
    if case_filter.year is not None:
        parts.append(f"{case_filter.year}年度")
    for name in ("category", "level", "state", "mode", "reply_class", "feedback"):
        value = params.get(name)
        if value:
            shown = _CHOICES.get(name, {}).get(value, value)
            parts.append(f"{_WORDS[name]}：{shown}{'类' if name == 'reply_class' else ''}")
    if case_filter.unit:
        found = Unit.objects.filter(code=case_filter.unit).values_list("name", flat=True).first()
        parts.append(f"单位：{found or case_filter.unit}")
    for name in ("handler", "topic", "issuer"):
        if params.get(name):
            parts.append(f"{_WORDS[name]}：{params[name]}")
    if case_filter.overdue is not None:
        parts.append("已逾期（超期未复）" if case_filter.overdue else "未逾期")
    if case_filter.due_within is not None:
        parts.append(f"{case_filter.due_within}个工作日内到期")
    if case_filter.key is not None:
        parts.append("重点件" if case_filter.key else "非重点件")
    if case_filter.led is not None:
        parts.append("领办件" if case_filter.led else "非领办件")
    query = QueryDict(mutable=True)
    query.update(params)
    parts += [chip["label"] for chip in stat_filter_chips(query)]
    if case_filter.q:
        parts.append(f"关键词“{case_filter.q}”")
    return "筛选条件：" + ("；".join(parts) if parts else "全部办件")


def export_columns_for(request: AuthedRequest) -> list[str]:
    """This export's columns: those the URL names (from the picker), else the user's saved
    default, else all. Unknown names are refused (DomainError, a 400)."""
    raw = request.GET.get(COLUMNS_PARAM)
    if raw is not None:
        return clean_columns(raw.split(","))
    return default_columns(request.user)


def _filter_query(raw: str) -> str:
    """The ledger's filters as the picker carries them (no page, no columns)."""
    query = QueryDict(raw[:MAX_QUERY], mutable=True)
    for name in ("page", COLUMNS_PARAM):
        query.pop(name, None)
    return query.urlencode()


def _choices(user: User, chosen: list[str]) -> list[dict[str, Any]]:
    picked = set(chosen)
    return [
        {
            "key": c.key,
            "label": c.label,
            "checked": c.key in picked,
            "computed": c.key not in BY_KEY,
        }
        for c in EXPORT_COLUMNS
    ]


@login_required
@require_http_methods(["GET", "POST"])
def export_columns(request: AuthedRequest) -> HttpResponse:
    """选择导出列: tick the columns; 导出 downloads with them, 保存为默认 keeps them for
    the user's next exports (an audited write)."""
    source = request.POST if request.method == "POST" else request.GET
    query = _filter_query(source.get("query", ""))
    status = 200
    if request.method == "POST":
        keys = request.POST.getlist(COLUMNS_PARAM)
        try:
            columns = clean_columns(keys)
            if request.POST.get("do") == "save":
                save_export_columns(request.user, columns)
                messages.success(request, f"已保存为默认导出列（{len(columns)}列），下次导出时使用")
                back = {"query": query} if query else {}
                return redirect(reverse("transfer-export-columns") + "?" + urlencode(back))
            chosen = urlencode({COLUMNS_PARAM: ",".join(columns)})
            return redirect(
                reverse("transfer-export") + "?" + "&".join(p for p in (query, chosen) if p)
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            chosen_keys = [k for k in keys if k]
            status = 400
    elif request.GET.get("preset") == "print":
        chosen_keys = clean_columns(PRINT_COLUMNS)
    elif request.GET.get("preset") == "all":
        chosen_keys = [c.key for c in EXPORT_COLUMNS]
    else:
        chosen_keys = default_columns(request.user)
    return render(
        request,
        "transfer/export_columns.html",
        {
            "choices": _choices(request.user, chosen_keys),
            "query": query,
            "description": describe_filter(CaseFilter.from_params(QueryDict(query))),
            "back": reverse("case-list") + (f"?{query}" if query else ""),
            "preset_query": urlencode({"query": query}),
        },
        status=status,
    )
