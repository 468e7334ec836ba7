"""The ledger's columns (DESIGN.md §6): canonical headers, their aliases, the example row."""

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str  # the CaseRecord field, or delegation/party of the lead proposer
    label: str  # the canonical header, as the template and the export write it
    aliases: tuple[str, ...] = ()
    width: int = 12  # in characters, for the export
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("category", "类别", ("类型", "件别", "案件类别", "建议提案类别"), 14, True),
    Column("level", "级别", ("层级",), 8, True),
    Column("issuer", "交办机关", ("交办单位", "转办机关"), 18),
    Column("year", "年度", ("年份", "年"), 8, True),
    Column("session", "届次", ("会议", "届次会议", "会议届次", "届别"), 22),
    Column("number", "编号", ("建议号", "提案号", "案号", "建议编号", "提案编号"), 10, True),
    Column(
        "title", "标题", ("题目", "案由", "建议标题", "提案标题", "建议题目", "提案题目"), 40, True
    ),
    Column(
        "lead_proposer", "领衔人", ("提案人", "建议人", "领衔代表", "领衔委员", "提出人"), 14, True
    ),
    Column("joint_proposers", "联名人", ("附议人", "联名代表", "联名委员", "联名提出人"), 20),
    Column(
        "delegation",
        "代表团/界别",
        ("代表团", "界别", "界别/代表团", "所属代表团", "代表团(界别)", "界别(代表团)"),
        16,
    ),
    Column("party", "党派", ("党派团体", "政治面貌"), 10),
    Column("content", "内容", ("正文", "建议内容", "提案内容", "主要内容"), 40),
    Column("topics", "主题", ("主题词", "关键词"), 16),
    Column("mode", "办理方式", ("我委办理方式", "办理类型"), 10),
    Column("external_lead", "主办单位", ("外部主办单位",), 16),
    Column("lead_unit", "承办处室", ("承办单位", "主办处室", "责任处室", "牵头处室"), 16),
    Column(
        "co_units", "协办处室", ("会办单位", "协办单位", "会办处室", "配合处室", "配合单位"), 20
    ),
    Column("led_by", "领办领导", ("领办", "领办人"), 12),
    Column("is_key", "是否重点", ("重点", "重点件", "是否重点件"), 8),
    Column("assigned_on", "交办日期", ("交办时间",), 14),
    # Not 答复期限: that is the export's computed deadline in force (COMPUTED below).
    Column("explicit_deadline", "办理期限", ("期限", "办结时限"), 14),
    Column("replied_on", "答复日期", ("答复时间", "办复日期", "办复时间"), 14),
    Column("reply_class", "答复类别", ("答复类型", "办理结果类别"), 8),
    Column(
        "feedback_result",
        "满意度",
        ("评价", "评价结果", "代表评价", "委员评价", "满意程度", "办理结果评价"),
        10,
    ),
    Column("state", "状态", ("办理状态", "办理进度"), 10),
)
BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = tuple(c for c in COLUMNS if c.required)

# Columns the export computes and the import ignores (with a note in its preview): they
# are the system's own reading of the case, not data to write back.
COMPUTED: tuple[Column, ...] = (
    Column("deadline", "答复期限", (), 14),  # in force, after approved extensions
    Column("handler", "承办人", (), 10),  # of the lead unit
    Column("overdue", "是否逾期", (), 10),
    Column("overdue_workdays", "逾期工作日", (), 10),
    Column("current_state", "当前状态", (), 16),
)
# Where each computed column stands in the export: after the column it explains.
_AFTER = {
    "deadline": "explicit_deadline",
    "handler": "lead_unit",
    "overdue": "deadline",
    "overdue_workdays": "overdue",
    "current_state": "state",
}


def _export_order() -> tuple[Column, ...]:
    found: list[Column] = list(COLUMNS)
    for column in COMPUTED:
        found.insert(found.index(next(c for c in found if c.key == _AFTER[column.key])) + 1, column)
    return tuple(found)


EXPORT_COLUMNS = _export_order()
EXPORT_BY_KEY = {c.key: c for c in EXPORT_COLUMNS}
# 常用打印列: what fits a landscape A4 page at a readable size, and still re-imports (the
# required columns are in it; a column left out keeps the case's value).
PRINT_COLUMNS = (
    *(c.key for c in REQUIRED),
    "lead_unit",
    "handler",
    "assigned_on",
    "deadline",
    "overdue",
    "overdue_workdays",
    "replied_on",
    "reply_class",
    "feedback_result",
    "current_state",
)

EXAMPLE_ROW = {
    "category": "人大代表建议",
    "level": "市级",
    "issuer": "市人大常委会代表工委",
    "year": 2026,
    "session": "市十五届人大五次会议",
    "number": "20260001",
    "title": "关于加强基层医疗卫生人才队伍建设的建议",
    "lead_proposer": "陈代表",
    "joint_proposers": "刘代表、周代表",
    "delegation": "城关区代表团",
    "party": "",
    "content": "建议加大基层卫生人才培养力度。",
    "topics": "基层卫生、人才",
    "mode": "主办",
    "external_lead": "",
    "lead_unit": "基层卫生健康处",
    "co_units": "医政医管处、市发改委",
    "led_by": "",
    "is_key": "是",
    "assigned_on": "2026-03-05",
    "explicit_deadline": "",
    "replied_on": "2026-05-25",
    "reply_class": "A类",
    "feedback_result": "满意",
    "state": "已办结",
}


def header_key(text: object) -> str:
    """A header as compared: NFKC, case-folded, no whitespace, no required-marks (*, ※)."""
    value = unicodedata.normalize("NFKC", "" if text is None else str(text))
    return re.sub(r"[\s*※]", "", value).casefold()


_HEADERS: dict[str, str] = {}
for _c in COLUMNS:
    for _name in (_c.label, *_c.aliases):
        _HEADERS[header_key(_name)] = _c.key


def _bare(text: str) -> str:
    return re.sub(r"[(\[【].*[)\]】]$", "", text)


_COMPUTED_HEADERS = {header_key(n): c.key for c in COMPUTED for n in (c.label, *c.aliases)}


def computed_for(header: object) -> str | None:
    """The export's computed column a header names (ignored on import), or None."""
    text = header_key(header)
    return _COMPUTED_HEADERS.get(text) or _COMPUTED_HEADERS.get(_bare(text)) if text else None


def column_for(header: object) -> str | None:
    """The column a header names, or None. A trailing remark in brackets is ignored:
    `答复类别(A/B/C/D)` is 答复类别."""
    text = header_key(header)
    if not text:
        return None
    if text in _HEADERS:
        return _HEADERS[text]
    return _HEADERS.get(_bare(text))
