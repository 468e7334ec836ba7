"""Template tags of the statistics: whether the user may open the dashboard (for the nav),
and the statistics' own filters of a ledger URL shown as chips (for the case list)."""

from typing import Any

from django import template
from django.http import QueryDict

from huiyin.types import AnyUser
from orgs.models import Unit, UnitKind
from reports.access import may_see_stats as _may_see_stats
from reports.stats import REPLIED_KEY

register = template.Library()

# The ledger filters the dashboard's links add (cases.listing.CaseFilter), in words.
CHOICES = {
    "counted": {"1": "统计口径：议提案，不含已撤回"},
    "role": {"lead": "主办（含承办、分办）", "co": "会办"},
    REPLIED_KEY: {"1": "已答复", "0": "未答复"},
    "on_time": {"1": "按期答复", "0": "逾期答复"},
    "met": {"1": "与代表委员当面沟通", "0": "未当面沟通"},
}
RANGES = {"received": "收到日期", REPLIED_KEY: "答复日期"}
STAT_KEYS = (
    *CHOICES,
    "lead_unit",
    "lead_unit_kind",
    "received_from",
    "received_to",
    "replied_from",
    "replied_to",
)


@register.simple_tag
def may_see_stats(user: AnyUser) -> bool:
    return _may_see_stats(user)


def stat_filter_chips(params: QueryDict) -> list[dict[str, Any]]:
    """[{label, remove: query string without it, keep: [(name, value)]}] for the statistics
    filters present in the query, in words."""
    chips = []

    def chip(label: str, *keys: str) -> None:
        rest = params.copy()
        for key in (*keys, "page"):
            rest.pop(key, None)
        keep = [(k, params.get(k)) for k in keys if params.get(k)]
        chips.append({"label": label, "remove": rest.urlencode(), "keep": keep})

    for key, words in CHOICES.items():
        value = params.get(key, "")
        if value:
            chip(words.get(value, f"{key}={value}"), key)
    lead_units = params.get("lead_unit", "")
    if lead_units:
        codes = [c for c in lead_units.split(",") if c]
        names = dict(Unit.objects.filter(code__in=codes).values_list("code", "name"))
        shown = ["尚未交办" if c == "-" else names.get(c, c) for c in codes]
        chip("主办单位：" + "、".join(shown), "lead_unit")
    lead_unit_kinds = params.get("lead_unit_kind", "")
    if lead_unit_kinds:
        kinds = dict(UnitKind.choices)
        shown = [str(kinds.get(k, k)) for k in lead_unit_kinds.split(",") if k]
        chip("主办单位类型：" + "、".join(shown), "lead_unit_kind")
    for prefix, range_words in RANGES.items():
        start, end = params.get(f"{prefix}_from", ""), params.get(f"{prefix}_to", "")
        if start or end:
            chip(f"{range_words}：{start or '…'} 至 {end or '…'}", f"{prefix}_from", f"{prefix}_to")
    return chips


@register.inclusion_tag("reports/includes/stat_filters.html", takes_context=True)
def stat_filters(context: template.Context) -> dict[str, Any]:
    """{% stat_filters %} inside the ledger's filter form: the dashboard's filters as chips,
    each removable. The ledger's form keeps them as hidden inputs of its own."""
    request = context.get("request")
    params = request.GET if request is not None else QueryDict()
    return {"chips": stat_filter_chips(params), "path": request.path if request else ""}
