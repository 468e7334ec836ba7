"""attach_file / remove_attachment: who may, what is stored, what is recorded."""

import hashlib
from pathlib import Path

import pytest
from django.conf import settings

from attachments.actions import attach_file, remove_attachment
from attachments.models import Attachment
from attachments.queries import attach_targets
from attachments.tests.conftest import sample, upload
from audit.models import AuditEvent
from cases import actions
from huiyin import crypto
from workflow.errors import ActionForbidden, CaseError

pytestmark = pytest.mark.django_db


def test_attach_stores_under_a_random_name_and_records_one_event(world):
    content = sample("答复函.pdf")
    events = AuditEvent.objects.count()
    attachment = attach_file(world.case, by=world.cast.yizheng_head, upload=upload("答复函.pdf"))

    assert attachment.filename == "答复函.pdf"
    assert (attachment.kind, attachment.content_type) == ("pdf", "application/pdf")
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    stored = attachment.file.name
    assert stored.startswith("attachments/2026/") and "答复函" not in stored
    assert len(Path(stored).name) == 32 and Path(stored).suffix == ""  # a uuid, no extension
    on_disk = (Path(settings.MEDIA_ROOT) / stored).read_bytes()  # sealed with SM4 (issue 16)
    assert on_disk != content and crypto.decrypt_bytes(on_disk) == content

    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.case_id, event.actor_id) == (
        "attach",
        world.case.pk,
        world.cast.yizheng_head.pk,
    )
    assert event.from_state == event.to_state == "handling"
    assert event.details == {
        "attachment": attachment.pk,
        "filename": "答复函.pdf",
        "kind": "pdf",
        "size": len(content),
        "sha256": attachment.sha256,
        "target": "case",
    }


def test_two_uploads_of_the_same_name_are_two_files(world):
    first = attach_file(world.case, by=world.cast.coordinator, upload=upload("截图.png"))
    second = attach_file(world.case, by=world.cast.coordinator, upload=upload("截图.png"))
    assert first.file.name != second.file.name
    assert first.filename == second.filename == "截图.png"


def test_targets_reply_communication_and_opinion(replied):
    w = replied
    on_reply = attach_file(
        w.case, by=w.cast.yizheng_handler, upload=upload("答复函.docx"), target=w.reply
    )
    on_talk = attach_file(
        w.case, by=w.cast.yizheng_head, upload=upload("现场照片.jpg"), target=w.communication
    )
    on_opinion = attach_file(
        w.case, by=w.cast.jiceng_head, upload=upload("统计表.xlsx"), target=w.jiceng_opinion
    )
    outside = attach_file(
        w.case, by=w.cast.yizheng_head, upload=upload("旧版答复.doc"), target=w.fagaiwei_opinion
    )
    assert (on_reply.target, on_reply.reply_id) == ("reply", w.reply.pk)
    assert (on_talk.target, on_talk.communication_id) == ("communication", w.communication.pk)
    assert (on_opinion.target, on_opinion.assignment_id) == ("opinion", w.jiceng_opinion.pk)
    assert outside.assignment_id == w.fagaiwei_opinion.pk
    event = AuditEvent.objects.filter(action="attach").latest("id")
    assert event.details["target"] == "opinion"
    assert event.details["target_id"] == w.fagaiwei_opinion.pk


@pytest.mark.parametrize("who", ["coordinator", "yizheng_head", "yizheng_handler"])
def test_coordinator_and_lead_unit_attach_to_the_case(world, who):
    attach_file(world.case, by=getattr(world.cast, who), upload=upload("答复函.pdf"))


@pytest.mark.parametrize("who", ["leader", "viewer", "admin", "jiceng_head"])
def test_others_may_not_attach_to_the_case(world, who):
    with pytest.raises(ActionForbidden):
        attach_file(world.case, by=getattr(world.cast, who), upload=upload("答复函.pdf"))
    assert not Attachment.objects.exists()
    assert not AuditEvent.objects.filter(action="attach").exists()


def test_a_co_unit_attaches_only_to_its_own_opinion(world):
    w = world
    attach_file(w.case, by=w.cast.jiceng_head, upload=upload("答复函.pdf"), target=w.jiceng_opinion)
    with pytest.raises(ActionForbidden) as error:
        attach_file(
            w.case, by=w.cast.jiceng_head, upload=upload("答复函.pdf"), target=w.fagaiwei_opinion
        )
    assert "本单位" in error.value.message
    with pytest.raises(ActionForbidden):
        attach_file(
            w.case, by=w.cast.jiceng_head, upload=upload("答复函.pdf"), target=w.communication
        )


def test_the_lead_unit_attaches_to_an_outside_agencys_opinion_but_not_an_internal_ones(world):
    w = world
    attach_file(
        w.case, by=w.cast.yizheng_head, upload=upload("答复函.pdf"), target=w.fagaiwei_opinion
    )
    with pytest.raises(ActionForbidden):
        attach_file(
            w.case, by=w.cast.yizheng_head, upload=upload("答复函.pdf"), target=w.jiceng_opinion
        )


def test_a_target_of_another_case_is_refused(world):
    world.communication.case_id = world.registered.pk
    with pytest.raises(CaseError) as error:
        attach_file(
            world.case,
            by=world.cast.coordinator,
            upload=upload("答复函.pdf"),
            target=world.communication,
        )
    assert "不属于此办件" in error.value.message


def test_refused_files_write_nothing(world, settings):
    settings.HUIYIN_UPLOAD_MAX_BYTES = 1024
    cases = [
        ("答复函.pdf", b"%PDF-" + b"x" * 2048, "文件过大（2 KB），附件最大1 KB"),
        ("答复函.pdf", b"MZ\x90\x00" + b"\x00" * 60, "文件内容不是PDF文档"),
        ("页面.pdf", b"<html><body>hi</body></html>", "文件内容不是PDF文档"),
        ("setup.exe", b"MZ\x90\x00", "不支持的文件类型“.exe”"),
    ]
    for name, content, message in cases:
        with pytest.raises(CaseError) as error:
            attach_file(world.case, by=world.cast.coordinator, upload=upload(name, content))
        assert message in error.value.message
    assert not Attachment.objects.exists()
    assert not AuditEvent.objects.filter(action="attach").exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_withdrawn_case_takes_no_attachments(cast, world):
    actions.withdraw_case(world.registered, by=cast.coordinator, reason="改办")
    with pytest.raises(CaseError) as error:
        attach_file(world.registered, by=cast.coordinator, upload=upload("答复函.pdf"))
    assert error.value.message == "已撤回的办件不能添加附件"


def test_remove_by_uploader_or_coordinator_deletes_the_file_and_records_it(
    world, django_capture_on_commit_callbacks
):
    w = world
    mine = attach_file(w.case, by=w.cast.yizheng_handler, upload=upload("答复函.pdf"))
    path = Path(settings.MEDIA_ROOT) / mine.file.name
    with pytest.raises(ActionForbidden):
        remove_attachment(mine, by=w.cast.yizheng_head)  # not the uploader, not a coordinator
    with django_capture_on_commit_callbacks(execute=True):
        remove_attachment(mine, by=w.cast.yizheng_handler)
    assert not Attachment.objects.exists() and not path.exists()
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.details["filename"], event.actor_id) == (
        "remove_attachment",
        "答复函.pdf",
        w.cast.yizheng_handler.pk,
    )

    other = attach_file(w.case, by=w.cast.yizheng_head, upload=upload("截图.png"))
    with django_capture_on_commit_callbacks(execute=True):
        remove_attachment(other, by=w.cast.coordinator)
    assert not Attachment.objects.exists()
    with pytest.raises(CaseError):
        remove_attachment(other, by=w.cast.coordinator)  # already gone


def test_attach_targets_per_user(replied):
    w = replied
    everything = ["case", f"reply:{w.reply.pk}", f"communication:{w.communication.pk}"]
    opinions = [f"opinion:{w.jiceng_opinion.pk}", f"opinion:{w.fagaiwei_opinion.pk}"]
    values = lambda user: [v for v, _ in attach_targets(user, w.case)]  # noqa: E731
    assert values(w.cast.coordinator) == everything + opinions
    assert values(w.cast.yizheng_handler) == everything + [f"opinion:{w.fagaiwei_opinion.pk}"]
    assert values(w.cast.jiceng_head) == [f"opinion:{w.jiceng_opinion.pk}"]
    assert values(w.cast.viewer) == values(w.cast.leader) == []
    labels = dict(attach_targets(w.cast.coordinator, w.case))
    assert labels["case"] == "办件"
    assert labels[f"reply:{w.reply.pk}"] == "第1轮答复"
    assert labels[f"communication:{w.communication.pk}"] == "沟通记录（2026年3月10日 面商）"
    assert labels[f"opinion:{w.jiceng_opinion.pk}"] == "会办意见（基层卫生健康处）"
