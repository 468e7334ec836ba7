"""The audit trail outlives what it describes, and nothing writes around it (issue 9 #8)."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from audit.models import AuditEvent
from cases.models import Case
from cases.tests.factories import make_user, register
from orgs.actions import create_unit, grant_role
from orgs.models import Role, Unit


def test_deleting_a_case_keeps_its_events_naming_it(cast):
    case = register(cast, on=date(2026, 3, 2), number="2026777", title="关于保留审计记录的建议")
    ids = list(case.events.values_list("pk", flat=True))
    assert ids

    Case.objects.filter(pk=case.pk).delete()

    kept = AuditEvent.objects.filter(pk__in=ids)
    assert kept.count() == len(ids)
    event = kept.get(action="register")
    # A plain id: nothing cascades to or rewrites the event (issue 16).
    assert event.case_id == case.pk
    assert event.case_label == "2026年 2026777 关于保留审计记录的建议"
    assert event.actor_name == "coordinator"


def test_deleting_a_user_keeps_the_events_they_made_and_those_about_them(cast):
    temp = make_user("temp_admin")
    grant_role(by=cast.security, user=temp, unit=cast.office, role=Role.ADMIN)
    unit = create_unit(by=temp, code="linshi", name="临时处", kind="department")
    made = AuditEvent.objects.get(action="unit_created", subject__contains="linshi")
    about = AuditEvent.objects.filter(subject__contains="temp_admin")
    assert made.actor_id == temp.pk and about.exists()
    about_ids = list(about.values_list("pk", flat=True))

    get_user_model().objects.filter(pk=temp.pk).delete()
    Unit.objects.filter(pk=unit.pk).delete()

    made.refresh_from_db()
    assert made.actor_id == temp.pk
    assert made.actor_name == "temp_admin"
    assert AuditEvent.objects.filter(pk__in=about_ids).count() == len(about_ids)


def test_bulk_created_events_are_described_too(cast):
    from workflow.engine import import_states

    case = register(cast, on=date(2026, 3, 2), number="2026778")
    (event,) = import_states([(case, case.state, {})], by=cast.coordinator, on=date(2026, 3, 3))
    event.refresh_from_db()
    assert event.case_label.startswith("2026年 2026778 ")
    assert event.actor_name == "coordinator"


@pytest.mark.parametrize("path", ["/admin/", "/admin/auth/user/", "/admin/login/"])
def test_there_is_no_django_admin(cast, path):
    client = Client()
    client.force_login(cast.admin)
    assert client.get(path).status_code == 404


def test_no_model_admin_is_installed():
    from django.apps import apps

    assert not apps.is_installed("django.contrib.admin")
