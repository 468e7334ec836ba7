"""Import cells follow the same text and date rules as every other input (issue 9 #9, #15):
a NUL or another control character in a cell, or a date outside the configured years, is
an error of that row and column, never a 500 (PostgreSQL cannot store a NUL)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from transfer.models import ImportJob
from transfer.planning import plan_import
from transfer.tests.helpers import BASIC

pytestmark = pytest.mark.django_db


def _csv(**cells: str) -> bytes:
    row = {
        "类别": "人大代表建议",
        "级别": "市级",
        "年度": "2026",
        "编号": "1",
        "标题": "关于养老的建议",
        "领衔人": "陈代表",
    }
    row.update(cells)
    header = list(dict.fromkeys([*BASIC, *row]))
    lines = [",".join(header), ",".join(row.get(h, "") for h in header)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def errors_of(cast, data: bytes) -> list[str]:
    return [str(e) for e in plan_import(data, "台账.csv", user=cast.coordinator).errors]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("标题", "关于\x01养老"),
        ("领衔人", "陈\x01代表"),
        ("编号", "1\x7f"),
        ("交办机关", "市\x7f人大"),
    ],
)
def test_a_control_character_in_a_cell_is_an_error_of_its_column(cast, column, value):
    assert errors_of(cast, _csv(**{column: value})) == [
        f"第2行「{column}」：不能含有控制字符（如空字符）"
    ]


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1999-12-31"])
def test_a_date_outside_the_years_is_an_error(cast, value):
    errors = errors_of(cast, _csv(状态="已交办", 承办处室="医政医管处", 交办日期=value))
    assert f"第2行「交办日期」：日期“{value}”须在2000年至2100年之间" in errors


def test_an_upload_named_with_a_nul_is_refused(cast):
    client = Client()
    client.force_login(cast.coordinator)
    upload = SimpleUploadedFile("台账\x00.csv", _csv(), "text/csv")
    response = client.post("/transfer/import/", {"file": upload})
    assert response.status_code < 500
    assert all("\x00" not in job.filename for job in ImportJob.objects.all())


def test_a_csv_with_a_nul_is_refused_as_a_file(cast):
    from transfer.errors import ImportFileError

    with pytest.raises(ImportFileError):
        plan_import(_csv(标题="关于\x00养老"), "台账.csv", user=cast.coordinator)
