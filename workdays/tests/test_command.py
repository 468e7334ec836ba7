from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from workdays import calendar
from workdays.models import CalendarOverride, ConfirmedYear

pytestmark = pytest.mark.django_db

FILE_2030 = "# 2030 国庆\n2030-10-01 休\n2030-09-29 班\n2030-10-02 休\n"


@pytest.fixture
def day_file(tmp_path: Path) -> Path:
    path = tmp_path / "2030.txt"
    path.write_text(FILE_2030, encoding="utf-8")
    return path


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_workdays", *args, stdout=out)
    return out.getvalue()


def test_dry_run_prints_and_writes_nothing(day_file: Path, calendar_signals) -> None:
    output = run(str(day_file), "--dry-run")
    assert output.splitlines()[:3] == ["2030-09-29 班", "2030-10-01 休", "2030-10-02 休"]
    assert "未写入" in output
    assert not CalendarOverride.objects.exists()
    assert not ConfirmedYear.objects.exists()
    assert not AuditEvent.objects.exists()
    assert calendar_signals == []


def test_import(day_file: Path, admin_user, calendar_signals) -> None:
    output = run(str(day_file), "--user", admin_user.username)
    assert output.splitlines()[:3] == ["2030-09-29 班", "2030-10-01 休", "2030-10-02 休"]
    assert "已导入 2030 年工作日历：休 2 天，班 1 天" in output
    assert calendar.is_workday(date(2030, 10, 1)) is False
    assert calendar.is_confirmed(2030)
    assert AuditEvent.objects.get().actor == admin_user
    assert len(calendar_signals) == 1


def test_gbk_file(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes(FILE_2030.encode("gbk"))
    assert "2030-10-01 休" in run(str(path), "--dry-run")


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        ("2030-10-01 休\n2030-10-35 休\n", [], "第2行无法识别：“2030-10-35 休”"),
        ("2030-10-01 休\n2031-01-01 休\n", [], "跨越多个年份（2030、2031）"),
        (FILE_2030, ["--year", "2031"], "2030-09-29 不在 2031 年内"),
        ("# 空\n", [], "没有找到任何日期"),
        (FILE_2030, ["--user", "nobody"], "用户不存在：nobody"),
    ],
)
def test_errors(tmp_path: Path, content: str, extra: list[str], message: str) -> None:
    path = tmp_path / "days.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run(str(path), *extra)
    assert not CalendarOverride.objects.exists()
    assert not AuditEvent.objects.exists()


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="找不到文件"):
        run(str(tmp_path / "none.txt"))
