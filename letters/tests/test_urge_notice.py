"""The 催办通知单: numbered per year, in the reply letter's layout (letterhead, 文号, title,
signature, 版记), what it says from the office and from a unit head, the download (web
and API) for whoever sees the case, and numbers that never repeat."""

import io
import threading
from datetime import date
from urllib.parse import quote

import docx
import pytest
import time_machine
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse

from api.tests.helpers import ApiClient
from cases import actions
from cases.actions.urge import urge_case
from cases.models import Case
from cases.tests.factories import register
from letters.build import DOCX_CONTENT_TYPE
from letters.models import LetterCounter, UrgeNotice
from letters.setup import LetterSetupError, current
from letters.tests.conftest import TEST_COMMISSION, configure, unconfigure
from letters.tests.helpers import NS, Docx, alignment, attr, run_fonts, text_of
from letters.urge import urge_notice, urge_notice_filename

pytestmark = [pytest.mark.django_db, pytest.mark.urls("letters.tests.urls")]

TODAY = date(2026, 6, 10)
FROZEN = time_machine.travel(TODAY, tick=False)
NOTE = "请加快办理进度。\n本周五前报送答复稿，并同步报送会办单位意见。"


def handling_case(cast) -> Case:
    case = register(cast, on=date(2026, 3, 2))
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 20)
    )
    actions.accept_case(case, by=cast.yizheng_handler, on=date(2026, 3, 23))
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def case(cast):
    with FROZEN:
        return handling_case(cast)


@pytest.fixture
def from_office(cast, case):
    with FROZEN:
        return urge_case(case, by=cast.coordinator, note=NOTE, target_on=date(2026, 6, 16))


def paragraphs(blob: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(blob)).paragraphs]


# ── the document ──────────────────────────────────────────────────────────────────────


def test_it_opens_with_python_docx_and_says_what_was_sent(case, from_office):
    texts = paragraphs(urge_notice(from_office))
    assert texts[0] == TEST_COMMISSION  # the letterhead
    assert "卫健催〔2026〕1号" in texts
    assert "催办通知单" in texts
    assert "医政医管处：" in texts
    body = next(t for t in texts if t.startswith("你处主办的"))
    assert f"第{case.number}号建议《{case.title}》" in body
    assert "答复期限为2026年6月22日，现剩余7个工作日" in body
    assert "请抓紧办理，于2026年6月16日前形成答复稿" in body
    # The note, one paragraph per line, the first after its label.
    assert "催办意见：请加快办理进度。" in texts
    assert "本周五前报送答复稿，并同步报送会办单位意见。" in texts
    assert "特此催办。" in texts
    assert f"{TEST_COMMISSION}办公室" in texts and "2026年6月10日" in texts
    assert "（联系人：王协调）" in texts
    props = docx.Document(io.BytesIO(urge_notice(from_office))).core_properties
    assert props.title == "催办通知单（卫健催〔2026〕1号）" and props.author == TEST_COMMISSION


def test_it_has_the_reply_letters_layout(from_office):
    doc = Docx(urge_notice(from_office))
    sect = doc.document.find("w:body/w:sectPr", NS)
    margins = sect.find("w:pgMar", NS)
    assert (attr(margins, "top"), attr(margins, "left")) == ("2098", "1587")  # 37 / 28 mm
    head = doc.paragraph(TEST_COMMISSION)
    assert attr(head.find("w:pPr/w:pStyle", NS), "val") == "HYLetterhead"
    assert attr(head.find("w:pPr/w:pBdr/w:bottom", NS), "val") == "thickThinSmallGap"
    assert attr(head.find(".//w:r/w:rPr/w:color", NS), "val") == "E60012"
    assert alignment(doc.paragraph("卫健催〔2026〕1号")) == "right"
    title = doc.paragraph("催办通知单")
    assert attr(title.find("w:pPr/w:pStyle", NS), "val") == "HYTitle"
    assert run_fonts(title.find("w:r", NS))["eastAsia"] == "方正小标宋简体"
    assert run_fonts(doc.paragraph("你处主办的").find("w:r", NS))["eastAsia"] == "仿宋_GB2312"
    # The 版记 (印发) in its table, and the page numbers in the footers.
    record = [text_of(p) for p in doc.document.findall("w:body/w:tbl//w:p", NS)]
    assert record == [f"{TEST_COMMISSION}办公室", "2026年6月10日印发"]
    fields = [t.text for f in doc.footers for t in f.iter(f"{{{NS['w']}}}instrText")]
    assert fields == [" PAGE ", " PAGE "]  # — N — on odd and even pages


def test_from_a_unit_head_it_is_addressed_to_the_handler(cast, case):
    with FROZEN:
        notice = urge_case(case, by=cast.yizheng_head, note="请抓紧。")
    texts = paragraphs(urge_notice(notice))
    assert "卫健催〔2026〕1号" in texts
    assert "赵科员同志：" in texts
    assert any(t.startswith("你承办的") and "请抓紧办理，确保按期答复。" in t for t in texts)
    assert f"{TEST_COMMISSION}医政医管处" in texts
    assert "（联系人：张处长）" in texts
    doc = Docx(urge_notice(notice))
    record = [text_of(p) for p in doc.document.findall("w:body/w:tbl//w:p", NS)]
    assert record == [f"{TEST_COMMISSION}医政医管处", "2026年6月10日印发"]


def test_an_overdue_case_and_a_reprint_read_as_on_the_day(cast, case):
    with time_machine.travel(date(2026, 6, 25), tick=False):
        notice = urge_case(case, by=cast.coordinator, note="已超期，请即报送。")
        # An approved extension later does not change what the notice said.
        actions.request_extension(
            case, by=cast.yizheng_handler, until=date(2026, 8, 31), reason="需调研"
        )
        actions.decide_extension(case, by=cast.leader, approved=True)
    body = next(t for t in paragraphs(urge_notice(notice)) if t.startswith("你处主办的"))
    assert "答复期限为2026年6月22日，已超期3个工作日" in body


def test_a_placeholder_organisation_refuses_it(from_office):
    unconfigure()
    assert current().code("urge") == "卫健催"  # the 代字 comes from letters.wording
    with pytest.raises(LetterSetupError):
        urge_notice(from_office)


def test_the_file_name(case, from_office):
    assert urge_notice_filename(from_office) == (
        f"第{case.number}号建议催办通知单（卫健催〔2026〕1号）.docx"
    )


# ── numbering ─────────────────────────────────────────────────────────────────────────


def test_numbers_are_unique_per_year_in_the_database(cast, case, from_office):
    with pytest.raises(IntegrityError), transaction.atomic():
        UrgeNotice.objects.create(
            case=case,
            year=2026,
            number=1,
            text="卫健催〔2026〕1号",
            unit=cast.yizheng,
            note="x",
            issued_on=TODAY,
        )
    counter = LetterCounter.objects.get(kind="urge", year=2026)
    assert counter.last == 1 and counter.get_kind_display() == "催办通知单"


N = 6


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs parallel connections")
def test_urges_at_once_get_consecutive_numbers(cast):
    configure()  # this test commits: the autouse configuration was rolled back
    with FROZEN:
        cases = [handling_case(cast) for _ in range(N)]
    barrier = threading.Barrier(N)
    texts = [""] * N
    failures: list[BaseException] = []

    def run(i: int) -> None:
        try:
            with FROZEN:
                mine = Case.objects.get(pk=cases[i].pk)
                barrier.wait(timeout=30)
                texts[i] = urge_case(mine, by=cast.coordinator, note="请抓紧").text
        except BaseException as exc:  # noqa: BLE001 (reported below, in the test's thread)
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(N)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert not failures, failures
    assert sorted(texts) == sorted(f"卫健催〔2026〕{n}号" for n in range(1, N + 1))
    assert LetterCounter.objects.get(kind="urge", year=2026).last == N


# ── the downloads ─────────────────────────────────────────────────────────────────────


def test_url_name():
    assert reverse("urge-notice", args=[7, 3]) == "/cases/7/urge/3.docx"


def test_whoever_sees_the_case_downloads_it(client, cast, case, from_office):
    url = reverse("urge-notice", args=[case.pk, from_office.pk])
    for user in (cast.coordinator, cast.yizheng_handler, cast.leader, cast.viewer):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert response["Content-Type"] == DOCX_CONTENT_TYPE
    disposition = response["Content-Disposition"]
    assert "filename*=UTF-8''" + quote(urge_notice_filename(from_office)) in disposition
    assert 'filename="urge-notice-2026-1.docx"' in disposition
    assert "卫健催〔2026〕1号" in paragraphs(response.content)


def test_other_units_and_other_cases_get_404(client, cast, case, from_office):
    client.force_login(cast.zhongyi_head)
    assert client.get(reverse("urge-notice", args=[case.pk, from_office.pk])).status_code == 404
    with FROZEN:
        other = handling_case(cast)
    client.force_login(cast.coordinator)
    # A notice is reached only through its own case.
    assert client.get(reverse("urge-notice", args=[other.pk, from_office.pk])).status_code == 404
    assert client.get(reverse("urge-notice", args=[case.pk, 999999])).status_code == 404


def test_login_required_and_get_only(client, cast, case, from_office):
    url = reverse("urge-notice", args=[case.pk, from_office.pk])
    assert client.get(url).status_code == 302
    client.force_login(cast.coordinator)
    assert client.post(url).status_code == 405


def test_a_placeholder_organisation_is_a_400_page(client, cast, case, from_office):
    unconfigure()
    client.force_login(cast.coordinator)
    response = client.get(reverse("urge-notice", args=[case.pk, from_office.pk]))
    assert response.status_code == 400 and "发文设置尚未完成" in response.content.decode()


def test_the_api_mirrors_it(cast, case, from_office):
    api = ApiClient("coordinator")
    response = api.get(f"/cases/{case.pk}/urge/{from_office.pk}.docx")
    assert response.status_code == 200 and response["Content-Type"] == DOCX_CONTENT_TYPE
    assert "卫健催〔2026〕1号" in paragraphs(response.content)
    assert ApiClient("zhongyi").get(f"/cases/{case.pk}/urge/{from_office.pk}.docx").json() == {
        "detail": "办件不存在"
    }
    for path in (f"/cases/{case.pk}/urge/999999.docx", f"/cases/abc/urge/{from_office.pk}.docx"):
        assert api.get(path).status_code == 404
