"""What must be unique is enforced by the database, not only by the actions' checks:

- at most one pending extension request per case (replaces the plain partial index);
- a unit holds at most one live assignment in a case;
- one rating per round, one draft on its way per case, one signed reply per round.

Parallel requests could leave several pending extension requests before the actions took
the case's row lock; all but the earliest of each case are closed as refused, with a note,
so that the constraint can be created.
"""

from django.db import migrations, models
from django.db.models import Count

DUPLICATE_NOTE = "系统处理：与同一办件更早的待审批延期申请重复（同时提交），未予审批"


def close_duplicate_pending_requests(apps, schema_editor):
    ExtensionRequest = apps.get_model("cases", "ExtensionRequest")
    pending = ExtensionRequest.objects.filter(approved__isnull=True)
    twice = pending.values("case_id").annotate(n=Count("id")).filter(n__gt=1)
    for row in twice:
        first, *others = pending.filter(case_id=row["case_id"]).order_by("id")
        for request in others:
            request.approved = False
            request.comment = DUPLICATE_NOTE
            request.decided_on = request.requested_on
            request.save(update_fields=["approved", "comment", "decided_on"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_lead_deadline_only_on_the_case")]

    operations = [
        migrations.RunPython(
            close_duplicate_pending_requests, migrations.RunPython.noop, elidable=True
        ),
        migrations.RemoveIndex(model_name="extensionrequest", name="extension_pending"),
        migrations.AddConstraint(
            model_name="extensionrequest",
            constraint=models.UniqueConstraint(
                condition=models.Q(("approved__isnull", True)),
                fields=("case",),
                name="extension_one_pending",
            ),
        ),
        migrations.AddConstraint(
            model_name="assignment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["pending", "accepted"])),
                fields=("case", "unit"),
                name="assignment_one_live_per_unit",
            ),
        ),
        migrations.AddConstraint(
            model_name="feedback",
            constraint=models.UniqueConstraint(
                fields=("case", "round"), name="feedback_once_per_round"
            ),
        ),
        migrations.AddConstraint(
            model_name="reply",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ("unit_approving", "reviewing", "signing"))),
                fields=("case",),
                name="reply_one_in_progress",
            ),
        ),
        migrations.AddConstraint(
            model_name="reply",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "signed")),
                fields=("case", "round"),
                name="reply_signed_once_per_round",
            ),
        ),
    ]
