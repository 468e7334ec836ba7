"""Indexes for the ledger's new sorts and filters and the 待办 page's sections."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_deadline_rule_settings"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["number", "id"], name="case_by_number"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["title", "id"], name="case_by_title"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["issuer"], name="case_by_issuer"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("is_key", True)), fields=["deadline"], name="case_key"
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("led_by", ""), _negated=True),
                fields=["deadline"],
                name="case_led",
            ),
        ),
        migrations.AddIndex(
            model_name="extensionrequest",
            index=models.Index(
                condition=models.Q(("approved__isnull", True)),
                fields=["case"],
                name="extension_pending",
            ),
        ),
    ]
