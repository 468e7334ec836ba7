"""One set of figures (issue 9, point 4): 已答复, 超期未复, 按期答复率 and the working days
left or past are the same on 我的待办, the ledger, the dashboard, the statistics JSON (API
and command) and the annual summary, because all of them count with cases.figures."""

import io
import json
import re
from datetime import date
from io import StringIO

import docx
import pytest
import time_machine
from django.core.management import call_command
from django.http import QueryDict
from django.test import Client

from api.tests.helpers import ApiClient
from cases import actions
from cases.figures import days_text, workdays_left
from cases.listing import CaseFilter, list_cases
from cases.models import Case
from cases.todo import todo_for
from reports.dashboard import dashboard_data
from reports.stats import year_stats
from reports.summary import annual_summary
from workdays.calendar import WorkdaySpan

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 31)


def _html(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/dashboard/?year=2026")
    assert response.status_code == 200
    return response.content.decode()


def _card(html: str, key: str) -> str:
    return html.split(f'data-card="{key}"', 1)[1].split('<div class="col">', 1)[0]


@time_machine.travel(TODAY, tick=False)
def test_replied_and_overdue_agree_everywhere(year, cast):
    s = year_stats(year)
    # The hand-made year: a, b, c, d, h have a signed reply; a, b, c and d are closed now
    # (state ≠ replied), so counting `state == replied` would give 1.
    assert s["replied"] == 5
    assert Case.objects.filter(year=2026, state="replied").count() == 1
    # The case still handling was due 2026-06-02: 超期未复; the registered one has no deadline.
    assert s["overdue_unreplied"] == 1
    assert s["on_time_rate"] == 0.8  # 4 of 5 answers (DESIGN.md §5): 超期未复 is not in it

    # 我的待办 (a viewer's figures).
    summary = todo_for(cast.viewer, TODAY).summary
    assert summary is not None
    assert (summary.total, summary.replied, summary.open, summary.overdue) == (7, 5, 2, 1)

    # The dashboard: the card, the figure beside the rate, the overdue list.
    html = _html(cast.coordinator)
    assert 'data-count="5"' in _card(html, "replied")
    on_time = _card(html, "on_time")
    assert "80.0%" in on_time
    beside = re.search(
        r'hy-kpi-beside[^"]*"><a class="hy-fig" href="([^"]+)" data-count="(\d+)"', on_time
    )
    assert beside and beside.group(2) == "1"
    # Every figure has its definition written under it.
    assert "按期答复 ÷ 已答复" in on_time and "不计入答复率" in on_time
    assert "有已签发答复的办件" in _card(html, "replied")
    assert "已过答复期限、尚未答复的在办件" in html

    # The ledger the figures link to counts the same cases.
    url = beside.group(1).replace("&amp;", "&")
    assert (
        list_cases(cast.coordinator, CaseFilter.from_params(QueryDict(url.split("?")[1]))).count
        == 1
    )

    # The statistics JSON: API and command.
    body = ApiClient("viewer").get("/stats", {"year": 2026}).json()
    assert (body["replied"], body["overdue_unreplied"], body["as_of"]) == (5, 1, "2026-12-31")
    out = StringIO()
    call_command("stats", "--year", "2026", "--json", stdout=out)
    assert json.loads(out.getvalue())["overdue_unreplied"] == 1

    # The annual summary.
    document = docx.Document(io.BytesIO(annual_summary(2026, on=TODAY)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "已答复5件" in text and "超期未复1件" in text and "按期答复率80.0%" in text


def test_a_rehandled_case_is_replied_and_can_be_overdue(cast):
    """After 不满意 the case is handled again: it keeps its signed reply (已答复) and, past
    the new deadline, it is 超期未复 too — on every page alike."""
    from reports.tests.conftest import _assigned, _reply

    with time_machine.travel(date(2026, 4, 1), tick=False):
        case = _assigned(cast)
        _reply(cast, case, on=date(2026, 4, 1), cls="C")
        actions.record_feedback(
            case, by=cast.coordinator, result="unsatisfied", on=date(2026, 4, 1)
        )
    case.refresh_from_db()
    assert case.state == "handling" and case.deadline is not None
    with time_machine.travel(date(2026, 7, 1), tick=False):
        s = year_stats(2026)
        assert (s["replied"], s["overdue_unreplied"]) == (1, 1)
        summary = todo_for(cast.viewer, date(2026, 7, 1)).summary
        assert summary is not None and (summary.replied, summary.overdue) == (1, 1)


@time_machine.travel(date(2026, 10, 9), tick=False)
def test_the_dashboard_counts_working_days_as_todo_does(cast):
    """Due 2026-09-30, seen on 2026-10-09 (国庆 10-01..07; 10-08 and 10-09 working days,
    10-10 a make-up Saturday): the dashboard says 逾期 2 个工作日 — not "逾期9天" — as
    我的待办 does."""
    from reports.tests.conftest import _assigned

    late = _assigned(cast, received=date(2026, 6, 1))
    Case.objects.filter(pk=late.pk).update(deadline=date(2026, 9, 30))
    soon = _assigned(cast, received=date(2026, 6, 1))
    Case.objects.filter(pk=soon.pk).update(deadline=date(2026, 10, 12))
    data = dashboard_data(2026, None, on=date(2026, 10, 9))
    (overdue,) = data["deadlines"]["overdue_rows"]
    (due_soon,) = data["deadlines"]["due_soon_rows"]
    assert overdue["text"] == "逾期 2 个工作日"
    assert due_soon["text"] == "剩 2 个工作日"  # 10-10 (make-up Saturday) and 10-12
    html = _html(cast.coordinator)
    assert "逾期 2 个工作日" in html and "剩 2 个工作日" in html
    assert not re.search(r"逾期\d+天|剩\d+天", html)
    # The same words as 我的待办's overdue section.
    todo = todo_for(cast.coordinator, date(2026, 10, 9))
    rows = [r for s in todo.sections for r in s.rows if r.case.pk == late.pk and r.due_passed]
    assert rows and rows[0].days_text == "逾期 2 个工作日"
    span = WorkdaySpan(date(2026, 9, 1), date(2026, 10, 31))
    assert days_text(workdays_left(span, date(2026, 10, 9), date(2026, 9, 30)), True) == (
        "逾期 2 个工作日"
    )
