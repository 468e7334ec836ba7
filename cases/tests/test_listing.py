"""The ledger's filter (cases.listing.CaseFilter): every filter, every sort, the filter as
URL parameters and back, and the deadline colours."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases import actions
from cases.figures import deadline_tone, soon_end
from cases.listing import SORTS, CaseFilter, InvalidFilter, list_cases
from cases.models import Case
from cases.tests.factories import register

pytestmark = pytest.mark.django_db

TODAY = date(2026, 9, 29)  # before 国庆
FROZEN = time_machine.travel(
    datetime(2026, 9, 29, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
)
GATES = {"format": True, "policy": True, "content": True, "resolution": True}


class Ledger:
    """Five cases that differ in every filtered column."""

    def __init__(self, cast) -> None:
        c = cast
        # A: handling in 医政 by 赵科员, 重点, due 10-08 (2 working days on: soon).
        self.a = register(
            c,
            on=date(2026, 7, 1),
            number="A-003",
            title="甲 关于基层人才的建议",
            topics=["人才队伍"],
            is_key=True,
            issuer="市人大常委会代表工委",
        )
        actions.assign_case(
            self.a, by=c.coordinator, lead_unit=c.yizheng, assigned_on=date(2026, 7, 1)
        )
        actions.accept_case(self.a, by=c.yizheng_handler, on=date(2026, 7, 2))
        # B: a CPPCC proposal, 会办, led by 市政协副主席, in 基层 with 中医 as co-unit,
        # due 8-3: overdue.
        self.b = register(
            c,
            on=date(2026, 7, 1),
            number="B-001",
            title="乙 关于中医药传承的提案",
            category="cppcc_proposal",
            mode="co",
            external_lead="市发改委",
            led_by="市政协副主席",
            topics=["中医药"],
            issuer="市政协提案委",
        )
        actions.assign_case(
            self.b,
            by=c.coordinator,
            lead_unit=c.jiceng,
            co_units=[c.zhongyi],
            assigned_on=date(2026, 7, 1),
        )
        # C: replied with class B, not yet rated; provincial.
        self.c = register(
            c,
            on=date(2026, 6, 1),
            number="C-002",
            title="丙 关于托育服务的建议",
            level="provincial",
        )
        self._reply(cast, self.c, c.jiceng, c.jiceng_head, "B", date(2026, 9, 10))
        # D: closed, class A, 满意.
        self.d = register(
            c, on=date(2026, 3, 2), number="D-005", title="丁 关于医养结合的建议", mode="undertake"
        )
        self._reply(cast, self.d, c.yizheng, c.yizheng_head, "A", date(2026, 5, 20))
        actions.record_feedback(self.d, by=c.coordinator, result="satisfied", on=date(2026, 6, 1))
        # E: registered, due (explicitly) 10-12: 4 working days on.
        self.e = register(
            c, on=date(2026, 9, 2), number="E-004", title="戊 关于数字健康的建议", year=2025
        )
        Case.objects.filter(pk=self.e.pk).update(deadline=date(2026, 10, 12))

    @staticmethod
    def _reply(cast, case, unit, head, reply_class, on):
        c = cast
        actions.assign_case(case, by=c.coordinator, lead_unit=unit, assigned_on=case.received_on)
        actions.accept_case(case, by=head, on=case.received_on)
        commitments = (
            [{"what": "年内完成", "due": date(2026, 12, 31)}] if reply_class == "B" else []
        )
        actions.submit_reply(
            case,
            by=head,
            text="答复",
            reply_class=reply_class,
            contact="联系人",
            phone="1",
            commitments=commitments,
            on=on,
        )
        actions.review_reply(case, by=c.coordinator, passed=True, gates=GATES, on=on)
        actions.sign_reply(case, by=c.leader, approved=True, on=on)


@pytest.fixture
def ledger(cast):
    with FROZEN:
        yield Ledger(cast)


def numbers(user, **params) -> list[str]:
    page = list_cases(user, CaseFilter.from_params(params), page_size=100)
    return [case.number for case in page.items]


@FROZEN
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["E-004", "D-005", "C-002", "B-001", "A-003"]),  # the newest first
        ({"handler": "yizheng_clerk"}, ["A-003"]),
        ({"handler": "nobody"}, []),
        ({"topic": "中医药"}, ["B-001"]),
        ({"topic": "人才队伍"}, ["A-003"]),
        ({"topic": "基层卫生"}, ["E-004", "D-005", "C-002"]),  # the factory's topics
        ({"key": "1"}, ["A-003"]),
        ({"key": "0"}, ["E-004", "D-005", "C-002", "B-001"]),
        ({"led": "1"}, ["B-001"]),
        ({"led": "0"}, ["E-004", "D-005", "C-002", "A-003"]),
        ({"issuer": "市政协提案委"}, ["B-001"]),
        ({"issuer": "市政协"}, []),  # exactly, not a part
        ({"mode": "co"}, ["B-001"]),
        ({"mode": "undertake"}, ["D-005"]),
        ({"reply_class": "B"}, ["C-002"]),
        ({"reply_class": "A"}, ["D-005"]),
        ({"feedback": "satisfied"}, ["D-005"]),
        ({"feedback": "none"}, ["C-002"]),
        # 2 working days on is 10-08 (9-30, 10-08): A; 5 reach 10-12 (10-10 is worked): E.
        ({"due_within": "0"}, []),
        ({"due_within": "2"}, ["A-003"]),
        ({"due_within": "4"}, ["A-003"]),
        ({"due_within": "5"}, ["E-004", "A-003"]),
        ({"unit": "zhongyi"}, ["B-001"]),  # as a co-unit
        ({"unit": "jiceng", "led": "0"}, ["C-002"]),
        ({"overdue": "1"}, ["B-001"]),
        ({"level": "provincial"}, ["C-002"]),
        ({"year": "2025"}, ["E-004"]),
        ({"q": "中医药"}, ["B-001"]),
        ({"state": "closed", "reply_class": "A", "feedback": "satisfied"}, ["D-005"]),
    ],
)
def test_filters(ledger, params, expected):
    assert numbers(ledger_user(ledger), **params) == expected


def ledger_user(ledger):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="coordinator")


@FROZEN
def test_a_unit_head_filters_within_the_cases_of_the_unit(ledger, cast):
    assert numbers(cast.yizheng_head) == ["D-005", "A-003"]
    assert numbers(cast.yizheng_head, topic="中医药") == []
    assert numbers(cast.zhongyi_head, led="1") == ["B-001"]


@FROZEN
@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("number", ["A-003", "B-001", "C-002", "D-005", "E-004"]),
        ("-number", ["E-004", "D-005", "C-002", "B-001", "A-003"]),
        (
            "title",
            [
                "丁 关于医养结合的建议",
                "丙 关于托育服务的建议",
                "乙 关于中医药传承的提案",
                "戊 关于数字健康的建议",
                "甲 关于基层人才的建议",
            ],
        ),
        # 人大 (省级 C first) before 政协.
        ("category", ["C-002", "A-003", "D-005", "E-004", "B-001"]),
        ("-category", ["B-001", "E-004", "D-005", "A-003", "C-002"]),
        # The workflow's order: registered, assigned, handling, replied, closed.
        ("state", ["E-004", "B-001", "A-003", "C-002", "D-005"]),
        ("-state", ["D-005", "C-002", "A-003", "B-001", "E-004"]),
        # 医政 (sort_order 0, code yizheng) after 基层 (jiceng); no unit last either way.
        ("unit", ["B-001", "C-002", "A-003", "D-005", "E-004"]),
        ("-unit", ["D-005", "A-003", "C-002", "B-001", "E-004"]),
        # 6-02 (D), 8-03 (B), 9-01 (C), 10-08 (A), 10-12 (E).
        ("deadline", ["D-005", "B-001", "C-002", "A-003", "E-004"]),
        ("-deadline", ["E-004", "A-003", "C-002", "B-001", "D-005"]),
        # A, B, then the cases without a class either way.
        ("reply_class", ["D-005", "C-002", "A-003", "B-001", "E-004"]),
        ("-reply_class", ["C-002", "D-005", "E-004", "B-001", "A-003"]),
    ],
)
def test_sorts(ledger, sort, expected):
    found = list_cases(ledger_user(ledger), CaseFilter.from_params({"sort": sort})).items
    key = "title" if sort == "title" else "number"
    assert [getattr(case, key) for case in found] == expected


def test_every_sort_has_its_reverse():
    for key in SORTS:
        if key != "recent":
            assert (key[1:] if key.startswith("-") else "-" + key) in SORTS


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"state": "handling", "unit": "yizheng", "sort": "-deadline"},
        {
            "category": "npc_suggestion",
            "level": "municipal",
            "year": "2026",
            "overdue": "0",
            "q": "基层",
            "handler": "yizheng_clerk",
            "topic": "人才队伍",
            "key": "1",
            "led": "0",
            "issuer": "市人大常委会代表工委",
            "due_within": "5",
            "mode": "lead",
            "reply_class": "A",
            "feedback": "none",
            "sort": "title",
        },
    ],
)
def test_the_filter_survives_its_url(params):
    found = CaseFilter.from_params(params)
    assert found.params() == params
    assert CaseFilter.from_params(found.params()) == found


def test_empty_values_are_no_filter_and_text_is_trimmed():
    found = CaseFilter.from_params({"key": "", "q": "  x  ", "overdue": ""})
    assert (found.key, found.q, found.overdue) == (None, "x", None)
    assert found.params() == {"q": "x"}


@pytest.mark.parametrize(
    "params",
    [
        {"feedback": "perhaps"},
        {"due_within": "x"},
        {"due_within": "9999"},
        {"due_within": "-1"},
        {"state": "garbage"},
        {"category": "xx"},
        {"year": "1"},
        {"year": "2026.5"},
        {"key": "maybe"},
        {"received_from": "2026-13-01"},
        {"received_to": "0001-01-01"},
        {"lead_unit_kind": "department,planet"},
        {"q": "x" * 101},
        {"q": "a\tb"},
        {"issuer": "\x7f"},
    ],
)
def test_a_bad_value_is_refused(params):
    with pytest.raises(InvalidFilter) as caught:
        CaseFilter.from_params(params)
    assert [name for name, _ in caught.value.problems] == list(params)


def test_bad_values_are_refused_naming_each_parameter():
    """Issue 9 #16: a bad value is an error, never a filter that matches nothing."""
    with pytest.raises(InvalidFilter) as caught:
        CaseFilter.from_params({"sort": "bogus", "year": "abc", "overdue": "zz", "q": "a\x00b"})
    assert [name for name, _ in caught.value.problems] == ["sort", "year", "overdue", "q"]
    assert caught.value.message.startswith("无效的筛选条件：")
    assert "年度（year）应为整数" in caught.value.message


@FROZEN
def test_deadline_tone(ledger):
    until = soon_end(TODAY)
    assert until == date(2026, 10, 9)  # 3 working days: 9-30, 10-08, 10-09
    tones = {c.number: deadline_tone(c, TODAY, until) for c in Case.objects.all()}
    assert tones == {"A-003": "soon", "B-001": "overdue", "C-002": "", "D-005": "", "E-004": ""}
