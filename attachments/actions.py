"""Attaching files to a case and removing them: every write of the app, one audit event each.

Who may attach:
- a coordinator: to the case, a reply, a communication or a co-unit's opinion;
- the live lead unit (head or handler): to the case, its replies and communications,
  and to the opinion of an outside co-unit, which the lead unit records for it;
- a live co-unit: to its own opinion only.
A file is kept under a random name through Django's storage, its content sealed with SM4
(attachments.sealing); its original name, kind, size and SHA-256 (of the plain file) are in
the database and in the audit event.
"""

import hashlib
from typing import IO, Any, cast

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction

from attachments.checks import check_upload, clean_filename
from attachments.metadata import PNG_SIGNATURE, strip_metadata
from attachments.models import Attachment, AttachmentTarget
from attachments.sealing import seal
from audit.record import record_event
from cases.models import Assignment, AssignmentKind, Case, Category, Communication, Reply
from cases.permissions import LIVE_ASSIGNMENT, relations
from huiyin.types import User
from orgs.access import standing_of
from orgs.models import Role, UnitKind
from workflow.errors import ActionForbidden, CaseError
from workflow.tables import workflow_for
from workflow.vocabulary import State

Target = Reply | Communication | Assignment | None
ATTACHING_RELATIONS = {Role.COORDINATOR, "lead_unit", "co_unit"}


def target_kind(target: Target) -> str:
    if target is None:
        return AttachmentTarget.CASE
    if isinstance(target, Reply):
        return AttachmentTarget.REPLY
    if isinstance(target, Communication):
        return AttachmentTarget.COMMUNICATION
    if isinstance(target, Assignment):
        return AttachmentTarget.OPINION
    raise CaseError("附件只能添加到办件、答复、沟通记录或会办意见")


def check_attacher(user: User, case: Case) -> set[str]:
    """403 for a user who may never attach to this case (a leader, a viewer …)."""
    mine = relations(user, case)
    if not mine & ATTACHING_RELATIONS:
        raise ActionForbidden("您没有为此办件添加附件的权限")
    return mine


def may_attach(user: User, case: Case, mine: set[str] | None = None) -> bool:
    """Whether the user may attach anything at all to the case (to show the form)."""
    if case.state in workflow_for(case.category).group("uncounted"):
        return False
    mine = relations(user, case) if mine is None else mine
    return bool(mine & ATTACHING_RELATIONS)


def may_attach_to(user: User, case: Case, target: Target, mine: set[str] | None = None) -> bool:
    mine = relations(user, case) if mine is None else mine
    if Role.COORDINATOR in mine:
        return True
    if not isinstance(target, Assignment):
        return "lead_unit" in mine
    if target.unit_id in standing_of(user).unit_ids and "co_unit" in mine:
        return True
    return "lead_unit" in mine and target.unit.kind == UnitKind.EXTERNAL


def kept_files(case: Case) -> set[int]:
    """The case's files its category keeps (workflow.tables.Workflow.kept): one query."""
    kept = workflow_for(case.category).kept
    return kept(case) if kept is not None else set()


def may_remove(
    user: User, attachment: Attachment, mine: set[str] | None = None, kept: set[int] | None = None
) -> bool:
    """A coordinator, or the uploader while still allowed to attach there; nobody, for a
    file the case's category keeps (`kept`: kept_files(case), when the caller has it)."""
    case = attachment.case
    if attachment.pk in (kept_files(case) if kept is None else kept):
        return False
    mine = relations(user, case) if mine is None else mine
    if Role.COORDINATOR in mine:
        return True
    target = attachment.reply or attachment.communication or attachment.assignment
    return (
        attachment.uploaded_by_id == user.pk
        and bool(mine & ATTACHING_RELATIONS)
        and may_attach_to(user, case, target, mine)
    )


def _check_target(case: Case, target: Target) -> str:
    kind = target_kind(target)
    if target is not None and target.case_id != case.pk:
        raise CaseError("所选的答复、沟通记录或会办意见不属于此办件", field="target")
    if isinstance(target, Assignment) and (
        target.kind != AssignmentKind.CO or target.status not in LIVE_ASSIGNMENT
    ):
        raise CaseError("只能为在办的协办单位的会办意见添加附件", field="target")
    return kind


def _sha256(upload: File) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def attach_file(case: Case, *, by: User, upload: File, target: Target = None) -> Attachment:
    """Check the file by its content, store it under a random name, record it."""
    mine = check_attacher(by, case)
    kind = _check_target(case, target)
    if not may_attach_to(by, case, target, mine):
        if isinstance(target, Assignment):
            raise ActionForbidden("只能为本单位（或由主办处室代录的外部单位）的会办意见添加附件")
        raise ActionForbidden("您没有为此办件添加附件的权限")
    if case.state in workflow_for(case.category).group("uncounted"):
        raise CaseError("已撤回的办件不能添加附件")
    return _store(case, upload, by=by, kind=kind, target=target)


def _store(
    case: Case,
    upload: File,
    *,
    by: User | None,
    kind: str,
    target: Target = None,
    max_bytes: int | None = None,
    kinds: frozenset[str] | None = None,
    details: dict[str, Any] | None = None,
) -> Attachment:
    """Check the file by its content (of `kinds`, when given), store it, record it (with
    the caller's `details` beside the file's)."""
    filename = clean_filename(upload.name or "")
    file_kind = check_upload(
        filename,
        upload.size or 0,
        cast(IO[bytes], upload.file),
        max_bytes=max_bytes or settings.HUIYIN_UPLOAD_MAX_BYTES,
    )
    if kinds is not None and file_kind.key not in kinds:
        raise CaseError("只能上传 JPG 或 PNG 照片", field="file")
    attachment = Attachment(
        case=case,
        target=kind,
        reply=target if isinstance(target, Reply) else None,
        communication=target if isinstance(target, Communication) else None,
        assignment=target if isinstance(target, Assignment) else None,
        filename=filename,
        kind=file_kind.key,
        content_type=file_kind.content_type,
        size=upload.size,
        sha256=_sha256(upload),
        uploaded_by=by,
    )
    # The content is sealed (SM4, attachments.sealing); size and SHA-256 are the plain file's.
    upload.seek(0)
    attachment.file.save(filename, seal(upload.read(), filename), save=False)
    stored = attachment.file.name
    try:
        attachment.save()
        record_event(
            actor=by,
            action="attach",
            case=case,
            from_state=case.state,
            to_state=case.state,
            details={**_details(attachment), **(details or {})},
        )
    except BaseException:
        attachment.file.storage.delete(stored)
        raise
    return attachment


def attach_checked(
    case: Case, *, by: User, upload: File, details: dict[str, Any] | None = None
) -> Attachment:
    """A file of the case for a category's own action that has checked who may add it (a
    list item's 佐证材料: a measure's unit is not the item's lead unit); `details` go
    into the attach event (the measure it is for)."""
    if case.state in workflow_for(case.category).group("uncounted"):
        raise CaseError("已撤回的办件不能添加附件")
    return _store(case, upload, by=by, kind=AttachmentTarget.CASE, details=details)


PHOTO_KINDS = frozenset({"jpg", "png"})


@transaction.atomic
def attach_public_photo(case: Case, *, upload: File) -> Attachment:
    """A photo sent with an opinion from the public page (no user: the person), while the
    new opinion is being registered. JPG or PNG by content, at most
    HUIYIN_PUBLIC_PHOTO_MAX_BYTES; staff see it among the case's attachments as 群众's."""
    if case.category != Category.PUBLIC_OPINION or case.state != State.REGISTERED:
        raise CaseError("只能在提交意见时上传照片")
    limit = getattr(settings, "HUIYIN_PUBLIC_PHOTO_MAX_BYTES", 5 * 1024 * 1024)
    upload.seek(0)
    raw = upload.read()
    upload.seek(0)
    kind = "png" if raw.startswith(PNG_SIGNATURE) else "jpg"
    # The camera's GPS position and device go (attachments.metadata); the picture stays.
    clean: File = ContentFile(strip_metadata(raw, kind), name=upload.name)
    if len(raw) > limit:
        clean = upload  # refused by the size check, with the size the person sent
    return _store(
        case, clean, by=None, kind=AttachmentTarget.CASE, max_bytes=limit, kinds=PHOTO_KINDS
    )


@transaction.atomic
def remove_attachment(attachment: Attachment, *, by: User) -> None:
    """The uploader (while still allowed to attach there) or a coordinator removes a file;
    the audit event keeps its name, size and checksum."""
    case = attachment.case
    if attachment.pk in kept_files(case):
        raise CaseError("此附件是已申请或已销号事项的佐证材料，不能删除")
    if not may_remove(by, attachment):
        raise ActionForbidden("只有上传人或议提案管理员可以删除附件")
    details = _details(attachment)
    storage, stored = attachment.file.storage, attachment.file.name
    deleted, _ = Attachment.objects.filter(pk=attachment.pk).delete()
    if not deleted:
        raise CaseError("附件已被删除")
    record_event(
        actor=by,
        action="remove_attachment",
        case=case,
        from_state=case.state,
        to_state=case.state,
        details=details,
    )
    # The file goes only once the removal is committed: a rollback keeps both.
    transaction.on_commit(lambda: storage.delete(stored))


def _details(attachment: Attachment) -> dict[str, Any]:
    details: dict[str, Any] = {
        "attachment": attachment.pk,
        "filename": attachment.filename,
        "kind": attachment.kind,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "target": attachment.target,
    }
    target = attachment.reply_id or attachment.communication_id or attachment.assignment_id
    if target:
        details["target_id"] = target
    return details
