"""The pages: the bell (one capped query), the list with its filters, mark read (one, all,
someone else's), the user's own settings, the administrators' failed messages."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from cases import actions
from cases.tests.factories import register
from huiyin.plans import text_of
from notify.models import Message, Notification, Preference, Status
from notify.queries import BELL_CAP, bell_label


def notify(user, *, kind="reminder", title="【到期提醒】一件建议", case=None, read=False, n=1):
    from django.utils import timezone

    return Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind=kind,
            title=f"{title}{i}" if n > 1 else title,
            body="答复期限：2026年6月22日\n剩余5个工作日",
            link=f"/cases/{case.pk}/" if case else "",
            case=case,
            read_at=timezone.now() if read else None,
        )
        for i in range(n)
    )


def bell_queries(client, url="/notifications/") -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries if "notify_notification" in q["sql"]]


def test_the_bell_shows_the_unread_count_capped(cast, client_for):
    client = client_for(cast.yizheng_handler)
    html = client.get("/").content.decode()
    assert 'class="hy-bell"' in html and "hy-bell-count" not in html
    notify(cast.yizheng_handler, n=3)
    notify(cast.yizheng_handler, read=True)
    notify(cast.yizheng_head, n=5)  # someone else's
    html = client.get("/").content.decode()
    assert 'data-count="3">3</span>' in html and "通知，3 条未读" in html
    notify(cast.yizheng_handler, n=120)
    html = client.get("/").content.decode()
    assert 'data-count="100">99+</span>' in html
    assert bell_label(BELL_CAP - 1) == "99" and bell_label(BELL_CAP) == "99+"


def test_the_bell_is_one_bounded_query(cast, client_for):
    client = client_for(cast.yizheng_handler)
    client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/")
    # What ran (an `EXECUTE hy_7(5)` on PostgreSQL: huiyin/plans.py).
    sent = [text_of(q["sql"]) for q in ctx.captured_queries]
    (bell,) = [sql for sql in sent if "notify_notification" in sql]
    assert "COUNT(*)" in bell and "LIMIT 100" in bell and "read_at" in bell
    notify(cast.yizheng_handler, n=150)
    with CaptureQueriesContext(connection) as ctx:
        client.get("/")
    sent = [text_of(q["sql"]) for q in ctx.captured_queries]
    assert len([sql for sql in sent if "notify_notification" in sql]) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans: PostgreSQL")
def test_the_bell_reads_the_inbox_index(cast):
    from django.contrib.auth import get_user_model

    # Many users, and a reader with years of read notifications and a few unread ones: the
    # count reads the unread rows only.
    others = [get_user_model().objects.create(username=f"u{i}") for i in range(20)]
    for other in others:
        notify(other, n=100, read=True)
    notify(cast.leader, n=3000, read=True)
    notify(cast.leader, n=3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE notify_notification")
    unread = Notification.objects.filter(recipient=cast.leader, read_at__isnull=True)
    plan = unread.values("id")[:BELL_CAP].explain()
    assert "notify_unread" in plan and "Seq Scan" not in plan, plan


def test_the_list_filters_and_links_each_notice_to_its_case(cast, client_for):
    case = register(cast, on=date(2026, 3, 20))
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 20)
    )
    notify(cast.yizheng_handler, case=case, title="【到期提醒】未读的一件")
    notify(cast.yizheng_handler, title="【催办】已读的一件", kind="urge", read=True)
    notify(cast.yizheng_handler, kind="digest", title="【每日汇总】超期办件")
    notify(cast.yizheng_head, title="别人的通知")
    client = client_for(cast.yizheng_handler)

    html = client.get("/notifications/").content.decode()  # unread by default
    assert "未读的一件" in html and "超期办件" in html
    assert "已读的一件" not in html and "别人的通知" not in html
    assert f'href="/cases/{case.pk}/"' in html and case.number in html
    html = client.get("/notifications/?show=all").content.decode()
    assert "已读的一件" in html and "未读的一件" in html
    html = client.get("/notifications/?show=all&kind=urge").content.decode()
    assert "已读的一件" in html and "未读的一件" not in html
    for bad in ("show=some", "kind=nonsense", "before=abc", "before=0", "kind=%00"):
        response = client.get(f"/notifications/?{bad}")
        assert response.status_code == 400, bad
        assert "无效的筛选条件" in response.content.decode()


def test_the_list_pages_by_id(cast, client_for):
    notify(cast.leader, n=45)
    client = client_for(cast.leader)
    first = client.get("/notifications/")
    assert first.context["page"].next_before is not None
    assert len(first.context["page"].rows) == 30
    second = client.get(f"/notifications/?before={first.context['page'].next_before}")
    assert len(second.context["page"].rows) == 15 and second.context["page"].next_before is None
    seen = {n.pk for n in first.context["page"].rows} | {n.pk for n in second.context["page"].rows}
    assert len(seen) == 45


def test_mark_one_read_and_open_its_case(cast, client_for):
    case = register(cast, on=date(2026, 3, 20))
    (mine,) = notify(cast.yizheng_handler, case=case)
    (theirs,) = notify(cast.yizheng_head)
    client = client_for(cast.yizheng_handler)

    assert client.get(f"/notifications/{mine.pk}/read/").status_code == 405  # POST only
    response = client.post(f"/notifications/{mine.pk}/read/", {"next": "/notifications/"})
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    mine.refresh_from_db()
    first_read = mine.read_at
    assert first_read is not None
    # Opening it goes to the case; reading it again keeps the first time.
    response = client.post(f"/notifications/{mine.pk}/read/", {"open": "1"})
    assert response["Location"] == f"/cases/{case.pk}/"
    mine.refresh_from_db()
    assert mine.read_at == first_read
    # Someone else's is not found, and an address elsewhere is never a redirect target.
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    response = client.post(f"/notifications/{mine.pk}/read/", {"next": "https://evil.example/"})
    assert response["Location"] == "/notifications/"
    response = client.post(f"/notifications/{mine.pk}/read/", {"next": "//evil.example/"})
    assert response["Location"] == "/notifications/"


def test_mark_all_read(cast, client_for):
    notify(cast.yizheng_handler, n=4)
    notify(cast.yizheng_head, n=2)
    client = client_for(cast.yizheng_handler)
    response = client.post("/notifications/read-all/", {"next": "/notifications/?show=all"})
    assert response["Location"] == "/notifications/?show=all"
    assert not Notification.objects.filter(recipient=cast.yizheng_handler, read_at=None).exists()
    assert Notification.objects.filter(recipient=cast.yizheng_head, read_at=None).count() == 2
    html = client.get("/notifications/", follow=True).content.decode()
    assert "没有未读的通知" in html and "hy-bell-count" not in html


def test_the_settings_page_saves_the_users_own_choice(cast, client_for):
    client = client_for(cast.yizheng_handler)
    html = client.get("/account/notifications/").content.decode()
    assert 'name="email"' in html and "checked" in html and "yizheng_clerk@example.org" in html
    response = client.post("/account/notifications/", {"digest": "on"})
    assert response.status_code == 302
    saved = Preference.objects.get(user=cast.yizheng_handler)
    assert (saved.email, saved.digest) == (False, True)
    event = AuditEvent.objects.get(action="notify_preference_changed")
    assert event.actor == cast.yizheng_handler
    assert event.details["changes"] == {"email": [True, False], "digest": [False, True]}
    # Saving the same again writes no event.
    client.post("/account/notifications/", {"digest": "on"})
    assert AuditEvent.objects.filter(action="notify_preference_changed").count() == 1


def test_without_an_address_the_email_switch_keeps_its_value(cast, client_for):
    cast.viewer.email = ""
    cast.viewer.save()
    client = client_for(cast.viewer)
    html = client.get("/account/notifications/").content.decode()
    assert "没有登记电子邮件地址" in html and "disabled" in html
    client.post("/account/notifications/", {"digest": "on"})
    saved = Preference.objects.get(user=cast.viewer)
    assert (saved.email, saved.digest) == (True, True)


def test_the_outbox_page_is_for_administrators(cast, client_for):
    message = Message.objects.create(
        key="k",
        channel="email",
        recipient=cast.leader,
        kind="reminder",
        subject="<b>提醒</b>",
        text="正文",
        status=Status.FAILED,
        attempts=8,
        last_error="SMTPServerDisconnected: <script>",
    )
    html = client_for(cast.admin).get("/console/outbox/").content.decode()
    assert f'id="message-{message.pk}"' in html
    assert "&lt;b&gt;提醒&lt;/b&gt;" in html and "&lt;script&gt;" in html
    assert "发送失败 1 条" in html
    for who in (cast.coordinator, cast.leader, cast.yizheng_handler):
        assert client_for(who).get("/console/outbox/").status_code == 403
        assert client_for(who).post(f"/console/outbox/{message.pk}/retry/").status_code == 403
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert client_for(cast.admin).post("/console/outbox/999999/retry/").status_code == 404
    assert client_for(cast.admin).get("/console/outbox/?before=x").status_code == 400


def test_a_notice_links_into_the_app_and_escapes_the_rest(settings):
    from notify.templatetags.notify_tags import notice_body

    settings.HUIYIN_SITE_URL = "http://example.test:8000"
    html = notice_body(
        "1. 20260023 <关于>\nhttp://example.test:8000/cases/23/\nhttp://other.test/x"
        "\n查看：http://example.test:8000/cases/7/"
    )
    assert '<a href="/cases/23/">办件页面</a>' in html
    assert '查看：<a href="/cases/7/">办件页面</a>' in html
    assert "&lt;关于&gt;" in html
    assert "http://other.test/x" in html and 'href="http://other.test' not in html
    # A path that starts with // (or /\\) is another site's address: left as text.
    for trick in ("//evil.example/a", "/\\evil.example/a"):
        html = notice_body(f"查看：http://example.test:8000{trick}")
        assert "<a" not in html and "evil.example/a" in html


def test_a_case_the_user_no_longer_sees_is_left_out_of_the_list_and_the_bell(cast, client_for):
    seen = register(cast, on=date(2026, 3, 20), title="看得见的建议")
    actions.assign_case(
        seen, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 20)
    )
    unseen = register(cast, on=date(2026, 3, 21), title="看不见的建议")
    notify(cast.yizheng_handler, case=seen, title=f"【到期提醒】{seen.number} {seen.title}")
    notify(cast.yizheng_handler, case=unseen, title=f"【到期提醒】{unseen.number} {unseen.title}")
    notify(cast.yizheng_handler, kind="digest", title="【每日汇总】超期办件")
    client = client_for(cast.yizheng_handler)
    for url in ("/notifications/", "/notifications/?show=all"):
        html = client.get(url).content.decode()
        assert "看得见的建议" in html and "超期办件" in html
        assert "看不见的建议" not in html and unseen.number not in html
    assert 'data-count="2">2</span>' in html  # the bell counts what the list shows
    # The coordinator sees every case: nothing is left out.
    notify(cast.coordinator, case=unseen, title="看不见的建议")
    assert "看不见的建议" in client_for(cast.coordinator).get("/notifications/").content.decode()


def test_the_bell_compiled_once_for_a_set_of_units_counts_each_user_s_own(cast):
    """The bell's query is compiled once for every user of the same units (notify.queries
    `_BELLS`) and run with each user's id: the count is each user's, as a fresh query
    says, and a case the unit no longer holds is not counted."""
    from notify import queries

    elsewhere = register(cast, on=date(2026, 3, 2))  # no unit holds it yet
    mine = register(cast, on=date(2026, 3, 2))
    actions.assign_case(
        mine, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 3, 3)
    )
    notify(cast.yizheng_head, n=2, case=mine)
    notify(cast.yizheng_head, case=elsewhere)  # not the unit's: not shown, not counted
    notify(cast.yizheng_handler, n=4)
    notify(cast.coordinator, n=3, case=elsewhere)  # sees every case
    queries._BELLS.clear()
    for user, expected in [
        (cast.yizheng_head, 2),
        (cast.yizheng_handler, 4),
        (cast.coordinator, 3),
        (cast.jiceng_head, 0),
    ]:
        fresh = queries._shown(user).filter(read_at__isnull=True)[:BELL_CAP].count()
        assert (queries.unread_count(user), fresh) == (expected, expected), user
    # The head and the handler of 医政医管处 share one compiled query; the coordinator and
    # 基层卫生处 have theirs.
    assert len(queries._BELLS) == 3
