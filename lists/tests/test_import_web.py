"""导入清单 on the web: upload → preview (nothing written) → confirm → the list's page; for
the office only; another user's upload is a 404; pages in a bounded number of queries."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lists.models import Item, Measure, RectList
from lists.tests import messy
from reminders.tests.conftest import frozen

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload(client, data=None, **fields):
    post = {"name": "专项整治清单", "starts_on": "2026-03-02", "ends_on": "", "reports_to": "市委"}
    post.update(fields)
    post["file"] = SimpleUploadedFile("清单.xlsx", data or messy.build(), content_type=XLSX)
    return client.post(reverse("lists:import"), post)


def test_upload_preview_confirm(cast, client, django_assert_max_num_queries):
    client.force_login(cast.coordinator)
    assert client.get(reverse("lists:import")).status_code == 200
    response = _upload(client, owner=str(cast.leader.pk))
    assert response.status_code == 302
    preview = response["Location"]
    with django_assert_max_num_queries(12):
        page = client.get(preview)
    html = page.content.decode()
    assert page.status_code == 200
    assert "共35个事项、70条具体举措" in html and "第12行「完成时限」“长期坚持”" in html
    assert messy.item_title(35) in html and "急救电话10秒接听率" in html
    assert not RectList.objects.exists()  # the preview writes nothing
    digest = page.context["digest"]
    confirm = reverse("lists:import-confirm", args=[page.context["token"]])
    assert client.post(confirm, {"digest": "stale"}).status_code == 302
    assert not RectList.objects.exists()
    with frozen(messy_day()):
        done = client.post(confirm, {"digest": digest})
    rect_list = RectList.objects.get()
    assert done["Location"] == reverse("lists:detail", args=[rect_list.pk])
    assert (rect_list.name, rect_list.owner, rect_list.reports_to) == (
        "专项整治清单",
        cast.leader,
        "市委",
    )
    assert Item.objects.count() == 35 and Measure.objects.count() == 70
    # The job is gone: a second confirmation finds nothing to import.
    assert client.post(confirm, {"digest": digest}).status_code == 404
    assert RectList.objects.count() == 1


def messy_day():
    from datetime import date

    return date(2026, 3, 2)


def test_problems_are_shown_and_nothing_imported(cast, client):
    client.force_login(cast.coordinator)
    response = _upload(client, messy.build(unknown_unit_at=1, bad_date_at=4))
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "宣传处" in html and "2026年13月" in html and "未导入任何数据" in html
    assert "确认导入" not in html
    confirm = reverse("lists:import-confirm", args=[page.context["token"]])
    client.post(confirm, {"digest": page.context["digest"]})
    assert not RectList.objects.exists()


def test_an_unreadable_file_stays_on_the_form(cast, client):
    client.force_login(cast.coordinator)
    response = _upload(client, b"plain text, not a workbook")
    assert response.status_code == 400
    assert "仅支持导入.xlsx文件" in response.content.decode()
    bad = _upload(client, starts_on="9999-01-01")
    assert bad.status_code == 400


@pytest.mark.parametrize("who", ["yizheng_head", "leader", "viewer", "outsider"])
def test_only_the_office_imports(cast, client, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("lists:import")).status_code == 403
    assert _upload(client).status_code == 403
    assert not RectList.objects.exists()


def test_another_users_upload_is_missing(cast, client):
    from cases.tests.factories import make_user
    from orgs.models import Role

    client.force_login(cast.coordinator)
    preview = _upload(client)["Location"]
    other = make_user("coordinator2", (cast.office, Role.COORDINATOR))
    client.force_login(other)
    assert client.get(preview).status_code == 404
    assert client.get(reverse("lists:import-preview", args=["a.b"])).status_code == 404


def test_anonymous_is_sent_to_login(client):
    assert client.get(reverse("lists:import")).status_code == 302
