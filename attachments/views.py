"""Upload, download and removal of a case's attachments: thin, through the actions."""

import io
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from attachments.actions import attach_file, check_attacher, remove_attachment
from attachments.checks import extension_of
from attachments.downloads import as_download
from attachments.queries import attachment_for_user, resolve_target
from attachments.sealing import open_plain
from cases.queries import case_for_user
from huiyin.crypto import DecryptionError
from huiyin.types import AuthedRequest
from workflow.errors import ActionForbidden, CaseError

logger = logging.getLogger(__name__)
UNREADABLE = "附件无法解密：请联系系统管理员检查数据密钥"


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
def download(request: AuthedRequest, pk: int) -> HttpResponse | FileResponse:
    attachment = attachment_for_user(request.user, pk)
    try:
        content = open_plain(attachment)  # sealed at rest (SM4): opened here
    except (FileNotFoundError, OSError):
        raise Http404("附件文件已不存在") from None
    except (DecryptionError, ImproperlyConfigured) as exc:
        # An altered file or one of a key this server no longer has (409), or no data key
        # at all (503): the operator's to fix, said in Chinese, never a traceback.
        logger.error("attachment %s (%s) cannot be decrypted: %s", attachment.pk,
                     attachment.file.name, exc)  # fmt: skip
        return _unreadable(
            request, attachment.case_id, 409 if isinstance(exc, DecryptionError) else 503
        )
    response = FileResponse(io.BytesIO(content), content_type=attachment.content_type)
    fallback = f"attachment-{attachment.pk}{extension_of(attachment.filename)}"
    return as_download(response, attachment.filename, fallback)


def _unreadable(request: AuthedRequest, case_id: int, status: int) -> HttpResponse:
    context = {
        "heading": "附件无法打开",
        "message": UNREADABLE,
        "back_url": f"{reverse('case-detail', args=[case_id])}#attachments",
        "back_label": "返回办件",
    }
    return render(request, "400.html", context, status=status)


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
