"""On PostgreSQL with pg_trgm, a trigram index of the public opinions' texts, so that the
ledger's keyword finds an opinion by any word of it (cases.keyword) without reading every
case. Partial: only the opinions' texts (a 议提案's content is long and not searched)."""

from django.db import migrations

INDEX = "opinion_content_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            return  # no pg_trgm (cases/migrations/0010 could not create it): texts are read
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON cases_case USING gin (content gin_trgm_ops) "
        "WHERE category = 'public_opinion'"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("opinions", "0001_initial"), ("cases", "0011_public_opinion_category")]
    operations = [migrations.RunPython(create, drop)]
