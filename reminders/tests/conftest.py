"""A case due 2026-06-22 (交办 2026-03-20: 3 months, DESIGN.md §3's worked example), handled
by 赵科员 of 医政医管处 under 张处长, with 李主任 in charge; and helpers to read the outbox."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from cases import actions
from cases.tests.factories import register
from notify.models import Message

ASSIGNED = date(2026, 3, 20)
DUE = date(2026, 6, 22)


def frozen(day: date):
    return time_machine.travel(
        datetime(day.year, day.month, day.day, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    )


def due_case(cast, *, unit=None, head=None, handler=None, leader=None, **kw):
    """A case assigned on 2026-03-20 and accepted by its unit: reply due 2026-06-22."""
    unit, head = unit or cast.yizheng, head or cast.yizheng_head
    with frozen(ASSIGNED):
        case = register(cast, on=date(2026, 3, 10), **kw)
        actions.assign_case(
            case,
            by=cast.coordinator,
            lead_unit=unit,
            assigned_on=ASSIGNED,
            handler=handler,
            leader_in_charge=leader,
        )
        actions.accept_case(case, by=head, on=ASSIGNED)
    case.refresh_from_db()
    assert case.deadline == DUE
    return case


def keys(clock: str | None = None, channel: str = "inapp") -> list[str]:
    """The keys in the outbox (one channel), optionally of one clock."""
    found = Message.objects.filter(channel=channel).values_list("key", flat=True)
    return sorted(k for k in found if clock is None or k.startswith(f"{clock}:"))


@pytest.fixture
def client_for(db):
    """client_for(user) → a test client logged in as that user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def case_due(cast):
    return due_case(cast, handler=cast.yizheng_handler, leader=cast.leader)
