"""Upload, download and removal over HTTP; the include of the case page."""

from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from attachments.actions import attach_file
from attachments.models import Attachment
from attachments.queries import attachment_context
from attachments.tests.conftest import sample, upload

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_file(client, case, name, content=None, target="case"):
    return client.post(
        f"/cases/{case.pk}/attachments/", {"file": upload(name, content), "target": target}
    )


def test_upload_then_download_with_the_original_name(world):
    client = client_for(world.cast.yizheng_head)
    response = post_file(client, world.case, "答复函（定稿）.pdf")
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{world.case.pk}/#attachments"
    attachment = Attachment.objects.get()
    assert (
        "已添加附件：答复函（定稿）.pdf" in client.get(f"/cases/{world.case.pk}/").content.decode()
    )

    response = client.get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == sample("答复函.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="attachment-{attachment.pk}.pdf"; '
        f"filename*=UTF-8''{quote('答复函（定稿）.pdf')}"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_an_ascii_name_is_kept_for_old_clients_too(world):
    attachment = attach_file(world.case, by=world.cast.coordinator, upload=upload("scan-01.png"))
    response = client_for(world.cast.viewer).get(f"/attachments/{attachment.pk}/")
    assert response["Content-Disposition"] == (
        "attachment; filename=\"scan-01.png\"; filename*=UTF-8''scan-01.png"
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("coordinator", 200),
        ("leader", 200),
        ("viewer", 200),
        ("yizheng_head", 200),
        ("yizheng_handler", 200),
        ("jiceng_head", 200),  # co-unit: sees the case
        ("zhongyi_head", 404),  # unrelated unit: the case does not exist for it
        ("outsider", 404),
    ],
)
def test_download_permission_follows_the_case(world, who, status):
    attachment = attach_file(world.case, by=world.cast.coordinator, upload=upload("答复函.pdf"))
    assert (
        client_for(getattr(world.cast, who)).get(f"/attachments/{attachment.pk}/").status_code
        == status
    )


def test_download_of_a_registered_case_is_404_for_units_and_login_for_anonymous(world):
    attachment = attach_file(
        world.registered, by=world.cast.coordinator, upload=upload("答复函.pdf")
    )
    assert (
        client_for(world.cast.yizheng_head).get(f"/attachments/{attachment.pk}/").status_code == 404
    )
    response = Client().get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client_for(world.cast.coordinator).get("/attachments/999999/").status_code == 404


def test_the_media_folder_is_not_served(world):
    attachment = attach_file(world.case, by=world.cast.coordinator, upload=upload("答复函.pdf"))
    client = client_for(world.cast.coordinator)
    assert client.get("/" + attachment.file.name).status_code == 404
    assert client.get("/media/" + attachment.file.name).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("coordinator", 302),
        ("yizheng_head", 302),
        ("yizheng_handler", 302),
        ("leader", 403),
        ("viewer", 403),
        ("admin", 403),
        ("jiceng_head", 403),  # a co-unit attaches to its opinion, not to the case
        ("zhongyi_head", 404),
        ("outsider", 404),
    ],
)
def test_upload_permission(world, who, status):
    response = post_file(client_for(getattr(world.cast, who)), world.case, "答复函.pdf")
    assert response.status_code == status
    assert Attachment.objects.count() == (1 if status == 302 else 0)


def test_a_co_unit_uploads_to_its_opinion(world):
    response = post_file(
        client_for(world.cast.jiceng_head),
        world.case,
        "会办意见.pdf",
        target=f"opinion:{world.jiceng_opinion.pk}",
    )
    assert response.status_code == 302
    assert Attachment.objects.get().assignment_id == world.jiceng_opinion.pk


def test_refused_uploads_say_why_in_chinese(world, settings):
    client = client_for(world.cast.yizheng_head)
    response = post_file(client, world.case, "答复函.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    assert response.status_code == 302 and response["Location"] == f"/cases/{world.case.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "附件未上传：文件内容不是PDF文档（扩展名为.pdf）" in page

    settings.HUIYIN_UPLOAD_MAX_BYTES = 10
    post_file(client, world.case, "答复函.pdf")
    assert "附件未上传：文件过大" in client.get(f"/cases/{world.case.pk}/").content.decode()

    client.post(f"/cases/{world.case.pk}/attachments/", {"target": "case"})
    assert (
        "附件未上传：请选择要上传的文件" in client.get(f"/cases/{world.case.pk}/").content.decode()
    )

    post_file(client, world.case, "答复函.pdf", target="reply:999999")
    assert "所选的附件关联对象不存在" in client.get(f"/cases/{world.case.pk}/").content.decode()
    assert not Attachment.objects.exists()


def test_get_is_not_allowed_on_upload_and_remove(world):
    client = client_for(world.cast.coordinator)
    assert client.get(f"/cases/{world.case.pk}/attachments/").status_code == 405
    attachment = attach_file(world.case, by=world.cast.coordinator, upload=upload("答复函.pdf"))
    assert client.get(f"/attachments/{attachment.pk}/remove/").status_code == 405


def test_remove_over_http(world, django_capture_on_commit_callbacks):
    attachment = attach_file(world.case, by=world.cast.yizheng_handler, upload=upload("答复函.pdf"))
    path = Path(settings.MEDIA_ROOT) / attachment.file.name
    assert (
        client_for(world.cast.viewer).post(f"/attachments/{attachment.pk}/remove/").status_code
        == 403
    )
    assert (
        client_for(world.cast.zhongyi_head)
        .post(f"/attachments/{attachment.pk}/remove/")
        .status_code
        == 404
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.cast.yizheng_handler).post(
            f"/attachments/{attachment.pk}/remove/"
        )
    assert (
        response.status_code == 302
        and response["Location"] == f"/cases/{world.case.pk}/#attachments"
    )
    assert not Attachment.objects.exists() and not path.exists()


def _render_include(user, case):
    request = RequestFactory().get(f"/cases/{case.pk}/")
    request.user = user
    context = {"case": case, "request": request, **attachment_context(user, case)}
    return render_to_string("web/includes/case_attachments.html", context, request=request)


def test_the_include_lists_files_and_offers_the_form_to_those_who_may_attach(replied):
    w = replied
    attach_file(w.case, by=w.cast.yizheng_handler, upload=upload("答复函.docx"), target=w.reply)
    attach_file(
        w.case, by=w.cast.jiceng_head, upload=upload("统计表.xlsx"), target=w.jiceng_opinion
    )

    html = _render_include(w.cast.yizheng_handler, w.case)
    assert 'id="attachments"' in html and "答复函.docx" in html and "统计表.xlsx" in html
    assert "第1轮答复" in html and "会办意见（基层卫生健康处）" in html
    assert f'action="/cases/{w.case.pk}/attachments/"' in html and 'name="target"' in html
    assert html.count("/remove/") == 1  # its own file only

    html = _render_include(w.cast.jiceng_head, w.case)
    assert 'type="hidden" name="target"' in html and "关联到：会办意见（基层卫生健康处）" in html

    html = _render_include(w.cast.viewer, w.case)
    assert "答复函.docx" in html and '/attachments/"' not in html and "/remove/" not in html
    assert 'type="file"' not in html

    html = _render_include(w.cast.coordinator, w.case)
    assert html.count("/remove/") == 2


def test_the_include_without_files(world):
    assert "暂无附件" in _render_include(world.cast.viewer, world.case)
    html = _render_include(world.cast.coordinator, world.case)
    assert "暂无附件" not in html and "添加附件" in html and "单个文件不超过 20 MB" in html


def test_the_case_page_shows_the_same_section_from_the_rows_it_has_read(replied):
    """The case page passes its relations and rows (attachments.queries.CaseRows): the
    section it shows is the include's own, file for file, target for target."""
    import re

    w = replied
    attach_file(w.case, by=w.cast.yizheng_handler, upload=upload("答复函.docx"), target=w.reply)
    attach_file(
        w.case, by=w.cast.jiceng_head, upload=upload("统计表.xlsx"), target=w.jiceng_opinion
    )

    def section(html: str) -> str:
        found = re.search(r'<section class="card mb-3 hy-attachments".*?</section>', html, re.S)
        assert found is not None
        # Each form rendering carries its own CSRF token.
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", found.group(0))

    for user in (w.cast.yizheng_handler, w.cast.jiceng_head, w.cast.viewer, w.cast.coordinator):
        page = client_for(user).get(f"/cases/{w.case.pk}/").content.decode()
        assert section(page) == section(_render_include(user, w.case)), user
    page = client_for(w.cast.yizheng_handler).get(f"/cases/{w.case.pk}/").content.decode()
    assert "第1轮答复" in section(page) and "会办意见（基层卫生健康处）" in section(page)
