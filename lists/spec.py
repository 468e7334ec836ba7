"""清单事项 (list_item): the one declaration of a list item's workflow — states, every
action (transition, who, payload, function, availability, form, wording) and its 待办
queues; read by every entry point, as the 议提案's (proposals/spec.py).

整改中 (measures reported on, each struck off against its evidence by the list's reviewer)
→ 申请销号 → 待销号 → 销号审核 → 已销号 (or back to 整改中 with the reason); 问题反弹
takes an 已销号 item back to 整改中.

Items are cases (their own category) because an item is what is assigned to units,
reminded, seen in 我的待办, struck off and reported to the body that raised it, as a case
is; a measure is a row of its item, acted on through the item's actions (the payload's
`measure`) under the item's row lock: its reports, evidence and 销号 are the item's story.
"""

from cases.actions import urge
from cases.models.choices import Category
from cases.payloads import UrgePayload
from lists import page, queues, runs, wording
from lists.access import item_relations, kept_evidence
from lists.clocks import CLOCKS, LADDER
from lists.payloads import (
    ItemEditPayload,
    MeasureEditPayload,
    MeasurePayload,
    MeasureReopenPayload,
    MeasureReviewPayload,
    MeasureSubmitPayload,
    ProgressPayload,
    ReopenPayload,
    StrikeOffPayload,
    StrikeOffRequestPayload,
)
from lists.serialize import item_fields
from workflow.tables import EDITS, Form, Page, Queue, Wording, Workflow, register_workflow, t
from workflow.vocabulary import Action as A
from workflow.vocabulary import Relation as R
from workflow.vocabulary import State as S

LIST_ITEM_STATES: dict[str, str] = {
    S.HANDLING: "整改中",
    S.REVIEWING: "待销号",
    S.CLOSED: "已销号",
}
GROUPS = {
    "running": frozenset({S.HANDLING}),
    "open": frozenset({S.HANDLING, S.REVIEWING}),
    "answered": frozenset({S.REVIEWING, S.CLOSED}),
    "final": frozenset({S.CLOSED}),
}
COLORS: dict[str, str] = {S.HANDLING: "primary", S.REVIEWING: "warning", S.CLOSED: "success"}
COORDINATOR, REVIEWER = R.COORDINATOR, R.REVIEWER
UNITS = [R.LEAD_UNIT, R.CO_UNIT, R.COORDINATOR]
MEASURE_WORDS = Wording(head=wording.measure)
DEADLINE_HELP = ("完成时限", "不早于清单开始日期")
MEASURE_DEADLINE_HELP = ("完成时限", "不晚于事项的完成时限")

TRANSITIONS = [
    t(
        A.REPORT_PROGRESS, "进展反馈", [S.HANDLING], [], UNITS,
        payload=ProgressPayload, run=runs.report_progress,
        form=Form(on_label="反馈日期", options={"measure": runs.open_measure_options},
                  labels={"measure": ("具体举措", "不选为事项整体（无具体举措的事项）")}),
        wording=MEASURE_WORDS,
        success=lambda case: "已反馈进展",
    ),
    t(
        A.SUBMIT_MEASURE, "举措申请销号", [S.HANDLING], [], UNITS,
        payload=MeasureSubmitPayload, run=runs.submit_measure, available=runs.has_open_measure,
        form=Form(on_label="完成日期", options={"measure": runs.open_measure_options},
                  warning="请先在“具体举措”下上传该举措的佐证材料"),
        wording=MEASURE_WORDS,
        success=lambda case: "已申请销号，待清单负责人审核",
    ),
    t(
        A.REVIEW_MEASURE, "举措销号审核", [S.HANDLING], [], [REVIEWER],
        payload=MeasureReviewPayload, run=runs.review_measure,
        available=runs.has_submitted_measure,
        form=Form(on_label="审核日期", options={"measure": runs.submitted_measure_options},
                  decisions=(("1", "同意销号"), ("0", "不同意，退回继续整改"))),
        wording=Wording(head=wording.measure, yes="同意销号", no="不同意，退回继续整改"),
    ),
    t(
        A.REQUEST_STRIKE_OFF, "申请销号", [S.HANDLING], [S.REVIEWING], [R.LEAD_UNIT],
        payload=StrikeOffRequestPayload, run=runs.request_strike_off,
        available=runs.all_measures_struck_off,
        form=Form(on_label="申请日期"),
        success=lambda case: "事项已申请销号，待清单负责人审核",
    ),
    t(
        A.STRIKE_OFF, "销号审核", [S.REVIEWING], [S.CLOSED, S.HANDLING], [REVIEWER],
        payload=StrikeOffPayload, run=runs.strike_off,
        form=Form(on_label="审核日期", decisions=(("1", "同意销号"), ("0", "不同意，退回继续整改"))),
        wording=Wording(yes="同意销号", no="不同意，退回继续整改"),
        success=lambda case: "已销号" if case.state == S.CLOSED else "已退回继续整改",
    ),
    t(
        A.ADD_MEASURE, "增加举措", [S.HANDLING], [], [COORDINATOR, REVIEWER, R.LEAD_HEAD],
        payload=MeasurePayload, run=runs.add_measure,
        form=Form(group=EDITS, options={"owner_unit": runs.unit_options},
                  labels={"deadline": MEASURE_DEADLINE_HELP}),
        wording=MEASURE_WORDS,
    ),
    t(
        A.EDIT_MEASURE, "修改举措", [S.HANDLING], [], [COORDINATOR, REVIEWER],
        payload=MeasureEditPayload, run=runs.edit_measure, available=runs.has_editable_measure,
        form=Form(group=EDITS, dated=False, options={
            "measure": runs.editable_measure_options, "owner_unit": runs.unit_options},
            labels={"deadline": MEASURE_DEADLINE_HELP,
                    "text": ("具体举措内容", "只填要修改的项，不填的保持不变")}),
        wording=Wording(head=wording.changes),
    ),
    t(
        A.EDIT, "修改事项", [S.HANDLING, S.REVIEWING], [], [COORDINATOR, REVIEWER],
        payload=ItemEditPayload, run=runs.edit_item,
        form=Form(group=EDITS, dated=False, only_changed=True, initial=runs.item_initial,
                  labels={"deadline": DEADLINE_HELP}),
        wording=Wording(head=wording.changes),
    ),
    t(
        A.URGE, "催办", [S.HANDLING], [], [COORDINATOR, REVIEWER],
        payload=UrgePayload, run=urge.run, available=urge.can_urge,
        form=Form(on_label="催办日期", order=("note", "target_on", "on")),
    ),
    t(
        A.REOPEN_MEASURE, "举措重新整改", [S.HANDLING], [], [REVIEWER, COORDINATOR],
        payload=MeasureReopenPayload, run=runs.reopen_measure,
        available=runs.has_struck_off_measure,
        form=Form(danger=True, options={"measure": runs.struck_off_measure_options}),
        wording=MEASURE_WORDS,
    ),
    t(
        A.REOPEN, "问题反弹", [S.CLOSED], [S.HANDLING], [REVIEWER, COORDINATOR],
        payload=ReopenPayload, run=runs.reopen,
        form=Form(danger=True, primary=False,
                  labels={"deadline": ("新的完成时限", "不填则保持原完成时限")}),
        success=lambda case: "事项已重新整改",
    ),
]  # fmt: skip

QUEUES = (
    Queue("coordinator", "list_to_review", queues.to_review, A.STRIKE_OFF),
    Queue("coordinator", "list_overdue", queues.overdue),
    Queue("leader", "list_to_review_leader", queues.to_review, A.STRIKE_OFF),
    Queue("leader", "list_led_overdue", queues.led_overdue),
    Queue("unit", "list_in_hand", queues.in_hand, A.REPORT_PROGRESS),
)

LIST_ITEM = register_workflow(
    Workflow(
        category=Category.LIST_ITEM,
        label="清单事项",
        initial=S.HANDLING,
        states=LIST_ITEM_STATES,
        transitions={spec.action: spec for spec in TRANSITIONS},
        groups=GROUPS,
        colors=COLORS,
        queues=QUEUES,
        clocks=CLOCKS,
        ladder=LADDER,
        relations=item_relations,
        fields=item_fields,
        kept=kept_evidence,
        page=Page(
            facts="lists/case/facts.html",
            details="lists/case/details.html",
            context=page.page_context,
        ),
    )
)
