"""The hand-made year with known answers (DESIGN.md §5), shared by the reports tests.

Seven counted cases of 2026 (one withdrawn, one of 2025, neither counted), built through
the actions as a clerk would enter them; test_stats.py lists every figure it must give.
"""

from datetime import date

import pytest
import time_machine

from cases import actions
from cases.tests.factories import register

FROZEN = time_machine.travel(date(2026, 12, 31), tick=False)
GATES = {"format": True, "policy": True, "content": True, "resolution": True}


def _reply(cast, case, *, on, cls="A", unit_head=None):
    head = unit_head or cast.yizheng_head
    commitments = [{"what": "年内完成", "due": date(2026, 12, 31)}] if cls in ("B", "C") else []
    actions.submit_reply(
        case,
        by=head,
        text="答复",
        reply_class=cls if case.role == "lead" else "",
        contact="张",
        phone="1",
        commitments=commitments,
        on=on,
    )
    actions.review_reply(case, by=cast.coordinator, passed=True, gates=GATES, on=on)
    actions.sign_reply(case, by=cast.leader, approved=True, on=on)


def _assigned(cast, *, unit=None, received=date(2026, 3, 2), **kw):
    case = register(cast, on=received, **kw)
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=unit or cast.yizheng, assigned_on=received
    )
    head = {cast.yizheng: cast.yizheng_head, cast.jiceng: cast.jiceng_head}[unit or cast.yizheng]
    actions.accept_case(case, by=head, on=received)
    return case


@pytest.fixture
def year(cast):
    with FROZEN:
        # 1: municipal NPC, lead, A, satisfied, met face to face, on time (deadline 2026-06-02).
        a = _assigned(cast, topics=["基层卫生"], led_by="市人大常委会副主任")
        actions.communicate(
            a,
            by=cast.yizheng_head,
            stage="before",
            method="face_to_face",
            summary="面商",
            on=date(2026, 3, 10),
        )
        _reply(cast, a, on=date(2026, 5, 20), cls="A")
        actions.record_feedback(a, by=cast.coordinator, result="satisfied", on=date(2026, 5, 25))
        actions.add_outcome(
            a, by=cast.yizheng_head, kind="policy", title="基层人才方案", on=date(2026, 6, 1)
        )
        # 2: provincial CPPCC, lead (承办), B, replied late (deadline 2026-06-02), basically satisfied.
        b = _assigned(
            cast,
            category="cppcc_proposal",
            level="provincial",
            mode="undertake",
            topics=["基层卫生", "中医药"],
            lead_proposer="农工党市委会",
        )
        actions.communicate(
            b,
            by=cast.yizheng_head,
            stage="during",
            method="phone",
            summary="电话",
            on=date(2026, 4, 1),
        )
        _reply(cast, b, on=date(2026, 6, 3), cls="B")
        actions.record_feedback(
            b, by=cast.coordinator, result="basically_satisfied", on=date(2026, 6, 10)
        )
        # 3: co case (会办), signed → closed, no class, no feedback; site visit does not count (co).
        c = _assigned(cast, mode="co", external_lead="市发改委", unit=cast.jiceng)
        actions.communicate(
            c,
            by=cast.jiceng_head,
            stage="before",
            method="site_visit",
            summary="调研",
            on=date(2026, 3, 5),
        )
        _reply(cast, c, on=date(2026, 3, 20), unit_head=cast.jiceng_head)
        # 4: re-handled after 不满意, then replied again (A) and rated satisfied: counted once.
        d = _assigned(cast, unit=cast.jiceng)
        _reply(cast, d, on=date(2026, 4, 1), cls="C", unit_head=cast.jiceng_head)
        actions.record_feedback(d, by=cast.coordinator, result="unsatisfied", on=date(2026, 4, 10))
        _reply(cast, d, on=date(2026, 4, 20), cls="A", unit_head=cast.jiceng_head)
        actions.record_feedback(d, by=cast.coordinator, result="satisfied", on=date(2026, 4, 25))
        # 5: still handling: not replied.
        _assigned(cast, topics=["中医药"])
        # 6: registered, county level.
        register(cast, on=date(2026, 3, 2), level="county")
        # 7: withdrawn: not counted at all.
        w = register(cast, on=date(2026, 3, 2))
        actions.withdraw_case(w, by=cast.coordinator, reason="非我委职责", on=date(2026, 3, 3))
        # 8: replied, no feedback yet.
        h = _assigned(cast)
        _reply(cast, h, on=date(2026, 5, 1), cls="D")
        # Another year's case never counts in 2026.
        register(cast, on=date(2026, 3, 2), year=2025)
    return 2026


# ── many cases at once, for the dashboard ───────────────────────────────────────────────

STATES = (
    ["registered", "assigned", "handling", "reviewing", "signing", "replied"]
    + ["closed"] * 6
    + ["withdrawn"]
)
TOPICS = ["基层卫生", "医疗服务", "中医药", "托育服务", "医养结合", "数字化建设", "人才队伍"]


def bulk_cases(cast, n: int, year: int = 2026, *, seed: int = 5, prefix: str = "B") -> None:
    """n varied cases of a year written as rows (fast; like bench/seeding.py), then counted
    into the statistics' summary rows (reports.tally.refresh) as the actions would: both
    categories, all levels and modes, every state, 市直 and 县区 lead units, replies on time
    and late, all classes and ratings, meetings, outcomes, leader-led and key cases."""
    import random
    from datetime import timedelta

    from cases.models import Assignment, Case, Communication, Outcome, Topic
    from cases.tests.factories import make_unit
    from orgs.models import UnitKind
    from reports.tally import refresh

    rng = random.Random(seed)
    units = [
        cast.yizheng,
        cast.jiceng,
        cast.zhongyi,
        make_unit("yiyuan", "市第一人民医院", UnitKind.AFFILIATED),
        make_unit("jiangan", "江岸区卫健局", UnitKind.COUNTY),
        make_unit("hongshan", "洪山区卫健局", UnitKind.COUNTY),
    ]
    topics = [Topic.objects.get_or_create(name=name)[0] for name in TOPICS]
    rows = []
    for i in range(n):
        state = STATES[i % len(STATES)] if i < len(STATES) else rng.choice(STATES)
        received = date(year, 1, 10) + timedelta(days=rng.randint(0, 150))
        assigned = received + timedelta(days=3) if state != "registered" else None
        deadline = assigned + timedelta(days=91) if assigned else None
        replied = None
        if state in ("replied", "closed") and deadline:
            replied = deadline + timedelta(days=rng.choice([-30, -10, -1, 0, 2, 20]))
        mode = ["lead", "lead", "undertake", "split", "co"][i % 5]
        rows.append(
            Case(
                category="npc_suggestion" if i % 3 else "cppcc_proposal",
                level=["municipal", "municipal", "provincial", "county"][i % 4],
                year=year,
                number=f"{prefix}{year}{i:05d}",
                title=f"关于推进第{i + 1}项卫生健康工作的建议",
                mode=mode,
                state=state,
                received_on=received,
                assigned_on=assigned,
                deadline=deadline,
                last_action_on=replied or assigned or received,
                lead_unit=units[i % len(units)] if assigned else None,
                reply_class=rng.choice("AAABBCD") if replied and mode != "co" else "",
                replied_on=replied,
                feedback_result=(
                    rng.choice(["satisfied", "satisfied", "basically_satisfied", "unsatisfied"])
                    if state == "closed" and mode != "co" and i % 7
                    else ""
                ),
                led_by="市人大常委会副主任" if i % 11 == 0 else "",
                is_key=i % 6 == 0,
            )
        )
    cases = Case.objects.bulk_create(rows)
    Case.topics.through.objects.bulk_create(
        Case.topics.through(case_id=c.pk, topic_id=topics[(i * 3 + k) % len(topics)].pk)
        for i, c in enumerate(cases)
        for k in range(1 + i % 2)
    )
    Assignment.objects.bulk_create(
        Assignment(
            case=c,
            unit=c.lead_unit,
            kind="lead",
            status="accepted",
            assigned_on=c.assigned_on,
            deadline=c.deadline,
        )
        for c in cases
        if c.lead_unit
    )
    Communication.objects.bulk_create(
        Communication(
            case=c,
            round=1,
            stage="before",
            method=["face_to_face", "phone", "meeting", "wechat"][i % 4],
            on=c.assigned_on,
            summary="沟通",
        )
        for i, c in enumerate(cases)
        if c.assigned_on and i % 3
    )
    Outcome.objects.bulk_create(
        Outcome(case=c, kind="policy", title="实施方案", on=c.replied_on)
        for i, c in enumerate(cases)
        if c.replied_on and i % 4 == 0
    )
    # Rows written directly, not through the actions: count them as an action would
    # (and every other row derived from cases: the units' parts, cases.involvement).
    refresh([c.pk for c in cases])
    from cases.involvement import refresh as follow

    follow([c.pk for c in cases])
