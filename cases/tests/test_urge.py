"""催办 (issue 11): who may urge whom, in which states, the payload's checks, the one audit
event, the messages queued to exactly the right people and delivered after commit, the
new target date, and the card, the timeline, the API and the success message."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from pydantic import ValidationError

from api.tests.helpers import ApiClient
from audit.models import AuditEvent
from cases import actions
from cases.actions.urge import can_urge, urge_case, urged_people
from cases.models import Case, CaseUnit
from cases.payloads import UrgePayload
from cases.permissions import relations
from cases.tests.factories import make_user, register
from letters.models import LetterCounter, UrgeNotice
from notify.actions import set_preference
from notify.models import Message, Notification
from orgs.models import Role
from web.tests.pages import case_page_with_cards
from workflow.errors import ActionForbidden, CaseError
from workflow.vocabulary import Action, State

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 10)
FROZEN = time_machine.travel(
    datetime(2026, 6, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
)
GATES = {"format": True, "policy": True, "content": True, "resolution": True}
NOTE = "请加快办理进度，本周内报送答复稿。"


def _assigned(cast, handler=None):
    case = register(cast, on=date(2026, 3, 2))
    actions.assign_case(
        case,
        by=cast.coordinator,
        lead_unit=cast.yizheng,
        co_units=[cast.jiceng],
        assigned_on=date(2026, 3, 20),
        handler=handler,
    )
    return case  # deadline 2026-06-22 (DESIGN.md §3)


def _handling(cast):
    case = _assigned(cast)
    actions.accept_case(case, by=cast.yizheng_handler, on=date(2026, 3, 23))
    return case


def _urges() -> int:
    return AuditEvent.objects.filter(action=Action.URGE).count()


def _recipients(channel="inapp") -> set[str]:
    return set(
        Message.objects.filter(kind="urge", channel=channel).values_list(
            "recipient__username", flat=True
        )
    )


# --- who may urge whom ------------------------------------------------------------------


@FROZEN
def test_the_coordinator_urges_the_handler_and_the_unit_head(cast):
    case = _handling(cast)
    notice = urge_case(case, by=cast.coordinator, note=NOTE)
    assert _recipients() == {"yizheng_clerk", "yizheng"}
    assert _recipients("email") == {"yizheng_clerk", "yizheng"}  # both have an address
    assert [r["role"] for r in notice.recipients] == ["handler", "head"]
    assert notice.sender_unit == "" and notice.unit == cast.yizheng
    # Nobody of the co-unit, the office or the leadership.
    assert not Message.objects.exclude(recipient__in=[cast.yizheng_handler, cast.yizheng_head])


@FROZEN
def test_a_unit_head_urges_only_the_handler(cast):
    case = _handling(cast)
    notice = urge_case(case, by=cast.yizheng_head, note=NOTE)
    assert _recipients() == {"yizheng_clerk"}
    assert notice.sender_unit == "医政医管处"
    assert notice.recipients == [{"username": "yizheng_clerk", "name": "赵科员", "role": "handler"}]


@FROZEN
def test_without_a_handler_the_head_cannot_urge_and_the_coordinator_reaches_the_heads(cast):
    case = _assigned(cast)  # no handler named yet
    second_head = make_user("yizheng2", (cast.yizheng, Role.HEAD), full_name="钱副处长")
    gone = make_user("yizheng_gone", (cast.yizheng, Role.HEAD))
    gone.is_active = False
    gone.save()
    mine = relations(cast.yizheng_head, case)
    assert not can_urge(case, TODAY, mine)
    with pytest.raises(CaseError, match="尚未指定承办人"):
        urge_case(case, by=cast.yizheng_head, note=NOTE)
    assert _urges() == 0 and not Message.objects.exists()

    urge_case(case, by=cast.coordinator, note=NOTE)
    assert _recipients() == {"yizheng", second_head.username}  # not the inactive head


@FROZEN
def test_the_sender_is_never_among_the_recipients(cast):
    # A head who accepted as the handler would only urge themselves.
    case = _assigned(cast, handler=cast.yizheng_head)
    actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 3, 23))
    assert can_urge(case, TODAY, relations(cast.yizheng_head, case))  # the action decides
    with pytest.raises(CaseError, match="承办人就是您本人"):
        urge_case(case, by=cast.yizheng_head, note=NOTE)
    people = urged_people(case, cast.coordinator)
    assert [(u.user.username, u.role) for u in people] == [("yizheng", "handler")]


@FROZEN
@pytest.mark.parametrize("who", ["yizheng_handler", "leader", "viewer", "admin", "jiceng_head"])
def test_others_may_not_urge(cast, who):
    case = _handling(cast)
    with pytest.raises(ActionForbidden):
        urge_case(case, by=getattr(cast, who), note=NOTE)
    assert _urges() == 0 and not UrgeNotice.objects.exists() and not Message.objects.exists()


# --- states ------------------------------------------------------------------------------


def _walk_to(cast, state):
    case = _handling(cast) if state != State.REGISTERED else register(cast, on=date(2026, 3, 2))
    if state in (State.REGISTERED, State.HANDLING):
        return case
    actions.submit_reply(
        case,
        by=cast.yizheng_handler,
        text="答复",
        reply_class="A",
        contact="赵科员",
        phone="1",
        on=date(2026, 5, 20),
    )
    if state == State.UNIT_APPROVING:
        return case
    actions.approve_reply(case, by=cast.yizheng_head, approved=True, on=date(2026, 5, 21))
    if state == State.REVIEWING:
        return case
    actions.review_reply(case, by=cast.coordinator, passed=True, gates=GATES, on=date(2026, 5, 22))
    if state == State.SIGNING:
        return case
    actions.sign_reply(case, by=cast.leader, approved=True, on=date(2026, 5, 25))
    if state == State.REPLIED:
        return case
    actions.record_feedback(case, by=cast.coordinator, result="satisfied", on=date(2026, 6, 1))
    return case


@FROZEN
@pytest.mark.parametrize(
    ("state", "allowed"),
    [
        (State.REGISTERED, False),
        (State.ASSIGNED, True),
        (State.HANDLING, True),
        (State.UNIT_APPROVING, True),
        (State.REVIEWING, False),
        (State.SIGNING, False),
        (State.REPLIED, False),
        (State.CLOSED, False),
    ],
)
def test_only_while_the_lead_unit_holds_the_draft(cast, state, allowed):
    case = _assigned(cast) if state == State.ASSIGNED else _walk_to(cast, state)
    assert case.state == state
    if allowed:
        urge_case(case, by=cast.coordinator, note=NOTE)
        assert _urges() == 1
    else:
        with pytest.raises(CaseError, match="不能催办"):
            urge_case(case, by=cast.coordinator, note=NOTE)
        assert _urges() == 0 and not Message.objects.exists()
        assert not LetterCounter.objects.filter(kind="urge").exists()


# --- the payload and the checks ----------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"note": ""},
        {"note": "   "},
        {"note": "x\x00y"},
        {"note": "a" * 1001},
        {"note": "ok", "target_on": "1990-01-01"},
        {"note": "ok", "target_on": "not a date"},
        {"note": "ok", "unit_deadline": "2026-06-15"},
    ],
)
def test_the_payload_refuses(body):
    with pytest.raises(ValidationError):
        UrgePayload.model_validate(body)


def test_the_payload_keeps_line_breaks_and_the_optional_date():
    p = UrgePayload.model_validate({"note": " 第一条\n第二条 ", "target_on": "2026-06-15"})
    assert p.note == "第一条\n第二条" and p.target_on == date(2026, 6, 15) and p.on is None


@FROZEN
def test_the_target_date_lies_between_today_and_the_reply_deadline(cast):
    case = _handling(cast)
    with pytest.raises(CaseError) as early:
        urge_case(case, by=cast.coordinator, note=NOTE, target_on=date(2026, 6, 9))
    assert early.value.field == "target_on" and "不能早于催办日期" in early.value.message
    with pytest.raises(CaseError) as late:
        urge_case(case, by=cast.coordinator, note=NOTE, target_on=date(2026, 6, 23))
    assert late.value.field == "target_on" and "2026年6月22日" in late.value.message
    with pytest.raises(CaseError) as blank:
        urge_case(case, by=cast.coordinator, note="  ")
    assert blank.value.field == "note"
    assert _urges() == 0 and not UrgeNotice.objects.exists() and not Message.objects.exists()
    urge_case(case, by=cast.coordinator, note=NOTE, target_on=date(2026, 6, 22))  # the last day
    assert _urges() == 1


@FROZEN
@pytest.mark.parametrize(
    "rest, following",
    [(date(2026, 6, 13), "2026年6月15日"), (date(2026, 6, 19), "2026年6月22日")],  # 周六, 端午
)
def test_a_target_date_on_a_rest_day_is_refused_naming_the_next_working_day(cast, rest, following):
    case = _handling(cast)
    with pytest.raises(CaseError) as refused:
        urge_case(case, by=cast.coordinator, note=NOTE, target_on=rest)
    assert refused.value.field == "target_on"
    assert "不是工作日" in refused.value.message and following in refused.value.message
    assert _urges() == 0 and not Message.objects.exists()
    case.refresh_from_db()
    assert case.unit_deadline != rest


@FROZEN
def test_a_handler_moved_to_another_unit_is_not_urged(cast):
    from orgs.models import Membership

    case = _handling(cast)  # 赵科员 of 医政医管处 accepted it
    Membership.objects.filter(user=cast.yizheng_handler, unit=cast.yizheng).delete()
    Membership.objects.create(user=cast.yizheng_handler, unit=cast.jiceng, role=Role.HANDLER)
    people = urged_people(case, cast.coordinator)
    assert [(u.user.username, u.role) for u in people] == [("yizheng", "head")]
    with pytest.raises(CaseError, match="已不在本处室"):
        urge_case(case, by=cast.yizheng_head, note=NOTE)
    urge_case(case, by=cast.coordinator, note=NOTE)
    assert _recipients() == {"yizheng"}


# --- the event, the target date, the number ----------------------------------------------


@FROZEN
def test_one_event_with_the_details_and_the_new_target(cast):
    case = _handling(cast)
    old_target = case.unit_deadline
    assert old_target == date(2026, 6, 5)  # 10 working days before 06-22 (06-19 端午)
    before = AuditEvent.objects.count()
    notice = urge_case(case, by=cast.coordinator, note=NOTE, target_on=date(2026, 6, 16))
    assert AuditEvent.objects.count() == before + 1
    event = case.events.last()
    assert (event.action, event.from_state, event.to_state, event.on) == (
        Action.URGE,
        State.HANDLING,
        State.HANDLING,
        TODAY,
    )
    assert event.details == {
        "notice": "卫健催〔2026〕1号",
        "notice_id": notice.pk,
        "unit": "yizheng",
        "recipients": ["yizheng_clerk", "yizheng"],
        "recipient_names": ["赵科员（承办人）", "张处长（处室负责人）"],
        "urge_note": NOTE,
        "target_on": "2026-06-16",
        "old_target_on": "2026-06-05",
    }
    case = Case.objects.get(pk=case.pk)
    assert case.unit_deadline == date(2026, 6, 16) and not case.unit_deadline_provisional
    assert case.deadline == date(2026, 6, 22)  # the reply deadline does not move
    # The unit's rows (我的待办, the ledger) follow the case in the same transaction.
    part = CaseUnit.objects.get(case=case, unit=cast.yizheng)
    assert part.unit_deadline == date(2026, 6, 16)


@FROZEN
def test_without_a_target_nothing_but_the_event_changes(cast):
    case = _handling(cast)
    urge_case(case, by=cast.yizheng_head, note=NOTE)
    assert Case.objects.get(pk=case.pk).unit_deadline == date(2026, 6, 5)
    assert "target_on" not in case.events.last().details


@FROZEN
def test_notices_are_numbered_per_year(cast):
    case = _handling(cast)
    first = urge_case(case, by=cast.coordinator, note=NOTE, on=date(2026, 6, 1))
    second = urge_case(case, by=cast.yizheng_head, note=NOTE)
    assert [first.text, second.text] == ["卫健催〔2026〕1号", "卫健催〔2026〕2号"]
    with time_machine.travel(date(2027, 1, 4), tick=False):
        third = urge_case(case, by=cast.coordinator, note=NOTE)
    assert (third.year, third.number, third.text) == (2027, 1, "卫健催〔2027〕1号")


# --- the messages ------------------------------------------------------------------------


@FROZEN
def test_the_messages_name_the_case_and_reach_their_people_once(
    cast, django_capture_on_commit_callbacks
):
    case = _handling(cast)
    set_preference(cast.yizheng_head, email=False, digest=False)
    with django_capture_on_commit_callbacks(execute=True):
        notice = urge_case(case, by=cast.coordinator, note=NOTE, target_on=date(2026, 6, 16))
    rows = Message.objects.filter(kind="urge").order_by("recipient__username", "channel")
    assert [(m.recipient.username, m.channel) for m in rows] == [
        ("yizheng", "inapp"),  # e-mail off: the bell only
        ("yizheng_clerk", "email"),
        ("yizheng_clerk", "inapp"),
    ]
    for m in rows:
        assert m.key == f"urge:{notice.pk}:{m.recipient.pk}"
        assert m.case == case and m.link == f"/cases/{case.pk}/"
        assert m.subject == f"【催办】第{case.number}号 {case.title}"
        assert "卫健催〔2026〕1号" in m.text and NOTE in m.text
        assert "2026年6月22日（现剩余7个工作日）" in m.text  # 06-19 端午 is not counted
        assert "请于2026年6月16日前形成答复稿" in m.text
        assert m.status == "sent"  # delivered after the commit
    assert {n.recipient.username for n in Notification.objects.all()} == {
        "yizheng",
        "yizheng_clerk",
    }
    assert [message.to for message in mail.outbox] == [["yizheng_clerk@example.org"]]
    assert case.number in mail.outbox[0].subject and NOTE in mail.outbox[0].body


@FROZEN
def test_a_refused_urge_queues_nothing(cast, django_capture_on_commit_callbacks):
    case = _handling(cast)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(CaseError):
            urge_case(case, by=cast.coordinator, note=NOTE, target_on=date(2026, 7, 1))
    assert callbacks == [] and not Message.objects.exists() and not mail.outbox


@FROZEN
def test_an_overdue_case_says_how_late_it_is(cast):
    case = _handling(cast)
    with time_machine.travel(date(2026, 6, 25), tick=False):
        urge_case(case, by=cast.coordinator, note=NOTE)
    text = Message.objects.filter(recipient=cast.yizheng_handler).first().text
    assert "已超期3个工作日" in text  # 06-23, 24, 25


# --- the web card, the timeline, the API --------------------------------------------------


@FROZEN
def test_the_card_posts_and_the_timeline_reads(cast):
    case = _handling(cast)
    client = Client()
    client.force_login(cast.coordinator)
    page = case_page_with_cards(client, case.pk)
    assert 'id="action-urge"' in page
    assert "赵科员（承办人）、张处长（处室负责人）" in page
    response = client.post(
        f"/cases/{case.pk}/actions/urge/",
        {"note": NOTE, "target_on": "2026-06-16", "on": "2026-06-10"},
        follow=True,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "已发出催办通知（卫健催〔2026〕1号），已通知赵科员、张处长，处室初稿期限改为2026年6月16日"
        in html
    )
    assert "催办通知单" in html and "卫健催〔2026〕1号" in html
    assert "2026年6月5日 → 2026年6月16日" in html  # the timeline's row
    notice = UrgeNotice.objects.get()
    # Listed on the card (closed after the post: its form is fetched when opened).
    assert f'href="/cases/{case.pk}/urge/{notice.pk}.docx"' in case_page_with_cards(client, case.pk)

    client.force_login(cast.yizheng_handler)
    assert 'id="action-urge"' not in case_page_with_cards(client, case.pk)


@FROZEN
def test_a_bad_post_shows_the_card_again_with_the_field_named(cast):
    case = _handling(cast)
    client = Client()
    client.force_login(cast.coordinator)
    response = client.post(
        f"/cases/{case.pk}/actions/urge/", {"note": NOTE, "target_on": "2026-07-01"}
    )
    assert response.status_code == 400
    assert "目标日期不能晚于答复期限" in response.content.decode()
    assert not UrgeNotice.objects.exists()


@FROZEN
def test_the_api_offers_and_performs_it(cast):
    case = _handling(cast)
    coordinator = ApiClient("coordinator")
    assert "urge" in coordinator.get(f"/cases/{case.pk}").json()["available_actions"]
    assert (
        "urge"
        not in ApiClient("yizheng_clerk").get(f"/cases/{case.pk}").json()["available_actions"]
    )
    refused = coordinator.act(case.pk, "urge", {"note": ""})
    assert refused.status_code == 422
    done = coordinator.act(case.pk, "urge", {"note": NOTE, "target_on": "2026-06-12"})
    assert done.status_code == 200, done.content
    assert done.json()["unit_deadline"] == "2026-06-12"
    assert _recipients() == {"yizheng_clerk", "yizheng"}


# --- the demo ------------------------------------------------------------------------------


@FROZEN
def test_the_demo_leaves_the_bell_something_to_show(settings, django_capture_on_commit_callbacks):
    from importlib.util import find_spec

    from cases.demo import DEMO_URGES, PEOPLE, load_demo
    from cases.figures import due_within_q, overdue_q
    from notify.preferences import preference_for

    with django_capture_on_commit_callbacks(execute=True):
        summary = load_demo()
    for username, *_ in PEOPLE:
        user = get_user_model().objects.get(username=username)
        assert user.email == f"{username}@demo.huiyin.local"
        assert preference_for(user).email and preference_for(user).pk is not None
    assert Case.objects.filter(overdue_q(TODAY)).count() >= 3
    # Due today, in 1, 3 and 5 working days (an upstream 办理期限).
    assert Case.objects.filter(due_within_q(TODAY, 5), state=State.HANDLING).count() >= 4
    assert UrgeNotice.objects.count() == len(DEMO_URGES)
    assert sorted(UrgeNotice.objects.values_list("text", flat=True)) == [
        f"卫健催〔2026〕{n}号" for n in range(1, len(DEMO_URGES) + 1)
    ]
    # Delivered after the demo's commit: the bell of those urged shows them.
    assert Notification.objects.filter(kind="urge").exists()
    assert not Message.objects.exclude(status="sent").exists()
    if find_spec("reminders.run") is not None:
        # A working day: today's reminders of the cases due soon went out as well.
        assert summary["reminders"] is not None
        assert Message.objects.exclude(kind="urge").exists()
    else:
        assert summary["reminders"] is None
