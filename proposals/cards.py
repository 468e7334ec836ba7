"""What the 议提案 action cards show beside their forms: prefilled values, deadlines, the
draft under review, the letter as it will be sent. Referenced from the spec (spec.py);
web/action_cards.py calls them with a `CardInput`."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from cases.actions.assign import reply_deadlines, return_window_end
from cases.actions.feedback import feedback_window_end
from cases.actions.handler import unit_handlers
from cases.actions.urge import ROLE_WORDS, urged_people
from cases.deadline_rules import due_for, period_words, rule_for
from cases.models import AssignmentKind, Case, Reply, ReplyClass, ReplyStatus
from cases.models import Role as CaseRole
from cases.permissions import relations
from huiyin.prefetch import prefetched
from letters.setup import contact_defaults
from proposals.rows import live_assignments, open_extension, replies_newest_first
from similar.cards import assign_suggestion, similar_replies
from web.action_cards import review_steps as _steps
from web.forms import Choice, user_label
from web.letter_preview import letter_preview
from workflow.engine import check_on
from workflow.errors import CaseError
from workflow.tables import workflow_for
from workflow.vocabulary import Relation

if TYPE_CHECKING:
    from web.action_cards import CardInput
    from workdays.calendar import Due


def review_steps(reply: Reply, case: Case) -> list[dict[str, Any]]:
    return _steps(reply, workflow_for(case.category))


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
URGE_NOTICES_SHOWN = 10  # the 催办 card lists the latest notices
GATE_LABELS = {
    "format": "答复格式",
    "policy": "政策法规",
    "content": "答复内容",
    "resolution": "解决问题",
}


@dataclass
class DeadlineRow:
    label: str
    day: date
    provisional: bool
    note: str = ""


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
    rows = replies_newest_first(case)
    if rows is not None:
        return next((r for r in rows if r.round == case.round and r.status == status), None)
    return (
        case.replies.filter(round=case.round, status=status)
        .prefetch_related("commitments")
        .order_by("-id")
        .first()
    )


def _co_opinions(case: Case) -> list[Any]:
    return [a for a in live_assignments(case, AssignmentKind.CO) if a.opinion]


def _current_handler(case: Case) -> Any:
    """The live lead unit's handler (cases.actions.handler.current_handler), from the rows
    the page has read when it has."""
    lead = live_assignments(case, AssignmentKind.LEAD)
    return lead[0].handler if lead else None


def _parse(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


# --- initial values -----------------------------------------------------------------


def edit_initial(inp: CardInput) -> dict[str, Any]:
    case = inp.case
    proposers, topics = inp.proposers, inp.topics
    return {
        "level": case.level,
        "issuer": case.issuer,
        "year": case.year,
        "session": case.session,
        "number": case.number,
        "title": case.title,
        "content": case.content,
        "mode": case.mode,
        "external_lead": case.external_lead,
        "topics": [t.name for t in topics],
        "led_by": case.led_by,
        "is_key": case.is_key,
        "lead_proposer": proposers[0].proposer.name if proposers else "",
        "joint_proposers": [link.proposer.name for link in proposers[1:]],
        "received_on": case.received_on,
        "leader_in_charge": case.leader_in_charge.username if case.leader_in_charge else None,
        "explicit_deadline": case.explicit_deadline,
    }


def assign_initial(inp: CardInput) -> dict[str, Any]:
    case = inp.case
    return {
        "assigned_on": inp.today,
        "deadline": case.explicit_deadline,
        "leader_in_charge": case.leader_in_charge.username if case.leader_in_charge else None,
        # 主办处室建议 (similar.routing): prefilled only here, where the form has no value.
        **({"lead_unit": made.unit.code} if (made := assign_suggestion(inp)) else {}),
    }


def _reply_prefill(reply: Reply) -> dict[str, Any]:
    return {
        "text": reply.text,
        "reply_class": reply.reply_class,
        "commitments": [{"what": c.what, "due": c.due} for c in reply.commitments.all()],
        "contact": reply.contact,
        "phone": reply.phone,
    }


def _reply_source(inp: CardInput) -> tuple[dict[str, Any], Reply | None, Reply | None]:
    """Prefill: a sent-back draft of this round is revised, not retyped; a re-handled case
    (不满意) starts from the previous round's signed reply; otherwise the contact and phone
    come from the case's earlier reply, else the user's last reply anywhere, else the
    configured defaults.
    Returns (initial, the sent-back draft, the previous round's reply)."""
    case, user = inp.case, inp.user
    initial: dict[str, Any] = {"contact": user_label(user)}
    newest_first = replies_newest_first(case)
    if newest_first is None:
        earlier = case.replies.order_by("-id").first()
    else:
        earlier = newest_first[0] if newest_first else None
    source = earlier or Reply.objects.filter(submitted_by=user).order_by("-id").first()
    if source is not None:
        initial.update(contact=source.contact, phone=source.phone)
    else:  # a first reply: the phone the commission gives for its letters (发文设置)
        initial["phone"] = contact_defaults()[1]
    sent_back = previous = None
    if earlier is not None and earlier.round == case.round:
        if earlier.status == ReplyStatus.SENT_BACK:
            sent_back = earlier
            initial.update(_reply_prefill(earlier))
    elif case.round > 1 and newest_first is not None:
        signed = [
            r for r in newest_first if r.round < case.round and r.status == ReplyStatus.SIGNED
        ]
        previous = max(signed, key=lambda r: (r.round, r.pk), default=None)
    elif case.round > 1:
        previous = (
            case.replies.filter(round__lt=case.round, status=ReplyStatus.SIGNED)
            .prefetch_related("commitments")
            .order_by("-round", "-id")
            .first()
        )
    if previous is not None:
        initial.update(_reply_prefill(previous))
    return initial, sent_back, previous


def reply_initial(inp: CardInput) -> dict[str, Any]:
    initial, inp.memo["sent_back"], inp.memo["previous"] = _reply_source(inp)
    return initial


def reply_fields(case: Case) -> dict[str, set[str]]:
    """A 会办 opinion to an outside lead agency has neither class nor commitments."""
    if case.role == CaseRole.CO:
        return {"hidden": {"reply_class", "commitments"}}
    return {"required": {"reply_class"}}


# --- what each card shows beside the form ------------------------------------------


def assign_context(inp: CardInput) -> dict[str, Any]:
    form, case = inp.built_form, inp.case
    posted = form.field["assigned_on"].value if inp.data is not None else inp.today.isoformat()
    explicit = form.field["deadline"].value if inp.data is not None else case.explicit_deadline
    return {
        "preview": preview_for(case, _parse(posted), _parse(explicit)),
        "is_co": case.role == CaseRole.CO,
        "routing": assign_suggestion(inp),
    }


def reply_context(inp: CardInput) -> dict[str, Any]:
    case = inp.case
    if "sent_back" not in inp.memo:  # shown again with a post: the prefill was not built
        _, inp.memo["sent_back"], inp.memo["previous"] = _reply_source(inp)
    sent_back = inp.memo["sent_back"]
    return {
        "sent_back": sent_back,
        # Re-handling: the form starts from the answer the proposer was not satisfied with.
        "previous": inp.memo["previous"],
        "sent_back_steps": review_steps(sent_back, case) if sent_back else [],
        "classes": [
            (code, label.split("（")[0], label.split("（")[-1].rstrip("）"), REPLY_CLASS_HELP[code])
            for code, label in ReplyClass.choices
        ],
        "opinions": _co_opinions(case),
        "is_co": case.role == CaseRole.CO,
        # Re-handling: what the proposer said of the last answer is what to answer now.
        "last_feedback": (
            case.feedbacks.filter(round=case.round - 1).order_by("-id").first()
            if case.round > 1
            else None
        ),
        # 相似件的答复: how the most similar earlier answered cases were answered.
        "similar_replies": similar_replies(inp),
    }


def _draft(inp: CardInput, status: str) -> dict[str, Any]:
    draft = _latest_reply(inp.case, status)
    return {"draft": draft, "draft_steps": review_steps(draft, inp.case) if draft else []}


def unit_review_context(inp: CardInput) -> dict[str, Any]:
    return {**_draft(inp, ReplyStatus.UNIT_APPROVING), "opinions": _co_opinions(inp.case)}


def review_context(inp: CardInput) -> dict[str, Any]:
    for gate in inp.built_form.field["gates"].sub:
        gate.help = GATE_HELP.get(gate.name.removeprefix("gates-"), "")
    return {**_draft(inp, ReplyStatus.REVIEWING), "opinions": _co_opinions(inp.case)}


def sign_context(inp: CardInput) -> dict[str, Any]:
    found = _draft(inp, ReplyStatus.SIGNING)
    # The letter is built only for the page; a posted decision needs none of it.
    found["letter"] = letter_preview(inp.case, inp.today) if found["draft"] else None
    return found


def return_window(inp: CardInput) -> dict[str, Any]:
    return {"window_end": return_window_end(inp.case)}


def _offer_handlers(inp: CardInput, leave_out: str = "") -> None:
    """The handler picker lists the lead unit's handlers only (the payload's field lists
    every unit's people, as the 交办 form needs)."""
    inp.built_form.field["handler"].choices = [
        Choice(u.username, user_label(u))
        for u in unit_handlers(inp.case.lead_unit_id)
        if u.username != leave_out
    ]


def accept_context(inp: CardInput) -> dict[str, Any]:
    """签收: the unit head picks the handler among the unit's; a handler accepts for
    themselves (or for whoever 交办 already named)."""
    case = inp.case
    _offer_handlers(inp)
    return {
        **return_window(inp),
        "names_handler": Relation.LEAD_HEAD
        in relations(inp.user, case, live_assignments=prefetched(case, "assignments")),
        "current_handler": _current_handler(case),
    }


def accept_initial(inp: CardInput) -> dict[str, Any]:
    handler = _current_handler(inp.case)
    return {"handler": handler.username} if handler is not None else {}


def assign_handler_context(inp: CardInput) -> dict[str, Any]:
    current = _current_handler(inp.case)
    _offer_handlers(inp, leave_out=current.username if current is not None else "")
    return {"current_handler": current}


def reopen_context(inp: CardInput) -> dict[str, Any]:
    return {"new_deadline": reply_deadlines(inp.case, inp.today, "rehandle")}


def feedback_context(inp: CardInput) -> dict[str, Any]:
    return {
        "rehandle": reply_deadlines(inp.case, inp.today, "rehandle"),
        "window_end": feedback_window_end(inp.case),
    }


def close_context(inp: CardInput) -> dict[str, Any]:
    return {"window_end": feedback_window_end(inp.case)}


def _latest_extension(inp: CardInput) -> Due | None:
    case = inp.case
    return due_for(case, "reply_max", case.assigned_on)[0] if case.assigned_on else None


def request_extension_context(inp: CardInput) -> dict[str, Any]:
    return {"latest": _latest_extension(inp), "request": None}


def decide_extension_context(inp: CardInput) -> dict[str, Any]:
    return {"latest": _latest_extension(inp), "request": open_extension(inp.case)}


def opinion_context(inp: CardInput) -> dict[str, Any]:
    return {"my_assignments": live_assignments(inp.case, AssignmentKind.CO)}


def urge_context(inp: CardInput) -> dict[str, Any]:
    """催办: whom it will reach (the action's own rule), the unit's target date, and the
    notices sent before, to download."""
    try:
        people = [(u.name, ROLE_WORDS[u.role]) for u in urged_people(inp.case, inp.user)]
        refused = ""
    except CaseError as exc:
        people, refused = [], exc.message
    return {
        "urged": people,
        "refused": refused,
        "notices": list(inp.case.urge_notices.order_by("-id")[:URGE_NOTICES_SHOWN]),
    }
