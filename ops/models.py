from django.db import models


class Heartbeat(models.Model):
    """The last sign of life of a background process (one row each): the task worker runs
    `ops.tasks.beat` that the scheduler enqueues every minute, so a fresh "worker" row
    means both are alive and the queue moves. Read by /healthz and `huiyin check-deploy`."""

    name = models.CharField("进程", max_length=40, primary_key=True)
    at = models.DateTimeField("最近一次")

    class Meta:
        verbose_name = "心跳"
        verbose_name_plural = "心跳"

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"
