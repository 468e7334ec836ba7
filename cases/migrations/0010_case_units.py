"""Issue 10: lists fast at a million cases.

- CaseUnit, one row per (case, unit) the unit may see, with the case's state: unit
  scoping by index (cases.involvement keeps it; filled here from the existing cases).
- Indexes on the cases in the ledger's order (newest first) per state and per year, and
  partial indexes for 我的待办's sections over open cases, each in its section's order.
- The cases of a topic newest first (the M2M table has no model to declare it on).
- On PostgreSQL, trigram indexes on the titles and numbers for the keyword (pg_trgm,
  a trusted extension: the database's owner may create it), and indexes of their
  characters and pairs of characters for a keyword of one or two. Where the extension
  cannot be created the keyword still works, by reading the cases.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The rows as cases.involvement computes them, written out: a migration must not change
# when that module does. The live statuses are literals, as the partial index on live
# assignments spells them (SQLite uses it only then).
FILL = """
INSERT INTO cases_caseunit
    (case_id, unit_id, lead, kind, status, handler_id, state, deadline, unit_deadline,
     year, category, level)
SELECT c.id, u.unit_id, (c.lead_unit_id IS NOT NULL AND c.lead_unit_id = u.unit_id),
       COALESCE(a.kind, ''), COALESCE(a.status, ''), a.handler_id, c.state,
       c.deadline, c.unit_deadline, c.year, c.category, c.level
FROM (
    SELECT id AS case_id, lead_unit_id AS unit_id FROM cases_case
    WHERE lead_unit_id IS NOT NULL
    UNION
    SELECT case_id, unit_id FROM cases_assignment WHERE status IN ('pending', 'accepted')
) u
JOIN cases_case c ON c.id = u.case_id
LEFT JOIN cases_assignment a
  ON a.case_id = u.case_id AND a.unit_id = u.unit_id AND a.status IN ('pending', 'accepted')
"""

TRIGRAM_INDEXES = (
    ("case_title_trgm", "title"),
    ("case_number_trgm", "number"),
)
# Every character and pair of characters of a text: for a keyword of one or two
# characters, which has no trigram (cases.keyword.HasGram).
SHORT_GRAMS = """
CREATE OR REPLACE FUNCTION huiyin_short_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT g), '{}') FROM (
        SELECT substr(t, i, 1) AS g FROM generate_series(1, char_length(t)) AS i
        UNION ALL
        SELECT substr(t, i, 2) FROM generate_series(1, char_length(t) - 1) AS i
    ) AS grams
$$
"""
GRAM_INDEXES = (
    ("case_title_grams", "title"),
    ("case_number_grams", "number"),
)
# The ledger's 答复期限 ↓ (cases.listing.SORTS["-deadline"]: empty dates last), which
# SQLite's CREATE INDEX cannot spell.
DEADLINE_DESC = (
    "CREATE INDEX IF NOT EXISTS case_deadline_desc ON cases_case "
    "(deadline DESC NULLS LAST, id DESC)"
)


def fill(apps, schema_editor):
    schema_editor.execute(FILL)


def add_postgresql_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.db import DatabaseError, transaction

    schema_editor.execute(DEADLINE_DESC)
    schema_editor.execute(SHORT_GRAMS)
    for name, column in GRAM_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON cases_case "
            f"USING gin (huiyin_short_grams({column}))"
        )
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        return  # no pg_trgm here: a longer keyword is searched by reading the cases
    for name, column in TRIGRAM_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON cases_case USING gin ({column} gin_trgm_ops)"
        )


def drop_postgresql_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _ in (*TRIGRAM_INDEXES, *GRAM_INDEXES):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute("DROP FUNCTION IF EXISTS huiyin_short_grams(text)")
    schema_editor.execute("DROP INDEX IF EXISTS case_deadline_desc")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_tally_indexes"),
        ("orgs", "0002_account"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseUnit",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("lead", models.BooleanField()),
                ("kind", models.CharField(blank=True, max_length=10)),
                ("status", models.CharField(blank=True, max_length=20)),
                ("state", models.CharField(max_length=30)),
                ("deadline", models.DateField(null=True)),
                ("unit_deadline", models.DateField(null=True)),
                ("year", models.PositiveSmallIntegerField()),
                ("category", models.CharField(max_length=30)),
                ("level", models.CharField(max_length=20)),
            ],
            options={
                "verbose_name": "处室办件",
                "verbose_name_plural": "处室办件",
            },
        ),
        migrations.RemoveIndex(
            model_name="case",
            name="case_by_issuer",
        ),
        migrations.RemoveIndex(
            model_name="case",
            name="case_key",
        ),
        migrations.RemoveIndex(
            model_name="case",
            name="case_led",
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                condition=models.Q(
                    ("kind", "co"), ("opinion", ""), ("status__in", ["pending", "accepted"])
                ),
                fields=["unit", "deadline", "case"],
                name="assignment_opinion_due",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["state", "-id"], name="case_state_recent"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["year", "-id"], name="case_year_recent"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("state", "registered")),
                fields=["explicit_deadline", "received_on", "id"],
                name="case_to_assign",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("state", "replied")),
                fields=["replied_on", "id"],
                include=("category", "level"),
                name="case_replied",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(
                    ("round__gt", 1),
                    ("state__in", ("handling", "unit_approving", "reviewing", "signing")),
                ),
                fields=["deadline", "id"],
                name="case_rehandling",
            ),
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
                    ),
                    models.Q(
                        ("is_key", True), models.Q(("led_by", ""), _negated=True), _connector="OR"
                    ),
                ),
                fields=["deadline", "id"],
                name="case_key_open",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["issuer", "-id"], name="case_by_issuer"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["feedback_result", "-id"], name="case_by_feedback"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["reply_class", "-id"], name="case_by_reply_class"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["mode", "-id"], name="case_by_mode"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("is_key", True)), fields=["-id"], name="case_key"
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("led_by", ""), _negated=True), fields=["-id"], name="case_led"
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("lead_unit__isnull", True)), fields=["-id"], name="case_no_unit"
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("replied_on__isnull", True)),
                fields=["-id"],
                name="case_unreplied",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("replied_on__gt", models.F("deadline"))),
                fields=["-id"],
                name="case_late",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("feedback_result", ""), ("replied_on__isnull", False)),
                fields=["-id"],
                name="case_unrated",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["received_on"], name="case_received"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("replied_on__isnull", False)),
                fields=["replied_on"],
                name="case_replied_on",
            ),
        ),
        migrations.AddField(
            model_name="caseunit",
            name="case",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="unit_parts",
                to="cases.case",
            ),
        ),
        migrations.AddField(
            model_name="caseunit",
            name="handler",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="caseunit",
            name="unit",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.unit",
            ),
        ),
        # Filled before its indexes are made: one sort each instead of a million inserts.
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="caseunit",
            index=models.Index(
                fields=["unit", "-case"],
                include=("state", "year", "category", "level", "lead"),
                name="caseunit_recent",
            ),
        ),
        migrations.AddIndex(
            model_name="caseunit",
            index=models.Index(
                fields=["unit", "state", "-case"],
                include=("lead", "kind", "status", "handler"),
                name="caseunit_state",
            ),
        ),
        migrations.AddIndex(
            model_name="caseunit",
            index=models.Index(
                condition=models.Q(("handler__isnull", False)),
                fields=["handler", "-case"],
                include=("state",),
                name="caseunit_handler",
            ),
        ),
        migrations.AddIndex(
            model_name="caseunit",
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
                fields=["unit", "deadline", "case"],
                include=("state", "kind", "status", "handler"),
                name="caseunit_open",
            ),
        ),
        migrations.AddIndex(
            model_name="caseunit",
            index=models.Index(
                condition=models.Q(("state", "handling")),
                fields=["unit", "unit_deadline", "case"],
                include=("kind", "status", "handler"),
                name="caseunit_handling",
            ),
        ),
        migrations.AddIndex(
            model_name="caseunit",
            index=models.Index(
                condition=models.Q(("handler__isnull", False), ("state", "handling")),
                fields=["handler", "unit_deadline", "case"],
                include=("kind", "status"),
                name="caseunit_mine",
            ),
        ),
        migrations.AddConstraint(
            model_name="caseunit",
            constraint=models.UniqueConstraint(fields=("unit", "case"), name="caseunit_once"),
        ),
        migrations.RunSQL(
            "CREATE INDEX case_topics_by_topic ON cases_case_topics (topic_id, case_id)",
            "DROP INDEX case_topics_by_topic",
        ),
        migrations.RunPython(add_postgresql_indexes, drop_postgresql_indexes, elidable=True),
    ]
