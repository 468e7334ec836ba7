from io import StringIO

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from cases.models import Case
from proposals.spec import PROPOSAL_STATES

pytestmark = pytest.mark.django_db


def test_demo_has_about_sixty_cases_in_every_state_and_loads_once(settings):
    settings.HUIYIN_DEMO = True  # load_demo refuses otherwise (tests/test_accounts.py)
    out = StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    assert "huiyin-demo" in out.getvalue() and "coordinator" in out.getvalue()
    assert 55 <= Case.objects.count() <= 70
    assert set(Case.objects.values_list("state", flat=True)) == set(PROPOSAL_STATES)
    assert Case.objects.filter(round=2).exists()
    # Made by the actions: every case starts with its register event.
    assert AuditEvent.objects.filter(action="register").count() == Case.objects.count()
    again = StringIO()
    call_command("load_demo", "--if-empty", stdout=again)
    assert "未载入" in again.getvalue()
    assert 55 <= Case.objects.count() <= 70
