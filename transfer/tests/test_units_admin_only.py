"""Only administrators create units (issue 9, point 7): a unit's name reaches every chart,
list and tooltip, so an importer may not invent one. A coordinator's import refuses unknown
units and lists their names to ask an administrator for."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases.models import Case
from orgs.actions import grant_role
from orgs.models import Role, Unit
from transfer.models import ImportJob
from transfer.planning import apply_import, plan_import
from transfer.tests.helpers import basic_file, basic_row
from workflow.errors import ActionForbidden

pytestmark = pytest.mark.django_db

PAYLOAD = "<img/src=x/onerror=window.__xss=1>"  # no space: 协办处室 splits on spaces
REFUSED = "只有系统管理员可以创建单位（自动创建未知单位）"


def new_units_file() -> bytes:
    return basic_file(
        basic_row("1", 承办处室="规划发展处", 交办日期="2026-03-05", 协办处室=PAYLOAD),
        basic_row("2", 承办处室="规划发展处", 交办日期="2026-03-05"),
    )


def admin_importer(cast):
    grant_role(by=None, user=cast.admin, unit=cast.office, role=Role.COORDINATOR)
    return cast.admin


def test_a_coordinator_may_not_ask_to_create_units(cast):
    with pytest.raises(ActionForbidden, match=REFUSED):
        plan_import(new_units_file(), "台账.xlsx", user=cast.coordinator, create_units=True)


def test_unknown_units_are_listed_once_each(cast):
    plan = plan_import(new_units_file(), "台账.xlsx", user=cast.coordinator)
    assert plan.has_errors and plan.has_unknown_units
    assert plan.unknown_units == ["规划发展处", PAYLOAD]
    assert plan.new_units == []


def test_applying_a_plan_that_creates_units_needs_an_administrator(cast):
    plan = plan_import(new_units_file(), "台账.xlsx", user=admin_importer(cast), create_units=True)
    assert not plan.has_errors and len(plan.new_units) == 2
    with pytest.raises(ActionForbidden, match=REFUSED):
        apply_import(plan, user=cast.coordinator, source_name="台账.xlsx")
    assert not Unit.objects.filter(name="规划发展处").exists()
    assert not Case.objects.exists()


def _upload(client: Client, **extra):
    upload = SimpleUploadedFile("台账.xlsx", new_units_file())
    return client.post("/transfer/import/", {"file": upload, **extra})


def test_the_web_import_offers_unit_creation_to_administrators_only(cast):
    coordinator = Client()
    coordinator.force_login(cast.coordinator)
    page = coordinator.get("/transfer/import/").content.decode()
    assert 'name="create_units"' not in page and "data-units-admin-only" in page

    response = _upload(coordinator, create_units="on")
    assert response.status_code == 400
    assert "只有系统管理员可以自动创建单位" in response.content.decode()
    assert not ImportJob.objects.exists()

    admin = Client()
    admin.force_login(admin_importer(cast))
    assert 'name="create_units"' in admin.get("/transfer/import/").content.decode()


def test_the_preview_names_the_units_to_ask_for(cast):
    client = Client()
    client.force_login(cast.coordinator)
    _upload(client)
    job = ImportJob.objects.get()
    page = client.get(f"/transfer/import/{job.pk}/").content.decode()
    assert "data-unknown-units" in page
    assert "<strong>规划发展处</strong>" in page
    # The planted name is shown as text, never as markup.
    assert PAYLOAD not in page
    assert "&lt;img/src=x/onerror=window.__xss=1&gt;" in page
    assert "勾选“自动创建未知单位”" not in page
