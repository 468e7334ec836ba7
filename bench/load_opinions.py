"""Add N realistic public opinions (群众意见建议) beside the cases already in the database
named by DATABASE_URL (the 议提案 stay; earlier opinions and campaigns are replaced).

    .venv/bin/python bench/load_opinions.py --opinions 100000 [--seed 7]

A year of opinions from every channel, a third of them from one suggestion-book campaign
(seed 002's 解放思想大讨论 at scale), forwarded to the commission's departments: 85 %
closed (rated), 5 % answered, 5 % handled, 3 % forwarded, 2 % waiting; answers of every
class; areas as the classifier suggests them for texts of the committed sample. Rows are
written in bulk from the models (bulk_create in one transaction, not the actions, as
bench/load_cases.py does), then the units' involvement is rebuilt and the tables analysed.
"""

import argparse
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHANNELS = [("web", 20), ("phone", 30), ("email", 5), ("wechat", 10), ("app", 5), ("book", 25),
            ("forwarded", 3), ("visit", 2)]  # fmt: skip
STATES = [("closed", 85), ("replied", 5), ("handling", 5), ("assigned", 3), ("registered", 2)]
RESULTS = [("solvable", 60), ("needs_time", 25), ("not_solvable", 10), ("unfounded", 5)]
RATINGS = [("satisfied", 80), ("basically_satisfied", 15), ("unsatisfied", 5)]
BATCH = 5000


def pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opinions", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huiyin.settings")
    import django

    django.setup()
    started = time.perf_counter()
    count = load(args.opinions, seed=args.seed)
    print(f"{count:,} opinions in {time.perf_counter() - started:.1f} s")


def load(n: int, *, seed: int = 7, today: date | None = None) -> int:  # noqa: PLR0915
    from django.db import connection, transaction
    from django.utils import timezone

    from audit.chain import replace_events
    from audit.models import AuditEvent
    from cases.involvement import rebuild
    from cases.models import Assignment, Case, Feedback
    from opinions.areas import load_sample, suggest_areas
    from opinions.models import Campaign, Opinion, OpinionNumber
    from orgs.models import Unit, UnitKind
    from workdays.calendar import WorkdaySpan

    rng = random.Random(seed)
    today = today or timezone.localdate()
    start = today - timedelta(days=365)
    span = WorkdaySpan(start - timedelta(days=10), today + timedelta(days=40))
    units = list(Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True))
    texts = [text for _, text in load_sample()]
    suggested = suggest_areas(texts)
    with transaction.atomic():
        old = Case.objects.filter(category="public_opinion")
        replace_events(AuditEvent.objects.filter(case__in=old))
        Opinion.objects.all().delete()
        old.delete()
        Campaign.objects.all().delete()
        OpinionNumber.objects.all().delete()
        campaigns = [
            Campaign.objects.create(
                name="解放思想大讨论", starts_on=start, ends_on=start + timedelta(days=90),
                channels=["book"], books_issued=12000, books_returned=10600,
            ),
            Campaign.objects.create(
                name="改善就医感受提升患者体验", starts_on=today - timedelta(days=120),
                channels=["web", "phone", "wechat"],
            ),
        ]  # fmt: skip
        numbers: dict[int, int] = {}
        now = timezone.now()
        written = 0
        for first in range(0, n, BATCH):
            cases, opinions, extra = [], [], []
            for k in range(first, min(n, first + BATCH)):
                channel = pick(rng, CHANNELS)
                campaign = None
                if channel == "book":
                    campaign = campaigns[0]
                    received = start + timedelta(days=rng.randrange(90))
                else:
                    received = start + timedelta(days=rng.randrange(366))
                    if received >= campaigns[1].starts_on and rng.random() < 0.3:
                        campaign = campaigns[1]
                state = (
                    pick(rng, STATES)
                    if (today - received).days > 12
                    else rng.choice(["registered", "assigned", "handling", "replied", "closed"])
                )
                sample = rng.randrange(len(texts))
                year = received.year
                numbers[year] = numbers.get(year, 0) + 1
                unit = rng.choice(units)
                due = span.compute("workdays:5", received).date
                forwarded = (
                    None
                    if state == "registered"
                    else received
                    + timedelta(days=0 if rng.random() < 0.93 else rng.randrange(1, 3))
                )
                answered = None
                if state in ("replied", "closed"):
                    answered = span.compute(
                        f"workdays:{rng.choice([2, 3, 4, 5, 5, 6])}", received
                    ).date
                    answered = min(answered, today)
                rating = pick(rng, RATINGS) if state == "closed" else ""
                case = Case(
                    category="public_opinion", level="municipal", year=year,
                    number=f"YJ{year}-{numbers[year]:06d}", title=texts[sample][:29],
                    content=f"{texts[sample]}（{k}）", mode="lead", state=state,
                    received_on=received, deadline=due, deadline_rule={"rule": "workdays:5"},
                    last_action_on=answered or forwarded or received,
                    assigned_on=forwarded, lead_unit=unit if forwarded else None,
                    replied_on=answered, feedback_result=rating, created_at=now, updated_at=now,
                )  # fmt: skip
                cases.append(case)
                result = pick(rng, RESULTS) if answered else ""
                opinions.append(
                    dict(
                        channel=channel, campaign=campaign, suggested_area=suggested[sample],
                        area=suggested[sample] if rng.random() < 0.7 else "",
                        received_at=timezone.make_aware(datetime.combine(received, clock(9))),
                        requester=rng.choice(["", "王女士", "李先生", "张大爷"]),
                        phone=f"13{rng.randrange(10**8, 10**9)}" if channel in ("phone", "wechat") else "",
                        forward_target=received if span.is_workday(received) else span.compute("workdays:1", received).date,
                        forwarded_on=forwarded, result=result,
                        answer="感谢您的意见，已处理。" if answered else "",
                        fix="分步解决" if result == "needs_time" else "",
                        fix_due=today + timedelta(days=rng.randrange(-30, 90)) if result == "needs_time" else None,
                        answered_on=answered, code=f"B{k:09d}",
                    )
                )  # fmt: skip
                extra.append((forwarded, unit, rating, answered))
            Case.objects.bulk_create(cases, batch_size=1000)
            Opinion.objects.bulk_create(
                [Opinion(case=c, **o) for c, o in zip(cases, opinions, strict=True)],
                batch_size=1000,
            )
            Assignment.objects.bulk_create(
                [
                    Assignment(
                        case=c,
                        unit=unit,
                        kind="lead",
                        assigned_on=fwd,
                        status="accepted" if c.state not in ("assigned",) else "pending",
                        accepted_on=fwd if c.state != "assigned" else None,
                    )  # fmt: skip
                    for c, (fwd, unit, _, _) in zip(cases, extra, strict=True)
                    if fwd is not None
                ],
                batch_size=1000,
            )
            Feedback.objects.bulk_create(
                [
                    Feedback(case=c, round=1, result=rating, on=answered or c.received_on)
                    for c, (_, _, rating, answered) in zip(cases, extra, strict=True)
                    if rating
                ],
                batch_size=1000,
            )
            AuditEvent.objects.bulk_create(
                [
                    AuditEvent(case=c, action="register", on=c.received_on, to_state="registered",
                               actor_id=None, details={"number": c.number})
                    for c in cases
                ],
                batch_size=1000,
            )  # fmt: skip
            written += len(cases)
            print(f"  {written:,} opinions", flush=True)
        for year, last in numbers.items():
            OpinionNumber.objects.update_or_create(year=year, defaults={"last": last})
    rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("cases_case", "opinions_opinion", "cases_assignment", "cases_feedback"):
                cursor.execute(f"ANALYZE {table}")
    return written


if __name__ == "__main__":
    main()
