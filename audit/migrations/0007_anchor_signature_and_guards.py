"""The security review of issue 16: archive anchors are signed (audit.integrity), and on
PostgreSQL

- the anchors' table refuses UPDATE and DELETE (a plain INSERT stays possible, and an
  unsigned anchor is refused by `huiyin audit verify`);
- an event may be deleted (the archive's transaction, `huiyin.audit_archive = 'on'`) only
  when it is older than the retention AND an anchor already covers it (id ≤ the newest
  anchor's up_to_id): the setting alone no longer lets a connection delete old events; an
  anchor inserted by hand to allow it is caught by verify (its signature fails).

The existing anchors (if any) are signed with the audit key."""

from importlib import import_module

from django.db import migrations, models

CREATE = """
CREATE OR REPLACE FUNCTION audit_event_immutable() RETURNS trigger AS $$
DECLARE
    retention integer := 180;
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('huiyin.audit_archive', true) = 'on' THEN
        retention := greatest(180, coalesce(
            nullif(current_setting('huiyin.audit_retention_days', true), '')::integer, 180));
        IF OLD.at >= now() - make_interval(days => retention) THEN
            RAISE EXCEPTION 'audit event % is younger than the retention (% days)',
                OLD.id, retention USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF OLD.id <= (SELECT max(up_to_id) FROM audit_auditarchive) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit event % is not covered by an archive anchor', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RAISE EXCEPTION 'audit events cannot be changed (% of event %)', TG_OP, OLD.id
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION audit_archive_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit archive anchors cannot be changed (% of anchor %)', TG_OP, OLD.id
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_archive_immutable ON audit_auditarchive;
CREATE TRIGGER audit_archive_immutable BEFORE UPDATE OR DELETE ON audit_auditarchive
    FOR EACH ROW EXECUTE FUNCTION audit_archive_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_archive_immutable ON audit_auditarchive;
DROP FUNCTION IF EXISTS audit_archive_immutable();
"""


def sign_anchors(apps, schema_editor):  # noqa: ANN001, ARG001
    AuditArchive = apps.get_model("audit", "AuditArchive")
    anchors = list(AuditArchive.objects.using(schema_editor.connection.alias).order_by("up_to_id"))
    if not anchors:
        return
    from audit.integrity import anchor_signature

    previous = ""
    for anchor in anchors:
        anchor.signature = previous = anchor_signature(
            up_to_id=anchor.up_to_id,
            last_chain=anchor.last_chain,
            count=anchor.count,
            sha=anchor.sha,
            previous_signature=previous,
        )
        anchor.save(update_fields=["signature"])


def install(apps, schema_editor):  # noqa: ANN001
    sign_anchors(apps, schema_editor)  # before the trigger refuses the UPDATE
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def remove(apps, schema_editor):  # noqa: ANN001, ARG001
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)
        previous = import_module("audit.migrations.0006_refuse_changes")
        schema_editor.execute(previous.CREATE, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_refuse_changes")]

    operations = [
        migrations.AddField(
            model_name="auditarchive",
            name="signature",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="签名"),
        ),
        migrations.RunPython(install, remove),
    ]
