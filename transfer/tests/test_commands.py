"""huiyin import-cases and export-cases: output in Chinese, exit status non-zero on errors."""

import contextlib
import io
import subprocess
import sys
from datetime import date
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import ManagementUtility, call_command
from django.db import connections
from openpyxl import load_workbook

from audit.models import AuditEvent
from cases.models import Case
from cases.tests.factories import register
from transfer.tests.helpers import basic_file, basic_row

pytestmark = pytest.mark.django_db


def run(*argv: str) -> tuple[int, str, str]:
    """Run as the `huiyin` console script would: the exit status, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    # run_from_argv closes the connections when done: keep the test's transaction open.
    with (
        mock.patch.object(connections, "close_all"),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            ManagementUtility(["huiyin", *argv]).execute()
            status = 0
        except SystemExit as exc:
            status = exc.code or 0
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def ledger(tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(basic_file(basic_row("1"), basic_row("2", 标题="关于第2项工作的建议（改）")))
    return path


def test_dry_run_plans_and_writes_nothing(cast, ledger):
    status, out, err = run("import-cases", str(ledger), "--dry-run", "--user", "coordinator")
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "台账.xlsx：共2行：新增2件，更新0件，无变化0件",
        "检查通过（--dry-run：未写入）",
    ]
    assert not Case.objects.exists()


def test_import_applies_and_a_second_run_reports_changes(cast, ledger, tmp_path):
    status, out, _ = run("import-cases", str(ledger), "--user", "coordinator")
    assert status == 0
    assert out.splitlines()[-1] == "已导入：新增2件，更新0件，无变化0件"
    assert AuditEvent.objects.filter(action="import").count() == 2
    changed = tmp_path / "改.xlsx"
    changed.write_bytes(
        basic_file(basic_row("1", 标题="新标题"), basic_row("2", 标题="关于第2项工作的建议（改）"))
    )
    status, out, _ = run("import-cases", str(changed))  # the only coordinator is the importer
    assert status == 0
    assert out.splitlines() == [
        "改.xlsx：共2行：新增0件，更新1件，无变化1件",
        "  第2行 1 新标题：修改标题",
        "已导入：新增0件，更新1件，无变化1件",
    ]
    assert Case.objects.count() == 2


def test_errors_exit_non_zero_and_import_nothing(cast, tmp_path):
    path = tmp_path / "错.xlsx"
    path.write_bytes(
        basic_file(
            basic_row("1", 类别="群众来信"),
            basic_row("2", 承办处室="规划处", 交办日期="2026-03-05"),
        )
    )
    status, out, err = run("import-cases", str(path), "--user", "coordinator")
    assert status == 1
    assert out.splitlines() == ["错.xlsx：共2行：新增0件，更新0件，无变化0件，错误2处（2行）"]
    assert err.splitlines() == [
        "第2行「类别」：“群众来信”不是议提案类别（应为人大代表建议或政协提案）",
        "第3行「承办处室」：系统中没有单位“规划处”",
        "提示：加 --create-units 可自动创建表中的新单位。",
        "CommandError: 有2处错误，未导入任何数据",
    ]
    assert not Case.objects.exists()


def test_an_unreadable_file_exits_non_zero_with_a_message(cast, tmp_path):
    path = tmp_path / "坏.xlsx"
    path.write_bytes(b"PK\x03\x04broken")
    status, _, err = run("import-cases", str(path), "--user", "coordinator")
    assert (status, err) == (1, "CommandError: 文件已损坏，不是有效的.xlsx文件\n")
    status, _, err = run("import-cases", str(tmp_path / "无.xlsx"), "--user", "coordinator")
    assert status == 1 and err.startswith("CommandError: 无法读取文件")


def test_a_non_coordinator_is_refused(cast, ledger):
    status, _, err = run("import-cases", str(ledger), "--user", "yizheng")
    assert (status, err) == (1, "CommandError: 只有议提案管理员可以导入台账\n")
    status, _, err = run("import-cases", str(ledger), "--user", "nobody")
    assert (status, err) == (1, "CommandError: 没有用户“nobody”\n")


def test_create_units(cast, tmp_path):
    path = tmp_path / "新单位.xlsx"
    path.write_bytes(
        basic_file(
            basic_row("1", 承办处室="规划发展处", 交办日期="2026-03-05", 协办处室="市教育局")
        )
    )
    status, _, err = run("import-cases", str(path), "--user", "coordinator", "--create-units")
    assert (status, err) == (1, "CommandError: 只有系统管理员可以创建单位（自动创建未知单位）\n")
    # Only an administrator (who also imports) may create units.
    from orgs.actions import grant_role
    from orgs.models import Role

    grant_role(by=None, user=cast.admin, unit=cast.office, role=Role.COORDINATOR)
    status, out, _ = run("import-cases", str(path), "--user", "admin", "--create-units")
    assert status == 0
    assert "将新建单位：规划发展处（处室）、市教育局（外部单位）" in out.splitlines()


def test_export_cases(cast, tmp_path):
    register(cast, on=date(2026, 3, 2), title="今年的")
    register(cast, on=date(2026, 3, 2), title="去年的", year=2025)
    target = tmp_path / "2026.xlsx"
    call_command("export-cases", "--year", "2026", "-o", str(target), stdout=io.StringIO())
    sheet = load_workbook(target).active
    assert sheet["A1"].value == "2026年度议提案办理台账"
    assert sheet.max_row == 3 and sheet["G3"].value == "今年的"
    status, out, _ = run("export-cases", "--year", "2026", "-o", str(tmp_path / "b.xlsx"))
    assert (status, out) == (0, f"已导出1件到 {tmp_path / 'b.xlsx'}\n")


def test_the_console_script_knows_both_commands():
    script = Path(sys.executable).with_name("huiyin")
    for command in ("import-cases", "export-cases"):
        done = subprocess.run(
            [script, command, "--help"], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert "台账" in done.stdout
