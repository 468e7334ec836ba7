"""File kinds are read from the bytes: extension and content must agree."""

import io

import pytest

from attachments.checks import check_upload, clean_filename, sniff
from attachments.tests.conftest import OLE_MAGIC, sample
from workflow.errors import CaseError

MAX = 20 * 1024 * 1024


def check(name: str, content: bytes, max_bytes: int = MAX):
    return check_upload(name, len(content), io.BytesIO(content), max_bytes=max_bytes)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("答复函.pdf", "pdf"),
        ("答复函.docx", "docx"),
        ("旧版答复.doc", "doc"),
        ("统计表.xlsx", "xlsx"),
        ("现场照片.jpg", "jpg"),
        ("现场照片.jpeg", "jpg"),
        ("截图.png", "png"),
    ],
)
def test_each_allowed_kind_is_accepted_by_content(name, kind):
    assert check(name, sample(name)).key == kind
    assert check(name.upper(), sample(name)).key == kind  # .PDF as well as .pdf


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("答复函.pdf", EXE, "文件内容不是PDF文档（扩展名为.pdf）"),
        ("答复函.pdf", HTML, "文件内容不是PDF文档"),
        ("照片.png", HTML, "文件内容不是PNG图片"),
        ("答复函.docx", b"PK\x03\x04" + b"\x00" * 100, "文件内容不是Word文档（.docx）"),
        ("答复函.pdf", sample("截图.png"), "扩展名为.pdf，内容却是PNG图片"),
        ("答复函.docx", sample("统计表.xlsx"), "内容却是Excel表格（.xlsx）"),
        ("统计表.xlsx", sample("答复函.docx"), "内容却是Word文档（.docx）"),
        ("旧版答复.doc", OLE_MAGIC + b"\x00" * 600, "文件内容不是Word文档（.doc）"),
        ("答复函.doc", sample("答复函.pdf"), "内容却是PDF文档"),
    ],
)
def test_content_that_does_not_match_the_name_is_refused(name, content, message):
    with pytest.raises(CaseError) as error:
        check(name, content)
    assert message in error.value.message


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("setup.exe", "不支持的文件类型“.exe”"),
        ("页面.html", "不支持的文件类型“.html”"),
        ("答复函.pdf.exe", "不支持的文件类型“.exe”"),
        ("没有扩展名", "不支持的文件类型（无扩展名）"),
        ("旧表.xls", "不支持的文件类型“.xls”"),
    ],
)
def test_other_extensions_are_refused(name, message):
    with pytest.raises(CaseError) as error:
        check(name, sample("答复函.pdf"))
    assert message in error.value.message
    assert "仅支持PDF、Word（.docx、.doc）、Excel（.xlsx）、JPG、PNG" in error.value.message


def test_an_encrypted_office_file_gets_its_own_message():
    content = OLE_MAGIC + b"\x00" * 300 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 300
    with pytest.raises(CaseError) as error:
        check("答复函.docx", content)
    assert "设置了打开密码" in error.value.message


def test_size_limit_and_empty_file():
    with pytest.raises(CaseError) as error:
        check("答复函.pdf", b"%PDF-" + b"0" * 2000, max_bytes=1024)
    assert error.value.message == "文件过大（2 KB），附件最大1 KB"
    with pytest.raises(CaseError) as error:
        check("答复函.pdf", b"%PDF-" + b"0" * (21 * 1024 * 1024))
    assert error.value.message == "文件过大（21 MB），附件最大20 MB"
    with pytest.raises(CaseError) as error:
        check("答复函.pdf", b"")
    assert error.value.message == "文件是空的"


def test_the_word_stream_is_found_across_read_chunks(monkeypatch):
    import attachments.checks as checks

    monkeypatch.setattr(checks, "SCAN_CHUNK", 16)
    content = OLE_MAGIC + b"\x00" * 5 + "WordDocument".encode("utf-16-le")
    assert sniff(io.BytesIO(content)).key == "doc"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("C:\\fakepath\\答复函.pdf", "答复函.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("答复\x00函\n.pdf", "答复函.pdf"),
        ("", "附件"),
        ("长" * 300 + ".pdf", "长" * 196 + ".pdf"),
    ],
)
def test_the_original_name_is_cleaned(raw, clean):
    assert clean_filename(raw) == clean
