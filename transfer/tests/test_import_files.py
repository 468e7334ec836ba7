"""Files that cannot be read as a ledger get a clear Chinese message, never a traceback;
CSV in UTF-8 (with or without BOM) and GBK imports like .xlsx."""

import io
import re
import zipfile

import pytest

from cases.models import Case
from transfer.errors import ImportFileError
from transfer.planning import apply_import, plan_import
from transfer.tests.helpers import BASIC, basic_file, basic_row, csv_bytes, table, xlsx

pytestmark = pytest.mark.django_db


def refused(cast, data: bytes, filename: str = "台账.xlsx") -> str:
    with pytest.raises(ImportFileError) as caught:
        plan_import(data, filename, user=cast.coordinator)
    return caught.value.message


ROWS = table(
    BASIC + ["联名人", "交办日期"],
    basic_row("1", 联名人="刘洋、周敏", 交办日期=""),
    basic_row("2", 标题="关于“医养结合”的建议，请研究", 领衔人="民盟市委会"),
)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_csv_in_utf8_bom_utf8_and_gbk(cast, encoding):
    plan = plan_import(csv_bytes(ROWS, encoding), "台账.csv", user=cast.coordinator)
    assert plan.errors == []
    apply_import(plan, user=cast.coordinator, source_name="台账.csv")
    first, second = Case.objects.order_by("number")
    assert [p.name for p in first.proposers.order_by("case_links__position")] == [
        "陈代表",
        "刘洋",
        "周敏",
    ]
    assert second.title == "关于“医养结合”的建议，请研究"
    assert second.proposer_links.get().proposer.kind == "party"


def test_not_a_spreadsheet(cast):
    assert refused(cast, b"%PDF-1.7 ...", "台账.pdf") == "仅支持导入.xlsx或.csv文件"


def test_empty_file(cast):
    assert refused(cast, b"", "台账.xlsx") == "文件是空的"


def test_corrupt_xlsx(cast):
    data = basic_file(basic_row())
    assert refused(cast, data[: len(data) // 2]) == "文件已损坏，不是有效的.xlsx文件"
    assert refused(cast, b"this is no zip at all", "台账.xlsx") == "文件已损坏，不是有效的.xlsx文件"


def test_password_protected_file(cast):
    # Excel saves an encrypted workbook as an OLE compound file with an EncryptionInfo stream.
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le")
    message = refused(cast, ole + b"\x00" * 1024)
    assert message == "文件设置了打开密码（已加密），请在Excel中取消密码后再导入"


def test_legacy_xls(cast):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2048 + "Workbook".encode("utf-16-le")
    assert (
        refused(cast, ole, "台账.xls")
        == "不支持旧版Excel文件（.xls），请在Excel中另存为.xlsx后再导入"
    )


def test_file_too_large(cast, settings):
    settings.HUIYIN_IMPORT_MAX_BYTES = 1024 * 1024
    data = b"\x00" * (1024 * 1024 + 1)
    assert refused(cast, data) == "文件过大（1.0 MB），一次最多导入1.0 MB"


def test_too_many_rows(cast, settings):
    settings.HUIYIN_IMPORT_MAX_ROWS = 3
    data = basic_file(*(basic_row(str(n)) for n in range(1, 5)))
    assert refused(cast, data) == "数据行过多（超过3行），请分批导入"
    assert refused(
        cast, csv_bytes(table(BASIC, *(basic_row(str(n)) for n in range(1, 5))), "utf-8"), "a.csv"
    ) == ("数据行过多（超过3行），请分批导入")


def test_no_header(cast):
    data = xlsx([["一些说明"], ["甲", "乙", "丙"], [1, 2, 3]])
    assert refused(cast, data) == (
        "前5行中没有找到表头（应有类别、级别、年度、编号、标题、领衔人等列），请使用导入模板"
    )


def test_uncomputed_formulas_are_refused(cast):
    rows = table(
        BASIC + ["交办日期"],
        basic_row("1", 交办日期="=TODAY()"),
        basic_row("2", 标题='=A2&"的建议"'),
    )
    message = refused(cast, xlsx(rows))
    assert message == (
        '表格中有未计算的公式：第2行「交办日期」“=TODAY()”、第3行「标题」“=A2&"的建议"”。'
        "请在Excel中打开并保存，或将公式复制后“选择性粘贴为数值”，再导入"
    )


def test_formulas_computed_by_excel_are_read_as_their_values(cast):
    data = xlsx(table(BASIC, basic_row("1", 标题="=B2")))
    # Excel stores each formula's last result beside it: add one, as Excel would.
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(
                    rb"<f>B2</f><v\s*/?>(</v>)?", "<f>B2</f><v>关于缓存值的建议</v>".encode(), body
                )
                body = body.replace(b'<c r="E2">', b'<c r="E2" t="str">')
            target.writestr(info, body)
    plan = plan_import(out.getvalue(), "台账.xlsx", user=cast.coordinator)
    assert plan.errors == []
    assert plan.rows[0].item.record.title == "关于缓存值的建议"


def test_title_rows_above_the_header_are_skipped(cast):
    data = xlsx(table(BASIC, basic_row("1")), above=[["2026年度议提案台账"], [], ["制表：办公室"]])
    plan = plan_import(data, "台账.xlsx", user=cast.coordinator)
    assert (plan.header_row, [r.row for r in plan.rows], plan.errors) == (4, [5], [])


def test_empty_rows_are_skipped(cast):
    data = xlsx(table(BASIC, basic_row("1"), {}, basic_row("2")))
    plan = plan_import(data, "台账.xlsx", user=cast.coordinator)
    assert [r.row for r in plan.rows] == [2, 4]
