"""Submitting an opinion from the public page: saved as channel web through
register_opinion, the receipt shows the code and the private link; the honeypot; size
limits; CSRF; no 500 on garbage."""

import re

import pytest
from django.test import Client

from opinions.links import private_path
from opinions.models import Channel, Opinion
from opinions.public import forms as public_forms
from opinions.public import photos as public_photos

from .conftest import NEW, TEXT, form_data, receipt_of, submit

pytestmark = pytest.mark.django_db


def test_the_form_is_public_labelled_and_has_no_staff_nav(anon):
    response = anon.get(NEW)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-CN"' in html
    for name, label in [
        ("content", "意见建议内容"),
        ("requester", "姓名"),
        ("phone", "联系电话"),
        ("email", "电子邮箱"),
        ("area", "涉及方面"),
    ]:
        assert re.search(rf'<label class="form-label" for="id_{name}">{label}', html), name
    assert "不确定（由系统建议）" in html
    assert "人才队伍建设" in html and "卫生监督执法" in html
    assert "csrfmiddlewaretoken" in html
    # the honeypot is hidden by a class, not an inline style
    assert re.search(r'<div class="yj-hp" aria-hidden="true">', html)
    assert 'name="website"' in html
    assert "style=" not in html
    assert "<script>" not in html and "onclick" not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
    # no staff navigation, no login link
    assert "办件台账" not in html and "/cases/" not in html and "退出" not in html
    # photos: attachments stores them without a user (attach_public_photo)
    assert 'name="photos"' in html and 'accept="image/jpeg,image/png"' in html


def test_submission_creates_a_web_opinion_and_shows_code_and_link(anon, clock):
    response = submit(anon, area="service")
    code, path = receipt_of(anon, response)
    opinion = Opinion.objects.select_related("case").get(code=code)
    assert opinion.channel == Channel.WEB
    assert opinion.case.category == "public_opinion"
    assert opinion.case.content == TEXT
    assert opinion.requester == "张三"
    assert opinion.phone == "13812345678"  # spaces dropped, one number is one number
    assert opinion.client_address == "203.0.113.7"
    assert opinion.area == "service"
    assert path == private_path(opinion)
    page = anon.get(response["Location"]).content.decode()
    assert "请保存" in page
    assert f"http://testserver{path}" in page
    assert anon.get(response["Location"])["Referrer-Policy"] == "no-referrer"


def test_anonymous_with_only_the_text(anon):
    response = anon.post(
        NEW, {"content": "  医院停车太难了，建议增加停车位。  ", "requester": "匿名"}
    )
    code, _ = receipt_of(anon, response)
    opinion = Opinion.objects.get(code=code)
    assert opinion.phone == "" and opinion.requester == "匿名"
    assert opinion.case.content == "医院停车太难了，建议增加停车位。"
    assert opinion.area == "" and opinion.suggested_area  # the system suggests one


def test_a_filled_honeypot_pretends_success_and_saves_nothing(anon):
    response = submit(anon, website="http://spam.example")
    assert response.status_code == 302
    code, path = receipt_of(anon, response)  # looks like any receipt
    assert re.fullmatch(r"[A-Z0-9]{10}", code)
    assert not Opinion.objects.exists()
    assert anon.get(path).status_code == 404


def test_a_filled_honeypot_wins_over_other_errors(anon):
    response = submit(anon, website="x", content="", email="nope")
    assert response.status_code == 302
    assert not Opinion.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"content": ""}, "content", "请填写意见建议内容"),
        ({"content": "   "}, "content", "请填写意见建议内容"),
        ({"content": "长" * 2001}, "content", "不能超过2000个字"),
        ({"content": "有\x00空字符"}, "content", "控制字符"),
        ({"phone": "abc123456"}, "phone", "只能含数字"),
        ({"phone": "12345"}, "phone", "长度7至20位"),
        ({"phone": "1" * 21}, "phone", "长度7至20位"),
        ({"email": "not-an-email"}, "email", "正确的电子邮箱"),
        ({"area": "nonsense"}, "area", "请从列表中选择"),
        ({"requester": "名" * 51}, "requester", "不能超过50个字"),
        ({"requester": "张\n三"}, "requester", "换行"),
        ({"requester": "张\x1b三"}, "requester", "控制字符"),
    ],
)
def test_bad_input_is_a_400_beside_its_field(anon, overrides, field, message):
    response = submit(anon, **overrides)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    # the message sits beside its field and the field points at it
    assert f'id="id_{field}-error"' in html
    assert re.search(
        rf'<[^>]*id="id_{field}"[^>]*aria-describedby="id_{field}-error', html
    ) or re.search(rf'<[^>]*aria-describedby="id_{field}-error[^"]*"[^>]*id="id_{field}"', html)
    assert 'aria-invalid="true"' in html
    assert not Opinion.objects.exists()


@pytest.mark.parametrize("phone", ["13812345678", "138-1234-5678", "0635-8888888", "8888888"])
def test_phone_forms_accepted(anon, phone):
    code, _ = receipt_of(anon, submit(anon, phone=phone))
    assert Opinion.objects.get(code=code).phone in {"13812345678", "0635-8888888", "8888888"}


def test_the_entered_values_come_back_after_an_error(anon):
    html = submit(anon, email="bad", requester="李四").content.decode()
    assert 'value="李四"' in html
    assert TEXT in html


def test_csrf_is_enforced(clock):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.9")
    response = client.post(NEW, form_data())
    assert response.status_code == 403
    assert not Opinion.objects.exists()


def test_a_body_over_the_limit_is_refused_before_it_is_read(anon, settings):
    settings.HUIYIN_PUBLIC_MAX_BODY_BYTES = 10_000
    response = anon.post(NEW, form_data(content="长" * 1999, requester="x" * 5000))
    assert response.status_code == 413
    assert "提交的内容过大" in response.content.decode()
    assert not Opinion.objects.exists()


def test_a_garbage_content_length_is_a_400(anon):
    response = anon.generic(
        "POST",
        NEW,
        b"content=x",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH="lots",
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe\x00garbage",
        b"content=%00%01%02&phone=%FF%FE",
        b"content=" + b"%E9%95%BF" * 3000,
        b"content[]=1&content[]=2&area[]=x",
    ],
)
def test_garbage_bodies_never_500(anon, body):
    response = anon.generic("POST", NEW, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (302, 400)
    assert response.status_code != 302 or Opinion.objects.count() <= 1


@pytest.mark.parametrize(
    "body",
    [
        # no closing boundary: Django reads what is there
        b'--x\r\nContent-Disposition: form-data; name="content"\r\n\r\nabc',
        # no boundary at all
        b"garbage",
        # a file part with no name
        b'--x\r\nContent-Disposition: form-data; name="photos"; filename=""\r\n\r\n\r\n--x--\r\n',
    ],
)
def test_a_broken_multipart_body_is_never_a_500(anon, body):
    response = anon.generic("POST", NEW, body, content_type="multipart/form-data; boundary=x")
    assert response.status_code in (302, 400)


def test_get_only_and_post(anon):
    assert anon.put(NEW).status_code == 405
    assert anon.delete(NEW).status_code == 405


# --- photos: the field and its checks, and storing them (attachments.attach_public_photo) ---

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def photo_store(monkeypatch):
    stored = []
    monkeypatch.setattr(public_photos, "supported", lambda: True)
    monkeypatch.setattr(
        public_photos, "store", lambda case, files: stored.extend((case.pk, f.name) for f in files)
    )
    return stored


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_photos_are_checked_and_handed_on(anon, photo_store):
    assert 'name="photos"' in anon.get(NEW).content.decode()
    data = form_data()
    data["photos"] = [_upload("a.png", PNG), _upload("b.jpg", JPEG)]
    code, _ = receipt_of(anon, anon.post(NEW, data))
    case_pk = Opinion.objects.get(code=code).pk
    assert photo_store == [(case_pk, "a.png"), (case_pk, "b.jpg")]


def test_photos_are_stored_with_the_opinion_as_the_persons(anon, settings, tmp_path):
    from attachments.models import Attachment
    from audit.models import AuditEvent

    settings.MEDIA_ROOT = tmp_path
    data = form_data()
    data["photos"] = [_upload("现场.png", PNG)]
    code, _ = receipt_of(anon, anon.post(NEW, data))
    case_pk = Opinion.objects.get(code=code).pk
    (photo,) = Attachment.objects.filter(case_id=case_pk)
    assert (photo.filename, photo.kind, photo.uploaded_by) == ("现场.png", "png", None)
    event = AuditEvent.objects.get(case_id=case_pk, action="attach")
    assert event.actor is None and event.details["sha256"] == photo.sha256


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("a.jpg", b"MZ this is an exe")], "不是JPG图片"),
        ([("a.pdf", b"%PDF-1.4 ...")], "只能上传JPG或PNG"),
        ([("a.png", JPEG)], "内容与扩展名不符"),
        ([("a.gif", b"GIF89a")], "不支持的文件类型"),
        ([("a.png", PNG)] * 4, "最多上传3张"),
        ([("big.png", PNG + b"\x00" * (5 * 1024 * 1024))], "文件过大"),
        ([("empty.png", b"")], "文件是空的"),
    ],
)
def test_bad_photos_are_refused_with_a_reason(anon, photo_store, files, message):
    data = form_data()
    data["photos"] = [_upload(name, content) for name, content in files]
    response = anon.post(NEW, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Opinion.objects.exists() and photo_store == []


def test_the_photo_field_alone_validates(photo_store):
    form = public_forms.OpinionForm(
        {"content": "x"}, {"photos": [_upload("a.png", PNG)]}, photos=True
    )
    assert form.is_valid(), form.errors
    assert [f.name for f in form.cleaned_data["photos"]] == ["a.png"]
