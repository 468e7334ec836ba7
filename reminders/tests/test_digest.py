"""The daily digests: the coordinator's lists everything overdue grouped by unit; a unit's
people get one mail a day for all their overdue cases; someone in the quiet digest mode
gets every reminder of the day in that one mail."""

from datetime import date

import pytest

from notify.models import Message, Preference
from reminders import wording
from reminders.run import morning_run
from reminders.tests.conftest import due_case, keys

pytestmark = pytest.mark.django_db
LATE = date(2026, 6, 26)  # 4 working days after 06-22


def _digest(user, day=LATE):
    return Message.objects.get(key=f"digest:{user.pk}:{day.isoformat()}", channel="inapp")


def test_the_coordinator_s_digest_groups_everything_overdue_by_unit(cast):
    cast.yizheng.sort_order, cast.jiceng.sort_order = 2, 1
    cast.yizheng.save()
    cast.jiceng.save()
    yizheng = [due_case(cast, title=f"医政件{i}") for i in range(2)]
    jiceng = due_case(cast, unit=cast.jiceng, head=cast.jiceng_head, title="基层件")
    morning_run(LATE)
    text = _digest(cast.coordinator).text
    # 基层卫生健康处 first (its sort order), each case under its own unit.
    assert (
        text.index("【基层卫生健康处】") < text.index(jiceng.number) < text.index("【医政医管处】")
    )
    assert all(text.index("【医政医管处】") < text.index(c.number) for c in yizheng)
    assert "以下3件办件需要关注（其中逾期3件）" in text
    assert text.count("已超期4个工作日") == 3
    html = _digest(cast.coordinator).html
    assert html.index("基层卫生健康处") < html.index("医政医管处")
    # One digest a day for the coordinator, no mail per case.
    assert [k for k in keys() if k.endswith(f":{cast.coordinator.pk}:{LATE.isoformat()}")] == [
        f"digest:{cast.coordinator.pk}:{LATE.isoformat()}"
    ]


def test_a_head_gets_one_mail_a_day_for_all_the_unit_s_overdue_cases(cast):
    cases = [due_case(cast, title=f"医政件{i}") for i in range(3)]
    morning_run(LATE)
    # A reminder's key ends with its recipient ("reply:<case>:<due>:<step>:<user>"): matched
    # there, not anywhere (a case's id may equal the head's).
    head = str(cast.yizheng_head.pk)
    mine = [k for k in keys() if k.rsplit(":", 1)[-1] == head or k.startswith(f"digest:{head}:")]
    assert mine == [f"digest:{cast.yizheng_head.pk}:{LATE.isoformat()}"]
    text = _digest(cast.yizheng_head).text
    assert all(c.number in text and c.title in text for c in cases)
    # Another unit's head hears nothing of them.
    assert not Message.objects.filter(recipient=cast.jiceng_head).exists()


def test_the_quiet_digest_mode_gathers_the_reminders_of_the_day_into_one_mail(cast):
    Preference.objects.create(user=cast.yizheng_head, digest=True)
    case = due_case(cast, handler=cast.yizheng_handler)
    morning_run(date(2026, 6, 12))
    # The handler: a mail for the case; the head in quiet mode: one digest naming it.
    assert f"reply:{case.pk}:2026-06-22:ahead:{cast.yizheng_handler.pk}" in keys()
    assert not [k for k in keys("reply") if k.rsplit(":", 1)[-1] == str(cast.yizheng_head.pk)]
    text = _digest(cast.yizheng_head, date(2026, 6, 12)).text
    assert "答复期限：2026年6月22日（剩余5个工作日）" in text and case.number in text


def test_a_quiet_digest_lists_a_step_once_and_catches_up_a_missed_morning(cast):
    """Quiet mode, no run on 06-12: the 06-15 digest lists the 5-days-before reminder, the
    06-16 one (the unit's overdue draft target keeps it coming) no longer does; run every
    day, it is listed on 06-12 alone."""
    Preference.objects.create(user=cast.yizheng_head, digest=True)
    due_case(cast, handler=cast.yizheng_handler)
    ahead = "答复期限：2026年6月22日（剩余"
    morning_run(date(2026, 6, 15))
    assert ahead + "4个工作日）" in _digest(cast.yizheng_head, date(2026, 6, 15)).text
    morning_run(date(2026, 6, 16))
    assert ahead not in _digest(cast.yizheng_head, date(2026, 6, 16)).text
    Message.objects.all().delete()
    days = (date(2026, 6, 11), date(2026, 6, 12), date(2026, 6, 15))
    for day in days:
        morning_run(day)
    assert [ahead in _digest(cast.yizheng_head, d).text for d in days] == [False, True, False]


def test_a_long_digest_lists_some_cases_per_unit_and_links_to_the_rest(cast, monkeypatch):
    monkeypatch.setattr(wording, "DIGEST_UNIT_LIMIT", 2)
    for i in range(4):
        due_case(cast, title=f"医政件{i}")
    morning_run(LATE)
    text = _digest(cast.coordinator).text
    assert text.count("已超期4个工作日") == 2
    assert "另有2件，见：" in text and "/cases/?unit=yizheng&overdue=1" in text
