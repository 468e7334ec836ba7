"""Role × URL → HTTP status for the intake pages (quick entry, campaigns, bulk import), in the
columns of tests/test_permission_matrix.py: admin, coordinator, leader, viewer, yizheng (a unit
head), yizheng_clerk (a handler), jiceng, zhongyi (other unit heads), anonymous.

Entering opinions (quick entry, import) is the registrar's (opinions.actions.may_register: the
coordinator); campaigns are seen by whoever sees every opinion and changed by the coordinator.
A POST that passes the gate is refused for its empty input (400), never a 500."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.test_permission_matrix import _params

pytestmark = pytest.mark.django_db

WEB = {
    "quick entry": ("get", "/opinions/quick/", None, [403, 200, 403, 403, 403, 403, 403, 403, 302]),
    "quick entry, save": ("post", "/opinions/quick/", {}, [403, 400, 403, 403, 403, 403, 403, 403, 302]),
    "campaigns": ("get", "/opinions/campaigns/", None, [200, 200, 200, 200, 403, 403, 403, 403, 302]),
    "new campaign": ("get", "/opinions/campaigns/new/", None, [403, 200, 403, 403, 403, 403, 403, 403, 302]),
    "new campaign, save": (
        "post", "/opinions/campaigns/new/", {}, [403, 400, 403, 403, 403, 403, 403, 403, 302],
    ),
    "edit campaign": (
        "get", "/opinions/campaigns/{C}/edit/", None, [403, 200, 403, 403, 403, 403, 403, 403, 302],
    ),
    "edit campaign, save": (
        "post", "/opinions/campaigns/{C}/edit/", {}, [403, 400, 403, 403, 403, 403, 403, 403, 302],
    ),
    "import": ("get", "/opinions/import/", None, [403, 200, 403, 403, 403, 403, 403, 403, 302]),
    "import, upload": ("post", "/opinions/import/", {}, [403, 400, 403, 403, 403, 403, 403, 403, 302]),
    "import template": (
        "get", "/opinions/import/template.xlsx", None, [403, 200, 403, 403, 403, 403, 403, 403, 302],
    ),
    # Someone else's (or no) job: as missing for the registrar.
    "import job": ("get", "/opinions/import/nojob/", None, [403, 404, 403, 403, 403, 403, 403, 403, 302]),
    "import progress": (
        "get", "/opinions/import/nojob/progress/", None, [403, 404, 403, 403, 403, 403, 403, 403, 302],
    ),
    "import confirm": (
        "post", "/opinions/import/nojob/confirm/", {}, [403, 404, 403, 403, 403, 403, 403, 403, 302],
    ),
}  # fmt: skip


@pytest.fixture
def world(cast):
    from datetime import date

    from opinions.campaigns import create_campaign

    campaign = create_campaign(
        by=cast.coordinator, name="解放思想大讨论", starts_on=date(2026, 3, 1)
    )
    return {"C": campaign.pk}


@pytest.mark.parametrize(("operation", "username", "expected"), _params(WEB))
def test_web_permission_matrix(world, operation, username, expected):
    method, path, data, _ = WEB[operation]
    client = Client()
    if username is not None:
        client.force_login(get_user_model().objects.get(username=username))
    url = path.format(**world)
    response = getattr(client, method)(url, *([data] if method == "post" else []))
    assert response.status_code == expected, response.content.decode()[:300]
    if response.status_code == 302:
        assert response["Location"].startswith("/login/")
