"""Upload, download and removal of a case's attachments: thin, through the actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from attachments.actions import attach_file, check_attacher, remove_attachment
from attachments.checks import extension_of
from attachments.downloads import as_download
from attachments.queries import attachment_for_user, resolve_target
from cases.queries import case_for_user
from huiyin.types import AuthedRequest
from workflow.errors import ActionForbidden, CaseError


def _back_to_case(pk: int, *, anchor: bool) -> HttpResponse:
    url = reverse("case-detail", args=[pk])
    return redirect(f"{url}#attachments" if anchor else url)


@login_required
@require_POST
def case_attach(request: AuthedRequest, pk: int) -> HttpResponse:
    case = case_for_user(request.user, pk)  # 404 for a case the user may not see
    upload = request.FILES.get("file")
    try:
        check_attacher(request.user, case)
        if upload is None:
            raise CaseError("请选择要上传的文件", field="file")
        target = resolve_target(case, request.POST.get("target", ""))
        attachment = attach_file(case, by=request.user, upload=upload, target=target)
    except ActionForbidden as exc:
        raise PermissionDenied(exc.message) from None
    except CaseError as exc:
        # Above the page, where the alert is seen; the form is below, as it was.
        messages.error(request, f"附件未上传：{exc.message}")
        return _back_to_case(case.pk, anchor=False)
    messages.success(request, f"已添加附件：{attachment.filename}")
    return _back_to_case(case.pk, anchor=True)


@login_required
@require_GET
def download(request: AuthedRequest, pk: int) -> FileResponse:
    attachment = attachment_for_user(request.user, pk)
    try:
        stream = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("附件文件已不存在") from None
    response = FileResponse(stream, content_type=attachment.content_type)
    fallback = f"attachment-{attachment.pk}{extension_of(attachment.filename)}"
    return as_download(response, attachment.filename, fallback)


@login_required
@require_POST
def remove(request: AuthedRequest, pk: int) -> HttpResponse:
    attachment = attachment_for_user(request.user, pk)
    try:
        remove_attachment(attachment, by=request.user)
    except ActionForbidden as exc:
        raise PermissionDenied(exc.message) from None
    except CaseError as exc:
        messages.error(request, exc.message)
        return _back_to_case(attachment.case_id, anchor=False)
    messages.success(request, f"已删除附件：{attachment.filename}")
    return _back_to_case(attachment.case_id, anchor=True)
