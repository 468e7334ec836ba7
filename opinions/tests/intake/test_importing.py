"""批量导入: the plan (errors by row and column, near-duplicate groups, nothing written), the
write (all or nothing; the same numbers, codes, areas and deadlines as register_opinion; one
`import` event per case), and the pages (upload, preview, confirm, progress)."""

import csv
import io
import os
import time
from datetime import date, datetime

import pytest
from django.db import connection
from openpyxl import Workbook, load_workbook

from audit.models import AuditEvent
from cases.models import Case
from opinions import importing
from opinions.campaigns import create_campaign
from opinions.importing import import_opinions, plan_opinions
from opinions.models import Opinion
from transfer.errors import ImportFileError
from workflow.errors import CaseError

from .conftest import SHANGHAI

pytestmark = pytest.mark.django_db
HEADER = ["渠道", "征集活动", "单位", "日期", "内容", "领域", "反映人", "电话"]


def xlsx(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def csv_bytes(rows, header=HEADER, encoding="utf-8-sig") -> bytes:
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(header)
    writer.writerows(rows)
    return output.getvalue().encode(encoding)


def _row(**kw):
    values = {
        "渠道": "意见簿",
        "征集活动": "",
        "单位": "医政医管处",
        "日期": "2026-04-13",
        "内容": "门诊挂号排队时间太长，建议增加自助挂号机。",
        "领域": "",
        "反映人": "张女士",
        "电话": "13812341234",
    }
    values.update(kw)
    return [values[h] for h in HEADER]


def _errors(plan):
    return [(e.row, e.column, e.message) for e in plan.errors]


def test_a_clean_file_plans_every_row_and_writes_nothing(cast, clock):
    data = xlsx(
        [_row(), _row(渠道="电话", 日期=datetime(2026, 4, 14, 15, 20), 内容="护士态度不好")]
    )
    plan = plan_opinions(data, "意见.xlsx", user=cast.coordinator)
    assert not plan.errors
    assert [r.row for r in plan.rows] == [2, 3]
    assert [r.channel for r in plan.rows] == ["book", "phone"]
    assert plan.rows[1].received_time.isoformat() == "15:20:00"
    assert plan.notes == [importing.UNIT_NOTE]  # 单位 is read and not imported
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"渠道": "传真"}, "渠道", "无法识别的渠道“传真”"),
        ({"内容": ""}, "内容", "内容为空"),
        ({"内容": "   "}, "内容", "内容为空"),
        ({"内容": "长" * 20_001}, "内容", "内容不能超过20000个字符"),
        ({"内容": "有\x07响铃字符"}, "内容", "不能含有控制字符"),
        ({"反映人": "张\x1b三"}, "反映人", "不能含有控制字符"),
        ({"日期": "四月十一日"}, "日期", "无法识别的日期"),
        ({"日期": "2026-02-30"}, "日期", "不存在"),
        ({"日期": ""}, "日期", "日期为空"),
        ({"日期": "2026-04-16"}, "日期", "晚于今天"),
        ({"日期": "1999-01-01"}, "日期", "2000"),
        ({"电话": "138abc"}, "电话", "只能包含数字"),
        ({"电话": "1" * 21}, "电话", "不能超过20个字符"),
        ({"反映人": "名" * 51}, "反映人", "不能超过50个字符"),
        ({"征集活动": "没有这个活动"}, "征集活动", "没有名为“没有这个活动”的征集活动"),
        ({"领域": "天文"}, "领域", "无法识别的领域“天文”"),
    ],
)
def test_errors_name_the_row_and_the_column(cast, clock, cells, column, message):
    # .csv: a worksheet cannot hold control characters at all.
    data = csv_bytes([_row(), _row(**cells), _row()])
    plan = plan_opinions(data, "意见.csv", user=cast.coordinator)
    assert len(plan.errors) == 1, _errors(plan)
    error = plan.errors[0]
    assert (error.row, error.column) == (3, column)
    assert message in error.message
    assert str(error).startswith(f"第3行「{column}」：")
    assert plan.has_errors and plan.summary().endswith("未导入任何数据")
    with pytest.raises(CaseError):
        import_opinions(plan, by=cast.coordinator, source="意见.csv")
    assert not Case.objects.exists()


def test_several_errors_of_one_row_are_all_listed(cast, clock):
    plan = plan_opinions(
        xlsx([_row(渠道="传真", 日期="明天", 内容="")]), "a.xlsx", user=cast.coordinator
    )
    # In the file's column order (HEADER: 渠道 … 日期, 内容 …).
    assert [(e.row, e.column) for e in plan.errors] == [(2, "渠道"), (2, "日期"), (2, "内容")]


def test_cells_are_read_as_people_write_them(cast, clock):
    campaign = create_campaign(
        by=cast.coordinator, name="解放思想大讨论", starts_on=date(2026, 3, 1)
    )
    rows = [
        _row(
            渠道="市解放思想大讨论领导小组办公室转来",
            征集活动="解放思想大讨论 ",
            领域="人才队伍建设",
        ),
        _row(渠道="热线", 日期="2026年4月11日", 领域="卫生监督", 电话=13812341234),
        _row(渠道="ＷＥＢ", 日期="2026.4.10 9:05", 领域="enforcement", 征集活动=str(campaign.pk)),
        _row(渠道="", 日期=46122, 领域=""),  # an Excel serial: 2026-04-10
    ]
    plan = plan_opinions(xlsx(rows), "a.xlsx", user=cast.coordinator, default_channel="visit")
    assert not plan.errors, _errors(plan)
    got = [(r.channel, r.campaign_id, r.area, r.received_on, r.phone) for r in plan.rows]
    assert got == [
        ("forwarded", campaign.pk, "talent", date(2026, 4, 13), "13812341234"),
        ("phone", None, "enforcement", date(2026, 4, 11), "13812341234"),
        ("web", campaign.pk, "enforcement", date(2026, 4, 10), "13812341234"),
        ("visit", None, "", date(2026, 4, 10), "13812341234"),
    ]
    assert plan.rows[2].received_time.isoformat() == "09:05:00"


def test_missing_columns_are_header_errors(cast, clock):
    plan = plan_opinions(
        xlsx([["很好的建议"]], header=["内容", "反映人"]), "a.xlsx", user=cast.coordinator
    )
    assert [(e.row, e.column) for e in plan.errors] == [(0, "日期"), (0, "渠道")]
    assert str(plan.errors[0]) == "表头「日期」：缺少「日期」列（收到日期）"
    # A default channel stands in for the column.
    plan = plan_opinions(
        xlsx([["很好的建议", "2026-04-01"]], header=["意见内容", "收到日期"]),
        "a.xlsx",
        user=cast.coordinator,
        default_channel="book",
    )
    assert not plan.errors and plan.rows[0].channel == "book"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "a.csv", "文件是空的"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "a.xls", "旧版Excel"),
        (b"PK\x03\x04broken", "a.xlsx", "文件已损坏"),
        (b"hello", "a.pdf", "仅支持导入.xlsx或.csv文件"),
        ("姓名,年龄\n张三,3\n".encode(), "a.csv", "没有找到表头"),
    ],
)
def test_unreadable_files_are_refused_as_a_whole(cast, data, name, message):
    with pytest.raises(ImportFileError, match=message):
        plan_opinions(data, name, user=cast.coordinator)


def test_csv_in_gbk_with_a_title_row(cast, clock):
    text = "2026年意见簿汇总\n" + "内容,日期,渠道\n" + "病房太吵了,2026-04-01,意见簿\n"
    plan = plan_opinions(text.encode("gb18030"), "a.csv", user=cast.coordinator)
    assert not plan.errors and plan.header_row == 2
    assert plan.rows[0].content == "病房太吵了" and plan.rows[0].row == 3


def test_near_duplicates_are_grouped_in_the_plan(cast, clock):
    rows = [
        _row(内容="医院停车太难，建议增加停车位"),  # 2
        _row(内容="护士态度不好"),  # 3
        _row(内容="医院停车太难了，建议增加停车位！"),  # 4
        _row(内容="医院停车太难，建议增加停车位"),  # 5
    ]
    plan = plan_opinions(xlsx(rows), "a.xlsx", user=cast.coordinator)
    assert plan.groups == [[2, 4, 5]]


def test_the_import_writes_what_register_opinion_writes(cast, clock, opinion):
    first = opinion("先登记的一条：医院食堂太贵")  # YJ2026-000001
    campaign = create_campaign(by=cast.coordinator, name="医院开放日", starts_on=date(2026, 4, 1))
    rows = [
        _row(日期="2026-04-11", 领域="信息化", 征集活动="医院开放日"),  # a Saturday
        _row(日期="2026-04-13 08:30", 内容="乡镇卫生院缺医生，看个病要跑到县城"),
        _row(日期="2025-12-31", 内容="去年的意见：医保报销比例太低"),
    ]
    plan = plan_opinions(xlsx(rows), "意见簿.xlsx", user=cast.coordinator)
    written = []

    def record(sender, case_ids, **kwargs):
        written.append(list(case_ids))

    from audit.signals import cases_written

    cases_written.connect(record, dispatch_uid="test-record")
    try:
        ids = import_opinions(plan, by=cast.coordinator, source="意见簿.xlsx")
    finally:
        cases_written.disconnect(dispatch_uid="test-record")
    cases = list(Case.objects.filter(pk__in=ids).order_by("pk").select_related("opinion"))
    assert [c.number for c in cases] == ["YJ2026-000002", "YJ2026-000003", "YJ2025-000001"]
    assert first.number == "YJ2026-000001"
    saturday, monday, old = cases
    assert all(c.state == "registered" and c.category == "public_opinion" for c in cases)
    # The same deadlines as register_opinion: 5 working days, forwarding the next working day.
    assert (saturday.received_on, saturday.deadline) == (date(2026, 4, 11), date(2026, 4, 17))
    assert saturday.opinion.forward_target == date(2026, 4, 13)
    assert monday.opinion.forward_target == date(2026, 4, 13)
    assert monday.deadline == date(2026, 4, 20)
    assert monday.deadline_rule == {"rule": "workdays:5", "from": "2026-04-13"}
    assert monday.opinion.received_at == datetime(2026, 4, 13, 8, 30, tzinfo=SHANGHAI)
    assert saturday.opinion.received_at == datetime(2026, 4, 11, 9, 0, tzinfo=SHANGHAI)
    assert (
        saturday.opinion.area == "digital"
        and saturday.opinion.area_confirmed_by == cast.coordinator
    )
    assert saturday.opinion.campaign_id == campaign.pk
    assert monday.opinion.area == "" and monday.opinion.suggested_area == "primary"
    assert monday.title == "乡镇卫生院缺医生，看个病要跑到县城"
    assert len({c.opinion.code for c in cases}) == 3
    assert (old.year, old.deadline) == (2025, date(2026, 1, 8))
    events = AuditEvent.objects.filter(case__in=cases)
    assert events.count() == 3
    assert {(e.action, e.from_state, e.to_state, e.actor_id) for e in events} == {
        ("import", "", "registered", cast.coordinator.pk)
    }
    assert sorted(e.details["row"] for e in events) == [2, 3, 4]
    # The derived rows are told (audit.signals.cases_written), once per chunk.
    assert written == [ids]


def test_a_failure_midway_leaves_nothing(cast, clock, monkeypatch):
    rows = [_row(内容=f"第{i}条：病房空调坏了没人修") for i in range(25)]
    plan = plan_opinions(xlsx(rows), "a.xlsx", user=cast.coordinator)
    monkeypatch.setattr(importing, "CHUNK", 10)
    calls = []

    def fail_on_third(sender, case_ids, **kwargs):
        calls.append(len(case_ids))
        if len(calls) == 3:
            raise RuntimeError("disk full")

    from audit.signals import cases_written

    cases_written.connect(fail_on_third, dispatch_uid="test-fail")
    try:
        with pytest.raises(RuntimeError):
            import_opinions(plan, by=cast.coordinator, source="a.xlsx")
    finally:
        cases_written.disconnect(dispatch_uid="test-fail")
    assert calls == [10, 10, 5]
    assert not Case.objects.filter(category="public_opinion").exists()
    assert not Opinion.objects.exists()
    assert not AuditEvent.objects.filter(action="import").exists()
    from opinions.models import OpinionNumber

    assert not OpinionNumber.objects.filter(last__gt=0).exists()


def test_only_the_registrar_plans_and_imports(cast, clock):
    from huiyin.errors import Forbidden

    data = xlsx([_row()])
    with pytest.raises(Forbidden):
        plan_opinions(data, "a.xlsx", user=cast.leader)
    plan = plan_opinions(data, "a.xlsx", user=cast.coordinator)
    with pytest.raises(Forbidden):
        import_opinions(plan, by=cast.yizheng_head, source="a.xlsx")
    assert not Case.objects.exists()


def test_the_template_imports_back(cast, clock, client_for):
    response = client_for(cast.coordinator).get("/opinions/import/template.xlsx")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == [
        "渠道",
        "征集活动",
        "日期",
        "内容",
        "领域",
        "反映人",
        "电话",
    ]
    plan = plan_opinions(response.content, "t.xlsx", user=cast.coordinator)
    assert not plan.errors and len(plan.rows) == 1


# --- the pages ---------------------------------------------------------------------------


def _upload(client, data, name="意见.xlsx", **extra):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post("/opinions/import/", {"file": upload, **extra})


def test_upload_preview_confirm(cast, clock, client_for):
    client = client_for(cast.coordinator)
    rows = [_row(), _row(内容="门诊挂号排队时间太长，建议增加自助挂号机"), _row(内容="病房太吵")]
    response = _upload(client, xlsx(rows))
    assert response.status_code == 302
    job_url = response["Location"]
    token = job_url.rstrip("/").rsplit("/", 1)[1]
    page = client.get(job_url)
    html = page.content.decode()
    assert page.context["job"]["status"] == "checked"
    assert "共3行，可导入3条意见" in html
    assert "疑似重复" in html and "2、3" in html  # rows 2 and 3 grouped
    assert "「单位」列不导入" in html
    digest = page.context["preview"]["digest"]
    # A stale or forged digest imports nothing.
    client.post(f"/opinions/import/{token}/confirm/", {"digest": "x"})
    assert not Case.objects.filter(category="public_opinion").exists()
    response = client.post(f"/opinions/import/{token}/confirm/", {"digest": digest})
    assert response.status_code == 302
    done = client.get(job_url)
    assert done.context["job"]["status"] == "done"
    assert "已导入 3 条意见" in done.content.decode()
    assert Case.objects.filter(category="public_opinion").count() == 3
    # Twice is once.
    client.post(f"/opinions/import/{token}/confirm/", {"digest": digest})
    assert Case.objects.filter(category="public_opinion").count() == 3
    progress = client.get(f"/opinions/import/{token}/progress/")
    assert progress.status_code == 200 and progress["HX-Redirect"] == job_url


def test_a_file_with_errors_shows_them_and_cannot_be_confirmed(cast, clock, client_for):
    client = client_for(cast.coordinator)
    response = _upload(client, csv_bytes([_row(), _row(渠道="传真"), _row(内容="")]), "a.csv")
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "第3行" in html and "无法识别的渠道“传真”" in html
    assert "第4行" in html and "内容为空" in html
    assert 'id="import-confirm"' not in html
    token = response["Location"].rstrip("/").rsplit("/", 1)[1]
    client.post(f"/opinions/import/{token}/confirm/", {"digest": page.context["preview"]["digest"]})
    assert not Case.objects.filter(category="public_opinion").exists()


def test_an_unreadable_file_is_refused_on_the_form(cast, client_for):
    response = _upload(client_for(cast.coordinator), b"PK\x03\x04junk")
    assert response.status_code == 400
    assert "文件已损坏" in response.content.decode()
    response = _upload(client_for(cast.coordinator), b"abc", "a.xls")
    assert response.status_code == 400
    assert "旧版Excel" in response.content.decode()


def test_a_job_is_its_owners_and_the_registrars(cast, clock, client_for):
    from cases.tests.factories import make_user
    from orgs.models import Role

    response = _upload(client_for(cast.coordinator), xlsx([_row()]))
    job_url = response["Location"]
    colleague = make_user("clerk2", (cast.office, Role.COORDINATOR))
    assert client_for(colleague).get(job_url).status_code == 404
    assert client_for(cast.leader).get(job_url).status_code == 403
    assert client_for(cast.leader).get("/opinions/import/").status_code == 403
    assert client_for(cast.coordinator).get("/opinions/import/nonexistent/").status_code == 404
    assert client_for(cast.coordinator).get("/opinions/import/..%2F..%2Fetc/").status_code == 404


def test_a_large_file_runs_in_the_background_with_progress(cast, clock, client_for, monkeypatch):
    from opinions import import_views

    monkeypatch.setattr(import_views, "INLINE_APPLY_ROWS", 1)
    started = []
    monkeypatch.setattr(import_views.transaction, "on_commit", lambda fn: started.append(fn))
    client = client_for(cast.coordinator)
    response = _upload(client, xlsx([_row(内容=f"第{i}条：候诊区座位太少") for i in range(5)]))
    job_url = response["Location"]
    token = job_url.rstrip("/").rsplit("/", 1)[1]
    digest = client.get(job_url).context["preview"]["digest"]
    client.post(f"/opinions/import/{token}/confirm/", {"digest": digest})
    page = client.get(job_url)
    assert page.context["job"]["status"] == "running"
    html = page.content.decode()
    assert f'hx-get="/opinions/import/{token}/progress/"' in html
    assert "vendor/htmx/htmx.min.js" in html
    assert "正在准备导入" in html
    progress = client.get(f"/opinions/import/{token}/progress/")
    assert "HX-Redirect" not in progress
    import_views.write_state(token, phase="writing", done=2, total=5)
    progress = client.get(f"/opinions/import/{token}/progress/").content.decode()
    assert "已写入 2 / 5 条" in progress and 'aria-valuenow="40"' in progress
    import_views.write_state(token, phase="preparing", done=0)
    import_views.run_job(token)  # what the thread does
    assert client.get(job_url).context["job"]["status"] == "done"
    assert Case.objects.filter(category="public_opinion").count() == 5


# --- 30,000 rows ---------------------------------------------------------------------------


@pytest.mark.skipif(not os.environ.get("HUIYIN_SLOW_TESTS"), reason="slow: set HUIYIN_SLOW_TESTS=1")
def test_30000_rows_in_under_a_minute(cast, clock):
    from .test_similar import _batch

    texts = _batch(30_000)
    days = ["2026-03-02", "2026-03-15", "2026-04-01", datetime(2026, 4, 10, 14, 5)]
    channels = ["意见簿", "电话", "网站", "转来"]
    rows = [
        [channels[i % 4], "", "", days[i % 4], text, "", f"群众{i}", f"138{i:08d}"]
        for i, text in enumerate(texts)
    ]
    data = xlsx(rows)
    started = time.perf_counter()
    plan = plan_opinions(data, "big.xlsx", user=cast.coordinator)
    planned = time.perf_counter() - started
    assert not plan.errors
    ids = import_opinions(plan, by=cast.coordinator, source="big.xlsx")
    elapsed = time.perf_counter() - started
    print(f"\n{connection.vendor}: plan {planned:.1f} s, plan + import {elapsed:.1f} s")
    assert len(ids) == 30_000
    assert Opinion.objects.count() == 30_000
    assert AuditEvent.objects.filter(action="import").count() == 30_000
    assert elapsed < 60, f"{elapsed:.1f} s"
