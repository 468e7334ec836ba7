"""The production path: `huiyin serve` (no demo, debug off, a fresh SQLite database, keys
from the environment, a user made by the actions) answers on a free port; a user logs in
through /login/ and opens a case; SIGTERM stops gunicorn, its workers, the task worker and
the scheduler, and nothing is left running."""

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
PASSWORD = "Serve-smoke-2026!"
SETUP = """
from datetime import date
from cases.actions import register_case
from orgs.actions import change_own_password, create_unit, create_user
from orgs.models import Role, UnitKind
office = create_unit(by=None, code="bangongshi", name="办公室", kind=UnitKind.OFFICE)
user = create_user(by=None, username="coordinator", password="First-pass-2026!",
                   full_name="王协调", roles=[(office, Role.COORDINATOR)])
change_own_password(user, old_password="First-pass-2026!", new_password="{password}")
case = register_case(by=user, category="npc_suggestion", level="municipal", year=2026,
    session="市十五届人大五次会议", number="20260001", title="关于加强基层医疗卫生人才队伍建设的建议",
    content="建议加大基层卫生人才培养力度。", lead_proposer="陈代表", joint_proposers=[],
    mode="lead", topics=["基层卫生"], received_on=date(2026, 3, 2))
print("CASE", case.pk)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def environment(tmp_path):
    env = {
        **os.environ,
        "HUIYIN_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'huiyin.sqlite3'}",
        "HUIYIN_DEBUG": "0",
        "HUIYIN_DEMO": "0",
        "HUIYIN_SECRET_KEY": secrets.token_urlsafe(50),
        "HUIYIN_SECURE_COOKIES": "0",  # plain http on the loopback, as behind nginx
        "HUIYIN_WORKERS": "1",
        "HUIYIN_THREADS": "2",
        "HUIYIN_BACKUP_DIR": str(tmp_path / "backups"),
        "HUIYIN_TASKS": "db",
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("HUIYIN_TEST_DB_NAME", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    env["DJANGO_SETTINGS_MODULE"] = "huiyin.settings"
    return env


def test_serve_logs_in_opens_a_case_and_stops_everything(environment, tmp_path):
    huiyin = str(BIN / "huiyin")
    subprocess.run([huiyin, "migrate", "-v0"], env=environment, check=True, timeout=120)
    made = subprocess.run(
        [huiyin, "shell", "-c", SETUP.format(password=PASSWORD)],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    case_id = int(re.search(r"CASE (\d+)", made.stdout)[1])

    port = free_port()
    environment["HUIYIN_BIND"] = f"127.0.0.1:{port}"
    log = open(tmp_path / "serve.log", "wb")
    server = subprocess.Popen(
        [huiyin, "serve", "--skip-checks"], env=environment, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        deadline = time.monotonic() + 40
        while True:
            try:
                login_page = opener.open(f"{base}/login/", timeout=20).read().decode()
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                assert server.poll() is None, (tmp_path / "serve.log").read_text()
                assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
                time.sleep(0.3)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page)[1]
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": "coordinator", "password": PASSWORD}
        ).encode()
        request = urllib.request.Request(
            f"{base}/login/", data=form, headers={"Referer": f"{base}/login/"}
        )
        landed = opener.open(request, timeout=20)
        assert landed.status == 200 and not landed.url.endswith("/login/"), landed.url
        page = opener.open(f"{base}/cases/{case_id}/", timeout=20)
        html = page.read().decode()
        assert page.status == 200 and "关于加强基层医疗卫生人才队伍建设的建议" in html
        # Static files under hashed names (collected by serve), served by WhiteNoise.
        css = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', html)
        assert css and opener.open(base + css[1], timeout=5).status == 200
        family = descendants(server.pid)
        assert len(family) >= 4, family  # gunicorn master + its worker, the worker, the scheduler
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(30)
        log.close()
    output = (tmp_path / "serve.log").read_text()
    assert code == 0, output
    assert "huiyin-demo" not in output and "演示" not in output
    assert [pid for pid in family if alive(pid)] == []


def test_serve_refuses_the_demo(environment):
    environment["HUIYIN_DEMO"] = "1"
    done = subprocess.run(
        [str(BIN / "huiyin"), "serve"], env=environment, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1 and "演示模式" in done.stderr


def test_serve_refuses_a_failing_deployment_check(environment):
    done = subprocess.run(
        [str(BIN / "huiyin"), "serve", "--no-collectstatic"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "FAIL" in done.stderr and "--skip-checks" in done.stderr
