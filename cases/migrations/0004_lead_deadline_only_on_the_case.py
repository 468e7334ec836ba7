"""The lead unit's reply deadline is stored once, on the case: a lead assignment no longer
carries a copy (Assignment.due reads the case's). Co-units keep their own opinion deadline."""

from django.db import migrations, models


def clear_lead_copies(apps, schema_editor):
    Assignment = apps.get_model("cases", "Assignment")
    Assignment.objects.filter(kind="lead").update(
        deadline=None, deadline_provisional=False, deadline_rule={}
    )


def restore_lead_copies(apps, schema_editor):
    # Back to a copy on every lead assignment (the column is required again). An ended
    # assignment's own date is gone: it gets the case's, or its assignment date.
    Assignment = apps.get_model("cases", "Assignment")
    for a in Assignment.objects.filter(kind="lead").select_related("case").iterator():
        a.deadline = a.case.deadline or a.assigned_on
        a.deadline_provisional = a.case.deadline_provisional
        a.deadline_rule = a.case.deadline_rule
        a.save(update_fields=["deadline", "deadline_provisional", "deadline_rule"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_case_list_indexes")]

    operations = [
        migrations.AlterField(
            model_name="assignment",
            name="deadline",
            field=models.DateField(blank=True, null=True, verbose_name="会办意见期限"),
        ),
        migrations.RunPython(clear_lead_copies, restore_lead_copies, elidable=True),
    ]
