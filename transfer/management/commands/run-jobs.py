from django.core.management.base import BaseCommand

from transfer import jobs


class Command(BaseCommand):
    help = (
        "运行等待中的台账导入任务：先把中断的任务（服务器重启等）重新排队，再逐个检查或导入；"
        "可重复运行，每个任务只执行一次"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--purge-days",
            type=int,
            default=30,
            help="删除超过这么多天仍未导入的上传文件（默认30天；0表示不删除）",
        )

    def handle(self, *args, purge_days: int, **options):
        requeued = jobs.requeue_stale()
        if requeued:
            self.stdout.write(f"重新排队{requeued}个中断的导入任务")
        ran = jobs.run_waiting()
        for job_id in ran:
            job = jobs.ImportJob.objects.get(pk=job_id)
            line = f"导入任务#{job_id}（{job.filename}）：{job.get_status_display()}"
            if job.error:
                line += f"，{job.error}"
            self.stdout.write(line)
        if purge_days > 0:
            purged = jobs.purge_files(purge_days)
            if purged:
                self.stdout.write(f"删除{purged}个超过{purge_days}天未导入的上传文件")
        if not (requeued or ran):
            self.stdout.write("没有等待中的导入任务")
