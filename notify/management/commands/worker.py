from django.core.management import call_command
from django.core.management.base import BaseCommand
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_rq.backend import RQBackend

from notify.management.process import Stop


class Command(BaseCommand):
    help = (
        "后台任务 worker，按 HUIYIN_TASKS 选择：db 运行 db_worker，rq 运行 rqworker；"
        "immediate 时任务在排队处立即执行，无需 worker，只等待停止信号"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--burst",
            action="store_true",
            help="执行完已排队的任务就退出（db_worker --batch、rqworker --burst）",
        )

    def handle(self, *args, burst: bool, verbosity: int, **options):
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        queues = sorted(backend.queues)
        if isinstance(backend, DatabaseBackend):
            db_options = ["--queue-name", ",".join(queues)]
            if burst:
                db_options += ["--batch", "--no-startup-delay"]
            call_command("db_worker", *db_options, verbosity=verbosity)
        elif isinstance(backend, RQBackend):
            # django_rq's command itself, whether or not django_rq is in INSTALLED_APPS
            # (settings.py adds it under HUIYIN_TASKS=rq). The job class turns RQ's jobs
            # back into Django tasks; RQ's scheduler runs tasks enqueued with a run_after.
            from django_rq.management.commands.rqworker import Command as RQWorker

            rq_options = ["--job-class", "django_tasks_rq.Job", "--with-scheduler"]
            if burst:
                rq_options.append("--burst")
            call_command(RQWorker(), *queues, *rq_options, verbosity=verbosity)
        elif not burst:
            self.stdout.write(
                f"任务后端 {type(backend).__name__}：任务在排队处立即执行，无需 worker"
            )
            with Stop() as stop:
                stop.wait()
