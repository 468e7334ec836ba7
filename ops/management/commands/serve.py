"""`huiyin serve`: the production start. Refuses the demo; checks the deployment (as
`huiyin check-deploy`, less the worker's heartbeat, which only a running worker gives);
collects the static files under hashed names; migrates; then runs gunicorn, the task worker
and the scheduler, and stops all three when it is asked to (SIGTERM, Ctrl-C) or when one of
them ends."""

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from notify.management.process import Stop
from ops import checks

GRACE_SECONDS = 20.0
# Checked while it runs (/healthz), not before the worker has started.
NOT_AT_START = {checks.worker_alive}


def _positive(name: str, default: int) -> int:
    raw = os.environ.get(name) or str(default)
    if not raw.isdigit() or int(raw) < 1:
        raise CommandError(f"{name} 须为正整数，而不是 {raw!r}")
    return int(raw)


class Command(BaseCommand):
    help = (
        "生产环境启动：检查部署（同 check-deploy，任务进程心跳除外）、收集静态文件、迁移数据库，"
        "然后运行 gunicorn（HUIYIN_BIND，HUIYIN_WORKERS × HUIYIN_THREADS）、任务进程和定时任务；"
        "Ctrl-C 或 SIGTERM 停止全部。不能在演示模式（HUIYIN_DEMO）下运行"
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--skip-checks", action="store_true", help="有 FAIL 项也启动（并列出它们）"
        )
        parser.add_argument("--no-migrate", action="store_true", help="不执行数据库迁移")
        parser.add_argument(
            "--no-collectstatic", action="store_true", help="静态文件已收集（升级之间未变）"
        )

    def handle(
        self,
        *args: object,
        skip_checks: bool,
        no_migrate: bool,
        no_collectstatic: bool,
        **options: object,
    ) -> None:
        if settings.HUIYIN_DEMO:
            raise CommandError(
                "huiyin serve 用于生产环境，不能在演示模式（HUIYIN_DEMO=1）下运行；演示请用 make run"
            )
        bind = os.environ.get("HUIYIN_BIND") or "127.0.0.1:8000"
        workers = _positive("HUIYIN_WORKERS", 2)
        threads = _positive("HUIYIN_THREADS", 4)
        bin_dir = Path(sys.executable).parent
        env = {**os.environ, "HUIYIN_STATIC_MANIFEST": "1", "PYTHONUNBUFFERED": "1"}
        if not no_collectstatic:
            self.stdout.write(f"收集静态文件到 {settings.STATIC_ROOT}")
            self._run(
                [str(bin_dir / "huiyin"), "collectstatic", "--noinput", "--clear", "-v0"], env
            )
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
        self._check(skip=skip_checks)
        commands = {
            "web": [
                str(bin_dir / "gunicorn"),
                "huiyin.wsgi:application",
                "--bind",
                bind,
                "--workers",
                str(workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(threads),
                "--access-logfile",
                os.environ.get("HUIYIN_ACCESS_LOG") or "-",
                "--no-control-socket",
            ],
            "worker": [str(bin_dir / "huiyin"), "worker"],
            "scheduler": [str(bin_dir / "huiyin"), "scheduler"],
        }
        self.stdout.write(
            f"gunicorn 监听 {bind}：{workers} 个进程 × {threads} 个线程；另有任务进程与定时任务"
        )
        code = self._supervise(commands, env)
        if code:
            raise CommandError(
                f"已停止：一个进程以 {code} 退出", returncode=code if code > 0 else 1
            )
        self.stdout.write("已停止")

    def _run(self, command: list[str], env: dict[str, str]) -> None:
        done = subprocess.run(command, env=env, check=False)
        if done.returncode:
            raise CommandError(f"{' '.join(command[1:3])} 失败（{done.returncode}）")

    def _check(self, *, skip: bool) -> None:
        items = checks.django_deploy_items()
        items += [
            checks.Item(name, check())
            for name, check in checks.HUIYIN_ITEMS
            if check not in NOT_AT_START
        ]
        failed = [item for item in items if not item.ok]
        for item in failed:
            self.stderr.write(item.line())
        if failed and not skip:
            raise CommandError(
                f"部署检查有 {len(failed)} 项未通过（huiyin check-deploy）；修正后再启动，"
                "或加 --skip-checks 强行启动"
            )
        if failed:
            self.stderr.write(f"--skip-checks：带着 {len(failed)} 项未通过的检查启动")

    def _supervise(self, commands: dict[str, list[str]], env: dict[str, str]) -> int:
        """Start every process; when a stop is asked or one ends, SIGTERM the rest, give
        them GRACE_SECONDS, then SIGKILL. The first exit code that is not 0, or 0."""
        running: dict[str, subprocess.Popen[bytes]] = {}
        code = 0
        with Stop() as stop:
            try:
                for name, command in commands.items():
                    # Their own session: a terminal's Ctrl-C reaches only us, and we stop
                    # them in order (gunicorn's SIGTERM is its graceful stop).
                    running[name] = subprocess.Popen(command, env=env, start_new_session=True)
                while not stop.requested:
                    ended = {n: p.returncode for n, p in running.items() if p.poll() is not None}
                    if ended:
                        name, code = next(iter(ended.items()))
                        self.stderr.write(f"{name} 以 {code} 退出，停止其余进程")
                        break
                    stop.sleep(0.5)
            finally:
                self._stop_all(running)
        return code

    def _stop_all(self, running: dict[str, subprocess.Popen[bytes]]) -> None:
        for process in running.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for name, process in running.items():
            try:
                process.wait(GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{name} 未在 {GRACE_SECONDS:.0f} 秒内停止，强制结束")
                process.kill()
                process.wait()
