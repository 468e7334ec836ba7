"""A proposer's phone and address (issue 16): masked on their page for everyone; the
coordinator and the units holding one of their cases reveal them with a POST to the page,
kept as one REVEAL security event without the values."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent, EventKind
from audit.trail import SecurityAction
from cases import actions
from cases.models import Proposer
from cases.tests.factories import register
from cases.tests.test_listing import FROZEN
from disclosure.masking import mask_address

pytestmark = pytest.mark.django_db
PHONE = "13700003333"
FROZEN_DAY = date(2026, 3, 2)
ADDRESS = "浙江省杭州市西湖区文三路8号3栋501室"


@pytest.fixture
def shen(cast):
    with FROZEN:
        proposer = Proposer.objects.create(
            name="沈代表", kind="deputy", phone=PHONE, address=ADDRESS
        )
        case = register(cast, on=FROZEN_DAY, lead_proposer={"name": "沈代表", "kind": "deputy"})
        actions.assign_case(case, by=cast.coordinator, lead_unit=cast.yizheng)
    return proposer


def _reveals():
    return AuditEvent.objects.filter(action=SecurityAction.REVEAL)


def test_masked_for_everyone_with_the_form_for_those_who_contact(shen, cast, client_for):
    for user, offered in [(cast.coordinator, True), (cast.yizheng_handler, True),
                          (cast.jiceng_head, False), (cast.viewer, False)]:  # fmt: skip
        response = client_for(user).get(f"/proposers/{shen.pk}/")
        html = response.content.decode()
        assert response.status_code == 200
        assert "137****3333" in html and PHONE not in html and ADDRESS not in html, user
        assert mask_address(ADDRESS) in html
        assert ("显示完整号码" in html) == offered, user
    assert mask_address(ADDRESS) == "浙江省杭州市****"
    assert not _reveals().exists()


def test_the_reveal_shows_both_and_is_kept(shen, cast, client_for):
    response = client_for(cast.yizheng_head).post(f"/proposers/{shen.pk}/")
    html = response.content.decode()
    assert response.status_code == 200 and PHONE in html and ADDRESS in html
    assert "显示完整号码" not in html and "已记入安全审计" in html
    (event,) = _reveals()
    assert event.kind == EventKind.SECURITY and event.subject == f"proposer:{shen.pk}"
    assert event.details == {"field": "phone", "also": "address"}


def test_others_get_403_and_nothing_is_kept(shen, cast, client_for):
    for user in (cast.jiceng_head, cast.viewer, cast.leader, cast.admin):
        assert client_for(user).post(f"/proposers/{shen.pk}/").status_code == 403
    assert client_for(cast.coordinator).post("/proposers/999999/").status_code == 404
    assert not _reveals().exists()


def test_the_page_query_count_holds(shen, cast, client_for):
    client = client_for(cast.yizheng_head)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/proposers/{shen.pk}/").status_code == 200
        return len(ctx.captured_queries)

    queries()  # the session's first read is cached after
    before = queries()
    with FROZEN:
        for _ in range(3):
            case = register(cast, on=FROZEN_DAY, lead_proposer={"name": "沈代表", "kind": "deputy"})
            actions.assign_case(case, by=cast.coordinator, lead_unit=cast.yizheng)
    assert queries() == before
