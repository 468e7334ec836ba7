"""End to end in Chromium: a coordinator uploads a ledger, sees the errors of a bad one,
then the preview of a good one, confirms, and finds the cases in the list; the progress
bar of a large import. Screenshots: test-artifacts/screenshots/import-*.png."""

# The Playwright fixtures are imported from tests/browser/conftest.py (pytest loads only the
# conftest files on a test's own path), so each test's parameters "redefine" them.
# ruff: noqa: F811

import os

import pytest

from cases.models import Case
from cases.tests.factories import Cast
from tests.browser.conftest import (  # noqa: F401 (fixtures, re-exported for this module)
    browser,
    chromium_path,
    page,
    phone_page,
    screenshot,
)
from transfer import jobs
from transfer.models import ImportJob
from transfer.tests.helpers import basic_file, basic_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's sync API runs an event loop in this thread; the test reads the database
# between page steps, which Django would otherwise refuse.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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


def log_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(f"pw-{username}")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")


def choose_file(page, name: str, content: bytes) -> None:
    page.get_by_label("台账文件").set_input_files(
        {"name": name, "mimeType": XLSX, "buffer": content}
    )


def test_upload_preview_confirm(live_server, page, phone_page, screenshot):
    Cast()
    log_in(page, live_server, "coordinator")
    page.get_by_role("link", name="导入导出").click()
    page.wait_for_url(live_server.url + "/transfer/import/")
    assert page.get_by_role("heading", name="导入台账").is_visible()
    screenshot(page, "import-01-upload")

    # A bad file: every error by row and column, and no way to import it.
    bad = basic_file(
        basic_row("1", 类别="群众意见建议"),
        basic_row("2", 答复日期="2026/13/05", 承办处室="规划发展处", 交办日期="2026-03-05"),
        basic_row("2"),
    )
    choose_file(page, "有错误的台账.xlsx", bad)
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_url("**/transfer/import/*/")
    assert page.get_by_text("不能导入，未写入任何数据").is_visible()
    errors = page.locator("table.hy-import-rows tr.table-danger")
    assert errors.count() == 3
    text = page.locator("table.hy-import-rows").inner_text()
    for expected in (
        "不是议提案类别",
        "日期“2026/13/05”不存在",
        "系统中没有单位“规划发展处”",
        "与第3行重复",
    ):
        assert expected in text, expected
    assert page.get_by_role("button", name="确认导入").count() == 0
    screenshot(page, "import-02-errors")

    # A good file: the preview, then the import.
    page.get_by_role("link", name="重新上传").click()
    good = basic_file(
        basic_row("1"),
        basic_row("2", **CLOSED),
        basic_row("3", 标题="关于推进医养结合服务的建议", 联名人="刘代表、周代表"),
    )
    choose_file(page, "2026年人大建议台账.xlsx", good)
    # Only administrators may tick 自动创建未知单位; a coordinator does not see it.
    assert page.get_by_label("自动创建未知单位").count() == 0
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_url("**/transfer/import/*/")
    assert page.get_by_text("共3行：新增3件，更新0件，无变化0件").is_visible()
    assert page.locator("table.hy-import-rows tbody tr").count() == 3
    screenshot(page, "import-03-preview")
    job = ImportJob.objects.latest("id")
    phone_page.context.add_cookies(page.context.cookies())
    phone_page.goto(f"{live_server.url}/transfer/import/{job.pk}/")
    screenshot(phone_page, "import-04-phone-preview")

    page.get_by_role("button", name="确认导入").click()
    page.wait_for_url(f"{live_server.url}/transfer/import/{job.pk}/")
    assert (
        page.locator(".alert-success")
        .get_by_text("已导入：新增3件，更新0件，无变化0件")
        .first.is_visible()
    )
    screenshot(page, "import-05-done")
    assert Case.objects.count() == 3
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE

    page.get_by_role("link", name="查看办件台账").click()
    page.wait_for_url(live_server.url + "/cases/")
    assert page.get_by_text("共 3 件").is_visible()
    assert page.get_by_role("link", name="关于推进医养结合服务的建议").is_visible()
    screenshot(page, "import-06-case-list")


def test_the_progress_bar_of_a_large_import(live_server, page, screenshot):
    cast = Cast()
    log_in(page, live_server, "coordinator")
    job = ImportJob.objects.create(
        user=cast.coordinator,
        filename="2025年全部议提案台账.xlsx",
        size=2_800_000,
        status=ImportJob.Status.RUNNING,
        total=20_000,
    )
    jobs._live[job.pk] = (8_500, 20_000)  # as the importing thread of this process reports
    try:
        page.goto(f"{live_server.url}/transfer/import/{job.pk}/")
        assert page.get_by_text("正在导入：已写入 8500 / 20000 件").is_visible()
        jobs._live[job.pk] = (12_000, 20_000)
        # htmx polls every second: the bar moves without a reload.
        page.get_by_text("正在导入：已写入 12000 / 20000 件").wait_for(timeout=5_000)
        screenshot(page, "import-07-progress")

        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.DONE,
            done=20_000,
            summary={"text": "已导入：新增20000件，更新0件，无变化0件"},
        )
        jobs._live.pop(job.pk, None)
        page.get_by_text("已导入：新增20000件，更新0件，无变化0件").wait_for(timeout=5_000)
        assert page.locator("#import-progress").count() == 0
    finally:
        jobs._live.pop(job.pk, None)
