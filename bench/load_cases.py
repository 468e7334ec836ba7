"""Fill the database named by DATABASE_URL with N realistic cases, fast.

    .venv/bin/python bench/load_cases.py --cases N [--seed 7] [--chunk 10000]

The cases there are replaced, with everything that hangs off them (assignments, proposer
links, topics, communications, replies, commitments, ratings, the letter register, audit
events of cases, attachment rows, idempotency keys); units, users, proposers, topics and
the audit events of units and users are kept, so the demo accounts (`load_demo`) still
log in and see realistic work. Missing units and users are added up to 20 units and 50
users (plain names; bench accounts have no usable password: benchmarks log in with
`force_login`), and proposers up to 1,000, shared across cases as real deputies are.

Shape per case (measured over 1,000,000): 8.5 audit events, 1.27 assignments, 1.4
proposers, 0.9 communications, 0.98 replies, 0.9 ratings and 文号; 89 % closed, 6 %
handling, the rest across the other states of the 议提案 workflow; three years (this year
and the two before); the open cases in this year with deadlines around today, the dates of
each case in the order its actions ran.

The rows are written directly, not through the actions (a benchmark loader, like
bench/seeding.py): each table is described by its model's `_meta` (db_table, columns, the
defaults of the fields not given), then on PostgreSQL streamed with COPY with the tables'
secondary indexes dropped and rebuilt and foreign-key triggers off (the rows are
consistent by construction), followed by VACUUM ANALYZE; on SQLite inserted with
executemany in one transaction, then sampled by ANALYZE (ops.statistics). Everything
happens in one transaction: a failed load leaves the database as it was.

Summary tables or other rows that the actions maintain beside the case (none yet) must be
rebuilt here too when they appear.
"""

import argparse
import json
import os
import queue
import random
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

UNITS_WANTED = 20
USERS_WANTED = 50
PROPOSERS_WANTED = 1000

# Departments added when the database has fewer than UNITS_WANTED units.
EXTRA_UNITS = [
    ("caiwu", "财务处"),
    ("fagui", "政策法规处"),
    ("yaozheng", "药物政策与基本药物制度处"),
    ("kejiao", "科技教育处"),
    ("xuanchuan", "宣传处"),
    ("yingji", "卫生应急办公室"),
    ("zonghe", "综合监督处"),
    ("jiankang", "健康促进处"),
    ("zhiye", "职业健康处"),
    ("guoji", "国际合作处"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余杜叶程魏苏吕丁任卢姚"
GIVEN = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "秀英", "霞", "平", "刚", "桂英", "晓东", "海燕", "志强", "丹", "建华", "文博",
    "国庆", "玉兰", "春生", "立新", "红梅", "振华", "德明", "慧敏",
]  # fmt: skip
SUBJECTS = [
    "基层医疗卫生服务能力", "家庭医生签约服务", "公立医院高质量发展", "中医药传承创新",
    "老年人健康服务", "婴幼儿照护服务", "儿童青少年近视防控", "心理健康服务",
    "慢性病综合防控", "院前急救体系", "互联网医院管理", "医疗卫生人才队伍",
    "乡村医生待遇", "职业病防治", "传染病监测预警", "妇幼保健服务",
    "全民健康信息平台", "医养结合服务", "社区卫生服务中心建设", "健康科普宣传",
]  # fmt: skip
VERBS = ["加强", "完善", "推进", "提升", "规范", "加快", "优化", "支持"]
PLACES = ["", "", "", "我市", "农村地区", "城区", "新城区", "山区"]
REPLY_CLASSES = "A" * 50 + "B" * 30 + "C" * 15 + "D" * 5
METHODS = (
    ["face_to_face"] * 30
    + ["phone"] * 35
    + ["meeting"] * 10
    + ["site_visit"] * 5
    + ["wechat"] * 10
    + ["video"] * 5
    + ["home_visit"] * 5
)
RATINGS = ["satisfied"] * 85 + ["basically_satisfied"] * 12 + ["unsatisfied"] * 3
LEVELS = ("municipal",) * 8 + ("provincial", "county")
MODES = ("lead",) * 8 + ("undertake", "split")
# Days between a case's steps: received → assigned → accepted → reply submitted → unit
# approval → review → signed → rated.
GAPS = ((1, 7), (0, 3), (15, 90), (0, 3), (1, 4), (0, 3), (5, 30))
Person = tuple[int, str, str]  # a user's id, username and name, as the rows need them


def setup_django() -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huiyin.settings")
    import django

    django.setup()
    from django.db import connection

    return connection.vendor


def state_mix() -> list[str]:
    """1,000 slots: 89 % closed, 6 % handling, 5 % across the other states."""
    from proposals.spec import PROPOSAL_STATES
    from workflow.vocabulary import State as S

    weights = {
        S.CLOSED: 890,
        S.HANDLING: 60,
        S.REGISTERED: 6,
        S.ASSIGNED: 6,
        S.UNIT_APPROVING: 5,
        S.REVIEWING: 6,
        S.SIGNING: 5,
        S.REPLIED: 16,
        S.WITHDRAWN: 6,
    }
    assert set(weights) == set(PROPOSAL_STATES) and sum(weights.values()) == 1000
    return [str(state) for state, n in weights.items() for _ in range(n)]


class Table:
    """One table's rows, in the column order its model's `_meta` gives: the fields a row
    supplies (`fields`, in that order), then every other concrete field at its default.
    A field with neither a value nor a default is an error when the table is described,
    not when the database refuses the first row."""

    def __init__(self, model: Any, fields: Sequence[str]):
        meta = model._meta
        self.model = model
        self.db_table: str = meta.db_table
        given = [meta.get_field(name) for name in fields]
        rest = []
        tail: list[Any] = []
        for field in meta.concrete_fields:
            if field.name in fields or getattr(field, "generated", False):
                continue
            if field.primary_key:
                raise ValueError(f"{self.db_table}: the primary key must be given")
            if not field.has_default() and not field.null and not field.empty_strings_allowed:
                raise ValueError(f"{self.db_table}.{field.column} needs a value")
            default = field.get_default()
            if isinstance(default, dict | list):
                default = json.dumps(default)
            rest.append(field)
            tail.append(default)
        self.columns = [field.column for field in given + rest]
        self.tail = tuple(tail)
        self.rows: list[tuple[Any, ...]] = []
        self.total = 0

    def add(self, *values: Any) -> None:
        self.rows.append(values + self.tail)


def chinese_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def ensure_people(rng: random.Random) -> dict[str, Any]:
    """Units and users up to the benchmark's shape (existing ones untouched); the context
    the cases are made from."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from orgs.actions import create_unit
    from orgs.models import Membership, Role, Unit, UnitKind

    User = get_user_model()
    with transaction.atomic():
        have = Unit.objects.count()
        codes = set(Unit.objects.values_list("code", flat=True))
        order = 100
        for code, name in EXTRA_UNITS:
            if have >= UNITS_WANTED:
                break
            if code not in codes:
                create_unit(
                    by=None, code=code, name=name, kind=UnitKind.DEPARTMENT, sort_order=order
                )
                have += 1
            order += 1
        departments = list(Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True))
        office = Unit.objects.filter(kind=UnitKind.OFFICE).first() or departments[0]
        roles: dict[tuple[int, str], list[Any]] = {}
        for m in Membership.objects.select_related("user"):
            roles.setdefault((m.unit_id, m.role), []).append(m.user)
        usernames = set(User.objects.values_list("username", flat=True))
        count = len(usernames)

        def add(username: str, unit: Any, role: str) -> None:
            nonlocal count
            if count >= USERS_WANTED or username in usernames:
                return
            # No usable password: hashing one per account would cost more than the load.
            user = User(username=username, first_name=chinese_name(rng))
            user.set_unusable_password()
            user.save()
            Membership.objects.create(user=user, unit=unit, role=role)
            roles.setdefault((unit.pk, role), []).append(user)
            usernames.add(username)
            count += 1

        for unit in departments:  # every department a head and a handler first
            if not roles.get((unit.pk, Role.HEAD)):
                add(unit.code, unit, Role.HEAD)
            if not roles.get((unit.pk, Role.HANDLER)):
                add(f"{unit.code}_staff", unit, Role.HANDLER)
        for unit in departments:
            add(f"{unit.code}_staff2", unit, Role.HANDLER)
        for n in range(2, 10):
            add(f"leader{n}", office, Role.LEADER)
            add(f"viewer{n}", office, Role.VIEWER)
        for unit in departments:
            add(f"{unit.code}_staff3", unit, Role.HANDLER)

    def first(role: str) -> Any:
        people = [u for (unit_id, r), us in roles.items() if r == role for u in us]
        if not people:
            raise SystemExit(f"no user with the role {role}: run `huiyin load_demo` first")
        return min(people, key=lambda u: u.pk)

    units = []
    for unit in departments:
        heads = roles.get((unit.pk, Role.HEAD), [])
        handlers = roles.get((unit.pk, Role.HANDLER), []) or heads
        if heads:
            units.append((unit, heads[0], handlers))
    co_units = departments + list(Unit.objects.filter(kind=UnitKind.EXTERNAL, is_active=True))
    return {
        "units": units,
        "co_units": co_units,
        "heads": {unit.pk: head for unit, head, _ in units},
        "coordinator": first(Role.COORDINATOR),
        "leader": first(Role.LEADER),
        "unit_count": Unit.objects.count(),
        "user_count": User.objects.count(),
    }


def ensure_proposers(rng: random.Random) -> dict[str, list[int]]:
    from cases.models import Proposer, ProposerKind

    have = Proposer.objects.count()
    names = set(Proposer.objects.values_list("name", "kind"))
    new = []
    kinds = [ProposerKind.DEPUTY] * 55 + [ProposerKind.MEMBER] * 40 + [ProposerKind.PARTY] * 5
    while have + len(new) < PROPOSERS_WANTED:
        kind = rng.choice(kinds)
        name = chinese_name(rng) + rng.choice(GIVEN)[0]
        if kind == ProposerKind.PARTY:
            name = rng.choice(["民革", "民盟", "民建", "民进", "农工党", "致公党", "九三学社"])
            name += rng.choice(["市委会", "市委员会", "医卫支部", "卫生界小组"])
        if (name, kind) in names:
            continue
        names.add((name, kind))
        new.append(Proposer(name=name, kind=kind, delegation="", party=""))
    Proposer.objects.bulk_create(new)
    by_kind: dict[str, list[int]] = {}
    for pk, kind in Proposer.objects.values_list("pk", "kind"):
        by_kind.setdefault(kind, []).append(pk)
    npc = by_kind.get(ProposerKind.DEPUTY, [])
    cppcc = [pk for kind, pks in by_kind.items() if kind != ProposerKind.DEPUTY for pk in pks]
    return {"npc": npc or cppcc, "cppcc": cppcc or npc}


def next_ids(tables: Iterable[Table]) -> dict[str, int]:
    from django.db import connection

    ids = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT MAX(id) FROM "{table.db_table}"')
            ids[table.db_table] = (cursor.fetchone()[0] or 0) + 1
    return ids


class CaseMaker:
    """Makes the rows of one case at a time, in the order its actions would have written
    them; ids are handed out here, so children point at their parents without a query."""

    def __init__(self, tables: dict[str, Table], people: dict[str, Any], proposers: dict[str, list[int]],
                 topic_ids: list[int], letter_code: str, today: date, seed: int, datetime_suffix: str):  # fmt: skip
        from workflow.vocabulary import Action, Event
        from workflow.vocabulary import State as S

        self.t = tables
        self.rng = random.Random(seed)
        self.proposers = proposers
        self.topic_ids = topic_ids
        self.letter_code = letter_code
        self.today = today.toordinal()
        self.year = today.year
        self.year_start = {
            y: date(y, 1, 1).toordinal() for y in range(self.year - 3, self.year + 2)
        }
        self.states = state_mix()
        # Plain strings: the drivers take them as they are.
        self.S = SimpleNamespace(**{state.name: state.value for state in S})
        self.A = SimpleNamespace(**{a.name: a.value for a in (*Action, *Event)})
        # How many of GAPS's steps a case in each state has taken.
        reached = [[S.REGISTERED], [S.ASSIGNED, S.WITHDRAWN], [S.HANDLING], [S.UNIT_APPROVING],
                   [S.REVIEWING], [S.SIGNING], [S.REPLIED], [S.CLOSED]]  # fmt: skip
        self.reached = {
            state.value: step for step, states in enumerate(reached) for state in states
        }
        self.ids = next_ids(tables.values())
        self.letter_numbers: dict[int, int] = {}
        self.sequence: dict[int, int] = {}
        first = date(today.year - 3, 1, 1).toordinal()
        self.iso = {o: date.fromordinal(o).isoformat() for o in range(first, self.today + 800)}
        self.ts = {o: f"{d} 01:30:00{datetime_suffix}" for o, d in self.iso.items()}
        self.utc = {o: f"{d}T01:30:00.000000" for o, d in self.iso.items()}
        from audit.chain import ENCODER, Linker, last_link

        self.link = Linker(last_link()[1]).add_encoded
        self.encode = ENCODER.encode
        self.loads = json.loads

        def person(user: Any) -> Person:
            return (user.pk, user.username, user.first_name or user.username)

        # (unit id, head, handlers) of each department that can lead a case.
        self.units = [(unit.pk, person(head), [person(u) for u in handlers])
                      for unit, head, handlers in people["units"]]  # fmt: skip
        self.unit_codes = {unit.pk: unit.code for unit in people["co_units"]}
        self.co_units = [(unit.pk, unit.code) for unit in people["co_units"]]
        self.heads = {pk: person(head) for pk, head in people["heads"].items()}
        self.coordinator = person(people["coordinator"])
        self.leader = person(people["leader"])
        self.event_table = tables["audit_auditevent"].db_table
        self.events = tables["audit_auditevent"].rows
        self.event_tail = tables["audit_auditevent"].tail

    def take(self) -> list[tuple[Table, list[tuple[Any, ...]]]]:
        """The rows made since the last call, per table in writing order (parents first)."""
        batch = []
        for table in self.t.values():
            batch.append((table, table.rows))
            table.total += len(table.rows)
            table.rows = []
        self.events = self.t[self.event_table].rows
        return batch

    def _id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    def event(self, case: tuple[int, str], actor: Person, action: str, on: int, before: str,
              after: str, details: str) -> None:  # fmt: skip
        # Linked into the audit chain as it is made (audit.chain.encode's row, by hand).
        pk = self._id(self.event_table)
        chain = self.link(self.encode([pk, "action", case[0], case[1], "", actor[0], actor[1],
                                       action, self.iso[on], self.utc[on], before, after,
                                       self.loads(details), None, "ok"]).encode())  # fmt: skip
        self.events.append((pk, case[0], case[1], actor[0], actor[1], action, self.iso[on],
                            self.ts[on], before, after, details, chain,
                            *self.event_tail))  # fmt: skip

    def make(self) -> None:  # noqa: PLR0912, PLR0915 (one case's story, in order)
        # Hot loop (millions of rows): random() scaled rather than randrange(), details as
        # f-strings of values that need no escaping rather than json.dumps.
        S, A, iso, rand, event = self.S, self.A, self.iso, self.rng.random, self.event

        def pick(seq: Sequence[Any]) -> Any:
            return seq[int(rand() * len(seq))]

        def between(low: int, high: int) -> int:
            return low + int(rand() * (high - low + 1))

        state = pick(self.states)
        open_case = state not in (S.CLOSED, S.WITHDRAWN)
        if open_case:
            year = self.year
            received = self.today - between(5, 150)
        else:
            year = self.year - int(rand() * 3)
            start = self.year_start[year]
            received = start + between(
                0, max(0, min(self.year_start[year + 1] - 1, self.today - 100) - start)
            )
        # How far the case went; its dates follow each other and none is after today.
        reached = self.reached[state]
        by_head = rand() < 0.3  # the head submits the reply: no unit approval
        if by_head and state == S.UNIT_APPROVING:
            state = S.REVIEWING
        steps = [received]
        for low, high in GAPS[:reached]:
            steps.append(steps[-1] + low + int(rand() * (high - low + 1)))
        withdrawn_on = steps[-1] + 3 if state == S.WITHDRAWN else None
        shift = max(0, (withdrawn_on or steps[-1]) - (self.today - 1))
        if shift:
            steps = [o - shift for o in steps]
            withdrawn_on = withdrawn_on - shift if withdrawn_on else None
        received = steps[0]
        assigned = steps[1] if reached >= 1 else None
        unit, head, handlers = pick(self.units)
        handler = pick(handlers)
        coordinator, leader = self.coordinator, self.leader
        is_npc = rand() < 0.6
        seq = self.sequence.get(year, 0) + 1
        self.sequence[year] = seq
        number = f"{year}{seq:06d}"
        subject = pick(SUBJECTS)
        title = f"关于{pick(VERBS)}{pick(PLACES)}{subject}的{'建议' if is_npc else '提案'}"
        case_id = self._id("cases_case")
        case = (case_id, f"{year}年 {number} {title}"[:200])
        deadline = assigned + 91 if assigned else None
        reply_class = pick(REPLY_CLASSES) if reached >= 6 else ""
        replied_on = steps[6] if reached >= 6 else None
        rating = pick(RATINGS) if reached >= 7 else ""
        last = withdrawn_on or steps[-1]
        self.t["cases_case"].add(
            case_id, "npc_suggestion" if is_npc else "cppcc_proposal", pick(LEVELS),
            "市人大常委会代表工委" if is_npc else "市政协提案委",
            year, f"{'市十五届人大' if is_npc else '市政协十四届'}{year - 2022}次会议", number, title,
            f"{subject}事关群众切身利益。建议：一是加大投入；二是完善机制；三是强化考核。",
            pick(MODES), "市领导" if rand() < 0.02 else "", rand() < 0.05,
            leader[0] if assigned else None, state, 1, iso[received],
            iso[assigned] if assigned else None, iso[deadline] if deadline else None,
            f'{{"from": "{iso[assigned]}", "rule": "months:3"}}' if assigned else "{}",
            iso[deadline - 21] if deadline else None, iso[last],
            unit if assigned else None, reply_class, iso[replied_on] if replied_on else None,
            rating, self.ts[received], self.ts[last],
        )  # fmt: skip
        topics = self.t["cases_case_topics"]
        first_topic = pick(self.topic_ids)
        topics.add(self._id("cases_case_topics"), case_id, first_topic)
        if rand() < 0.2:
            other = pick(self.topic_ids)
            if other != first_topic:
                topics.add(self._id("cases_case_topics"), case_id, other)
        links = self.t["cases_caseproposer"]
        pool = self.proposers["npc" if is_npc else "cppcc"]
        roll = rand()
        chosen: list[int] = []
        for _ in range(1 if roll < 0.65 else 2 if roll < 0.95 else 3):
            pk = pick(pool)
            if pk not in chosen:
                links.add(self._id("cases_caseproposer"), case_id, pk, len(chosen))
                chosen.append(pk)

        event(case, coordinator, A.REGISTER, received, "", S.REGISTERED,
              f'{{"title": "{title}", "number": "{number}"}}')  # fmt: skip
        if not assigned:
            return
        assignments = self.t["cases_assignment"]
        co_unit = pick(self.co_units) if rand() < 0.3 else None
        if co_unit is not None and co_unit[0] == unit:
            co_unit = None
        co_codes = f'["{co_unit[1]}"]' if co_unit else "[]"
        event(case, coordinator, A.ASSIGN, assigned, S.REGISTERED, S.ASSIGNED,
              f'{{"handler": "{handler[1]}", "co_units": {co_codes}, "deadline": "{iso[deadline]}", '
              f'"lead_unit": "{self.unit_codes[unit]}", "deadline_provisional": false}}')  # fmt: skip
        if state == S.WITHDRAWN:
            assignments.add(self._id("cases_assignment"), case_id, unit, "lead", "cancelled",
                            iso[assigned], None, None, None, "{}", "", None)  # fmt: skip
            event(case, coordinator, A.WITHDRAW, withdrawn_on, S.ASSIGNED, S.WITHDRAWN,
                  '{"reason": "退回交办机关"}')  # fmt: skip
            return
        accepted = steps[2] if reached >= 2 else None
        assignments.add(self._id("cases_assignment"), case_id, unit, "lead",
                        "accepted" if accepted else "pending", iso[assigned], None,
                        handler[0] if accepted else None, iso[accepted] if accepted else None,
                        "{}", "", None)  # fmt: skip
        opinion_on = None
        if co_unit is not None:
            if accepted and reached >= 3:
                opinion_on = min(self.today, accepted + between(3, 20))
            assignments.add(
                self._id("cases_assignment"), case_id, co_unit[0], "co",
                "accepted" if opinion_on else "pending", iso[assigned], iso[assigned + 30],
                None, iso[opinion_on] if opinion_on else None,
                f'{{"from": "{iso[assigned]}", "rule": "months:1"}}',
                "同意主办处室意见，建议加强部门协同。" if opinion_on else "",
                iso[opinion_on] if opinion_on else None,
            )  # fmt: skip
        if not accepted:
            return
        event(case, handler, A.ACCEPT, accepted, S.ASSIGNED, S.HANDLING,
              f'{{"unit": "{self.unit_codes[unit]}", "handler": "{handler[1]}", '
              f'"handler_name": "{handler[2]}"}}')  # fmt: skip
        talks = self.t["cases_communication"]
        roll = rand()
        end = steps[3] if reached >= 3 else self.today
        for _ in range(0 if roll < 0.3 else 1 if roll < 0.8 else 2):
            on = min(end, accepted + between(2, 30))
            method = pick(METHODS)
            talk_id = self._id("cases_communication")
            talks.add(talk_id, case_id, 1, "before", method, iso[on], "处室负责人、承办人",
                      "与提出人沟通办理思路，听取意见建议", handler[0])  # fmt: skip
            event(case, handler, A.COMMUNICATE, on, S.HANDLING, S.HANDLING,
                  f'{{"stage": "before", "method": "{method}", "communication": {talk_id}}}')  # fmt: skip
        if co_unit is not None and opinion_on is not None and co_unit[0] in self.heads:
            event(case, self.heads[co_unit[0]], A.SUBMIT_OPINION, opinion_on, S.HANDLING,
                  S.HANDLING, f'{{"unit": "{co_unit[1]}"}}')  # fmt: skip
        if reached < 3:
            return
        replies = self.t["cases_reply"]
        submitted = steps[3]
        if reached >= 6 and rand() < 0.06:  # a first draft sent back by the review
            draft_id = self._id("cases_reply")
            sent_on = submitted - between(8, 12)
            replies.add(draft_id, case_id, 1, "初稿：您提出的建议收悉……", reply_class, handler[2],
                        "0571-87000000", "sent_back", iso[sent_on], handler[0],
                        f'{{"review": {{"on": "{iso[sent_on + 2]}", "comment": "请补充具体措施", '
                        '"approved": false}}', None, None, "")  # fmt: skip
            event(case, handler, A.SUBMIT_REPLY, sent_on, S.HANDLING, S.REVIEWING,
                  f'{{"reply": {draft_id}, "reply_class": "{reply_class}"}}')  # fmt: skip
            event(case, coordinator, A.REVIEW, sent_on + 2, S.REVIEWING, S.HANDLING,
                  f'{{"reply": {draft_id}, "comment": "请补充具体措施", "approved": false}}')  # fmt: skip
        reply_id = self._id("cases_reply")
        submitter = head if by_head else handler
        event(case, submitter, A.SUBMIT_REPLY, submitted, S.HANDLING,
              S.REVIEWING if by_head else S.UNIT_APPROVING,
              f'{{"reply": {reply_id}, "reply_class": "{reply_class}"}}')  # fmt: skip
        review = []
        if reached >= 4 and not by_head:
            review.append(
                f'"approve_reply": {{"on": "{iso[steps[4]]}", "comment": "同意", "approved": true}}'
            )
            event(case, head, A.APPROVE_REPLY, steps[4], S.UNIT_APPROVING, S.REVIEWING,
                  f'{{"reply": {reply_id}, "comment": "同意", "approved": true}}')  # fmt: skip
        if reached >= 5:
            review.append(
                f'"review": {{"on": "{iso[steps[5]]}", "comment": "四关审核通过", "approved": true}}'
            )
            event(case, coordinator, A.REVIEW, steps[5], S.REVIEWING, S.SIGNING,
                  f'{{"reply": {reply_id}, "comment": "四关审核通过", "approved": true}}')  # fmt: skip
        doc_number = ""
        signed = steps[6] if reached >= 6 else None
        if signed is not None:
            sign_year = date.fromordinal(signed).year
            n = self.letter_numbers.get(sign_year, 0) + 1
            self.letter_numbers[sign_year] = n
            doc_number = f"{self.letter_code}〔{sign_year}〕{n}号"
            review.append(f'"sign": {{"on": "{iso[signed]}", "comment": "同意", "approved": true}}')
            self.t["letters_letternumber"].add(
                self._id("letters_letternumber"), "reply", sign_year, n, self.letter_code,
                doc_number, reply_id, iso[signed], leader[0])  # fmt: skip
            event(case, leader, A.SIGN, signed, S.SIGNING, S.REPLIED,
                  f'{{"reply": {reply_id}, "comment": "同意", "approved": true, '
                  f'"doc_number": "{doc_number}"}}')  # fmt: skip
        replies.add(
            reply_id, case_id, 1, f"您提出的《{title}》收悉。经认真研究，现答复如下：……",
            reply_class, handler[2], "0571-87000000", status_of(state, reached), iso[submitted],
            submitter[0], "{" + ", ".join(review) + "}", iso[signed] if signed else None,
            leader[0] if signed else None, doc_number,
        )  # fmt: skip
        if signed is not None and reply_class in ("B", "C"):
            self.t["cases_commitment"].add(
                self._id("cases_commitment"), case_id, reply_id, "年内出台实施方案并组织落实",
                f"{date.fromordinal(signed).year}-12-31",
                "fulfilled" if state == S.CLOSED and rand() < 0.6 else "in_progress")  # fmt: skip
        if reached >= 7:
            rated = steps[7]
            self.t["cases_feedback"].add(self._id("cases_feedback"), case_id, 1, rating, rating,
                                         iso[rated], coordinator[0])  # fmt: skip
            event(case, coordinator, A.RECORD_FEEDBACK, rated, S.REPLIED, S.CLOSED,
                  f'{{"round": 1, "result": "{rating}", "attitude": "{rating}"}}')  # fmt: skip


def status_of(state: str, reached: int) -> str:
    """The reply's status: where the case is while the draft is on its way, then signed."""
    return state if reached < 6 else "signed"


def describe_tables() -> dict[str, Table]:
    from audit.models import AuditEvent
    from cases.models import (
        Assignment,
        Case,
        CaseProposer,
        Commitment,
        Communication,
        Feedback,
        Reply,
    )
    from letters.models import LetterNumber

    specs: list[tuple[Any, Sequence[str]]] = [
        (Case, ("id", "category", "level", "issuer", "year", "session", "number", "title",
                "content", "mode", "led_by", "is_key", "leader_in_charge", "state", "round",
                "received_on", "assigned_on", "deadline", "deadline_rule", "unit_deadline",
                "last_action_on", "lead_unit", "reply_class", "replied_on", "feedback_result",
                "created_at", "updated_at")),
        (Case.topics.through, ("id", "case", "topic")),
        (CaseProposer, ("id", "case", "proposer", "position")),
        (Assignment, ("id", "case", "unit", "kind", "status", "assigned_on", "deadline",
                      "handler", "accepted_on", "deadline_rule", "opinion", "opinion_on")),
        (Communication, ("id", "case", "round", "stage", "method", "on", "participants",
                         "summary", "recorded_by")),
        (Reply, ("id", "case", "round", "text", "reply_class", "contact", "phone", "status",
                 "submitted_on", "submitted_by", "review", "signed_on", "signed_by",
                 "doc_number")),
        (Commitment, ("id", "case", "reply", "what", "due", "status")),
        (Feedback, ("id", "case", "round", "result", "attitude", "on", "recorded_by")),
        (LetterNumber, ("id", "kind", "year", "number", "code", "text", "reply", "issued_on",
                        "issued_by")),
        (AuditEvent, ("id", "case", "case_label", "actor", "actor_name", "action", "on", "at",
                      "from_state", "to_state", "details", "chain")),
    ]  # fmt: skip
    tables = {}
    for model, fields in specs:
        table = Table(model, fields)
        tables[table.db_table] = table
    return tables


def derived_tables() -> list[str]:
    """The tables the actions keep beside the cases (the units' involvement, the
    statistics' summaries), rebuilt after loading."""
    from django.apps import apps

    return [apps.get_model(label)._meta.db_table for label in DERIVED_MODELS]


DERIVED_MODELS = (
    "cases.CaseUnit",
    "reports.CaseTally",
    "reports.TallyCell",
    "reports.TallyMonth",
    "reports.TallyTopic",
    "reports.TallyOutcome",
)


def hanging_off_cases() -> list[Any]:
    """Every model whose rows hang off a case, directly or through another such model,
    deepest first (the order to delete them in), the case last."""
    from django.apps import apps

    from audit.models import AuditEvent
    from cases.models import Case

    depth: dict[Any, int] = {Case: 0}
    changed = True
    while changed:
        changed = False
        for model in apps.get_models(include_auto_created=True):
            for field in model._meta.concrete_fields:
                target = field.related_model if field.is_relation else None
                if target in depth and model is not AuditEvent and target is not model:
                    d = depth[target] + 1
                    if depth.get(model, -1) < d:
                        depth[model] = d
                        changed = True
    return sorted(depth, key=lambda m: -depth[m])


def main() -> None:  # noqa: PLR0915
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--chunk", type=int, default=10_000, help="cases per batch")
    parser.add_argument("--today", type=date.fromisoformat, help="default: today")
    args = parser.parse_args()
    load(args.cases, seed=args.seed, chunk=args.chunk, today=args.today, verbose=True)


def load(count: int, *, seed: int = 7, chunk: int = 10_000, today: date | None = None,
         verbose: bool = False) -> dict[str, int]:  # fmt: skip
    """Replace the cases with `count` new ones; return the rows written per table."""
    setup_django()
    from django.db import connection, transaction
    from django.utils import timezone

    from audit.chain import rechain
    from audit.models import AuditEvent
    from cases.models import Topic
    from letters.models import LetterCounter, LetterKind, LetterSeries

    def say(text: str) -> None:
        if verbose:
            print(text, flush=True)

    started = time.perf_counter()
    cpu_started = time.process_time()
    vendor = connection.vendor
    backend_pid = None
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend_pid = cursor.fetchone()[0]
    backend_started = backend_cpu(backend_pid) if backend_pid else None
    rng = random.Random(seed)
    today = today or timezone.localdate()
    people = ensure_people(rng)
    proposers = ensure_proposers(rng)
    topic_ids = list(Topic.objects.values_list("pk", flat=True))
    if not topic_ids:
        topic_ids = [
            Topic.objects.create(name=name).pk for name in ("基层卫生", "医疗服务", "中医药")
        ]
    series = LetterSeries.objects.filter(kind=LetterKind.REPLY).first()
    letter_code = series.code if series and series.code else "卫函"
    say(f"database: {vendor} {connection.settings_dict['NAME']}; units {people['unit_count']}, "
        f"users {people['user_count']}, proposers {len(set(proposers['npc'] + proposers['cppcc']))}")  # fmt: skip
    tables = describe_tables()
    order = list(tables)
    events = AuditEvent._meta.db_table
    clear = [m._meta.db_table for m in hanging_off_cases()]
    prepared = time.perf_counter()

    with transaction.atomic():
        cursor = connection.cursor()
        index_defs: list[tuple[str, str]] = []
        if vendor == "postgresql":
            # Rows written earlier in this transaction (a test's) have their deferred
            # foreign-key checks queued, which TRUNCATE and CREATE INDEX refuse: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            # Foreign-key triggers off while writing: the rows are consistent by construction
            # (and Django's deferred constraints would forbid the index rebuild).
            cursor.execute("SET LOCAL session_replication_role = replica")
            # The events of units and users stay; those of cases go with the cases.
            cursor.execute(
                f"CREATE TEMP TABLE kept_events AS SELECT * FROM {events} "
                "WHERE case_id IS NULL AND case_label = ''"
            )
            cursor.execute(f"TRUNCATE {', '.join([*clear, events])} RESTART IDENTITY")
            cursor.execute(f"INSERT INTO {events} SELECT * FROM kept_events")
            cursor.execute("DROP TABLE kept_events")
            rechain()  # the kept events, now without the case events between them
            cursor.execute(
                """SELECT i.indexname, i.indexdef FROM pg_indexes i
                   WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
                     AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""",
                [order],
            )
            index_defs = cursor.fetchall()
            for name, _ in index_defs:
                cursor.execute(f'DROP INDEX "{name}"')
        else:
            cursor.execute(f"DELETE FROM {events} WHERE case_id IS NOT NULL OR case_label <> ''")
            for table in clear:
                cursor.execute(f'DELETE FROM "{table}"')
            rechain()
        say(f"cleared {len(clear) + 1} tables, dropped {len(index_defs)} indexes: "
            f"{time.perf_counter() - prepared:.1f} s")  # fmt: skip
        suffix = "+00:00" if vendor == "postgresql" else ""
        maker = CaseMaker(tables, people, proposers, topic_ids, letter_code, today, seed, suffix)
        raw = connection.connection
        copied = time.perf_counter()
        # The next batch is made while the last one is written: on PostgreSQL the server
        # parses and stores rows while Python makes more (write_row and the socket waits
        # release the GIL often enough); a queue of two bounds the memory.
        batches: queue.Queue[list[tuple[Table, list[tuple[Any, ...]]]] | None] = queue.Queue(2)
        failed: list[BaseException] = []

        def writer() -> None:
            while (batch := batches.get()) is not None:
                if failed:
                    continue  # drain, so that the maker never blocks on a full queue
                try:
                    for table, rows in batch:
                        write(raw, vendor, table, rows)
                except BaseException as exc:  # noqa: BLE001 (re-raised by the main thread)
                    failed.append(exc)

        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        made = 0
        try:
            while made < count and not failed:
                n = min(chunk, count - made)
                for _ in range(n):
                    maker.make()
                made += n
                batches.put(maker.take())
        finally:
            batches.put(None)
            thread.join()
        if failed:
            raise failed[0]
        written = time.perf_counter()
        say(f"wrote {sum(t.total for t in tables.values()):,} rows: {written - copied:.1f} s")
        if vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for _, ddl in index_defs:
                cursor.execute(ddl)
            for name in order:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
                )
            say(f"rebuilt {len(index_defs)} indexes: {time.perf_counter() - written:.1f} s")
        for year, last in maker.letter_numbers.items():
            LetterCounter.objects.update_or_create(
                kind=LetterKind.REPLY, year=year, defaults={"last": last}
            )
    committed = time.perf_counter()
    # The rows the actions keep beside the cases (audit.signals), which COPY bypassed.
    from cases.involvement import rebuild as rebuild_involvement
    from reports.tally import rebuild as rebuild_tally

    involved = rebuild_involvement()
    tallied = sum(rebuild_tally().values())
    derived = time.perf_counter()
    say(f"derived rows: units' involvement {involved:,}, statistics' summaries {tallied:,}: "
        f"{derived - committed:.1f} s")  # fmt: skip
    committed = derived
    if vendor == "postgresql":
        # VACUUM cannot run inside a transaction (a test's): ANALYZE then. The derived
        # tables too: their index-only scans need the visibility map VACUUM writes.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            for name in [*order, *derived_tables()]:
                cursor.execute(f"{command} {name}")
        say(f"vacuum analyze: {time.perf_counter() - committed:.1f} s")
    else:
        from ops.statistics import refresh

        refresh()  # SQLite's planner statistics, as a migrate leaves them
        say(f"analyze: {time.perf_counter() - committed:.1f} s")
    elapsed = time.perf_counter() - started
    rows = {name: tables[name].total for name in order}
    total = sum(rows.values())
    say("")
    for name, n in rows.items():
        say(f"{name:<28} {n:>12,}  {n / max(count, 1):5.2f} a case")
    say(f"{'total':<28} {total:>12,}")
    cpu = f"CPU: loader {time.process_time() - cpu_started:.1f} s"
    backend = backend_cpu(backend_pid) if backend_pid else None
    if backend is not None and backend_started is not None:
        cpu += f", PostgreSQL backend {backend - backend_started:.1f} s"
    say(f"{cpu} (the machine's other work shows in the wall time, not here)")
    say(f"{count:,} cases, {total:,} rows in {elapsed:.1f} s: {total / elapsed:,.0f} rows/s "
        f"(writing alone {total / (written - copied):,.0f} rows/s)")  # fmt: skip
    return rows


def backend_cpu(pid: int) -> float | None:
    """CPU seconds the PostgreSQL backend has used, when the server runs on this machine."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def write(raw: Any, vendor: str, table: Table, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    columns = ", ".join(f'"{c}"' for c in table.columns)
    if vendor == "postgresql":
        with raw.cursor() as cursor:
            # FREEZE: the table was truncated in this transaction, so its rows are written
            # frozen and visible to all, and VACUUM afterwards has nothing to do but ANALYZE.
            sql = f'COPY "{table.db_table}" ({columns}) FROM STDIN WITH (FREEZE)'
            with cursor.copy(sql) as copy:
                write_row = copy.write_row
                for row in rows:
                    write_row(row)
    else:
        marks = ", ".join("?" * len(table.columns))
        raw.executemany(f'INSERT INTO "{table.db_table}" ({columns}) VALUES ({marks})', rows)


if __name__ == "__main__":
    main()
