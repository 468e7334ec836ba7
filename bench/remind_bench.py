"""The morning run (`huiyin remind`) over many open cases: how long finding every due
step takes, and writing the day's messages to the outbox.

    .venv/bin/python bench/remind_bench.py [--open 100000] [--closed 100000] [--day 2026-06-12]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/huiyin .venv/bin/python bench/remind_bench.py

It uses a database of its own (`huiyin_bench_remind`, or HUIYIN_BENCH_DB; dropped
afterwards unless HUIYIN_BENCH_KEEP=1, which keeps it and reuses its cases). The cases are written in bulk
(bench/seeding.py's way, not through the actions): `--open` running or replied cases
with deadlines from a month before the day to four months after it (so about a fifth
overdue), a fifth with a co-unit's opinion pending, 2 % with an extension request
waiting, 3 % re-handled after 不满意, a tenth replied within the feedback window; and
`--closed` closed ones, which the run must not read. 20 units, each with a head and five
handlers; a tenth of the people in the quiet digest mode.

Printed: the time to find the due steps (`due_items`: the clocks' queries and the
calendar), a first run (which writes the day's messages through notify.outbox.queue_many,
one call per transaction of reminders.run.WRITE_CHUNK reminders), and a second run of the
same day (every message found already written), with the open cases and the reminders
per second of each, and the messages (rows: one per channel) written per second.
"""

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import harness  # noqa: E402

harness.BENCH_DB = os.environ.get("HUIYIN_BENCH_DB", "huiyin_bench_remind")
UNITS = 20
HANDLERS_PER_UNIT = 5
BATCH = 5000
RUNNING = ["handling"] * 70 + ["assigned"] * 10 + ["reviewing"] * 5 + ["signing"] * 5
REPLIED_SHARE = 0.10


def seed_people(rng: random.Random) -> dict[str, list]:
    from django.contrib.auth import get_user_model

    from notify.models import Preference
    from orgs.models import Membership, Role, Unit

    User = get_user_model()
    office = Unit.objects.create(code="bangongshi", name="办公室", kind="office")
    units = [
        Unit.objects.create(code=f"unit{i}", name=f"第{i}处", kind="department", sort_order=i)
        for i in range(1, UNITS + 1)
    ]
    people: dict[str, list] = {"units": units, "handlers": [], "leaders": []}

    def person(name: str, unit, role: str):
        user = User.objects.create_user(username=name, email=f"{name}@example.org")
        Membership.objects.create(user=user, unit=unit, role=role)
        if rng.random() < 0.1:
            Preference.objects.create(user=user, digest=True)
        return user

    for i in range(2):
        person(f"coordinator{i}", office, Role.COORDINATOR)
    people["leaders"] = [person(f"leader{i}", office, Role.LEADER) for i in range(3)]
    for unit in units:
        person(f"head_{unit.code}", unit, Role.HEAD)
        people["handlers"].append(
            [person(f"clerk_{unit.code}_{k}", unit, Role.HANDLER) for k in range(HANDLERS_PER_UNIT)]
        )
    return people


def deadline_of(case) -> date:
    assert case.deadline is not None  # every seeded case has one
    return case.deadline


def seed_cases(open_count: int, closed_count: int, day: date, rng: random.Random) -> None:
    from cases.models import Assignment, Case, ExtensionRequest

    people = seed_people(rng)
    units = people["units"]
    assigned = day - timedelta(days=90)
    made = 0
    total = open_count + closed_count
    while made < total:
        cases = []
        for i in range(made, min(made + BATCH, total)):
            u = rng.randrange(UNITS)
            closed = i >= open_count
            replied = not closed and rng.random() < REPLIED_SHARE
            deadline = day + timedelta(days=rng.randint(-30, 120))
            state = "closed" if closed else "replied" if replied else rng.choice(RUNNING)
            replied_on = day - timedelta(days=rng.randint(0, 45)) if replied or closed else None
            rehandled = state == "handling" and rng.random() < 0.03
            cases.append(
                Case(
                    category="npc_suggestion" if i % 3 else "cppcc_proposal",
                    level=rng.choice(["municipal"] * 6 + ["provincial", "county"]),
                    year=day.year,
                    number=f"{day.year}{i:07d}",
                    title=f"关于第{i}项卫生健康工作的建议",
                    mode="co" if i % 17 == 0 else "lead",
                    state=state,
                    round=2 if rehandled else 1,
                    received_on=day - timedelta(days=100),
                    assigned_on=assigned,
                    deadline=deadline,
                    unit_deadline=deadline - timedelta(days=14),
                    last_action_on=replied_on or assigned,
                    lead_unit=units[u],
                    leader_in_charge=rng.choice(people["leaders"]) if i % 4 == 0 else None,
                    replied_on=replied_on,
                    reply_class="A" if replied_on else "",
                    feedback_result="satisfied" if closed else "",
                )
            )
        cases = Case.objects.bulk_create(cases)
        parts = []
        for c in cases:
            u = units.index(c.lead_unit)
            due = deadline_of(c)
            parts.append(
                Assignment(
                    case=c,
                    unit=c.lead_unit,
                    kind="lead",
                    status="accepted",
                    assigned_on=assigned,
                    handler=rng.choice(people["handlers"][u]),
                )
            )
            if c.state != "closed" and rng.random() < 0.2:
                parts.append(
                    Assignment(
                        case=c,
                        unit=units[(u + 1) % UNITS],
                        kind="co",
                        status="accepted",
                        assigned_on=assigned,
                        deadline=due - timedelta(days=60),
                    )
                )
        Assignment.objects.bulk_create(parts)
        ExtensionRequest.objects.bulk_create(
            ExtensionRequest(
                case=c,
                until=deadline_of(c) + timedelta(days=30),
                reason="需调研",
                requested_on=day - timedelta(days=3),
            )
            for c in cases
            if c.state == "handling" and rng.random() < 0.02
        )
        made += len(cases)
        print(f"  seeded {made:,} / {total:,} cases", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--open", type=int, default=100_000, help="open cases")
    parser.add_argument("--closed", type=int, default=100_000, help="closed cases beside them")
    parser.add_argument("--day", type=date.fromisoformat, default=date(2026, 6, 12))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    vendor = harness.setup_django()
    from django.db import connection

    from cases.models import Case
    from notify.models import Message
    from reminders.run import due_items, morning_run
    from workdays.calendar import WorkdaySpan

    connection.force_debug_cursor = False
    if not Case.objects.exists():
        start = time.perf_counter()
        seed_cases(args.open, args.closed, args.day, random.Random(args.seed))
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        print(f"seeded in {time.perf_counter() - start:.0f} s")
    Message.objects.all().delete()
    if vendor == "postgresql":  # a kept database: the last run's deleted messages
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE notify_message")
    running = Case.objects.exclude(state="closed").count()
    print(f"{vendor}: {running:,} open cases, {Case.objects.count():,} in all; day {args.day}")

    span = WorkdaySpan(args.day - timedelta(days=400), args.day + timedelta(days=400))
    start = time.perf_counter()
    items, looked = due_items(args.day, span)
    found = time.perf_counter() - start
    print(
        f"{'find the due steps (due_items)':<40} {found:8.2f} s  "
        f"{looked:,} deadlines, {len(items):,} steps due  ({running / found:,.0f} open cases/s)"
    )
    for label in ("first run (writes the day's messages)", "second run (all written already)"):
        result = morning_run(args.day)
        seconds = result.seconds
        print(
            f"{label:<40} {seconds:8.2f} s  {result.reminders:,} reminders "
            f"({result.digests:,} digests), {len(result.messages):,} messages written  "
            f"({running / seconds:,.0f} open cases/s, {result.reminders / seconds:,.0f} "
            f"reminders/s, {len(result.messages) / seconds:,.0f} messages/s)"
        )
    if os.environ.get("HUIYIN_BENCH_KEEP") != "1":
        Message.objects.all().delete()


if __name__ == "__main__":
    main()
