"""A handled case with a reply, a communication and two co-units (one outside agency),
and files of every kind to attach to it."""

import io
from datetime import date
from types import SimpleNamespace

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import actions
from cases.tests.factories import register

TODAY = date(2026, 6, 10)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def docx_bytes() -> bytes:
    from docx import Document

    out = io.BytesIO()
    document = Document()
    document.add_paragraph("关于加强基层医疗卫生人才队伍建设的答复")
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    out = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(["编号", "标题"])
    workbook.save(out)
    return out.getvalue()


def doc_bytes() -> bytes:
    # The OLE header and a directory entry naming the WordDocument stream (UTF-16).
    return OLE_MAGIC + b"\x00" * 504 + "WordDocument".encode("utf-16-le") + b"\x00" * 600


SAMPLES = {
    "答复函.pdf": b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    "答复函.docx": None,  # built on demand (python-docx)
    "旧版答复.doc": None,
    "统计表.xlsx": None,
    "现场照片.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64 + b"\xff\xd9",
    "现场照片.jpeg": b"\xff\xd8\xff\xe1\x00\x10Exif\x00" + b"\x00" * 64 + b"\xff\xd9",
    "截图.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64,
}


def sample(name: str) -> bytes:
    """Real content of the kind the name's extension says."""
    extension = name[name.rindex(".") :].lower()
    built = {".docx": docx_bytes, ".doc": doc_bytes, ".xlsx": xlsx_bytes}
    if extension in built:
        return built[extension]()
    return next(v for k, v in SAMPLES.items() if k.endswith(extension) and v is not None)


def upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, sample(name) if content is None else content)


@pytest.fixture
def world(cast):
    """A case in handling: lead 医政医管处, co-units 基层卫生健康处 and 市发改委 (outside),
    with a communication and a reply draft; and a registered case nobody's unit has."""
    case = register(cast, on=date(2026, 3, 2))
    actions.assign_case(
        case,
        by=cast.coordinator,
        lead_unit=cast.yizheng,
        co_units=[cast.jiceng, cast.fagaiwei],
        assigned_on=date(2026, 3, 5),
    )
    actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 3, 6))
    communication = actions.communicate(
        case,
        by=cast.yizheng_head,
        stage="before",
        method="face_to_face",
        summary="与陈代表面商。",
        on=date(2026, 3, 10),
    )
    registered = register(cast, on=date(2026, 3, 2))
    case.refresh_from_db()
    co = {a.unit.code: a for a in case.assignments.filter(kind="co").select_related("unit")}
    return SimpleNamespace(
        cast=cast,
        case=case,
        registered=registered,
        communication=communication,
        jiceng_opinion=co["jiceng"],
        fagaiwei_opinion=co["fagaiwei"],
    )


@pytest.fixture
def replied(world):
    actions.submit_reply(
        world.case,
        by=world.cast.yizheng_head,
        text="答复正文。",
        reply_class="A",
        contact="张处长",
        phone="0571-1234567",
        on=date(2026, 4, 1),
    )
    world.case.refresh_from_db()
    world.reply = world.case.replies.get()
    return world
