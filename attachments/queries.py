"""Permission-scoped reads of attachments: a file is visible exactly when its case is."""

from dataclasses import dataclass
from typing import Any

from django.http import Http404

from attachments.actions import Target, kept_files, may_attach, may_attach_to, may_remove
from attachments.models import Attachment
from cases.models import Assignment, AssignmentKind, Case, Communication, Reply
from cases.permissions import LIVE_ASSIGNMENT, relations
from cases.queries import case_for_user
from huiyin.formats import cn_date
from huiyin.types import User
from workflow.errors import CaseError


def attachment_for_user(user: User, pk: int | str) -> Attachment:
    """The attachment if the user may see its case; 404 otherwise."""
    attachment = Attachment.objects.filter(pk=pk).only("case_id").first()
    if attachment is None:
        raise Http404("附件不存在")
    case = case_for_user(user, attachment.case_id)
    attachment = (
        Attachment.objects.select_related(
            "uploaded_by", "reply", "communication", "assignment__unit"
        )
        .filter(pk=pk)
        .first()
    )
    if attachment is None:
        raise Http404("附件不存在")
    attachment.case = case
    return attachment


def target_label(target: Target) -> str:
    if isinstance(target, Reply):
        return f"第{target.round}轮答复"
    if isinstance(target, Communication):
        return f"沟通记录（{cn_date(target.on)} {target.get_method_display()}）"
    if isinstance(target, Assignment):
        return f"会办意见（{target.unit.name}）"
    return "办件"


def _target(attachment: Attachment) -> Target:
    return attachment.reply or attachment.communication or attachment.assignment


@dataclass
class CaseRows:
    """The case's replies, communications and assignments (with their units), for a caller
    that has read them already (the case page): the files' targets and the choice of
    targets come from them instead of being read again."""

    replies: list[Reply]
    communications: list[Communication]
    assignments: list[Assignment]


def attachments_of(
    case: Case, user: User, mine: set[str] | None = None, rows: CaseRows | None = None
) -> list[Attachment]:
    """The case's files, each with `target_label` and `can_remove` for the user (`mine`: the
    user's relations to the case, `rows`: its replies, communications and assignments, when
    the caller has them: then only the files and their uploaders are read)."""
    mine = relations(user, case) if mine is None else mine
    if rows is None:
        items = list(
            case.attachments.select_related(
                "uploaded_by", "reply", "communication", "assignment__unit"
            ).order_by("id")
        )
    else:
        items = list(case.attachments.select_related("uploaded_by").order_by("id"))
        replies = {r.pk: r for r in rows.replies}
        communications = {c.pk: c for c in rows.communications}
        assignments = {a.pk: a for a in rows.assignments}
        for item in items:
            if item.reply_id in replies:
                item.reply = replies[item.reply_id]
            if item.communication_id in communications:
                item.communication = communications[item.communication_id]
            if item.assignment_id in assignments:
                item.assignment = assignments[item.assignment_id]
    kept = kept_files(case)
    for item in items:
        item.case = case
        item.target_label = target_label(_target(item))
        item.can_remove = may_remove(user, item, mine, kept)
    return items


def attach_targets(
    user: User, case: Case, mine: set[str] | None = None, rows: CaseRows | None = None
) -> list[tuple[str, str]]:
    """What the user may attach a file to, as (form value, label): the case itself, its
    replies, communications and live co-units' opinions, as far as the user may."""
    mine = relations(user, case) if mine is None else mine
    if not may_attach(user, case, mine):
        return []
    candidates: list[Target] = [None]
    if rows is None:
        candidates += list(case.replies.order_by("round", "id"))
        candidates += list(case.communications.order_by("on", "id"))
        candidates += list(
            case.assignments.filter(kind=AssignmentKind.CO, status__in=LIVE_ASSIGNMENT)
            .select_related("unit")
            .order_by("id")
        )
    else:
        replies: list[Reply] = sorted(rows.replies, key=lambda r: (r.round, r.pk))
        communications: list[Communication] = sorted(
            rows.communications, key=lambda c: (c.on, c.pk)
        )
        opinions: list[Assignment] = sorted(
            (
                a
                for a in rows.assignments
                if a.kind == AssignmentKind.CO and a.status in LIVE_ASSIGNMENT
            ),
            key=lambda a: a.pk,
        )
        candidates += [*replies, *communications, *opinions]
    return [
        (_value(target), target_label(target))
        for target in candidates
        if may_attach_to(user, case, target, mine)
    ]


def _value(target: Target) -> str:
    if isinstance(target, Reply):
        return f"reply:{target.pk}"
    if isinstance(target, Communication):
        return f"communication:{target.pk}"
    if isinstance(target, Assignment):
        return f"opinion:{target.pk}"
    return "case"


def resolve_target(case: Case, value: str) -> Target:
    """The form value of attach_targets back to the object; None for the case itself
    (also when the form sent none). A value naming nothing of this case is an error."""
    value = (value or "case").strip()
    if value == "case":
        return None
    kind, _, raw = value.partition(":")
    found: Target = None
    if raw.isdigit():
        pk = int(raw)
        if kind == "reply":
            found = Reply.objects.filter(case=case, pk=pk).first()
        elif kind == "communication":
            found = Communication.objects.filter(case=case, pk=pk).first()
        elif kind == "opinion":
            found = Assignment.objects.filter(case=case, pk=pk).select_related("unit").first()
    if found is None:
        raise CaseError("所选的附件关联对象不存在", field="target")
    return found


def attachment_context(
    user: User, case: Case, mine: set[str] | None = None, rows: CaseRows | None = None
) -> dict[str, Any]:
    """What web/includes/case_attachments.html needs besides the case: the files, and what
    the user may attach to (`targets`, empty when nothing). `mine` and `rows`: what the
    caller has read already (the case page), so that they are not read again."""
    mine = relations(user, case) if mine is None else mine
    can_attach = may_attach(user, case, mine)
    return {
        "attachments": attachments_of(case, user, mine, rows),
        "can_attach": can_attach,
        "targets": attach_targets(user, case, mine, rows) if can_attach else [],
    }
