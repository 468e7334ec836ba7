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
    proposals = Case.objects.filter(category__in=["npc_suggestion", "cppcc_proposal"])
    assert 55 <= proposals.count() <= 70
    assert set(proposals.values_list("state", flat=True)) == set(PROPOSAL_STATES)
    assert proposals.filter(round=2).exists()
    # 群众意见建议 of every channel in every state but 并件, a suggestion-book campaign.
    opinions = Case.objects.filter(category="public_opinion")
    assert opinions.count() == 36
    assert set(opinions.values_list("state", flat=True)) == {
        "registered",
        "assigned",
        "handling",
        "replied",
        "closed",
    }
    assert opinions.filter(opinion__campaign__books_returned=353).count() == 12
    # 督办事项 from seed 003's sources in every stage, one of them a supervised 议提案.
    items = Case.objects.filter(category="supervision")
    assert items.count() == 9
    assert {"registered", "handling", "reviewing", "replied", "closed"} <= set(
        items.values_list("state", flat=True)
    )
    assert (
        items.filter(supervision__linked_case__category="npc_suggestion").count()
        + items.filter(supervision__linked_case__category="cppcc_proposal").count()
        == 1
    )
    # Made by the actions: every case starts with its register event.
    assert AuditEvent.objects.filter(action="register").count() == Case.objects.count()
    again = StringIO()
    call_command("load_demo", "--if-empty", stdout=again)
    assert "未载入" in again.getvalue()
    assert 55 <= proposals.count() <= 70
