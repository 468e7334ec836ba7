"""The case page's action cards: for each action the user may take, its form, the template
made for it and what that template shows beside the form (deadlines, the draft, the letter).

The forms still come from the payload models (web.forms); what is made per action here is
their layout, their prefilled values and the facts the user decides on.
"""

import copy
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cases.actions.assign import reply_deadlines, return_window_end
from cases.actions.feedback import feedback_window_end
from cases.actions.handling import pending_extension
from cases.deadline_rules import due_for, period_words, rule_for
from cases.dispatch import ACTIONS
from cases.models import (
    AssignmentKind,
    Case,
    Reply,
    ReplyClass,
    ReplyStatus,
)
from cases.models import Role as CaseRole
from cases.permissions import LIVE_ASSIGNMENT
from web.forms import ChoiceSource, PayloadForm, user_label
from web.letter_preview import letter_preview
from workflow.engine import check_on
from workflow.errors import CaseError
from workflow.tables import workflow_for

DANGER_ACTIONS = {"withdraw", "return", "reopen"}
TEMPLATES = {
    "assign": "web/actions/assign.html",
    "accept": "web/actions/accept.html",
    "return": "web/actions/reason.html",
    "withdraw": "web/actions/reason.html",
    "reopen": "web/actions/reason.html",
    "communicate": "web/actions/communicate.html",
    "submit_opinion": "web/actions/submit_opinion.html",
    "submit_reply": "web/actions/submit_reply.html",
    "approve_reply": "web/actions/review.html",
    "review": "web/actions/review.html",
    "sign": "web/actions/sign.html",
    "record_feedback": "web/actions/record_feedback.html",
    "close": "web/actions/close.html",
    "request_extension": "web/actions/request_extension.html",
    "decide_extension": "web/actions/decide_extension.html",
}
GENERIC_TEMPLATE = "web/actions/_generic.html"

# What each reply class means, in the words of the 议提案 rules (DESIGN.md §1).
REPLY_CLASS_HELP = {
    "A": "所提问题已经解决或基本解决，或已采纳并落实。",
    "B": "所提问题正在解决，或已列入计划逐步解决。须列明承诺事项及完成时间。",
    "C": "因政策、财力等条件限制，所提问题需待以后解决。须列明承诺事项及完成时间。",
    "D": "所提意见留作工作参考。",
}
# What the reviewer checks at each gate (审核四关).
GATE_HELP = {
    "format": "称谓、文号、答复类别标注、联系人和电话齐全，格式规范",
    "policy": "引用的政策法规准确、现行有效，表述符合口径",
    "content": "逐条回应所提问题，内容完整、针对性强",
    "resolution": "措施具体可行，承诺事项有明确完成时间",
}
# The action date's name in each form: the day the thing was done.
ON_LABELS = {
    "accept": "签收日期",
    "return": "退回日期",
    "withdraw": "撤回日期",
    "communicate": "沟通日期",
    "submit_opinion": "提交日期",
    "request_extension": "申请日期",
    "decide_extension": "审批日期",
    "submit_reply": "提交日期",
    "approve_reply": "审核日期",
    "review": "审核日期",
    "sign": "签发日期",
    "record_feedback": "评价日期",
    "close": "办结日期",
    "reopen": "办理日期",
}
FIELD_LABELS = {
    ("return", "reason"): ("退回理由", "说明不属于本处室职责的原因，以及建议改交的单位"),
    ("withdraw", "reason"): ("撤回理由", "如：退回交办机关、改由他单位办理"),
    ("reopen", "reason"): ("重新办理的理由", ""),
    ("approve_reply", "comment"): ("审核意见", "退回修改时必填"),
    ("review", "comment"): ("审核意见", "不通过时必填；也可只在未通过的各关写明意见"),
    ("decide_extension", "comment"): ("审批意见", "不同意延期时必填"),
    ("record_feedback", "comment"): ("代表委员的意见和建议", ""),
    ("request_extension", "reason"): ("延期理由", "说明需要延期的原因和办理安排"),
}
WARNINGS = {
    "return": "申请退回后，办件回到“已登记”，由办公室重新交办；本件各单位的交办一并撤销。",
    "withdraw": "撤回后，此件不再由我委办理（退回交办机关或改办），不计入统计，且不能恢复。",
    "reopen": "重新办理将开启新一轮办理，主办处室按新的答复期限重新答复。",
}


@dataclass
class DeadlineRow:
    label: str
    day: date
    provisional: bool
    note: str = ""


@dataclass
class ActionCard:
    action: str
    label: str
    form: PayloadForm
    template: str = GENERIC_TEMPLATE
    danger: bool = False
    primary: bool = False  # the step that moves the case on
    extra: dict[str, Any] = field(default_factory=dict)


def assign_preview(case: Case, assigned_on: date, deadline: date | None) -> list[DeadlineRow]:
    """The deadlines assign_case would set if the case were assigned on `assigned_on`,
    computed by the same functions; nothing is saved."""
    if deadline is not None and deadline <= assigned_on:
        raise CaseError("办理期限须晚于交办日期", field="deadline")
    probe = copy.copy(case)
    if deadline is not None:
        probe.explicit_deadline = deadline
    is_co = case.role == CaseRole.CO
    rule = "co_opinion" if is_co else "reply"
    fields = reply_deadlines(probe, assigned_on, rule)
    if probe.explicit_deadline and not is_co:
        how = "交办机关规定的办理期限"
    else:
        how = f"交办后{period_words(rule_for(case.category, case.level, rule))}"
    co_due, _ = due_for(case, "co_unit_opinion", assigned_on)
    back, _ = due_for(case, "return_window", assigned_on)
    draft_rule = rule_for(case.category, case.level, "unit_draft")
    return [
        DeadlineRow(
            "会办意见期限" if is_co else "答复期限",
            fields["deadline"],
            fields["deadline_provisional"],
            how,
        ),
        DeadlineRow(
            "处室初稿期限",
            fields["unit_deadline"],
            fields["unit_deadline_provisional"],
            f"答复期限前{period_words(draft_rule)}，留出审核、签发时间",
        ),
        DeadlineRow(
            "协办意见期限",
            min(co_due.date, fields["deadline"]),
            co_due.provisional,
            f"交办后{period_words(rule_for(case.category, case.level, 'co_unit_opinion'))}",
        ),
        DeadlineRow(
            "申请退回截止",
            back.date,
            back.provisional,
            f"交办后{period_words(rule_for(case.category, case.level, 'return_window'))}内",
        ),
    ]


def preview_for(case: Case, assigned_on: date | None, deadline: date | None) -> dict[str, Any]:
    """The assign form's preview panel: the rows, or the reason there are none."""
    try:
        on = check_on(assigned_on, not_before=case.last_action_on)
        rows = assign_preview(case, on, deadline)
    except CaseError as exc:
        return {"rows": [], "assigned_on": assigned_on, "error": exc.message, "provisional": False}
    return {
        "rows": rows,
        "assigned_on": on,
        "error": "",
        "provisional": any(r.provisional for r in rows),
    }


def _latest_reply(case: Case, status: str) -> Reply | None:
    return (
        case.replies.filter(round=case.round, status=status)
        .prefetch_related("commitments")
        .order_by("-id")
        .first()
    )


def review_steps(reply: Reply) -> list[dict[str, Any]]:
    from web.timeline import GATE_LABELS

    labels = {"approve_reply": "处室审核", "review": "审核", "sign": "签发"}
    steps = []
    for step, info in (reply.review or {}).items():
        if not isinstance(info, dict):
            continue
        remarks = info.get("gate_comments") or {}
        steps.append(
            {
                "label": labels.get(step, step),
                "approved": info.get("approved"),
                "comment": info.get("comment", ""),
                "failed_gates": [
                    GATE_LABELS.get(g, g) for g, ok in (info.get("gates") or {}).items() if not ok
                ],
                "gate_comments": [(GATE_LABELS.get(g, g), text) for g, text in remarks.items()],
            }
        )
    return steps


def _co_opinions(case: Case) -> list[Any]:
    return list(
        case.assignments.filter(kind=AssignmentKind.CO, status__in=LIVE_ASSIGNMENT)
        .exclude(opinion="")
        .select_related("unit")
    )


def _reply_initial(case: Case, user: Any) -> tuple[dict[str, Any], Reply | None]:
    """Prefill: a sent-back draft of this round is revised, not retyped; the contact and
    phone come from the case's earlier reply, else the user's last reply anywhere."""
    initial: dict[str, Any] = {"contact": user_label(user)}
    earlier = case.replies.order_by("-id").first()
    source = earlier or Reply.objects.filter(submitted_by=user).order_by("-id").first()
    if source is not None:
        initial.update(contact=source.contact, phone=source.phone)
    sent_back = None
    if earlier is not None and earlier.round == case.round:
        if earlier.status == ReplyStatus.SENT_BACK:
            sent_back = earlier
            initial.update(
                text=earlier.text,
                reply_class=earlier.reply_class,
                commitments=[{"what": c.what, "due": c.due} for c in earlier.commitments.all()],
            )
    return initial, sent_back


def _form(
    action: str,
    case: Case,
    source: ChoiceSource,
    initial: dict[str, Any],
    data: Any = None,
) -> PayloadForm:
    hidden: set[str] = set()
    required: set[str] = set()
    if action == "submit_reply":
        if case.role == CaseRole.CO:
            hidden = {"reply_class", "commitments"}  # a 会办 opinion has neither
        else:
            required = {"reply_class"}
    return PayloadForm(
        ACTIONS[action].payload,
        action=action,
        label=workflow_for(case.category).transitions[action].label,
        source=source,
        data=data,
        initial=initial,
        only_changed=action == "edit",
        hidden=hidden,
        required=required,
    )


def build_card(
    action: str,
    case: Case,
    user: Any,
    today: date,
    source: ChoiceSource,
    edit_initial: dict[str, Any],
    data: Any = None,
) -> ActionCard:
    """The card of one action; bound to `data` when the user's post is shown again."""
    workflow = workflow_for(case.category)
    transition = workflow.transitions[action]
    initial: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    if action == "edit":
        initial = edit_initial
    elif action == "assign":
        initial = {
            "assigned_on": today,
            "deadline": case.explicit_deadline,
            "leader_in_charge": case.leader_in_charge.username if case.leader_in_charge else None,
        }
    elif action == "submit_reply":
        initial, sent_back = _reply_initial(case, user)
        extra["sent_back"] = sent_back
        extra["sent_back_steps"] = review_steps(sent_back) if sent_back else []
        extra["classes"] = [
            (code, label.split("（")[0], label.split("（")[-1].rstrip("）"), REPLY_CLASS_HELP[code])
            for code, label in ReplyClass.choices
        ]
        extra["opinions"] = _co_opinions(case)
        extra["is_co"] = case.role == CaseRole.CO
        # Re-handling: what the proposer said of the last answer is what to answer now.
        extra["last_feedback"] = (
            case.feedbacks.filter(round=case.round - 1).order_by("-id").first()
            if case.round > 1
            else None
        )

    if action not in ("assign", "edit"):
        initial.setdefault("on", today)
    form = _form(action, case, source, initial, data)
    if "on" in form.field and action in ON_LABELS:
        form.field["on"].label = ON_LABELS[action]
    for name, f in form.field.items():
        if (action, name) in FIELD_LABELS:
            f.label, help_text = FIELD_LABELS[(action, name)]
            f.help = help_text or f.help

    if action == "assign":
        posted = form.field["assigned_on"].value if data is not None else today.isoformat()
        explicit = form.field["deadline"].value if data is not None else case.explicit_deadline
        extra["preview"] = preview_for(case, _parse(posted), _parse(explicit))
        extra["is_co"] = case.role == CaseRole.CO
    elif action in ("approve_reply", "review"):
        status = ReplyStatus.UNIT_APPROVING if action == "approve_reply" else ReplyStatus.REVIEWING
        draft = _latest_reply(case, status)
        extra["draft"] = draft
        extra["draft_steps"] = review_steps(draft) if draft else []
        extra["opinions"] = _co_opinions(case)
        if action == "review":
            for gate in form.field["gates"].sub:
                gate.help = GATE_HELP.get(gate.name.removeprefix("gates-"), "")
    elif action == "sign":
        draft = _latest_reply(case, ReplyStatus.SIGNING)
        extra["draft"] = draft
        extra["draft_steps"] = review_steps(draft) if draft else []
        extra["letter"] = letter_preview(case, today) if draft else None
    elif action in WARNINGS:
        extra["warning"] = WARNINGS[action]
        if action == "return":
            extra["window_end"] = return_window_end(case)
        if action == "reopen":
            extra["new_deadline"] = reply_deadlines(case, today, "rehandle")
    elif action == "accept":
        extra["window_end"] = return_window_end(case)
    elif action == "record_feedback":
        extra["rehandle"] = reply_deadlines(case, today, "rehandle")
        extra["window_end"] = feedback_window_end(case)
    elif action == "close":
        extra["window_end"] = feedback_window_end(case)
    elif action in ("request_extension", "decide_extension"):
        extra["latest"] = (
            due_for(case, "reply_max", case.assigned_on)[0] if case.assigned_on else None
        )
        extra["request"] = pending_extension(case) if action == "decide_extension" else None
    elif action == "submit_opinion":
        extra["my_assignments"] = [
            a
            for a in case.assignments.filter(
                kind=AssignmentKind.CO, status__in=LIVE_ASSIGNMENT
            ).select_related("unit")
        ]

    return ActionCard(
        action=action,
        label=form.label,
        form=form,
        template=TEMPLATES.get(action, GENERIC_TEMPLATE),
        danger=action in DANGER_ACTIONS,
        # A co-unit's opinion is its one job on the case, though it moves nothing on.
        primary=(bool(transition.targets) or action == "submit_opinion")
        and action not in DANGER_ACTIONS,
        extra=extra,
    )


def _parse(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
