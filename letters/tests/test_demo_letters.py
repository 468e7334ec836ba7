"""The demo's commission is configured: its reply letters carry real-looking 文号."""

import re

import pytest

from cases.demo import load_demo
from cases.models import Case, Reply, ReplyStatus
from letters.build import reply_letter
from letters.setup import current, problems
from letters.tests.conftest import unconfigure
from letters.tests.helpers import Docx

pytestmark = pytest.mark.django_db


def test_demo_letters_are_numbered_per_year_with_the_demo_code():
    unconfigure()  # as a new installation: the demo itself configures the commission
    load_demo()
    setup = current()
    assert (setup.name, setup.code()) == ("江城市卫生健康委员会", "江卫函")
    assert problems(setup) == []
    signed = Reply.objects.filter(status=ReplyStatus.SIGNED).order_by("signed_on", "id")
    assert signed.count() >= 10
    by_year: dict[int, list[int]] = {}
    for reply in signed:
        match = re.fullmatch(r"江卫函〔(\d{4})〕(\d+)号", reply.doc_number)
        assert match, reply.doc_number
        assert int(match[1]) == reply.signed_on.year
        by_year.setdefault(reply.signed_on.year, []).append(int(match[2]))
    for numbers in by_year.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))  # no gap, none twice
    case = Case.objects.get(pk=signed.last().case_id)
    texts = Docx(reply_letter(case)).texts()
    assert signed.filter(case=case).last().doc_number in texts
    assert not any("X卫函" in t for t in texts)
