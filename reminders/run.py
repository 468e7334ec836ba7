"""The morning run (`huiyin remind`): every step of every ladder due today, as messages in
the outbox.

On a working day D, for each registered workflow, each of its categories' ladders (with
the configured offsets, reminders.ladder) and each clock: the clock finds the deadlines
some step may be due for (one or two queries over the open cases, whatever their number),
the calendar gives each distinct deadline its position, and the steps that fire become
messages. A step sent per case is one message per (deadline, step, recipient), whatever
the day: it stays due until the next step of its line (reminders.ladder.ends), so a
missed morning is caught up by the next one, and sent once. A deadline that moves (an
extension) has new keys: it is reminded again. The digest steps, and every step for
someone in the quiet digest mode, become one message per recipient per day; a step that
is not daily is listed in a digest only if the recipient had no digest since the step
became due (`_last_digests`). Recipients, units and preferences are read once for the run.

Every message has a unique key (notify.outbox.queue_many skips a (key, channel) already
written, also by a concurrent run), so running a day twice, or twice at once, sends
nothing new. Keys already in the outbox are left out before anything is rendered; the
rest are written in transactions of WRITE_CHUNK messages, one queue_many each, in the
order of their keys, so two concurrent runs meet on the same first key and the second
waits for the first.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, Q

from cases.models import Case
from huiyin.types import User
from notify.models import Message
from notify.outbox import Outgoing, queue_many
from notify.preferences import digest_user_ids
from orgs.models import Unit
from reminders import wording
from reminders.ladder import ends, fires, ladder_for, steps_of, window
from reminders.people import People, active_users, chunks, units
from workdays.calendar import WorkdaySpan
from workflow.tables import Clock, OpenDeadline, Step, Workflow, all_workflows

WRITE_CHUNK = 200
# Users per query for their last digest (two parameters each).
DIGEST_CHUNK = 200
# The calendar loaded for the run: from far enough back for any overdue deadline's count
# (older years load on demand, one query each) to the reach of the longest step.
SPAN_BACK = datetime.timedelta(days=400)
SPAN_AHEAD = datetime.timedelta(days=400)
REMINDER_KIND = "reminder"
DIGEST_KIND = "digest"


@dataclass
class RunResult:
    day: datetime.date
    workday: bool
    deadlines: int = 0  # the open deadlines looked at
    reminders: int = 0  # the messages decided (per case and digests), new or not
    digests: int = 0  # of which digests
    skipped: int = 0  # of which already in the outbox (an earlier run of the day)
    messages: list[int] = field(default_factory=list)  # the Message rows this run wrote
    seconds: float = 0.0

    def summary(self) -> str:
        if not self.workday:
            return f"{self.day.isoformat()} 不是工作日，未发送提醒。"
        return (
            f"{self.day.isoformat()}：检查期限 {self.deadlines} 个，"
            f"提醒 {self.reminders} 条（其中汇总 {self.digests} 条，"
            f"此前已发送 {self.skipped} 条），写入消息 {len(self.messages)} 条，"
            f"用时 {self.seconds:.1f} 秒。"
        )


@dataclass(frozen=True)
class Draft:
    """A message decided on: about one case (item) or a digest (items)."""

    key: str
    recipient_id: int
    role: str = ""
    item: wording.Item | None = None
    items: tuple[wording.Item, ...] = ()


def _ladders(workflow: Workflow) -> list[tuple[tuple[str, ...], tuple[Step, ...]]]:
    """The workflow's categories grouped by their ladder: one search per group."""
    groups: dict[tuple[Step, ...], list[str]] = {}
    for category in workflow.categories:
        groups.setdefault(ladder_for(workflow, category), []).append(category)
    return [(tuple(categories), ladder) for ladder, categories in groups.items()]


def due_items(day: datetime.date, span: WorkdaySpan) -> tuple[list[wording.Item], int]:
    """Every (deadline, step) due on `day`, and how many open deadlines were looked at."""
    items: list[wording.Item] = []
    looked = 0
    for workflow in all_workflows():
        for categories, ladder in _ladders(workflow):
            for clock in workflow.clocks:
                steps = steps_of(ladder, clock)
                bounds = window(span, day, steps)
                if bounds is None:
                    continue
                rows = list(clock.find(categories, *bounds))
                looked += len(rows)
                items += _fire(clock, steps, rows, day, span)
    return items, looked


def _fire(
    clock: Clock,
    steps: tuple[Step, ...],
    rows: list[OpenDeadline],
    day: datetime.date,
    span: WorkdaySpan,
) -> list[wording.Item]:
    days_left = span.workdays_from(day, {row.deadline for row in rows})
    rungs = tuple(zip(steps, ends(steps), strict=True))
    return [
        wording.Item(clock, s, row, -days_left[row.deadline])
        for row in rows
        for s, end in rungs
        if fires(s, end, -days_left[row.deadline])
    ]


def digest_key(user_id: int, day: datetime.date) -> str:
    return f"{DIGEST_KIND}:{user_id}:{day.isoformat()}"


def _last_digests(users: set[int], day: datetime.date, span: WorkdaySpan) -> dict[int, int]:
    """For each of `users` who had a digest before `day`: how many working days ago (1:
    the working day before). One query per chunk of users. (Keys compare within one
    recipient's only: across them a database collation may not order them bytewise.)"""
    found: dict[int, int] = {}
    for batch in chunks(sorted(users), DIGEST_CHUNK):
        before = Q(pk__in=[])
        for user_id in batch:
            before |= Q(recipient_id=user_id, key__lt=digest_key(user_id, day))
        rows = (
            Message.objects.filter(before, kind=DIGEST_KIND, key__startswith=f"{DIGEST_KIND}:")
            .values("recipient_id")
            .annotate(last=Max("key"))
            .values_list("recipient_id", "last")
        )
        for user_id, key in rows:
            last = datetime.date.fromisoformat(key.rsplit(":", 1)[1])
            found[user_id] = span.workdays_between(last, day)
    return found


def plan(
    items: Iterable[wording.Item],
    people: People,
    quiet: set[int],
    day: datetime.date,
    last_digest: dict[int, int] | None = None,
) -> list[Draft]:
    """The messages: one per (deadline, step, recipient), or into the recipient's digest.
    In the order of their keys. `last_digest` (_last_digests): a step that is not daily
    goes into a digest only if it became due after the recipient's last digest."""
    last_digest = last_digest or {}
    single: dict[str, Draft] = {}
    digests: dict[int, dict[tuple[str, int, int | None, datetime.date], wording.Item]] = {}
    for item in items:
        for user_id, role in people.of(item.row, item.step.who).items():
            if item.step.digest or user_id in quiet:
                since = item.position - item.step.offset  # working days since it was due
                if not item.step.daily and since >= last_digest.get(user_id, since + 1):
                    continue  # listed in an earlier digest
                # A case appears once per clock and unit in a digest, whichever steps
                # brought it there.
                line = (item.clock.key, item.row.case_id, item.row.unit_id, item.row.deadline)
                digests.setdefault(user_id, {}).setdefault(line, item)
                continue
            row = item.row
            # No day: the step is sent once, on the first morning it is due.
            key = (
                f"{item.clock.key}:{row.case_id}:{row.deadline.isoformat()}:"
                f"{item.step.key}:{user_id}"
            )
            single.setdefault(key, Draft(key, user_id, role=role, item=item))
    for user_id, lines in digests.items():
        key = digest_key(user_id, day)
        single[key] = Draft(key, user_id, items=tuple(lines.values()))
    return [single[key] for key in sorted(single)]


def _recipients(items: list[wording.Item], people: People) -> set[int]:
    found: set[int] = set()
    for item in items:
        found.update(people.of(item.row, item.step.who))
    return found


def _digested(items: list[wording.Item], people: People, quiet: set[int]) -> set[int]:
    """Who may get a step that is not daily in their digest: quiet recipients, and those
    of a digest step that is not daily."""
    found = set(quiet)
    for item in items:
        if item.step.digest and not item.step.daily:
            found.update(people.of(item.row, item.step.who))
    return found


def _already_sent(keys: list[str]) -> set[str]:
    found: set[str] = set()
    for batch in chunks(keys):
        found.update(Message.objects.filter(key__in=batch).values_list("key", flat=True))
    return found


def _message(
    draft: Draft, user: User, found_units: dict[int, Unit], day: datetime.date
) -> Outgoing:
    """The notification of a draft, for notify.outbox.queue_many."""
    if draft.item is None:
        words = wording.digest(draft.items, user, found_units, day)
        return Outgoing(draft.key, user, DIGEST_KIND, words.subject, words.text, words.html)
    item = draft.item
    unit = found_units.get(item.row.unit_id) if item.row.unit_id is not None else None
    words = wording.reminder(item, user, draft.role, unit)
    return Outgoing(
        draft.key,
        user,
        REMINDER_KIND,
        words.subject,
        words.text,
        words.html,
        link=item.link,
        # The case by its id alone: the row is not read for a foreign key.
        case=Case(pk=item.row.case_id),
    )


def morning_run(day: datetime.date) -> RunResult:
    """Queue every reminder due on `day`; nothing on a rest day. Safe to repeat."""
    started = time.monotonic()
    span = WorkdaySpan(day - SPAN_BACK, day + SPAN_AHEAD)
    result = RunResult(day, span.is_workday(day))
    if not result.workday:
        return result
    items, result.deadlines = due_items(day, span)
    people = People.load()
    quiet = digest_user_ids(_recipients(items, people))
    last = _last_digests(_digested(items, people, quiet), day, span)
    drafts = plan(items, people, quiet, day, last)
    result.reminders = len(drafts)
    result.digests = sum(1 for d in drafts if d.item is None)
    sent = _already_sent([d.key for d in drafts])
    result.skipped = len(sent)
    todo = [d for d in drafts if d.key not in sent]
    users = active_users(d.recipient_id for d in todo)
    found_units = units(i.row.unit_id for i in items if i.row.unit_id is not None)
    for batch in chunks(todo, WRITE_CHUNK):
        messages = [
            _message(draft, users[draft.recipient_id], found_units, day)
            for draft in batch
            if draft.recipient_id in users  # an account closed since
        ]
        with transaction.atomic():
            result.messages += [m.pk for m in queue_many(messages)]
    result.seconds = time.monotonic() - started
    return result
