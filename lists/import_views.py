"""导入清单 on the web, for the office (议提案管理员): upload with the list's name, start date
and owner → a preview of the items and measures as read and of every problem by row and
column (nothing written) → confirm → the list's page. The work is lists.importing.

As opinions.import_views does, the uploaded file is kept between the preview and the
confirmation in a folder MEDIA_ROOT/list-imports/<token>/ (the file and a small JSON
state): the confirmation reads the stored file again, never what the browser sends back,
and imports only if the plan has the digest that was previewed; the step from checked to
imported is claimed by creating a marker file exclusively, so a list is imported once
however often "确认导入" is clicked.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from attachments.checks import clean_filename, human_size
from huiyin.dates import check_date
from huiyin.errors import DomainError
from huiyin.text import guard_form_text
from huiyin.types import User
from lists import actions
from lists.access import reviewer_candidates
from lists.importing import ListPlan, import_list, plan_list
from transfer.errors import ImportFileError
from workflow.errors import ActionForbidden

if TYPE_CHECKING:
    from huiyin.types import AuthedRequest

PURGE_AFTER: Final = 2 * 24 * 3600  # seconds: an abandoned upload goes after two days
PREVIEW_ITEMS: Final = 500


class _UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.username}（{obj.username}）"


class UploadForm(forms.Form):
    file = forms.FileField(label="清单文件（.xlsx）")
    name = forms.CharField(
        label="清单名称", max_length=200, required=False, help_text="不填时用表格的标题行"
    )
    starts_on = forms.DateField(
        label="开始日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="“6月底”等不写年份的时限按开始日期的年份计",
    )  # fmt: skip
    ends_on = forms.DateField(
        label="结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="“长期坚持”“持续推进”按结束日期计；不填时为当年12月31日",
    )  # fmt: skip
    owner = _UserChoice(
        label="清单负责人（销号审核）", queryset=User.objects.none(), required=False,
        help_text="不选时为导入人",
    )  # fmt: skip
    reports_to = forms.CharField(label="报告对象", max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = reviewer_candidates()
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
        guard_form_text(self.fields)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, label in (("starts_on", "开始日期"), ("ends_on", "结束日期")):
            if data.get(name):
                try:
                    check_date(data[name], label=label)
                except DomainError as exc:
                    self.add_error(name, exc.message)
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "结束日期不能早于开始日期")
        upload = data.get("file")
        if upload is not None and upload.size > settings.HUIYIN_IMPORT_MAX_BYTES:
            self.add_error("file", f"文件过大，最大{human_size(settings.HUIYIN_IMPORT_MAX_BYTES)}")
        return data


def _require_coordinator(request: AuthedRequest) -> None:
    try:
        actions.check_list_maker(request.user)
    except ActionForbidden as exc:
        raise PermissionDenied(exc.message) from None


# --- the job store ------------------------------------------------------------------------


def _root() -> Path:
    return Path(settings.MEDIA_ROOT) / "list-imports"


def _folder(token: str) -> Path:
    if not token.isascii() or not token.replace("-", "").replace("_", "").isalnum():
        raise Http404("导入任务不存在")
    return _root() / token


def _purge() -> None:
    root = _root()
    if not root.is_dir():
        return
    for folder in root.iterdir():
        try:
            if time.time() - folder.stat().st_mtime > PURGE_AFTER:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def _create(user: User, data: bytes, fields: dict[str, Any]) -> str:
    _purge()
    token = secrets.token_urlsafe(12)
    folder = _folder(token)
    folder.mkdir(parents=True)
    (folder / "upload").write_bytes(data)
    (folder / "state.json").write_text(
        json.dumps({"user": user.pk, **fields}, ensure_ascii=False), encoding="utf-8"
    )
    return token


def _job(request: AuthedRequest, token: str) -> tuple[dict[str, Any], bytes]:
    """The user's own job; another's is as good as missing (404)."""
    folder = _folder(token)
    try:
        state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
        data = (folder / "upload").read_bytes()
    except (OSError, ValueError):
        raise Http404("导入任务不存在") from None
    if state.get("user") != request.user.pk:
        raise Http404("导入任务不存在")
    return state, data


def _plan(state: dict[str, Any], data: bytes) -> ListPlan:
    ends_on = date.fromisoformat(state["ends_on"]) if state.get("ends_on") else None
    return plan_list(
        data, state["filename"], starts_on=date.fromisoformat(state["starts_on"]), ends_on=ends_on
    )


def _owner(state: dict[str, Any]) -> User | None:
    found = state.get("owner")
    return User.objects.filter(pk=int(found), is_active=True).first() if found else None


# --- the pages ----------------------------------------------------------------------------


@login_required
def upload(request: AuthedRequest) -> HttpResponse:
    _require_coordinator(request)
    status = 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            f = form.cleaned_data
            data = f["file"].read()
            filename = clean_filename(f["file"].name)
            try:
                plan_list(data, filename, starts_on=f["starts_on"], ends_on=f["ends_on"])
            except ImportFileError as exc:
                form.add_error("file", exc.message)
            else:
                token = _create(
                    request.user,
                    data,
                    {
                        "filename": filename,
                        "name": f["name"],
                        "starts_on": f["starts_on"].isoformat(),
                        "ends_on": f["ends_on"].isoformat() if f["ends_on"] else "",
                        "owner": f["owner"].pk if f["owner"] else None,
                        "reports_to": f["reports_to"],
                    },
                )
                return redirect("lists:import-preview", token=token)
        status = 400
    elif request.method == "GET":
        form = UploadForm()
    else:
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    context = {"form": form, "max_size": human_size(settings.HUIYIN_IMPORT_MAX_BYTES)}
    return render(request, "lists/import/upload.html", context, status=status)


@login_required
def preview(request: AuthedRequest, token: str) -> HttpResponse:
    _require_coordinator(request)
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET"})
    state, data = _job(request, token)
    if state.get("list"):
        return redirect("lists:detail", pk=state["list"])
    try:
        plan = _plan(state, data)
    except ImportFileError as exc:
        messages.error(request, exc.message)
        return redirect("lists:import")
    owner = _owner(state)
    context = {
        "token": token,
        "state": state,
        "plan": plan,
        "items": plan.items[:PREVIEW_ITEMS],
        "more": max(0, len(plan.items) - PREVIEW_ITEMS),
        "digest": plan.digest(),
        "name": state.get("name") or plan.title,
        "owner": owner or request.user,
    }
    return render(request, "lists/import/preview.html", context)


@login_required
@require_POST
def confirm(request: AuthedRequest, token: str) -> HttpResponse:
    _require_coordinator(request)
    state, data = _job(request, token)
    folder = _folder(token)
    if state.get("list"):
        return redirect("lists:detail", pk=state["list"])
    try:
        plan = _plan(state, data)
    except ImportFileError as exc:
        messages.error(request, exc.message)
        return redirect("lists:import")
    if plan.has_errors:
        messages.error(request, "文件有错误，不能导入；请修改后重新上传")
        return redirect("lists:import-preview", token=token)
    if request.POST.get("digest") != plan.digest():
        messages.warning(request, "检查结果已变化，请查看后再确认")
        return redirect("lists:import-preview", token=token)
    try:
        os.close(os.open(folder / "claimed", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        messages.warning(request, "该文件正在导入或已导入")
        return redirect("lists:import-preview", token=token)
    owner = _owner(state)
    try:
        rect_list = import_list(
            plan, by=request.user, name=state.get("name", ""),
            starts_on=date.fromisoformat(state["starts_on"]), owner=owner,
            reports_to=state.get("reports_to", ""),
            ends_on=date.fromisoformat(state["ends_on"]) if state.get("ends_on") else None,
        )  # fmt: skip
    except DomainError as exc:
        (folder / "claimed").unlink(missing_ok=True)
        messages.error(request, f"未导入任何数据：{exc.message}")
        return redirect("lists:import-preview", token=token)
    shutil.rmtree(folder, ignore_errors=True)
    messages.success(
        request, f"已导入清单 {rect_list.code}：{len(plan.items)}个事项、{plan.measures}条具体举措"
    )
    return redirect("lists:detail", pk=rect_list.pk)
