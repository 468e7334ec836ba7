"""The 文号 given at 签发: 代字〔年〕序号号, one sequence per kind and year, no gaps, no twice."""

import threading
from datetime import date
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.db import IntegrityError, connection, connections, transaction

from audit.models import AuditEvent
from cases import actions
from cases.actions import reply as reply_actions
from cases.models import Case, Reply
from cases.tests.factories import register
from letters.build import reply_letter
from letters.models import LetterCounter, LetterKind, LetterNumber
from letters.setup import format_number
from letters.tests.conftest import configure, unconfigure
from letters.tests.helpers import Docx, alignment
from transfer.planning import apply_import, plan_import
from transfer.tests.helpers import basic_file, basic_row
from workflow.errors import CaseError

FROZEN = time_machine.travel(date(2027, 12, 31), tick=False)


def signing_case(cast: Any, year: int = 2026) -> Case:
    """A case waiting for the leader's 签发."""
    case = register(cast, on=date(year, 3, 2), year=year)
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(year, 3, 5)
    )
    actions.accept_case(case, by=cast.yizheng_head, on=date(year, 3, 6))
    actions.submit_reply(
        case,
        by=cast.yizheng_head,
        text="答复正文",
        reply_class="A",
        contact="赵科员",
        phone="12345678",
        on=date(year, 5, 20),
    )
    actions.review_reply(case, by=cast.coordinator, passed=True, on=date(year, 5, 22))
    return Case.objects.get(pk=case.pk)


def sign(cast: Any, case: Case, on: date) -> Reply:
    return actions.sign_reply(case, by=cast.leader, approved=True, on=on)


def test_the_number_is_written_as_gbt9704_has_it():
    assert format_number("武卫函", 2026, 17) == "武卫函〔2026〕17号"
    assert format_number("江卫函", 2027, 1) == "江卫函〔2027〕1号"


@pytest.mark.django_db
@FROZEN
def test_numbers_follow_each_other_and_start_again_each_year(cast):
    cases = [signing_case(cast) for _ in range(3)] + [signing_case(cast, 2027)]
    replies = [sign(cast, c, date(2026, 5, 25 + i)) for i, c in enumerate(cases[:3])]
    replies.append(sign(cast, cases[3], date(2027, 5, 25)))
    assert [Reply.objects.get(pk=r.pk).doc_number for r in replies] == [
        "江卫函〔2026〕1号",
        "江卫函〔2026〕2号",
        "江卫函〔2026〕3号",
        "江卫函〔2027〕1号",
    ]
    register_rows = LetterNumber.objects.order_by("year", "number")
    assert [(n.year, n.number, n.reply_id) for n in register_rows] == [
        (2026, 1, replies[0].pk),
        (2026, 2, replies[1].pk),
        (2026, 3, replies[2].pk),
        (2027, 1, replies[3].pk),
    ]
    assert dict(LetterCounter.objects.values_list("year", "last")) == {2026: 3, 2027: 1}
    # The signing's one audit event names the number.
    event = AuditEvent.objects.filter(case=cases[1], action="sign").get()
    assert event.details["doc_number"] == "江卫函〔2026〕2号"


@pytest.mark.django_db
@FROZEN
def test_a_signing_sent_back_takes_no_number(cast):
    case = signing_case(cast)
    actions.sign_reply(
        case, by=cast.leader, approved=False, comment="请补充数据", on=date(2026, 5, 25)
    )
    assert not LetterNumber.objects.exists()
    assert Reply.objects.get(case=case).doc_number == ""
    other = signing_case(cast)
    assert sign(cast, other, date(2026, 5, 26)).doc_number == "江卫函〔2026〕1号"


@pytest.mark.django_db
@FROZEN
def test_a_failed_signing_gives_its_number_back(cast):
    first, second = signing_case(cast), signing_case(cast)
    with mock.patch.object(reply_actions, "_decide", side_effect=CaseError("刚被他人办理")):
        with pytest.raises(CaseError):
            sign(cast, first, date(2026, 5, 25))
    assert not LetterNumber.objects.exists()
    assert LetterCounter.objects.filter(last__gt=0).count() == 0
    assert sign(cast, second, date(2026, 5, 26)).doc_number == "江卫函〔2026〕1号"


@pytest.mark.django_db
def test_the_database_refuses_a_number_given_twice():
    LetterNumber.objects.create(kind=LetterKind.REPLY, year=2026, number=5, issued_on=date.today())
    with pytest.raises(IntegrityError), transaction.atomic():
        LetterNumber.objects.create(
            kind=LetterKind.REPLY, year=2026, number=5, issued_on=date.today()
        )
    # Another year, or another kind of letter, has its own 5.
    LetterNumber.objects.create(kind=LetterKind.REPLY, year=2027, number=5, issued_on=date.today())


@pytest.mark.django_db
@FROZEN
def test_a_number_taken_before_the_code_was_set_prints_with_the_code_set_later(cast):
    unconfigure()
    case = signing_case(cast)
    reply = sign(cast, case, date(2026, 5, 25))
    assert reply.doc_number == ""
    taken = LetterNumber.objects.get()
    assert (taken.year, taken.number, taken.code) == (2026, 1, "")
    configure(codes={"reply": "江卫函"})
    assert "江卫函〔2026〕1号" in Docx(reply_letter(case)).texts()


@pytest.mark.django_db
@FROZEN
def test_the_letter_prints_its_own_number_right_aligned(cast):
    first, second = signing_case(cast), signing_case(cast)
    sign(cast, first, date(2026, 5, 25))
    sign(cast, second, date(2026, 5, 26))
    doc = Docx(reply_letter(Case.objects.get(pk=second.pk)))
    texts = doc.texts()
    assert "江卫函〔2026〕2号" in texts and "江卫函〔2026〕1号" not in texts
    assert alignment(doc.paragraph("江卫函〔2026〕2号")) == "right"
    # The 代字 changed later: what was signed keeps its number.
    configure(codes={"reply": "江卫办函"})
    assert "江卫函〔2026〕2号" in Docx(reply_letter(second)).texts()


@pytest.mark.django_db
def test_the_import_of_history_takes_no_number(cast):
    row = basic_row(
        "1",
        承办处室="医政医管处",
        交办日期="2026-03-05",
        答复日期="2026-05-20",
        答复类别="A",
        满意度="满意",
    )
    plan = plan_import(basic_file(row), "台账.xlsx", user=cast.coordinator)
    assert plan.errors == []
    apply_import(plan, user=cast.coordinator, source_name="台账.xlsx")
    reply = Reply.objects.get()
    assert reply.signed_on == date(2026, 5, 20) and reply.doc_number == ""
    assert not LetterNumber.objects.exists() and not LetterCounter.objects.exists()


# ── two leaders signing at once (PostgreSQL: real parallel connections) ──────────────────

N = 8


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs parallel connections")
@FROZEN
def test_leaders_signing_at_once_get_consecutive_numbers(cast):
    configure()  # the autouse fixture's was rolled back with nothing: this test commits
    cases = [signing_case(cast) for _ in range(N)]
    barrier = threading.Barrier(N)
    numbers: list[str] = [""] * N
    failures: list[BaseException] = []

    def run(i: int) -> None:
        try:
            mine = Case.objects.get(pk=cases[i].pk)
            barrier.wait(timeout=30)
            numbers[i] = sign(cast, mine, date(2026, 5, 25)).doc_number
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
    # The year's first signings: they also raced to create the counter row.
    assert sorted(numbers) == sorted(f"江卫函〔2026〕{n}号" for n in range(1, N + 1))
    assert sorted(LetterNumber.objects.values_list("number", flat=True)) == list(range(1, N + 1))
    assert LetterCounter.objects.get(year=2026).last == N


@pytest.mark.django_db
@FROZEN
def test_the_case_page_and_the_print_view_show_the_number(cast):
    from django.test import Client

    case = signing_case(cast)
    sign(cast, case, date(2026, 5, 25))
    client = Client()
    client.force_login(cast.coordinator)
    for url in (f"/cases/{case.pk}/", f"/cases/{case.pk}/print/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "江卫函〔2026〕1号" in response.content.decode(), url
