"""Tasks of the ops app (run by the task worker)."""

from django_tasks import task

from ops import heartbeat


@task()
def beat() -> None:
    """The worker's heartbeat, enqueued by the scheduler every minute."""
    heartbeat.beat()
