"""A replied 议提案 (lead proposer 陈代表, joint 刘代表 and 周代表) with a talk on record,
in frozen time (cases.tests.walks: 2026-12-31), and links issued through the action."""

from datetime import date

import pytest
from django.test import Client

from cases import actions
from cases.tests.walks import DATES, FROZEN, GATES, case_in, reply_kwargs
from letters.tests.conftest import configure
from portal.actions import issue_link
from portal.links import link_path

# Words of the staff side that must never reach the proposer's page.
INTERNAL = [
    "王协调",  # the coordinator
    "李主任",  # the leader who signed
    "张处长",  # the unit head
    "赵科员",  # the handler, also the reply's contact person
    "12345678",  # the reply's contact phone
    "参加人员甲",  # a talk's participants
    "内部沟通纪要",  # a talk's own summary
    "四关审核意见",  # the review's comment
]


@pytest.fixture(autouse=True)
def _frozen():
    with FROZEN:
        yield


@pytest.fixture(autouse=True)
def _organisation(db):
    configure()  # the letters print for a configured commission


def talk(case, by, on=date(2026, 5, 1)):
    return actions.communicate(
        case,
        by=by,
        on=on,
        stage="during",
        method="face_to_face",
        summary="内部沟通纪要：与代表当面沟通",
        participants="参加人员甲、陈代表",
    )


@pytest.fixture
def replied(cast):
    case = case_in(cast, "handling")
    talk(case, cast.yizheng_handler)
    actions.submit_reply(case, by=cast.yizheng_head, on=DATES["reviewing"], **reply_kwargs(case))
    actions.review_reply(
        case,
        by=cast.coordinator,
        passed=True,
        gates=GATES,
        comment="四关审核意见",
        on=DATES["signing"],
    )
    actions.sign_reply(case, by=cast.leader, approved=True, on=DATES["replied"])
    case.refresh_from_db()
    return case


def proposers(case):
    return [m.proposer for m in case.proposer_links.select_related("proposer").order_by("position")]


@pytest.fixture
def lead_link(replied, cast):
    link, token = issue_link(replied, by=cast.coordinator)
    return link, token


def open_page(token, client=None):
    return (client or Client()).get(link_path(token))


@pytest.fixture
def only_our_panels(monkeypatch):
    """The case page with this app's panels alone (the other apps' are theirs to test)."""
    from web import panels

    ours = {k: p for k, p in panels._PANELS.items() if k.startswith("proposer_")}
    monkeypatch.setattr(panels, "_PANELS", ours)


def staff_page(user, case):
    client = Client()
    client.force_login(user)
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode()
