"""Many realistic cases fast, for benchmarks only: rows are written in bulk (the demo and
the tests go through the actions). The mix of states, units, classes and ratings follows
the demo data, so the queries see realistic selectivity."""

import random
from datetime import date, timedelta

from audit.models import AuditEvent
from cases.models import Assignment, Case, CaseProposer, Communication, Proposer, Topic
from orgs.models import Membership, Role, Unit

STATES = (
    ["registered"] * 3
    + ["assigned"] * 3
    + ["handling"] * 14
    + ["reviewing"] * 3
    + ["signing"] * 2
    + ["replied"] * 5
    + ["closed"] * 68
    + ["withdrawn"] * 2
)
TOPICS = [
    "基层卫生",
    "医疗服务",
    "中医药",
    "疾病防控",
    "托育服务",
    "医养结合",
    "数字化建设",
    "人才队伍",
]


def seed_people():
    from django.contrib.auth import get_user_model

    User = get_user_model()
    office = Unit.objects.create(code="bangongshi", name="办公室", kind="office")
    units = [
        Unit.objects.create(code=f"unit{i}", name=f"第{i}处", kind="department", sort_order=i)
        for i in range(1, 13)
    ]
    people = {}
    for name, unit, role in [
        ("coordinator", office, Role.COORDINATOR),
        ("leader", office, Role.LEADER),
        ("viewer", office, Role.VIEWER),
        ("head", units[0], Role.HEAD),
    ]:
        user = User.objects.create_user(username=name, password="bench-pass-1")
        Membership.objects.create(user=user, unit=unit, role=role)
        people[name] = user
    return office, units, people


def seed_cases(count: int, *, years=(2025, 2026), batch: int = 5000, seed: int = 7) -> None:
    rng = random.Random(seed)
    _, units, people = seed_people()
    topics = [Topic.objects.create(name=t) for t in TOPICS]
    proposers = Proposer.objects.bulk_create(
        Proposer(name=f"代表{i}", kind="deputy") for i in range(500)
    )
    made = 0
    while made < count:
        n = min(batch, count - made)
        cases = []
        for k in range(n):
            i = made + k
            year = years[i % len(years)]
            state = rng.choice(STATES)
            received = date(year, 2, 1) + timedelta(days=rng.randint(0, 60))
            assigned = received + timedelta(days=3) if state not in ("registered",) else None
            deadline = assigned + timedelta(days=91) if assigned else None
            replied = (
                deadline - timedelta(days=rng.randint(-10, 40))
                if state in ("replied", "closed") and deadline
                else None
            )
            cases.append(
                Case(
                    category="npc_suggestion" if i % 3 else "cppcc_proposal",
                    level=rng.choice(["municipal"] * 6 + ["provincial", "county"]),
                    year=year,
                    number=f"{year}{i:07d}",
                    title=f"关于第{i}项卫生健康工作的建议",
                    mode=rng.choice(["lead"] * 5 + ["undertake", "split", "co", "co"]),
                    state=state,
                    received_on=received,
                    assigned_on=assigned,
                    deadline=deadline,
                    unit_deadline=deadline - timedelta(days=14) if deadline else None,
                    last_action_on=replied or assigned or received,
                    lead_unit=rng.choice(units) if assigned else None,
                    reply_class=rng.choice("AAABBCD") if replied else "",
                    replied_on=replied,
                    feedback_result=rng.choice(["satisfied"] * 6 + ["basically_satisfied", ""])
                    if state == "closed"
                    else "",
                    led_by="市领导" if i % 50 == 0 else "",
                    is_key=i % 20 == 0,
                )
            )
        cases = Case.objects.bulk_create(cases)
        CaseProposer.objects.bulk_create(
            CaseProposer(case=c, proposer=proposers[(c.pk * 7) % len(proposers)], position=0)
            for c in cases
        )
        Case.topics.through.objects.bulk_create(
            Case.topics.through(case_id=c.pk, topic_id=topics[c.pk % len(topics)].pk) for c in cases
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
                method=rng.choice(["face_to_face", "phone"]),
                on=c.assigned_on,
                summary="沟通",
            )
            for c in cases
            if c.assigned_on and c.pk % 2
        )
        AuditEvent.objects.bulk_create(
            AuditEvent(
                case=c,
                actor=people["coordinator"],
                action="register",
                on=c.received_on,
                to_state="registered",
            )
            for c in cases
        )
        made += n
    # The rows bypass the actions: the statistics' summary rows are built from them at once.
    from reports.tally import rebuild

    rebuild()
