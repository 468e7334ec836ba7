"""The worker's side of the outbox (Django's Tasks API: the database backend by default,
RQ on Redis in production; HUIYIN_TASKS in settings)."""

from django_tasks import task

from notify import outbox


@task()
def deliver(ids: list[int]) -> int:
    """Send the messages `queue` just wrote (those of them still due). Enqueued after the
    commit that wrote them; returns how many went out."""
    return outbox.deliver_due(ids=ids)


@task()
def deliver_due() -> int:
    """Send every message that is due: the scheduler's minutely sweep, for the messages
    whose own task was lost or that wait for a retry."""
    return outbox.deliver_due()
