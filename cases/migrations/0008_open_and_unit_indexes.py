"""Indexes that keep the 待办 sections and the ledger off the closed cases (issue 10):
open cases by deadline (a partial index on the running states), one unit's cases in one
state newest first, and a unit's live assignments read from the index alone.

The running states are written out here: a migration must not depend on which workflows
register at run time (cases/tests/test_plans.py checks they equal the spec's group)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_reply_doc_number"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="case",
            name="cases_case_lead_un_b0f3fe_idx",
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["lead_unit", "state", "-id"], name="case_unit_state_recent"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(
                    (
                        "state__in",
                        (
                            "registered",
                            "assigned",
                            "handling",
                            "unit_approving",
                            "reviewing",
                            "signing",
                        ),
                    )
                ),
                fields=["deadline", "id"],
                include=["category"],
                name="case_open_deadline",
            ),
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                condition=models.Q(("status__in", ["pending", "accepted"])),
                fields=["unit", "kind", "case"],
                name="assignment_live",
            ),
        ),
    ]
