"""The ledger's 交办机关 and 主题 choices come from the cache (cases/filter_choices.py): a
view does not read DISTINCT issuer over every case, yet a just-registered, edited or
imported issuer or topic is offered on the process's next page."""

from datetime import date

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import actions
from cases.tests.factories import register
from transfer.planning import apply_import, plan_import
from transfer.tests.helpers import basic_file, basic_row

pytestmark = pytest.mark.django_db


def offered(client, select: str) -> list[str]:
    response = client.get("/cases/")
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.content.decode())
    return [o.get("value") for o in doc.get_element_by_id(select).xpath("option") if o.get("value")]


def _reads_issuers(captured) -> bool:
    return any("DISTINCT" in q["sql"] and "issuer" in q["sql"] for q in captured)


def test_a_second_view_reads_no_issuers(cast, client_for):
    register(cast, on=date(2026, 3, 2), issuer="市人大常委会代表工委")
    client = client_for(cast.coordinator)
    with CaptureQueriesContext(connection) as first:
        assert offered(client, "filter-issuer") == ["市人大常委会代表工委"]
    with CaptureQueriesContext(connection) as second:
        assert offered(client, "filter-issuer") == ["市人大常委会代表工委"]
    assert _reads_issuers(first.captured_queries)
    assert not _reads_issuers(second.captured_queries)
    # neither the issuers, the topics nor the commission name (letters.context_processors)
    assert len(second) == len(first) - 3


def test_a_just_registered_issuer_and_topic_are_offered_next(
    cast, client_for, django_capture_on_commit_callbacks
):
    register(cast, on=date(2026, 3, 2), issuer="市人大常委会代表工委", topics=["人才"])
    client = client_for(cast.coordinator)
    assert offered(client, "filter-issuer") == ["市人大常委会代表工委"]
    with django_capture_on_commit_callbacks(execute=True):
        register(cast, on=date(2026, 3, 2), issuer="市政协提案委", topics=["中医药"])
    assert offered(client, "filter-issuer") == ["市人大常委会代表工委", "市政协提案委"]
    assert offered(client, "filter-topic") == ["中医药", "人才"]


def test_an_edited_issuer_is_offered_next(cast, client_for, django_capture_on_commit_callbacks):
    case = register(cast, on=date(2026, 3, 2), issuer="市人大常委会代表工委")
    client = client_for(cast.coordinator)
    assert offered(client, "filter-issuer") == ["市人大常委会代表工委"]
    with django_capture_on_commit_callbacks(execute=True):
        actions.edit_case(case, by=cast.coordinator, issuer="市人大常委会选联工委")
    assert offered(client, "filter-issuer") == ["市人大常委会选联工委"]


def test_an_imported_issuer_is_offered_next(cast, client_for, django_capture_on_commit_callbacks):
    client = client_for(cast.coordinator)
    assert offered(client, "filter-issuer") == []
    plan = plan_import(
        basic_file(basic_row("7", 交办机关="市人大常委会代表工委")),
        "台账.xlsx",
        user=cast.coordinator,
    )
    assert plan.errors == []
    with django_capture_on_commit_callbacks(execute=True):
        apply_import(plan, user=cast.coordinator, source_name="台账.xlsx")
    assert offered(client, "filter-issuer") == ["市人大常委会代表工委"]
