"""When the reminders go out, on the 2026 calendar: a case due Monday 2026-06-22 (06-13/14 a
weekend, 06-19..21 端午). The handler and the head 5 and 1 working days before (06-12,
06-18) and on the day; a daily digest once it is overdue; the leader in charge after 3
working days overdue (06-25); the coordinator a daily digest of everything overdue."""

from datetime import date, timedelta

import pytest

from notify.models import Message
from reminders.run import morning_run
from reminders.tests.conftest import DUE, keys

pytestmark = pytest.mark.django_db

JUNE = [date(2026, 6, 1) + timedelta(days=i) for i in range(30)]
REST = {date(2026, 6, d) for d in (6, 7, 13, 14, 19, 20, 21, 27, 28)}


def _days(clock: str, step: str, user, results) -> list[date]:
    """The days on whose run the reply clock's `step` reached `user` (its in-app message)."""
    found = []
    for day, result in sorted(results.items()):
        for key in Message.objects.filter(pk__in=result.messages, channel="inapp").values_list(
            "key", flat=True
        ):
            if not key.startswith(f"{clock}:"):
                continue
            _, _, deadline, name, recipient = key.split(":")
            if name == step and recipient == str(user.pk):
                assert deadline == DUE.isoformat()
                found.append(day)
    return found


def _digest_days(user) -> list[date]:
    return [
        date.fromisoformat(k.rsplit(":", 1)[1])
        for k in keys("digest")
        if k.split(":")[1] == str(user.pk)
    ]


def _run_june(days=JUNE):
    results = {day: morning_run(day) for day in days}
    assert {day for day, r in results.items() if not r.workday} == REST & set(days)
    return results


def test_the_handler_and_the_head_are_reminded_5_and_1_working_days_before_and_on_the_day(
    cast, case_due
):
    june = _run_june()
    for person in (cast.yizheng_handler, cast.yizheng_head):
        # 06-12 is the 5th working day before 06-22 counting 06-15..18 and 06-22 itself.
        assert _days("reply", "ahead", person, june) == [date(2026, 6, 12)]
        assert _days("reply", "eve", person, june) == [date(2026, 6, 18)]
        assert _days("reply", "due", person, june) == [date(2026, 6, 22)]
    # No one else gets the unit's reminders.
    assert _days("reply", "ahead", cast.jiceng_head, june) == []
    assert _days("reply", "ahead", cast.coordinator, june) == []


def test_a_missed_morning_is_caught_up_by_the_next_one_once(cast, case_due):
    """No run on 06-12 (the server was down): the 06-15 run sends the 5-days-before
    reminder, the 06-16 run nothing new for it; 06-18 still brings the 1-day-before one."""
    days = [d for d in JUNE if d != date(2026, 6, 12)]
    june = _run_june([d for d in days if d <= date(2026, 6, 18)])
    for person in (cast.yizheng_handler, cast.yizheng_head):
        assert _days("reply", "ahead", person, june) == [date(2026, 6, 15)]
        assert _days("reply", "eve", person, june) == [date(2026, 6, 18)]
    mail = Message.objects.get(
        key=f"reply:{case_due.pk}:2026-06-22:ahead:{cast.yizheng_handler.pk}", channel="email"
    )
    assert "剩余4个工作日" in mail.subject  # what is left on the day it went out


def test_a_missed_escalation_to_the_leader_goes_out_the_next_working_morning(cast, case_due):
    june = _run_june([d for d in JUNE if d != date(2026, 6, 25)])
    assert _days("reply", "leader", cast.leader, june) == [date(2026, 6, 26)]


def test_nothing_is_sent_on_a_rest_day(cast, case_due):
    results = _run_june()
    days = {day for day, result in results.items() if result.messages}
    assert days and not days & REST
    for day in REST:
        assert results[day].messages == [] and results[day].reminders == 0


def test_overdue_goes_into_a_daily_digest_from_the_first_working_day_after(cast, case_due):
    june = _run_june()
    after = [d for d in JUNE if d > DUE and d not in REST]
    # The unit's draft target (06-05) is overdue already: the handler's digest runs all
    # along; the reply deadline joins it from 06-23, never as a mail per case per day.
    assert _days("reply", "overdue", cast.yizheng_handler, june) == []
    digests = {
        m.key: m.text
        for m in Message.objects.filter(
            kind="digest", recipient=cast.yizheng_handler, channel="inapp"
        )
    }
    with_reply = sorted(
        date.fromisoformat(k.rsplit(":", 1)[1]) for k, text in digests.items() if "答复期限" in text
    )
    assert with_reply == after
    text = digests[f"digest:{cast.yizheng_handler.pk}:2026-06-26"]
    assert "答复期限：2026年6月22日（已超期4个工作日）" in text
    assert case_due.number in text and case_due.title in text
    # The coordinator: a digest of everything overdue, from the first day after.
    assert _digest_days(cast.coordinator) == after


def test_the_leader_in_charge_is_told_after_3_working_days_overdue(cast, case_due):
    june = _run_june()
    assert _days("reply", "leader", cast.leader, june) == [date(2026, 6, 25)]
    message = Message.objects.get(
        key__startswith="reply:", key__contains=":leader:", channel="inapp"
    )
    assert "已超期3个工作日" in message.subject and "请督促办理" in message.text


def test_without_a_leader_in_charge_every_leader_is_told(cast):
    from cases.tests.factories import make_user
    from orgs.models import Role
    from reminders.tests.conftest import due_case

    other = make_user("leader2", (cast.office, Role.LEADER))
    due_case(cast, handler=cast.yizheng_handler)
    morning_run(date(2026, 6, 25))
    told = {k.split(":")[4] for k in keys("reply") if ":leader:" in k}
    assert told == {str(cast.leader.pk), str(other.pk)}


def test_a_reminder_mail_says_what_is_due_when_and_where(cast, case_due):
    morning_run(date(2026, 6, 12))
    mail = Message.objects.get(
        key=f"reply:{case_due.pk}:2026-06-22:ahead:{cast.yizheng_handler.pk}",
        channel="email",
    )
    assert mail.subject == f"【催办提醒】{case_due.number} {case_due.title}：答复期限剩余5个工作日"
    for part in (
        case_due.number,
        case_due.title,
        "2026年6月22日",
        "剩余5个工作日",
        f"/cases/{case_due.pk}/",
    ):
        assert part in mail.text and part in mail.html
    assert mail.link == f"/cases/{case_due.pk}/" and mail.case_id == case_due.pk
    assert mail.kind == "reminder"


def test_an_answered_case_is_no_longer_chased(cast, case_due):
    from cases import actions
    from reminders.tests.conftest import frozen

    with frozen(date(2026, 6, 10)):
        actions.submit_reply(
            case_due, by=cast.yizheng_handler, text="答复", reply_class="A", contact="赵", phone="1"
        )
    morning_run(date(2026, 6, 12))
    # Submitted to the unit head: the reply deadline still runs (the head is asked to
    # approve it), the unit's draft target no longer does.
    assert keys("reply") and not keys("unit_draft")
    Message.objects.all().delete()
    with frozen(date(2026, 6, 11)):
        actions.approve_reply(case_due, by=cast.yizheng_head, approved=True)
        actions.review_reply(
            case_due,
            by=cast.coordinator,
            passed=True,
            gates={"format": True, "policy": True, "content": True, "resolution": True},
        )
        actions.sign_reply(case_due, by=cast.leader, approved=True)
    morning_run(date(2026, 6, 12))
    assert keys() == []


def test_a_leader_in_charge_who_has_left_is_replaced_by_every_leader(cast, case_due):
    from cases.tests.factories import make_user
    from orgs.models import Role

    other = make_user("leader2", (cast.office, Role.LEADER))
    cast.leader.is_active = False
    cast.leader.save(update_fields=["is_active"])
    morning_run(date(2026, 6, 25))
    assert {k.split(":")[4] for k in keys("reply") if ":leader:" in k} == {str(other.pk)}


def test_a_handler_moved_to_another_unit_is_no_longer_reminded(cast, case_due):
    from orgs.models import Membership, Role

    Membership.objects.filter(user=cast.yizheng_handler, unit=cast.yizheng).delete()
    Membership.objects.create(user=cast.yizheng_handler, unit=cast.jiceng, role=Role.HANDLER)
    result = morning_run(date(2026, 6, 12))
    told = {k.split(":")[4] for k in keys("reply") if ":ahead:" in k}
    assert told == {str(cast.yizheng_head.pk)}
    assert not Message.objects.filter(pk__in=result.messages, recipient=cast.yizheng_handler)
