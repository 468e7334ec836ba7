"""Two probes for a load balancer or a monitor; neither reads a session, needs a login or
says anything about a case.

`/livez`: the process answers. The floor a page of ours cannot go below: no query, no
template, no session (it is not read, so neither loaded nor renewed). The benchmarks'
bare view.

`/healthz`: the installation works. The database answers (SELECT 1), the task worker beat
within five minutes (ops/heartbeat.py: the scheduler enqueues the beat every minute, the
worker runs it) and the media and database folders have HUIYIN_HEALTH_MIN_FREE_MB free.
200 with {"status": "ok", …}, or 503 naming what failed. Two small queries.
"""

import shutil
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

PATH = "/livez"
HEALTH_PATH = "/healthz"
OK = "ok"


@require_GET
def livez(request: HttpRequest) -> HttpResponse:
    return HttpResponse(OK, content_type="text/plain; charset=utf-8")


def database_problem() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return f"数据库无法连接：{type(exc).__name__}"
    return ""


def worker_problem() -> str:
    from ops.heartbeat import worker_problem as problem

    try:
        return problem()
    except DatabaseError:
        return "无法读取任务进程心跳（数据库未迁移？）"


def watched_folders() -> list[Path]:
    """The folders whose disk must not fill: attachments, and SQLite's database file."""
    folders = [Path(settings.MEDIA_ROOT)]
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3") and db["NAME"] and ":memory:" not in str(db["NAME"]):
        folders.append(Path(db["NAME"]).parent)
    return folders


def disk_problem() -> str:
    floor = settings.HUIYIN_HEALTH_MIN_FREE_MB * 1024 * 1024
    problems = []
    for folder in watched_folders():
        existing = folder
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent  # a media folder not made yet: its disk
        free = shutil.disk_usage(existing).free
        if free < floor:
            problems.append(f"{folder} 所在磁盘仅剩 {free // (1024 * 1024)} MB")
    return "；".join(problems)


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    checks = {"database": database_problem()}
    checks["worker"] = worker_problem() if not checks["database"] else "未检查（数据库不可用）"
    checks["disk"] = disk_problem()
    healthy = not any(checks.values())
    return JsonResponse(
        {
            "status": OK if healthy else "fail",
            "checks": {name: problem or OK for name, problem in checks.items()},
        },
        status=200 if healthy else 503,
        json_dumps_params={"ensure_ascii": False},
    )
