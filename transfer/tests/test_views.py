"""导入导出 in the web UI: upload → preview → confirm, bad files, the job's progress and
failures, the export of the filtered list, the template. (Time is frozen at 2026-12-31
by transfer/tests/conftest.py.)"""

import io
import zipfile
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.html import escape
from openpyxl import load_workbook

from audit.models import AuditEvent
from cases import actions
from cases.models import Case
from cases.tests.factories import register
from huiyin.crypto import decrypt_bytes
from transfer import jobs
from transfer.models import ImportJob
from transfer.planning import plan_import
from transfer.tests.helpers import basic_file, basic_row, csv_bytes, table, xlsx

pytestmark = pytest.mark.django_db
Status = ImportJob.Status
CLOSED = {
    "承办处室": "医政医管处",
    "交办日期": "2026-03-05",
    "答复日期": "2026年5月20日",
    "答复类别": "A类",
    "满意度": "满意",
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client, content: bytes, name: str = "2026年台账.xlsx", **extra):
    return client.post("/transfer/import/", {"file": SimpleUploadedFile(name, content), **extra})


def good_file() -> bytes:
    return basic_file(
        basic_row("1"),
        basic_row("2", **CLOSED),
        basic_row("3", 标题="关于=SUM(A1)的建议"),
    )


# Upload, preview, confirm


def test_upload_preview_confirm_creates_the_cases(cast):
    client = client_for(cast.coordinator)
    response = upload(client, good_file())
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/transfer/import/{job.pk}/"
    assert job.status == Status.CHECKED and job.filename == "2026年台账.xlsx"
    assert not Case.objects.exists()  # the check writes nothing

    page = client.get(response["Location"]).content.decode()
    assert "共3行：新增3件，更新0件，无变化0件" in page
    for text in (
        "行号",
        "编号",
        "标题",
        "关于第1项工作的建议",
        "新增",
        "确认导入",
        "将新增 <strong>3</strong> 件",
    ):
        assert text in page
    assert "hx-get" not in page  # nothing running: no polling

    response = client.post(f"/transfer/import/{job.pk}/confirm/", {"digest": job.preview["digest"]})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == Status.DONE
    assert (job.total, job.done) == (3, 3)
    assert job.summary["created"] == 3 and job.finished_at is not None
    assert Case.objects.count() == 3
    closed = Case.objects.get(number="2")
    assert (closed.state, closed.reply_class, closed.lead_unit.code) == ("closed", "A", "yizheng")
    events = AuditEvent.objects.filter(action="import")
    assert events.count() == 3
    assert {e.details["source"] for e in events} == {"2026年台账.xlsx"}

    page = client.get(response["Location"]).content.decode()
    assert "已导入：新增3件，更新0件，无变化0件" in page
    assert "确认导入" not in page and "查看办件台账" in page


def test_confirming_twice_imports_once(cast):
    client = client_for(cast.coordinator)
    upload(client, good_file())
    job = ImportJob.objects.get()
    data = {"digest": job.preview["digest"]}
    client.post(f"/transfer/import/{job.pk}/confirm/", data)
    response = client.post(f"/transfer/import/{job.pk}/confirm/", data, follow=True)
    assert "不能再确认" in response.content.decode()
    assert Case.objects.count() == 3
    assert AuditEvent.objects.filter(action="import").count() == 3


def test_the_preview_shows_changed_columns_and_unchanged_rows(cast):
    client = client_for(cast.coordinator)
    upload(client, basic_file(basic_row("1"), basic_row("2")))
    job = ImportJob.objects.get()
    client.post(f"/transfer/import/{job.pk}/confirm/", {"digest": job.preview["digest"]})

    upload(client, basic_file(basic_row("1", 标题="关于修改后的标题的建议"), basic_row("2")))
    job = ImportJob.objects.latest("id")
    page = client.get(f"/transfer/import/{job.pk}/").content.decode()
    assert "共2行：新增0件，更新1件，无变化1件" in page
    assert "更新" in page and "无变化" in page
    rows = {r["row"]: r for r in job.preview["rows"]}
    assert rows[2]["status"] == "changed" and rows[2]["changed"] == ["标题"]
    assert rows[3]["status"] == "unchanged"


def test_a_file_with_nothing_new_cannot_be_confirmed(cast):
    client = client_for(cast.coordinator)
    upload(client, basic_file(basic_row("1")))
    job = ImportJob.objects.get()
    client.post(f"/transfer/import/{job.pk}/confirm/", {"digest": job.preview["digest"]})
    upload(client, basic_file(basic_row("1")))
    job = ImportJob.objects.latest("id")
    page = client.get(f"/transfer/import/{job.pk}/").content.decode()
    assert "所有行均与系统中一致，无需导入" in page and "确认导入" not in page
    client.post(f"/transfer/import/{job.pk}/confirm/", {"digest": job.preview["digest"]})
    job.refresh_from_db()
    assert job.status == Status.CHECKED


def test_create_units_is_passed_on(cast):
    from orgs.actions import grant_role
    from orgs.models import Role

    # Only administrators create units: this importer is both (see test_units_admin_only).
    grant_role(by=None, user=cast.admin, unit=cast.office, role=Role.COORDINATOR)
    client = client_for(cast.admin)
    row = basic_row("1", 承办处室="规划发展处", 交办日期="2026-03-05")
    upload(client, basic_file(row))
    job = ImportJob.objects.get()
    assert job.preview["has_errors"] and job.preview["has_unknown_units"]
    page = client.get(f"/transfer/import/{job.pk}/").content.decode()
    assert "系统中没有单位“规划发展处”" in page
    assert "勾选“自动创建未知单位”" in page  # the hint, from the error's code

    upload(client, basic_file(row), create_units="on")
    job = ImportJob.objects.latest("id")
    assert job.create_units and not job.preview["has_errors"]
    assert job.preview["new_units"] == [{"name": "规划发展处", "kind": "处室"}]
    assert (
        "将新建单位：规划发展处（处室）"
        in client.get(f"/transfer/import/{job.pk}/").content.decode()
    )
    client.post(f"/transfer/import/{job.pk}/confirm/", {"digest": job.preview["digest"]})
    assert Case.objects.get().lead_unit.name == "规划发展处"


def test_a_csv_file_imports_too(cast):
    client = client_for(cast.coordinator)
    rows = table(["类别", "级别", "年度", "编号", "标题", "领衔人"], basic_row("7"))
    upload(client, csv_bytes(rows, "gbk"), name="台账.csv")
    job = ImportJob.objects.get()
    assert job.status == Status.CHECKED and job.preview["counts"]["new"] == 1


# Bad files


def test_a_bad_file_shows_every_error_by_row_and_column_and_imports_nothing(cast):
    client = client_for(cast.coordinator)
    content = basic_file(
        basic_row("1"),
        basic_row("2", 类别="群众意见建议", 答复日期="2026/13/05"),
        basic_row("1", 级别=""),
        basic_row("4", 承办处室="不存在处", 交办日期="2026-03-05"),
        basic_row("5"),
    )
    upload(client, content)
    job = ImportJob.objects.get()
    assert job.status == Status.CHECKED and job.preview["has_errors"]
    page = client.get(f"/transfer/import/{job.pk}/").content.decode()

    plan = plan_import(content, "x.xlsx", user=cast.coordinator)
    assert len(plan.errors) >= 4
    assert job.preview["errors_total"] == len(plan.errors)
    for error in plan.errors:
        assert f"「{error.column}」</strong>{escape(error.message)}" in page, str(error)
    assert "不能导入，未写入任何数据" in page
    assert "确认导入" not in page
    assert f"文件有{len(plan.errors)}处错误" in page

    response = client.post(
        f"/transfer/import/{job.pk}/confirm/", {"digest": job.preview["digest"]}, follow=True
    )
    assert "文件有错误，不能导入" in response.content.decode()
    assert not Case.objects.exists()
    assert not AuditEvent.objects.filter(action="import").exists()


def test_a_missing_required_column_is_a_header_error(cast):
    client = client_for(cast.coordinator)
    upload(client, xlsx(table(["类别", "级别", "年度", "编号", "标题"], basic_row("1"))))
    job = ImportJob.objects.get()
    page = client.get(f"/transfer/import/{job.pk}/").content.decode()
    assert "第1行「领衔人」：缺少必填列“领衔人”" in page
    assert "确认导入" not in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("台账.xlsx", b"PK\x03\x04 this is not a workbook", "文件已损坏，不是有效的.xlsx文件"),
        (
            "台账.xlsx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le"),
            "文件设置了打开密码",
        ),
        ("台账.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "不支持旧版Excel文件（.xls）"),
        ("台账.pdf", b"%PDF-1.4", "仅支持导入.xlsx或.csv文件"),
        ("台账.exe", b"MZ", "仅支持导入.xlsx或.csv文件"),
    ],
)
def test_unreadable_files_are_refused_on_the_form(cast, name, content, message):
    client = client_for(cast.coordinator)
    response = upload(client, content, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Case.objects.exists()
    # A job that got as far as a check is kept as failed, without its file.
    for job in ImportJob.objects.all():
        assert job.status == Status.FAILED and message in job.error and not job.file


def test_empty_and_oversized_uploads(cast, settings):
    client = client_for(cast.coordinator)
    response = client.post("/transfer/import/", {})
    assert response.status_code == 400 and "请选择要导入的文件" in response.content.decode()
    assert "文件是空的" in upload(client, b"").content.decode()
    settings.HUIYIN_IMPORT_MAX_BYTES = 1024
    response = upload(client, good_file())
    assert response.status_code == 400
    assert "一次最多导入1 KB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_too_many_rows_is_a_clear_failure(cast, settings):
    settings.HUIYIN_IMPORT_MAX_ROWS = 2
    response = upload(client_for(cast.coordinator), good_file())
    assert response.status_code == 400
    assert "数据行过多（超过2行），请分批导入" in response.content.decode()


# Who may


@pytest.mark.parametrize(
    "who", ["admin", "leader", "viewer", "yizheng_head", "yizheng_handler", "outsider"]
)
def test_only_coordinators_import(cast, who):
    client = client_for(getattr(cast, who))
    assert client.get("/transfer/import/").status_code == 403
    assert upload(client, good_file()).status_code == 403
    assert client.get("/transfer/template.xlsx").status_code == 403
    assert not ImportJob.objects.exists()


def test_another_coordinators_job_is_not_found(cast):
    from cases.tests.factories import make_user
    from orgs.models import Role

    other = make_user("coordinator2", (cast.office, Role.COORDINATOR))
    upload(client_for(cast.coordinator), good_file())
    job = ImportJob.objects.get()
    client = client_for(other)
    for path in ("", "progress/"):
        assert client.get(f"/transfer/import/{job.pk}/{path}").status_code == 404
    for path in ("confirm/", "recheck/"):
        assert client.post(f"/transfer/import/{job.pk}/{path}").status_code == 404
    assert client_for(cast.viewer).get(f"/transfer/import/{job.pk}/").status_code == 403


def test_anonymous_users_are_sent_to_log_in(cast):
    for path in ("/transfer/import/", "/transfer/template.xlsx", "/transfer/export.xlsx"):
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_nav_shows_import_export_to_coordinators_only(cast):
    assert "导入导出" in client_for(cast.coordinator).get("/cases/").content.decode()
    assert "导入导出" not in client_for(cast.yizheng_head).get("/cases/").content.decode()


# Background jobs: progress and failure


def test_a_large_file_is_checked_and_imported_in_the_background(
    cast, monkeypatch, django_capture_on_commit_callbacks
):
    spawned = []
    monkeypatch.setattr(jobs, "INLINE_CHECK_BYTES", 0)
    monkeypatch.setattr(jobs, "INLINE_APPLY_ROWS", 0)
    monkeypatch.setattr(jobs, "_spawn", lambda step, job_id: spawned.append((step, job_id)))
    client = client_for(cast.coordinator)

    # The thread starts once the request's writes are committed; here the step is run by
    # hand (test_jobs.py runs real threads).
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, good_file())
    job = ImportJob.objects.get()
    assert job.status == Status.PENDING and spawned == [(jobs.check_job, job.pk)]
    page = client.get(f"/transfer/import/{job.pk}/").content.decode()
    assert "等待检查" in page and 'hx-trigger="every 1s"' in page and "htmx.min.js" in page
    jobs.check_job(job.pk)
    job.refresh_from_db()
    assert job.status == Status.CHECKED

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/transfer/import/{job.pk}/confirm/", {"digest": job.preview["digest"]})
    job.refresh_from_db()
    assert job.status == Status.QUEUED and spawned[-1] == (jobs.run_job, job.pk)
    assert "等待导入" in client.get(f"/transfer/import/{job.pk}/progress/").content.decode()
    jobs.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == Status.DONE and Case.objects.count() == 3


def test_the_progress_partial_shows_the_running_count(cast):
    client = client_for(cast.coordinator)
    upload(client, good_file())
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, total=1000)
    jobs._live[job.pk] = (500, 1000)
    try:
        response = client.get(f"/transfer/import/{job.pk}/progress/")
    finally:
        jobs._live.pop(job.pk, None)
    html = response.content.decode()
    assert response.status_code == 200 and "HX-Redirect" not in response
    assert "正在导入：已写入 500 / 1000 件" in html and "width: 50%" in html
    assert 'aria-valuenow="50"' in html and 'hx-trigger="every 1s"' in html
    assert "<html" not in html  # a partial

    ImportJob.objects.filter(pk=job.pk).update(status=Status.DONE, done=1000)
    response = client.get(f"/transfer/import/{job.pk}/progress/")
    assert response["HX-Redirect"] == f"/transfer/import/{job.pk}/"
    assert "hx-trigger" not in response.content.decode()


def test_apply_imports_progress_reaches_the_job(cast, monkeypatch):
    import cases.actions.importing as importing

    monkeypatch.setattr(importing, "CHUNK", 2)
    seen = []
    original = jobs._Progress.__call__

    def spy(self, done, total):
        original(self, done, total)
        seen.append(jobs.progress_of(ImportJob.objects.get(pk=self.job_id)))

    monkeypatch.setattr(jobs._Progress, "__call__", spy)
    client = client_for(cast.coordinator)
    upload(client, basic_file(*(basic_row(str(n)) for n in range(1, 6))))
    job = ImportJob.objects.get()
    client.post(f"/transfer/import/{job.pk}/confirm/", {"digest": job.preview["digest"]})
    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (Status.DONE, 5, 5)
    assert jobs._live == {}


def test_a_case_changed_after_the_preview_fails_the_job_and_imports_nothing(cast):
    case = register(cast, on=date(2026, 3, 2), number="9")
    client = client_for(cast.coordinator)
    upload(client, basic_file(basic_row("1"), basic_row("9", 标题=case.title, 领衔人="陈代表")))
    job = ImportJob.objects.get()
    assert job.preview["counts"] == {"new": 1, "changed": 0, "unchanged": 1, "error": 0}
    actions.edit_case(case, by=cast.coordinator, title="关于另一个题目的建议")

    response = client.post(
        f"/transfer/import/{job.pk}/confirm/", {"digest": job.preview["digest"]}, follow=True
    )
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert "检查之后，文件所涉办件或单位在系统中有了变化" in job.error
    page = response.content.decode()
    assert "导入失败" in page and job.error in page and "重新检查此文件" in page
    assert Case.objects.count() == 1

    # Checked again, the file shows the edit as a change, and imports.
    client.post(f"/transfer/import/{job.pk}/recheck/")
    job.refresh_from_db()
    assert job.status == Status.CHECKED and job.preview["counts"]["changed"] == 1
    client.post(f"/transfer/import/{job.pk}/confirm/", {"digest": job.preview["digest"]})
    job.refresh_from_db()
    assert job.status == Status.DONE and Case.objects.count() == 2


def test_a_stale_confirm_form_is_not_taken(cast):
    client = client_for(cast.coordinator)
    upload(client, good_file())
    job = ImportJob.objects.get()
    response = client.post(f"/transfer/import/{job.pk}/confirm/", {"digest": "old"}, follow=True)
    assert "检查结果已更新" in response.content.decode()
    job.refresh_from_db()
    assert job.status == Status.CHECKED and not Case.objects.exists()


def test_an_unexpected_error_fails_the_job_with_a_chinese_message(cast, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(jobs, "apply_import", broken)
    client = client_for(cast.coordinator)
    upload(client, good_file())
    job = ImportJob.objects.get()
    response = client.post(
        f"/transfer/import/{job.pk}/confirm/", {"digest": job.preview["digest"]}, follow=True
    )
    assert response.status_code == 200
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert (
        job.error
        == f"导入未完成：系统内部错误，未导入任何数据。请联系系统管理员（导入任务#{job.pk}）"
    )
    assert "disk on fire" not in response.content.decode()
    assert job.error in response.content.decode()


def test_a_lost_file_fails_the_job(cast):
    client = client_for(cast.coordinator)
    upload(client, good_file())
    job = ImportJob.objects.get()
    Path(job.file.path).unlink()
    client.post(f"/transfer/import/{job.pk}/confirm/", {"digest": job.preview["digest"]})
    job.refresh_from_db()
    assert (job.status, job.error) == (Status.FAILED, "上传的文件已不在服务器上，请重新上传")


def test_the_uploaded_file_is_kept_under_a_random_name(cast, settings):
    upload(client_for(cast.coordinator), good_file())
    job = ImportJob.objects.get()
    assert job.file.name.startswith("imports/2026/") and "台账" not in job.file.name
    stored = (Path(settings.MEDIA_ROOT) / job.file.name).read_bytes()
    # Sealed with SM4 (issue 16): the workbook (PK…) only inside the ciphertext.
    plain = decrypt_bytes(stored)
    assert stored.startswith(b"HYS4") and len(plain) == job.size > 0 and plain.startswith(b"PK")


def test_the_import_page_lists_recent_jobs(cast):
    client = client_for(cast.coordinator)
    upload(client, good_file(), name="甲.xlsx")
    upload(client, b"PK\x03\x04 broken", name="乙.xlsx")
    page = client.get("/transfer/import/").content.decode()
    assert "最近的导入" in page and "甲.xlsx" in page and "乙.xlsx" in page
    assert "待确认" in page and "失败" in page and "下载导入模板" in page


# Template and export


def test_the_template_downloads(cast):
    response = client_for(cast.coordinator).get("/transfer/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"filename*=UTF-8''{quote('议提案台账导入模板.xlsx')}" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:6] == ["类别", "级别", "交办机关", "年度", "届次", "编号"]


def ledger(cast):
    """2026: three 人大 suggestions (one of 基层卫生健康处) and a 政协 proposal; one of 2025."""
    client = client_for(cast.coordinator)
    rows = [
        basic_row("1", **CLOSED),
        basic_row("2", 标题='=HYPERLINK("http://evil.example","点我")', 领衔人="+李代表"),
        basic_row("3", 承办处室="基层卫生健康处", 交办日期="2026-03-05", 主题="-负数主题、@提及"),
        basic_row("4", 类别="政协提案", 领衔人="周委员"),
        basic_row("5", 年度=2025),
    ]
    header = list(dict.fromkeys(k for r in rows for k in r))
    # CSV: in a workbook written by openpyxl, "=HYPERLINK(…)" would become a real formula.
    upload(client, csv_bytes(table(header, *rows), "utf-8"), name="台账.csv")
    job = ImportJob.objects.get()
    assert job.status == Status.CHECKED and not job.preview["has_errors"], job.preview
    client.post(f"/transfer/import/{job.pk}/confirm/", {"digest": job.preview["digest"]})
    assert Case.objects.count() == 5
    return client


def exported_rows(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]


def test_export_of_a_filtered_list_reimports_unchanged(cast):
    client = ledger(cast)
    response = client.get("/transfer/export.xlsx?year=2026&category=npc_suggestion&page=2")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="ledger-2026.xlsx"; '
        f"filename*=UTF-8''{quote('议提案台账-2026.xlsx')}"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "2026年度议提案办理台账"
    rows = exported_rows(response)
    assert sorted(r[5] for r in rows) == ["1", "2", "3"]  # 编号: 2026, 人大 only, all pages

    upload(client, response.content, name="议提案台账-2026.xlsx")
    job = ImportJob.objects.latest("id")
    assert job.preview["counts"] == {"new": 0, "changed": 0, "unchanged": 3, "error": 0}


def test_export_keeps_to_the_cases_the_user_sees(cast):
    ledger(cast)
    response = client_for(cast.jiceng_head).get("/transfer/export.xlsx")
    assert [r[5] for r in exported_rows(response)] == ["3"]
    assert quote("议提案台账-20261231.xlsx") in response["Content-Disposition"]
    assert exported_rows(client_for(cast.outsider).get("/transfer/export.xlsx")) == []
    rows = exported_rows(client_for(cast.viewer).get("/transfer/export.xlsx?q=周委员"))
    assert [r[5] for r in rows] == ["4"]


def test_formula_looking_values_are_exported_as_text(cast):
    client = ledger(cast)
    response = client.get("/transfer/export.xlsx?year=2026")
    sheet = load_workbook(io.BytesIO(response.content)).active
    found = {}
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                found[cell.value] = cell
    assert set(found) >= {
        '=HYPERLINK("http://evil.example","点我")',
        "+李代表",
    }
    for cell in found.values():
        assert cell.data_type == "s" and cell.quotePrefix
    sheet_xml = (
        zipfile.ZipFile(io.BytesIO(response.content)).read("xl/worksheets/sheet1.xml").decode()
    )
    assert "<f>" not in sheet_xml


def test_export_over_the_limit_says_so(cast, monkeypatch):
    from transfer import views

    client = ledger(cast)
    monkeypatch.setattr(views, "EXPORT_MAX_CASES", 2)
    response = client.get("/transfer/export.xlsx?year=2026", follow=True)
    assert response.redirect_chain[-1][0] == "/cases/?year=2026"
    assert "符合条件的办件超过2件" in response.content.decode()


def test_the_unknown_unit_hint_follows_the_code_not_the_wording(cast):
    client = client_for(cast.coordinator)
    row = basic_row("1", 承办处室="规划发展处", 交办日期="2026-03-05")
    upload(client, basic_file(row))
    job = ImportJob.objects.get()
    # The message reworded: the hint still shows, read from the plan's code.
    for r in job.preview["rows"]:
        for e in r["errors"]:
            e["message"] = "另一种说法"
    job.save()
    # A coordinator may not create units: the hint lists the names to ask an admin for.
    assert "data-unknown-units" in client.get(f"/transfer/import/{job.pk}/").content.decode()
    job.preview["has_unknown_units"] = False
    job.save()
    assert "data-unknown-units" not in client.get(f"/transfer/import/{job.pk}/").content.decode()
