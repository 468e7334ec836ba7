"""待办 (cases.todo) on hand-made data: which cases land in which section, in what order,
and how many working days are left, around the 2026 Mid-Autumn and National Day breaks."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases import actions
from cases.models import Case
from cases.tests.factories import make_user, register
from cases.todo import days_from, todo_for
from orgs.models import Role
from workdays.calendar import WorkdaySpan
from workdays.models import CalendarOverride
from workflow.tables import workflow_for

pytestmark = pytest.mark.django_db

# Tuesday, the last working days before 国庆 (10-01..10-07 off, Saturday 10-10 worked).
TODAY = date(2026, 9, 29)
FROZEN = time_machine.travel(
    datetime(2026, 9, 29, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
)
GATES = {"format": True, "policy": True, "content": True, "resolution": True}


def _reply(case, by, on):
    actions.submit_reply(
        case, by=by, text="答复内容", reply_class="A", contact="联系人", phone="1", on=on
    )


class World:
    """One case for every place a case can wait, named by where it should show up."""

    def __init__(self, cast) -> None:
        self.cast = cast
        c = cast
        self.leader2 = make_user("leader2", (c.office, Role.LEADER), full_name="孙副主任")
        self.clerk2 = make_user("yizheng_clerk2", (c.yizheng, Role.HANDLER), full_name="钱科员")

        def case(title, on, **kw):
            return register(c, on=on, title=title, **kw)

        def assign(x, unit, on, **kw):
            actions.assign_case(x, by=c.coordinator, lead_unit=unit, assigned_on=on, **kw)

        self.r_plain = case("待交办甲", date(2026, 9, 1))
        self.r_explicit = case("待交办乙", date(2026, 9, 2), explicit_deadline=date(2026, 10, 9))
        self.r_returned = case("退回件", date(2026, 9, 1))
        assign(self.r_returned, c.yizheng, date(2026, 9, 24))
        actions.return_case(
            self.r_returned, by=c.yizheng_head, reason="不属于本处职责", on=date(2026, 9, 25)
        )

        self.a_pending = case("待签收件", date(2026, 9, 28))
        assign(self.a_pending, c.yizheng, date(2026, 9, 28), co_units=[c.jiceng])

        self.h_mine = case("赵科员办理件", date(2026, 7, 1))
        assign(self.h_mine, c.yizheng, date(2026, 7, 1))
        actions.accept_case(self.h_mine, by=c.yizheng_handler, on=date(2026, 7, 2))

        self.h_other = case("钱科员办理件", date(2026, 8, 3))
        assign(self.h_other, c.yizheng, date(2026, 8, 3), handler=self.clerk2)
        actions.accept_case(self.h_other, by=c.yizheng_head, on=date(2026, 8, 4))

        self.u_approving = case("待处室审核件", date(2026, 6, 1))
        assign(self.u_approving, c.yizheng, date(2026, 6, 1))
        actions.accept_case(self.u_approving, by=c.yizheng_handler, on=date(2026, 6, 2))
        _reply(self.u_approving, c.yizheng_handler, date(2026, 9, 21))

        self.v_old = case("审核中重点件", date(2026, 3, 2), is_key=True)
        assign(self.v_old, c.yizheng, date(2026, 3, 2))
        actions.accept_case(self.v_old, by=c.yizheng_head, on=date(2026, 3, 3))
        _reply(self.v_old, c.yizheng_head, date(2026, 5, 20))

        self.v_new = case("审核中新件", date(2026, 7, 1))
        assign(self.v_new, c.jiceng, date(2026, 7, 1))
        actions.accept_case(self.v_new, by=c.jiceng_head, on=date(2026, 7, 2))
        _reply(self.v_new, c.jiceng_head, date(2026, 9, 21))

        def to_signing(title, leader):
            x = case(title, date(2026, 6, 1))
            assign(x, c.jiceng, date(2026, 6, 1), leader_in_charge=leader)
            actions.accept_case(x, by=c.jiceng_head, on=date(2026, 6, 2))
            _reply(x, c.jiceng_head, date(2026, 8, 1))
            actions.review_reply(x, by=c.coordinator, passed=True, gates=GATES, on=date(2026, 8, 3))
            return x

        self.s_mine = to_signing("李主任待签件", c.leader)
        self.s_other = to_signing("孙副主任待签件", self.leader2)

        self.e_pending = case("申请延期件", date(2026, 7, 1))
        assign(self.e_pending, c.zhongyi, date(2026, 7, 1), co_units=[c.yizheng])
        actions.accept_case(self.e_pending, by=c.zhongyi_head, on=date(2026, 7, 2))
        actions.request_extension(
            self.e_pending,
            by=c.zhongyi_head,
            until=date(2026, 11, 30),
            reason="需实地调研",
            on=date(2026, 9, 20),
        )

        def replied(title, received, signed):
            x = case(title, received)
            assign(x, c.jiceng, received)
            actions.accept_case(x, by=c.jiceng_head, on=received)
            _reply(x, c.jiceng_head, signed)
            actions.review_reply(x, by=c.coordinator, passed=True, gates=GATES, on=signed)
            actions.sign_reply(x, by=c.leader, approved=True, on=signed)
            return x

        self.p_open = replied("征询期内件", date(2026, 6, 1), date(2026, 9, 10))
        self.p_over = replied("征询期满件", date(2026, 5, 6), date(2026, 8, 20))

        self.withdrawn = case("已撤回件", date(2026, 3, 2))
        assign(self.withdrawn, c.jiceng, date(2026, 3, 2))
        actions.withdraw_case(self.withdrawn, by=c.coordinator, reason="改办", on=date(2026, 3, 3))


@pytest.fixture
def world(cast):
    with FROZEN:
        yield World(cast)


def sections(user) -> dict[str, list[str]]:
    """The 议提案's sections (the other categories' have their own tests)."""
    todo = todo_for(user, TODAY)
    mine = {q.key for q in workflow_for("npc_suggestion").queues}
    return {s.key: [row.case.title for row in s.rows] for s in todo.sections if s.key in mine}


def rows(user, key):
    todo = todo_for(user, TODAY)
    return {row.case.title: row for s in todo.sections if s.key == key for row in s.rows}


@FROZEN
def test_coordinator(world):
    assert sections(world.cast.coordinator) == {
        # An upstream deadline first, then by the date received.
        "to_assign": ["待交办乙", "待交办甲"],
        "returned": ["退回件"],
        "to_review": ["审核中重点件", "审核中新件"],
        "to_rate": ["征询期内件"],
        "to_close": ["征询期满件"],
        "overdue": ["审核中重点件", "待处室审核件", "李主任待签件", "孙副主任待签件"],
        "rehandling": [],
    }
    returned = rows(world.cast.coordinator, "returned")["退回件"]
    assert returned.note == "医政医管处退回：不属于本处职责"
    assert returned.due is None and returned.days_text == ""


@FROZEN
def test_days_left_across_national_day(world):
    coordinator = world.cast.coordinator
    # 10-09: 9-30, then 10-08 and 10-09 after the break: three working days, orange.
    explicit = rows(coordinator, "to_assign")["待交办乙"]
    assert (explicit.due, explicit.days_left, explicit.tone) == (date(2026, 10, 9), 3, "soon")
    assert explicit.days_text == "剩 3 个工作日"
    # 3 months from 07-01 ends on 10-08 (国庆): 9-30 and 10-08.
    new = rows(coordinator, "to_review")["审核中新件"]
    assert (new.due, new.days_left, new.tone) == (date(2026, 10, 8), 2, "soon")
    # The feedback window of a reply signed 09-10 ends 10-10, a worked Saturday: 4 left.
    rate = rows(coordinator, "to_rate")["征询期内件"]
    assert (rate.due, rate.days_left, rate.tone) == (date(2026, 10, 10), 4, "")
    # Of a reply signed 08-20 it ended 09-20 (a worked Sunday): 6 working days ago, but
    # that is waiting to be closed, not overdue.
    close = rows(coordinator, "to_close")["征询期满件"]
    assert (close.due, close.days_left, close.tone) == (date(2026, 9, 20), -6, "")
    assert close.days_text == "已期满 6 个工作日"
    # After 09-01 up to 09-29: 20 working days (中秋 9-25 off, Sunday 9-20 worked).
    late = rows(coordinator, "overdue")["待处室审核件"]
    assert (late.due, late.days_left, late.tone) == (date(2026, 9, 1), -20, "overdue")
    assert late.days_text == "逾期 20 个工作日"


@FROZEN
def test_leader(world):
    assert sections(world.cast.leader) == {
        "to_sign": ["李主任待签件"],  # 孙副主任's case waits for him
        "extensions": ["申请延期件"],
        "key_overdue": ["审核中重点件"],
    }
    assert sections(world.leader2)["to_sign"] == ["孙副主任待签件"]
    note = rows(world.cast.leader, "extensions")["申请延期件"].note
    assert note == "申请延期至 2026年11月30日：需实地调研"


@FROZEN
def test_unit_head(world):
    assert sections(world.cast.yizheng_head) == {
        "mine": [],
        "to_accept": ["待签收件"],
        # 审核中重点件 was accepted without a handler, but its draft is already in review.
        "unassigned": [],
        "to_approve": ["待处室审核件"],
        # By 处室初稿期限: 10 working days before 10-08 is 09-17; before 11-03, 10-20.
        "drafting": ["赵科员办理件", "钱科员办理件"],
        "opinions": ["申请延期件"],
        "unit_overdue": ["审核中重点件", "待处室审核件"],
    }
    drafting = rows(world.cast.yizheng_head, "drafting")
    mine = drafting["赵科员办理件"]
    # 9-18, 9-20 (worked Sunday), 9-21 … 9-24, 9-28, 9-29: 8 working days late.
    assert (mine.due, mine.days_left, mine.tone) == (date(2026, 9, 17), -8, "overdue")
    assert mine.note == "承办人：赵科员 · 答复期限 2026年10月8日"
    # A co-unit's opinion: 1 month from 07-01 is 08-01, a Saturday, so 08-03.
    opinion = rows(world.cast.yizheng_head, "opinions")["申请延期件"]
    assert (opinion.due, opinion.tone) == (date(2026, 8, 3), "overdue")
    assert sections(world.cast.jiceng_head)["opinions"] == ["待签收件"]


@FROZEN
def test_handler_sees_only_the_cases_given_to_them_without_approvals(world):
    # The unit's case not given to anyone (待签收件) waits for the head, who names the
    # handler; 审核中重点件 is the head's own. A co-unit's opinion has no handler: all see it.
    assert sections(world.cast.yizheng_handler) == {
        "mine": ["赵科员办理件"],
        "to_accept": [],
        "opinions": ["申请延期件"],
        "unit_overdue": ["待处室审核件"],
    }
    assert sections(world.clerk2)["mine"] == ["钱科员办理件"]


@FROZEN
def test_viewer_gets_figures_and_the_overdue_list(world):
    todo = todo_for(world.cast.viewer, TODAY)
    assert [s.key for s in todo.sections] == ["viewer_overdue"]
    assert len(todo.sections[0].rows) == 4
    s = todo.summary
    assert (s.year, s.total, s.open, s.replied, s.closed, s.overdue) == (
        2026,
        14,
        12,
        2,
        0,
        4,
    )  # the withdrawn one left out
    assert todo.total == 0  # the overdue list informs, it is not the viewer's work


@FROZEN
def test_someone_without_a_role_has_nothing_to_do(world):
    todo = todo_for(world.cast.outsider, TODAY)
    assert (todo.groups, todo.summary, todo.total) == ([], None, 0)
    # A head with one case in hand: the extension pending changes nothing for the unit.
    assert sections(world.cast.zhongyi_head) == {
        "mine": [],
        "to_accept": [],
        # Accepted by the head without naming a handler.
        "unassigned": ["申请延期件"],
        "to_approve": [],
        "drafting": [],
        "opinions": [],
        "unit_overdue": [],
    }
    assert todo_for(world.cast.zhongyi_head, TODAY).total == 1


@FROZEN
def test_sections_are_limited_and_counted(world, monkeypatch):
    monkeypatch.setattr("cases.todo.SECTION_LIMIT", 2)
    todo = todo_for(world.cast.coordinator, TODAY)
    overdue = next(s for s in todo.sections if s.key == "overdue")
    assert (len(overdue.rows), overdue.total, overdue.more) == (2, 4, True)
    assert overdue.ledger == {"overdue": "1", "sort": "deadline"}


@FROZEN
def test_counts_stop_at_the_limit_and_say_so(world, monkeypatch, client):
    """A section counts up to COUNT_LIMIT and shows "N+" (the 台账 has the exact figure)."""
    monkeypatch.setattr("cases.todo.COUNT_LIMIT", 3)
    todo = todo_for(world.cast.coordinator, TODAY)
    overdue = next(s for s in todo.sections if s.key == "overdue")
    assert (overdue.total, overdue.total_label, overdue.counted_exactly) == (3, "3+", False)
    monkeypatch.setattr("cases.todo.COUNT_LIMIT", 5)
    todo = todo_for(world.cast.coordinator, TODAY)
    overdue = next(s for s in todo.sections if s.key == "overdue")
    assert (overdue.total, overdue.total_label, overdue.counted_exactly) == (4, "4", True)
    monkeypatch.setattr("cases.todo.COUNT_LIMIT", 2)
    client.force_login(world.cast.coordinator)
    page = client.get("/").content.decode()
    assert "件待办" in page and "+ 件待办" in page
    assert '<span class="hy-todo-chip-count">2+</span>' in page


@FROZEN
def test_the_window_boundary_follows_the_calendar(world):
    # An administrator makes 09-20 a rest day: the window of the reply of 08-20 now ends
    # on 09-21; still over. The window of a reply of 08-29 ends today: still open.
    CalendarOverride.objects.create(day=date(2026, 9, 20), is_workday=False)
    close = rows(world.cast.coordinator, "to_close")["征询期满件"]
    assert close.due == date(2026, 9, 21)
    Case.objects.filter(pk=world.p_over.pk).update(replied_on=date(2026, 8, 29))
    assert sections(world.cast.coordinator)["to_rate"] == ["征询期满件", "征询期内件"]
    assert rows(world.cast.coordinator, "to_rate")["征询期满件"].days_text == "今天到期"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 9, 30), 0),
        (date(2026, 10, 1), 0),  # 国庆: no working day gained
        (date(2026, 10, 7), 0),
        (date(2026, 10, 8), 1),
        (date(2026, 10, 10), 3),  # a worked Saturday
        (date(2026, 10, 11), 3),
        (date(2026, 10, 12), 4),
        (date(2026, 9, 29), -1),
        (date(2026, 9, 24), -3),  # 9-25..27 中秋 off: 9-28, 9-29, 9-30
    ],
)
def test_days_from(db, day, expected):
    today = date(2026, 9, 30)
    span = WorkdaySpan(date(2026, 1, 1), date(2026, 12, 31))
    assert days_from(span, today, [day]) == {day: expected}
    assert span.workdays_between(today, day) == expected
