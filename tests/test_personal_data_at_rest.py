"""Personal data at rest (issue 16): SM4 round trips, the sealed field, the blind index,
key rotation, and the contract — a planted phone, address and e-mail, entered through the
real pages and actions, are found nowhere in clear in any text column of any table."""

import io
import json
import zipfile
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import connection, models
from django.test import Client
from openpyxl import Workbook

from cases.models import Proposer
from cases.tests.factories import register
from huiyin import crypto
from huiyin.sealed import (
    SealedLookupError,
    normalise_phone,
    phone_index,
    reveal,
    sealed_length,
)
from opinions.actions import register_opinion
from opinions.models import Opinion
from opinions.similar import similar_open

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE = "13987651234"
OTHER_PHONE = "13655550123"
ADDRESS = "幸福路88号7栋2单元501室"
EMAIL = "zhangsan.private@example.com"
PROPOSER_PHONE = "13733332222"
THIRD_PHONE = "15811117777"
UNCONFIRMED_PHONE = "18622224444"


@pytest.fixture
def clock():
    at = datetime(2026, 4, 15, 10, 30, tzinfo=SHANGHAI)  # a Wednesday, a working day
    with time_machine.travel(at, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _raw(model, pk, column):
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE "
            f"{connection.ops.quote_name(model._meta.pk.column)} = %s",
            [pk],
        )
        return cursor.fetchone()[0]


# --- SM4 ---------------------------------------------------------------------------------


def test_sm4_round_trip_text_and_bytes():
    for text in ["13812341234", "幸福路88号", "x" * 1000]:
        sealed = crypto.encrypt_text(text)
        assert sealed.startswith("sm4:") and text not in sealed
        assert crypto.decrypt_text(sealed) == text
        assert crypto.encrypt_text(text) != sealed  # a fresh nonce each time
    blob = bytes(range(256)) * 1000
    sealed_blob = crypto.encrypt_bytes(blob)
    assert crypto.is_encrypted_bytes(sealed_blob) and crypto.decrypt_bytes(sealed_blob) == blob


def test_sm4_refuses_altered_and_unknown_key():
    blob = bytearray(crypto.encrypt_bytes(b"13812341234"))
    blob[-20] ^= 1
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_bytes(bytes(blob))
    other = crypto.Keyring(keys={"zz": b"\x01" * 16}, current_id="zz", index_key=b"i" * 32)
    foreign = crypto.encrypt_text("13812341234", ring=other)
    with pytest.raises(crypto.DecryptionError, match="unknown data key"):
        crypto.decrypt_text(foreign)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text("sm4:!!!")


# --- the field ---------------------------------------------------------------------------


def test_the_field_stores_ciphertext_and_reads_plain(cast, clock):
    case = register_opinion(by=cast.coordinator, channel="phone", content="医院停车难", phone=PHONE)
    stored = _raw(Opinion, case.pk, "phone")
    assert stored.startswith("sm4:") and PHONE not in stored
    assert len(stored) <= Opinion._meta.get_field("phone").max_length
    assert Opinion.objects.get(pk=case.pk).phone == PHONE
    assert Opinion.objects.filter(pk=case.pk).values_list("phone", flat=True)[0] == PHONE
    assert Opinion.objects.filter(pk=case.pk).values("email")[0]["email"] == ""
    assert _raw(Opinion, case.pk, "email") == ""  # no ciphertext for nothing
    assert _raw(Opinion, case.pk, "phone_index") == phone_index(PHONE)


def test_lookups_on_ciphertext_are_refused(cast, clock):
    for lookup in [{"phone": PHONE}, {"phone__contains": "139"}, {"phone__in": [PHONE]}]:
        with pytest.raises(SealedLookupError):
            list(Opinion.objects.filter(**lookup))
    assert Opinion.objects.filter(phone="").count() == 0
    assert Opinion.objects.filter(phone__isnull=True).count() == 0


def test_bulk_create_seals_and_indexes(cast, clock):
    proposers = Proposer.objects.bulk_create(
        [Proposer(name=f"代表{i}", kind="deputy", phone=PROPOSER_PHONE) for i in range(3)]
    )
    assert all(p.phone == PROPOSER_PHONE for p in proposers)
    for proposer in Proposer.objects.all():
        assert proposer.phone == PROPOSER_PHONE
        assert _raw(Proposer, proposer.pk, "phone").startswith("sm4:")


def test_the_column_holds_the_longest_ciphertext():
    longest = crypto.encrypt_text(
        "龘" * 200,
        ring=crypto.Keyring(
            keys={"k" * 32: b"\x02" * 16}, current_id="k" * 32, index_key=b"i" * 32
        ),
    )
    assert len(longest) <= sealed_length(200)
    assert Proposer._meta.get_field("address").max_length == sealed_length(200)
    # Forms count the typed characters, not the ciphertext's.
    assert Proposer._meta.get_field("address").formfield().max_length == 200


# --- the blind index ---------------------------------------------------------------------


def test_the_same_phone_typed_two_ways_finds_the_opinion(cast, clock):
    first = register_opinion(
        by=cast.coordinator, channel="phone", content="挂号难", phone="139-8765-1234"
    )
    register_opinion(by=cast.coordinator, channel="phone", content="别的事", phone=OTHER_PHONE)
    assert normalise_phone("１３９ ８７６５ １２３４") == PHONE
    assert similar_open(text="完全不同的内容", phone="139 8765 1234") == [first.pk]
    assert Opinion.objects.filter(phone_index=phone_index(PHONE)).get().pk == first.pk
    assert similar_open(text="完全不同的内容", phone="13900000000") == []


# --- rotation ----------------------------------------------------------------------------


@pytest.fixture
def key_file(tmp_path, settings, monkeypatch):
    """A data key file instead of the environment's key (what `huiyin keys init` makes)."""
    monkeypatch.delenv("HUIYIN_DATA_KEY", raising=False)
    settings.HUIYIN_KEY_DIR = tmp_path / "keys"
    crypto.forget_keys()
    crypto.init_key_files()
    yield settings.HUIYIN_KEY_DIR / crypto.DATA_KEY_FILE
    crypto.forget_keys()


def test_rotation_re_encrypts_everything_and_keeps_old_keys(cast, clock, key_file, capsys):
    from attachments.actions import attach_file
    from attachments.sealing import open_plain
    from audit.models import AuditEvent

    old_ring = crypto.data_keyring()
    case = register_opinion(
        by=cast.coordinator, channel="phone", content="挂号难", phone=PHONE, email=EMAIL
    )
    proposer = Proposer.objects.create(name="陈代表", kind="deputy", address=ADDRESS)
    upload = io.BytesIO(b"%PDF-1.4\n" + b"x" * 5000)
    upload.name = "答复.pdf"
    from django.core.files import File

    attachment = attach_file(case, by=cast.coordinator, upload=File(upload, name="答复.pdf"))
    index_before = _raw(Opinion, case.pk, "phone_index")
    assert crypto.text_key_id(_raw(Opinion, case.pk, "phone")) == old_ring.current_id

    call_command("rotate_key")
    out = capsys.readouterr().out
    assert "opinions.Opinion: 已重新加密 2 个字段值" in out
    assert "cases.Proposer: 已重新加密 1 个字段值" in out
    assert "附件: 已重新加密 1 个文件" in out

    ring = crypto.data_keyring()
    assert ring.current_id != old_ring.current_id
    assert set(old_ring.keys) < set(ring.keys)  # the old key is kept, marked retired
    assert "retired" in key_file.read_text()
    for model, pk, column in [
        (Opinion, case.pk, "phone"),
        (Opinion, case.pk, "email"),
        (Proposer, proposer.pk, "address"),
    ]:
        assert crypto.text_key_id(_raw(model, pk, column)) == ring.current_id
    assert _raw(Opinion, case.pk, "phone_index") == index_before  # the index never rotates
    opinion = Opinion.objects.get(pk=case.pk)
    assert (opinion.phone, opinion.email) == (PHONE, EMAIL)
    attachment.refresh_from_db()
    stored = attachment.file.read()
    attachment.file.close()
    assert crypto.blob_key_id(stored) == ring.current_id
    assert open_plain(attachment) == b"%PDF-1.4\n" + b"x" * 5000
    event = AuditEvent.objects.filter(action="key_rotated").get()
    assert event.details["values"] == 3 and event.details["files"] == 1

    # Nothing left for a second run; an old ciphertext still opens with the retired key.
    call_command("rotate_key", "--check")
    assert "待重新加密 0 个字段值" in capsys.readouterr().out
    assert crypto.decrypt_text(crypto.encrypt_text("旧", ring=old_ring)) == "旧"


def test_rotation_with_the_environment_key_says_what_to_set(cast, clock, capsys):
    call_command("rotate_key")
    out = capsys.readouterr().out
    assert "HUIYIN_DATA_KEY=t1:" + "d2" * 16 + "," in out
    assert "HUIYIN_DATA_INDEX_KEY=" in out


def test_a_value_written_before_sealing_reads_and_is_sealed_by_rotation(cast, clock, capsys):
    proposer = Proposer.objects.create(name="刘代表", kind="deputy")
    Proposer.objects.filter(pk=proposer.pk).update(
        phone=models.Value(PROPOSER_PHONE, output_field=models.CharField())
    )
    assert _raw(Proposer, proposer.pk, "phone") == PROPOSER_PHONE
    assert Proposer.objects.get(pk=proposer.pk).phone == PROPOSER_PHONE
    call_command("rotate_key", "--reencrypt-only")
    assert _raw(Proposer, proposer.pk, "phone").startswith("sm4:")
    assert reveal(_raw(Proposer, proposer.pk, "phone")) == PROPOSER_PHONE


# --- never in clear anywhere -------------------------------------------------------------


def _text_columns():
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField | models.JSONField):
                yield model._meta.db_table, field.column


def _haystack(value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    try:  # a JSON column read as text (SQLite): its \\u escapes decoded
        return value + json.dumps(json.loads(value), ensure_ascii=False)
    except ValueError:
        return value


def _found_in_database(planted: list[str]) -> list[tuple[str, str, str]]:
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            cursor.execute(f"SELECT {quote(column)} FROM {quote(table)}")
            for (value,) in cursor.fetchall():
                text = _haystack(value)
                found.extend((table, column, p) for p in planted if p in text)
    return found


def _import_xlsx(client: Client) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["渠道", "日期", "内容", "反映人", "电话"])
    sheet.append(["意见簿", "2026-04-13", "病房太吵，晚上睡不着。", "王女士", OTHER_PHONE])
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    data.name = "意见.xlsx"
    response = client.post("/opinions/import/", {"file": data})
    assert response.status_code == 302
    job_url = response["Location"]
    page = client.get(job_url)
    digest = page.context["preview"]["digest"]
    client.post(f"{job_url}confirm/", {"digest": digest})
    assert Opinion.objects.filter(phone_index=phone_index(OTHER_PHONE)).count() == 1


def test_planted_personal_data_is_nowhere_in_clear(cast, clock):
    from cases.actions import edit_case

    # A deputy's phone through registration, then an edit; an address.
    case = register(
        cast,
        on=date(2026, 4, 15),
        lead_proposer={"name": "陈代表", "phone": PROPOSER_PHONE},
    )
    edit_case(case, by=cast.coordinator, joint_proposers=["刘代表"])
    proposer = Proposer.objects.get(name="陈代表")
    assert proposer.phone == PROPOSER_PHONE
    proposer.address = ADDRESS
    proposer.save()
    # An opinion from the public page (phone typed with spaces, an e-mail).
    anon = Client(REMOTE_ADDR="203.0.113.7")
    form = {
        "content": "市人民医院门诊挂号排队时间太长，希望增加人工窗口。",
        "requester": "张三",
        "phone": "139 8765 1234",
        "email": EMAIL,
        "area": "",
        "website": "",
    }
    assert anon.get("/yijian/").status_code == 200
    response = anon.post("/yijian/", form)
    assert response.status_code == 302, response.content.decode()[:500]
    public = Opinion.objects.get(phone_index=phone_index(PHONE))
    assert public.email == EMAIL
    # Staff entry and an import (its preview is stored in the database).
    staff = Client()
    staff.force_login(cast.coordinator)
    register_opinion(by=cast.coordinator, channel="visit", content="药价贵", phone=PHONE)
    _import_xlsx(staff)

    planted = [PHONE, "139 8765 1234", OTHER_PHONE, PROPOSER_PHONE, ADDRESS, EMAIL]
    assert _found_in_database(planted) == []
    # The scan does find what is in clear (the requester's name is not sealed).
    assert ("opinions_opinion", "requester", "张三") in _found_in_database(["张三"])


def _found_in_files(root, planted: list[str]) -> list[tuple[str, str]]:
    """Every file under MEDIA_ROOT (attachments, import jobs' uploads and state)."""
    from pathlib import Path

    found = []
    for path in Path(root).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if zipfile.is_zipfile(path):  # an .xlsx: its sheets are deflated
                with zipfile.ZipFile(path) as archive:
                    data += b"".join(archive.read(n) for n in archive.namelist())
            found.extend((str(path), p) for p in planted if p.encode() in data)
    return found


def _upload_only(client: Client) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["渠道", "日期", "内容", "反映人", "电话", "电子邮箱"])
    sheet.append(["意见簿", "2026-04-13", "食堂太贵", "李先生", UNCONFIRMED_PHONE, EMAIL])
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    data.name = "待确认.xlsx"
    assert client.post("/opinions/import/", {"file": data}).status_code == 302


def test_notifications_reminders_logins_reveals_and_files_hold_none(cast, settings, mailoutbox):
    """The paths beside the tables of the cases: the outbox and its e-mails (a reminder run
    over overdue opinions and a deputy's case, an urge), a REVEAL event, a failed login
    whose password was a phone number (django-axes keeps the post data), an import's
    files on disk and its stored preview."""
    from cases.actions import assign_case, urge_case
    from notify.models import Message
    from notify.outbox import deliver_due
    from opinions.actions import forward
    from reminders.run import morning_run

    settings.AXES_ENABLED = True
    day = datetime(2026, 4, 15, 10, 30, tzinfo=SHANGHAI)
    with time_machine.travel(day, tick=False):
        opinion = register_opinion(
            by=cast.coordinator, channel="phone", content="医院停车难", phone=PHONE, email=EMAIL
        )
        forwarded = register_opinion(
            by=cast.coordinator, channel="phone", content="挂号排队久", phone=THIRD_PHONE
        )
        forward(forwarded, by=cast.coordinator, lead_unit=cast.yizheng)
        case = register(
            cast, on=date(2026, 4, 15), lead_proposer={"name": "陈代表", "phone": PROPOSER_PHONE}
        )
        proposer = Proposer.objects.get(name="陈代表")
        proposer.address = ADDRESS
        proposer.save()
        assign_case(case, by=cast.coordinator, lead_unit=cast.yizheng)
        urge_case(case, by=cast.coordinator, note="请抓紧办理")
        staff = Client()
        staff.force_login(cast.coordinator)
        assert staff.post(f"/opinions/{opinion.pk}/reveal-phone/").status_code == 200
        assert staff.post(f"/proposers/{proposer.pk}/").status_code == 200
        _import_xlsx(staff)
        _upload_only(staff)  # a job left at its preview keeps its upload on disk
        failed = Client(REMOTE_ADDR="203.0.113.9")
        failed.post("/login/", {"username": "coordinator", "password": PHONE})
    # Weeks later: the opinions are late to forward and to answer, reminders go out.
    late = datetime(2026, 5, 20, 8, 0, tzinfo=SHANGHAI)
    with time_machine.travel(late, tick=False):
        morning_run(late.date())
        deliver_due(late)
    about = Message.objects.filter(case_id__in=[opinion.pk, forwarded.pk]).count() + sum(
        opinion.number in m.text or forwarded.number in m.text for m in Message.objects.all()
    )
    assert about, "the reminder run wrote nothing about the opinions"
    assert mailoutbox, "no e-mail went out"

    planted = [PHONE, OTHER_PHONE, THIRD_PHONE, UNCONFIRMED_PHONE, PROPOSER_PHONE, ADDRESS, EMAIL]
    assert _found_in_database(planted) == []
    mails = "".join(
        m.subject + m.body + "".join(str(a[0]) for a in getattr(m, "alternatives", []))
        for m in mailoutbox
    )
    assert [p for p in planted if p in mails] == []
    assert _found_in_files(settings.MEDIA_ROOT, planted) == []
    # The paths were taken: a reveal event, an axes row for the failed login.
    from audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="reveal").count() == 2
    if apps.is_installed("axes"):
        from axes.models import AccessAttempt

        assert AccessAttempt.objects.exists()
