"""Concurrent users against a running Huiyin (issue 10's load figures): locust, headless,
loopback only, bounded in time. bench/load_test.sh starts the server and runs this.

Each simulated user logs in through /login/ (CSRF token from the form, the demo password)
as one of the demo accounts (a mix of roles, mostly unit staff, as in a commission), reads
the case ids it may see from its own ledger, and then, with no think time (or one request
every --think seconds), picks:

- 40 % a ledger list with one of several filters (unit + state, state, year, overdue,
  keyword, a second page, none);
- 40 % a case page, a random id from those its own ledger showed;
- 20 % 我的待办;
- and 1 request in 20 overall a write: 沟通 (a communication recorded on a case whose lead
  unit is the user's own, a real action that may be repeated), posted as a browser posts
  the form: its CSRF token and a fresh idempotency key. Only unit staff may record one:
  the next of them to act writes whenever the writes fall below 1 in 20.

Request names end in (office) for the commission's office accounts (coordinator, leader,
viewer: every case in scope) and (unit) for unit heads and handlers (their unit's cases).

Logins and the first pages (setup) are not counted: the measured window of --measure
seconds starts once every user is ready. At its end the file prints requests/s, median and
p95 (exact, from every sample, not locust's rounded buckets), errors, the CPU this load
generator used in the window (and the server's, given --server-pid), per request kind.

    .venv/bin/locust -f bench/locustfile.py --headless --host http://127.0.0.1:8000 \
        -u 50 -r 50 --run-time 6m --measure 60 [--think 3] [--server-pid PID]
"""

from __future__ import annotations

import math
import os
import random
import re
import statistics
import sys
import time
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlparse
from zoneinfo import ZoneInfo

import gevent
import psutil
from gevent.event import Event
from locust import FastHttpUser, events, task
from locust.env import Environment
from locust.exception import StopUser

PASSWORD = "huiyin-demo"
# The demo's accounts (cases/demo.py) by role; unit staff are most of a commission's users.
OFFICE = ["coordinator", "leader", "viewer"]
HEADS = ["yizheng", "jiceng", "zhongyi", "jikong", "fuyou", "laoling", "guihua", "renshi"]
HANDLERS = ["yizheng_staff", "jiceng_staff", "zhongyi_staff"]
ACCOUNTS = [*OFFICE, *HEADS, *HANDLERS]
WRITERS = frozenset([*HEADS, *HANDLERS])
UNIT_CODES = ["yizheng", "jiceng", "zhongyi", "jikong", "fuyou", "laoling"]
WRITE_SHARE = 1 / 20
SETUP_LIMIT = 300  # seconds for every user to log in and read its first pages
LOOPBACK = re.compile(r"^(127\.\d+\.\d+\.\d+|localhost|::1)$")
CASE_LINK = re.compile(r'href="/cases/(\d+)/"')
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TODAY_ZONE = ZoneInfo("Asia/Shanghai")


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    parser.add_argument(
        "--think", type=float, default=0.0, help="seconds between one user's requests"
    )
    parser.add_argument(
        "--measure", type=float, default=60.0, help="seconds measured once all are ready"
    )
    parser.add_argument(
        "--server-pid", type=int, default=0, help="gunicorn's master: its CPU is reported"
    )
    parser.add_argument("--summary-file", default="", help="also write the summary here")


class Window:
    """The measured window: opens when the last user is ready, closes --measure s later."""

    ready = 0
    opened = Event()
    was_opened = False
    samples: list[tuple[str, float, bool]] = []
    failures: dict[str, int] = {}
    writers = 0
    requests = 0
    writes = 0
    broken: list[str] = []
    cpu: dict[str, float] = {}


def _cpu(pid: int) -> float:
    """User + system CPU seconds of a process and its children (0 if it is gone)."""
    try:
        proc = psutil.Process(pid)
        total = sum(proc.cpu_times()[:2])
        for child in proc.children(recursive=True):
            try:
                total += sum(child.cpu_times()[:2])
            except psutil.NoSuchProcess:
                pass
        return total
    except psutil.NoSuchProcess:
        return 0.0


def _snapshot(env: Environment) -> dict[str, float]:
    machine = psutil.cpu_times()
    return {
        "time": time.monotonic(),
        "self": sum(psutil.Process().cpu_times()[:2]),
        "server": _cpu(env.parsed_options.server_pid) if env.parsed_options.server_pid else 0.0,
        "busy": machine.user + machine.system + machine.nice + machine.irq + machine.softirq,
        "all": sum(machine),
    }


@events.init.add_listener
def _check_host(environment: Environment, **_: Any) -> None:
    host = urlparse(environment.host or "").hostname or ""
    if not LOOPBACK.match(host):
        sys.exit(f"loopback only: --host {environment.host!r} is not 127.0.0.1/localhost")


@events.test_start.add_listener
def _watchdog(environment: Environment, **_: Any) -> None:
    """Ends the run if the users never all get ready (a server that refuses the logins)."""

    def watch() -> None:
        gevent.sleep(SETUP_LIMIT)
        if not Window.was_opened and environment.runner is not None:
            print(f"not every user was ready after {SETUP_LIMIT} s: {Window.broken}", flush=True)
            environment.runner.quit()

    gevent.spawn(watch)


@events.request.add_listener
def _record(name: str, response_time: float, exception: Any, **_: Any) -> None:
    if Window.opened.is_set() and not name.startswith("setup"):
        Window.samples.append((name, response_time, exception is not None))
        if exception is not None:
            key = f"{name}: {str(exception)[:120]}"
            Window.failures[key] = Window.failures.get(key, 0) + 1


def _user_ready(env: Environment, writer: bool) -> None:
    Window.ready += 1
    Window.writers += writer
    if env.runner is not None and Window.ready >= env.parsed_options.num_users:
        env.runner.stats.reset_all()
        Window.cpu = _snapshot(env)
        Window.requests = Window.writes = 0
        Window.was_opened = True
        Window.opened.set()
        gevent.spawn(_close_window, env)


def _pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else 0.0


def _close_window(env: Environment) -> None:
    gevent.sleep(env.parsed_options.measure)
    end = _snapshot(env)
    samples = list(Window.samples)
    Window.opened.clear()
    start = Window.cpu
    seconds = end["time"] - start["time"]
    times = [t for _, t, _ in samples]
    errors = sum(1 for *_, failed in samples if failed)
    opts = env.parsed_options
    think = f"one request every {opts.think:g} s per user" if opts.think else "no think time"
    lines = [
        "",
        f"## Load test: {opts.num_users} users ({Window.writers} may write), {think}, "
        f"{seconds:.0f} s measured, {env.host}",
        "",
        f"- requests: {len(samples):,}; **{len(samples) / seconds:.1f} requests/s**; "
        f"**median {statistics.median(times) if times else 0:.0f} ms, p95 {_pct(times, 0.95):.0f} ms**, "
        f"p99 {_pct(times, 0.99):.0f} ms, max {max(times, default=0):.0f} ms; **errors: {errors}**",
        f"- CPU of this load generator: {end['self'] - start['self']:.1f} s in {seconds:.0f} s "
        f"= {(end['self'] - start['self']) / seconds * 100:.0f} % of one core",
    ]
    if opts.server_pid:
        server = end["server"] - start["server"]
        lines.append(
            f"- CPU of the server (gunicorn, all workers): {server:.1f} s "
            f"= {server / seconds * 100:.0f} % of one core"
        )
    machine = (end["busy"] - start["busy"]) / max(end["all"] - start["all"], 1e-9)
    lines += [
        f"- the whole machine ({psutil.cpu_count()} cores, PostgreSQL and other work included): "
        f"{machine * 100:.0f} % busy",
        "",
        "| request | count | share | median ms | p95 ms | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    by_name: dict[str, list[tuple[float, bool]]] = {}
    for name, t, failed in samples:
        by_name.setdefault(name, []).append((t, failed))
    for name in sorted(by_name):
        rows = by_name[name]
        ts = [t for t, _ in rows]
        lines.append(
            f"| {name} | {len(rows):,} | {len(rows) / max(len(samples), 1) * 100:.1f} % | "
            f"{statistics.median(ts):.0f} | {_pct(ts, 0.95):.0f} | {sum(f for _, f in rows)} |"
        )
    if Window.broken:
        lines += ["", f"Users that could not start ({len(Window.broken)}):"]
        lines += [f"- {b}" for b in Window.broken]
    if Window.failures:
        lines += ["", "Errors:"] + [f"- {n} × {k}" for k, n in sorted(Window.failures.items())]
    print("\n".join(lines), flush=True)
    if opts.summary_file:
        with open(opts.summary_file, "w", encoding="utf-8") as out:
            out.write("\n".join(lines[1:]) + "\n")
    if env.runner is not None:
        env.runner.quit()


class Person(FastHttpUser):
    """One logged-in person of the demo's commission."""

    host = "http://127.0.0.1:8000"
    counter = 0

    def on_start(self) -> None:
        Person.counter += 1
        self.username = ACCOUNTS[(Person.counter - 1) % len(ACCOUNTS)]
        self.kind = "unit" if self.username in WRITERS else "office"
        self.think = self.environment.parsed_options.think
        self.started = 0.0
        year = datetime.now(TODAY_ZONE).year
        unit = random.choice(UNIT_CODES)
        self.ledgers = [
            ("ledger: unit + state", f"/cases/?unit={unit}&state=handling"),
            ("ledger: state", "/cases/?state=handling"),
            ("ledger: closed", "/cases/?state=closed"),
            ("ledger: year", f"/cases/?year={year - 1}"),
            ("ledger: overdue", "/cases/?overdue=1"),
            ("ledger: keyword", "/cases/?q=" + quote("家庭医生")),
            ("ledger: page 2", "/cases/?page=2"),
            ("ledger: no filter", "/cases/"),
        ]
        self.case_ids: list[int] = []
        self.targets: list[int] = []
        self.token = ""
        try:
            self.log_in()
            self.case_ids = self.visible_cases()
            if self.username in WRITERS:
                self.find_targets()
        except Exception as exc:  # counted, and the window still opens for the others
            Window.broken.append(f"{self.username}: {exc}")
        finally:
            _user_ready(self.environment, bool(self.targets))
        Window.opened.wait(timeout=SETUP_LIMIT)
        if self.think:  # spread the users over the first interval
            gevent.sleep(random.uniform(0, self.think))

    def log_in(self) -> None:
        form = self.client.get("/login/", name="setup: login form")
        token = TOKEN.search(form.text or "")
        if token is None:
            raise RuntimeError("no CSRF token in the login form")
        with self.client.post(
            "/login/",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "username": self.username,
                "password": PASSWORD,
            },
            headers={"Referer": f"{self.host}/login/"},
            allow_redirects=False,
            name="setup: log in",
            catch_response=True,
        ) as answer:
            where = answer.headers.get("Location", "") if answer.headers else ""
            if answer.status_code != 302 or "login" in where:
                answer.failure(f"{self.username} could not log in ({answer.status_code})")
                raise RuntimeError(f"{self.username} could not log in")

    def visible_cases(self) -> list[int]:
        """Ids from the user's own ledger: cases this user may open."""
        found: list[int] = []
        for path in ("/cases/", "/cases/?state=handling", "/cases/?page=3", "/cases/?state=closed"):
            page = self.client.get(path, name="setup: ledger")
            found += [int(i) for i in CASE_LINK.findall(page.text or "")]
        ids = sorted(set(found))
        if not ids:
            raise RuntimeError(f"{self.username} sees no case")
        return ids

    def find_targets(self) -> None:
        """Cases on which this user's page offers 沟通 (the unit leads them): up to 5."""
        page = self.client.get("/cases/?state=handling&role=lead", name="setup: ledger")
        for case_id in CASE_LINK.findall(page.text or "")[:12]:
            html = self.client.get(f"/cases/{case_id}/", name="setup: case page").text or ""
            token = TOKEN.search(html)
            if f"/cases/{case_id}/actions/communicate/" in html and token:
                self.targets.append(int(case_id))
                self.token = token.group(1)
            if len(self.targets) >= 5:
                break

    def wait_time(self) -> float:
        if not self.think:
            return 0
        return max(0.0, self.think - (time.monotonic() - self.started))

    @task
    def step(self) -> None:
        if not self.case_ids:
            raise StopUser()
        self.started = time.monotonic()
        # Exactly 1 request in 20 a write, overall: the next user who may write takes it
        # whenever the writes fall behind (unit staff only: their pages run at other speeds
        # than the office's, so a fixed per-user chance would not give 1 in 20).
        Window.requests += 1
        if self.targets and Window.writes < WRITE_SHARE * Window.requests:
            Window.writes += 1
            self.communicate()
            return
        pick = random.random()
        if pick < 0.4:
            name, path = random.choice(self.ledgers)
            self.client.get(path, name=f"{name} ({self.kind})")
        elif pick < 0.8:
            case_id = random.choice(self.case_ids)
            self.client.get(f"/cases/{case_id}/", name=f"case page ({self.kind})")
        else:
            self.client.get("/", name=f"我的待办 ({self.kind})")

    def communicate(self) -> None:
        case_id = random.choice(self.targets)
        with self.client.post(
            f"/cases/{case_id}/actions/communicate/",
            data={
                "csrfmiddlewaretoken": self.token,
                "idempotency_key": uuid.uuid4().hex,
                "stage": "during",
                "method": "phone",
                "on": datetime.now(TODAY_ZONE).date().isoformat(),
                "participants": "",
                "summary": f"负载测试：电话沟通办理进展（{os.getpid()}）。",
            },
            headers={"Referer": f"{self.host}/cases/{case_id}/"},
            allow_redirects=False,
            name="write: 沟通",
            catch_response=True,
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"沟通 on case {case_id}: HTTP {answer.status_code}")
