"""The working-day calendar page: a year of month grids with 休 and 班 and their source,
overrides by day, and the notice import (paste → preview → confirm)."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from audit.models import AuditEvent
from cases import actions
from cases.tests.factories import register
from workdays.models import CalendarOverride, ConfirmedYear
from workdays.tests.test_notice import ITEMS_2026, NOTICE_2026

pytestmark = pytest.mark.django_db
FROZEN = time_machine.travel(
    datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
)
# A made-up 2027 Dragon Boat holiday (chinesecalendar has no 2027 data).
ITEMS_2027 = "一、端午节：6月20日（周日）至22日（周二）放假调休，共3天。6月26日（周六）上班。"


def cell(html: str, day: str) -> str:
    """The markup of one day's cell in the month grids."""
    match = re.search(rf'<td class="([^"]*)" data-date="{day}">(.*?)</td>', html, re.S)
    assert match, day
    return match.group(1) + " " + match.group(2)


@FROZEN
def test_2026_shows_holidays_make_up_days_and_their_source(cast, client_for):
    html = client_for(cast.admin).get("/console/calendar/2026/").content.decode()
    assert "2026 年工作日历" in html and "已确认" in html
    assert "chinesecalendar" not in html  # a library's name means nothing to users
    national_day = cell(html, "2026-10-01")
    assert "hy-day-off" in national_day and ">休<" in national_day
    assert "国庆节" in national_day and "来源：法定（国务院节假日安排，系统内置）" in national_day
    make_up = cell(html, "2026-09-20")
    assert "hy-day-on" in make_up and ">班<" in make_up and "调休上班" in make_up
    assert ">休<" in cell(html, "2026-10-03")  # a Saturday inside the holiday
    plain_weekend = cell(html, "2026-11-28")
    assert "hy-day-weekend" in plain_weekend and "hy-day-mark" not in plain_weekend
    assert "hy-day-today" in cell(html, "2026-11-24")
    assert "hy-day-today" not in cell(html, "2026-11-23")
    assert 'href="/console/calendar/2025/"' in html and 'href="/console/calendar/2027/"' in html
    assert "全年节假日 <strong>33</strong> 天" in html and "调休上班 <strong>6</strong> 天" in html


@FROZEN
def test_2027_is_provisional(cast, client_for):
    html = client_for(cast.admin).get("/console/calendar/2027/").content.decode()
    assert "暂定" in html and "尚未导入该年国务院节假日安排" in html
    assert "hy-day-mark" not in cell(html, "2027-01-01")  # a Friday: a working day for now
    assert 'href="/console/calendar/"' in html  # back to this year
    index = client_for(cast.admin).get("/console/").content.decode()
    assert "导入 2027 年通知" in index


@FROZEN
def test_readers_see_it_read_only(cast, client_for):
    for user in (cast.coordinator, cast.leader):
        html = client_for(user).get("/console/calendar/2026/?day=2026-10-01").content.decode()
        assert ">休<" in cell(html, "2026-10-01")
        assert "调整日期" not in html and "导入国务院通知" not in html
        assert 'class="hy-day-inner" href' not in html.replace("<a ", "<a")
        assert '<a class="hy-day-inner"' not in html
        assert "用户与角色" not in html  # the console's tabs are for administrators


def test_years_out_of_range_are_404(cast, client_for):
    client = client_for(cast.admin)
    assert client.get("/console/calendar/1989/").status_code == 404
    assert client.get("/console/calendar/2101/notice/").status_code == 404


@FROZEN
def test_add_and_remove_an_override(cast, client_for):
    client = client_for(cast.admin)
    form = client.get("/console/calendar/2026/?day=2026-12-24").content.decode()
    assert 'value="2026-12-24"' in form
    assert re.search(r'value="holiday"[^>]*checked', form)  # a working day: offer 休

    response = client.post(
        "/console/calendar/2026/day/",
        {"day": "2026-12-24", "kind": "holiday", "note": "全市停工一天"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/console/calendar/2026/?day=2026-12-24#day-form"
    override = CalendarOverride.objects.get(day=date(2026, 12, 24))
    assert (override.is_workday, override.source, override.note) == (False, "admin", "全市停工一天")
    assert override.created_by == cast.admin
    event = AuditEvent.objects.get(action="calendar_override_set")
    assert event.actor == cast.admin and event.details["day"] == "2026-12-24"

    html = client.get(response["Location"]).content.decode()
    day = cell(html, "2026-12-24")
    assert ">休<" in day and "hy-day-overridden" in day and "来源：管理员" in day
    assert "已将2026年12月24日设为休（休息日）" in html
    assert "全市停工一天" in html and "取消调整" in html

    response = client.post("/console/calendar/2026/day/", {"day": "2026-12-24", "remove": "1"})
    assert response.status_code == 302
    assert not CalendarOverride.objects.exists()
    assert AuditEvent.objects.filter(action="calendar_override_removed").count() == 1
    html = client.get(response["Location"]).content.decode()
    assert "hy-day-mark" not in cell(html, "2026-12-24")


@FROZEN
def test_refused_overrides_write_nothing(cast, client_for):
    client = client_for(cast.admin)
    outside = client.post("/console/calendar/2026/day/", {"day": "2027-01-04", "kind": "holiday"})
    assert outside.status_code == 400
    assert "日期须在 2026 年内" in outside.content.decode()
    no_kind = client.post("/console/calendar/2026/day/", {"day": "2026-12-24", "note": "停工"})
    assert no_kind.status_code == 400
    html = no_kind.content.decode()
    assert "这个字段是必填项" in html and 'value="停工"' in html
    too_long = client.post(
        "/console/calendar/2026/day/", {"day": "2026-12-24", "kind": "holiday", "note": "长" * 201}
    )
    assert too_long.status_code == 400
    nothing = client.post("/console/calendar/2026/day/", {"day": "2026-12-24", "remove": "1"})
    assert "没有日历调整记录" in client.get(nothing["Location"]).content.decode()
    assert not CalendarOverride.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="calendar").exists()
    forbidden = client_for(cast.coordinator).post(
        "/console/calendar/2026/day/", {"day": "2026-12-24", "kind": "holiday"}
    )
    assert forbidden.status_code == 403 and not CalendarOverride.objects.exists()


@FROZEN
def test_notice_preview_then_confirm(cast, client_for):
    client = client_for(cast.admin)
    CalendarOverride.objects.create(day=date(2026, 12, 24), is_workday=False, note="手工")
    page = client.get("/console/calendar/2026/notice/")
    assert page.status_code == 200 and "通知全文" in page.content.decode()

    preview = client.post(
        "/console/calendar/2026/notice/", {"text": NOTICE_2026, "step": "preview"}
    )
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "解析结果：7 个节假日，休 33 天，班 6 天" in html
    assert "国庆节" in html and "10月1日（周四） 至 10月7日（周三）" in html
    assert "9月20日（周日）" in html  # a make-up working day, listed
    assert "将替换该年现有的 <strong>1</strong> 条日历调整" in html
    assert "hy-day-previewed" in cell(html, "2026-10-01")
    assert "hy-day-changed" in cell(html, "2026-12-24")  # the manual day off goes
    assert "确认导入" in html and NOTICE_2026.splitlines()[0] in html  # the text rides along
    # Previewing writes nothing.
    assert not ConfirmedYear.objects.exists() and CalendarOverride.objects.count() == 1
    assert (
        not AuditEvent.objects.exists()
        or not AuditEvent.objects.filter(action__startswith="calendar").exists()
    )

    back = client.post("/console/calendar/2026/notice/", {"text": NOTICE_2026, "step": "edit"})
    assert back.status_code == 200 and "解析并预览" in back.content.decode()

    done = client.post("/console/calendar/2026/notice/", {"text": NOTICE_2026, "step": "confirm"})
    assert done.status_code == 302 and done["Location"] == "/console/calendar/2026/"
    confirmed = ConfirmedYear.objects.get(year=2026)
    assert (confirmed.source, confirmed.confirmed_by) == ("notice", cast.admin)
    days = dict(CalendarOverride.objects.values_list("day", "is_workday"))
    assert len(days) == 39 and days[date(2026, 10, 1)] is False and days[date(2026, 9, 20)] is True
    assert date(2026, 12, 24) not in days
    override = CalendarOverride.objects.get(day=date(2026, 10, 1))
    assert override.source == "notice"
    assert override.note == "国务院办公厅节假日安排通知（国办发明电〔2025〕7号）"
    assert AuditEvent.objects.get(action="calendar_year_imported").actor == cast.admin
    html = client.get(done["Location"]).content.decode()
    assert "已导入 2026 年节假日安排：7 个节假日，休 33 天，班 6 天" in html
    assert "没有办件的期限因此改变" in html
    assert "来源：国务院通知" in cell(html, "2026-10-01")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "这个字段是必填项"),
        ("随便写的一段话", "未找到节假日安排"),
        (NOTICE_2026.replace("1月1日（周四）", "1月1日（周五）"), "与实际星期不符"),
        (NOTICE_2026.replace("共7天", "共8天"), "天数不符"),
        (NOTICE_2026.replace("三、清明节", "四、清明节"), "条目编号不连续"),
    ],
)
@FROZEN
def test_a_malformed_notice_shows_the_error_keeps_the_text_and_writes_nothing(
    cast, client_for, text, message
):
    client = client_for(cast.admin)
    for step in ("preview", "confirm"):
        response = client.post("/console/calendar/2026/notice/", {"text": text, "step": step})
        html = response.content.decode()
        assert response.status_code == 400
        assert message in html
        assert "hy-notice-error" in html
        if text:
            assert text.splitlines()[0] in html  # kept in the text area
    assert not ConfirmedYear.objects.exists() and not CalendarOverride.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="calendar").exists()


@FROZEN
def test_a_notice_for_another_year_is_refused(cast, client_for):
    response = client_for(cast.admin).post(
        "/console/calendar/2027/notice/", {"text": NOTICE_2026, "step": "preview"}
    )
    assert response.status_code == 400
    assert "与指定的2027年不符" in response.content.decode()


@time_machine.travel(date(2027, 3, 25), tick=False)
def test_importing_a_provisional_year_says_how_many_cases_changed(cast, client_for):
    case = register(cast, on=date(2027, 3, 2), year=2027)
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2027, 3, 22)
    )
    case.refresh_from_db()
    assert (case.deadline, case.deadline_provisional) == (date(2027, 6, 22), True)
    other = register(cast, on=date(2027, 3, 2), year=2027)  # not assigned: no deadline

    client = client_for(cast.admin)
    preview = client.post("/console/calendar/2027/notice/", {"text": ITEMS_2027, "step": "preview"})
    assert "解析结果：1 个节假日，休 3 天，班 1 天" in preview.content.decode()
    assert "hy-day-changed" in cell(preview.content.decode(), "2027-06-22")
    done = client.post("/console/calendar/2027/notice/", {"text": ITEMS_2027, "step": "confirm"})
    html = client.get(done["Location"]).content.decode()
    assert "1 件办件的暂定期限已重新计算" in html
    case.refresh_from_db()
    assert (case.deadline, case.deadline_provisional) == (date(2027, 6, 23), False)
    assert "已确认" in html and "国务院通知" in html
    other.refresh_from_db()
    assert other.deadline is None


def test_items_without_the_heading_are_read_for_the_page_year(cast, client_for):
    response = client_for(cast.admin).post(
        "/console/calendar/2026/notice/", {"text": ITEMS_2026, "step": "preview"}
    )
    assert response.status_code == 200
    assert "解析结果：7 个节假日" in response.content.decode()
