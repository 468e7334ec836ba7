"""Fixtures of the intake tests (quick entry, campaigns, duplicates, bulk import): a clock
fixed at a working-day morning, uploads kept in a temporary folder, and helpers that make
opinions through the action."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from opinions.actions import register_opinion

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Wednesday 2026-04-15, 10:30 in Asia/Shanghai: a working day.
NOW = datetime(2026, 4, 15, 10, 30, tzinfo=SHANGHAI)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def client_for(db):
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def opinion(cast):
    """register_opinion by the coordinator, phone channel unless told otherwise."""

    def make(content: str, **kw):
        kw.setdefault("channel", "phone")
        return register_opinion(by=cast.coordinator, content=content, **kw)

    return make
