"""PostgreSQL refuses UPDATE and DELETE of audit events (issue 16): grants cannot stop the
superuser a deployment or CI may connect as, a trigger does. The one exception is the
archive (huiyin audit archive): a DELETE in a transaction that set
`huiyin.audit_archive = 'on'` of a row older than the retention (never under 180 days,
whatever `huiyin.audit_retention_days` says). TRUNCATE stays possible (tests flush with it).
SQLite has no trigger: pytest-django flushes it with DELETE."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_event_immutable() RETURNS trigger AS $$
DECLARE
    retention integer := 180;
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('huiyin.audit_archive', true) = 'on' THEN
        retention := greatest(180, coalesce(
            nullif(current_setting('huiyin.audit_retention_days', true), '')::integer, 180));
        IF OLD.at < now() - make_interval(days => retention) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit event % is younger than the retention (% days)', OLD.id, retention
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RAISE EXCEPTION 'audit events cannot be changed (% of event %)', TG_OP, OLD.id
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_event_immutable ON audit_auditevent;
CREATE TRIGGER audit_event_immutable BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_event_immutable ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_immutable();
"""


def install(apps, schema_editor):  # noqa: ANN001, ARG001
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def remove(apps, schema_editor):  # noqa: ANN001, ARG001
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_link_existing_events")]

    operations = [migrations.RunPython(install, remove)]
