"""Attachments sealed at rest (issue 16): the stored file is an SM4 blob, the download is
the file as uploaded, a file stored before sealing still downloads."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from attachments.actions import attach_file
from attachments.models import Attachment
from cases.tests.factories import register
from huiyin import crypto

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 400 + b"\n%%EOF"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _download(user, attachment) -> bytes:
    client = Client()
    client.force_login(user)
    response = client.get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_file_is_sealed_on_disk_and_downloads_intact(cast):
    from datetime import date

    case = register(cast, on=date(2026, 4, 15))
    upload = SimpleUploadedFile("答复.pdf", PDF, content_type="application/pdf")
    attachment = attach_file(case, by=cast.coordinator, upload=upload)
    on_disk = (Path(settings.MEDIA_ROOT) / attachment.file.name).read_bytes()
    assert crypto.is_encrypted_bytes(on_disk)
    assert PDF[:200] not in on_disk and len(on_disk) > len(PDF)
    assert attachment.size == len(PDF)
    assert _download(cast.coordinator, attachment) == PDF


def test_a_file_stored_before_sealing_still_downloads(cast):
    from datetime import date

    case = register(cast, on=date(2026, 4, 15))
    upload = SimpleUploadedFile("答复.pdf", PDF, content_type="application/pdf")
    attachment = attach_file(case, by=cast.coordinator, upload=upload)
    attachment.file.storage.delete(attachment.file.name)
    name = attachment.file.storage.save(attachment.file.name, ContentFile(io.BytesIO(PDF).read()))
    Attachment.objects.filter(pk=attachment.pk).update(file=name)
    attachment.refresh_from_db()
    assert _download(cast.coordinator, attachment) == PDF


def _sealed(cast):
    from datetime import date

    case = register(cast, on=date(2026, 4, 15))
    upload = SimpleUploadedFile("答复.pdf", PDF, content_type="application/pdf")
    return attach_file(case, by=cast.coordinator, upload=upload)


def _refused_download(user, attachment, status: int) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/attachments/{attachment.pk}/")
    assert response.status_code == status
    html = response.content.decode()
    assert "附件无法解密：请联系系统管理员检查数据密钥" in html
    assert "Traceback" not in html and f'href="/cases/{attachment.case_id}/#attachments"' in html
    return html


def test_an_altered_file_is_a_chinese_409_and_logged(cast, caplog):
    attachment = _sealed(cast)
    path = Path(settings.MEDIA_ROOT) / attachment.file.name
    blob = bytearray(path.read_bytes())
    blob[-40] ^= 0x01  # one bit of the ciphertext
    path.write_bytes(bytes(blob))
    with caplog.at_level("ERROR", logger="attachments.views"):
        _refused_download(cast.coordinator, attachment, 409)
    (record,) = [r for r in caplog.records if r.name == "attachments.views"]
    assert f"attachment {attachment.pk}" in record.getMessage()
    assert "altered" in record.getMessage()


def test_a_file_of_a_key_this_server_lacks_is_a_409(cast, monkeypatch):
    attachment = _sealed(cast)
    monkeypatch.setenv("HUIYIN_DATA_KEY", "other:" + "e3" * 16)
    crypto.forget_keys()
    try:
        _refused_download(cast.coordinator, attachment, 409)
    finally:
        monkeypatch.undo()
        crypto.forget_keys()
    assert _download(cast.coordinator, attachment) == PDF  # the key is back: it opens


def test_no_data_key_at_all_is_a_503(cast, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    attachment = _sealed(cast)

    def no_key():
        raise ImproperlyConfigured("没有找到密钥文件")

    monkeypatch.setattr(crypto, "data_keyring", no_key)
    _refused_download(cast.coordinator, attachment, 503)
