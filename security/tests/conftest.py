import pytest
import time_machine

from cases.tests.factories import make_user
from orgs.models import Role

START = "2026-03-02 09:00:00+08:00"


@pytest.fixture
def frozen():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def security_admin(cast):
    return make_user("anquan", (cast.office, Role.SECURITY), full_name="孙安全")


@pytest.fixture
def auditor(cast):
    return make_user("shenji", (cast.office, Role.AUDITOR), full_name="周审计")
