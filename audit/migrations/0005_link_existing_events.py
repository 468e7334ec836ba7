"""Events written before the chain existed get their links, in id order, before the
database starts refusing changes (0006): `huiyin audit verify` then covers the whole trail
of an installation that was upgraded, not only what was written since."""

from django.db import migrations


def link_existing(apps, schema_editor):  # noqa: ANN001, ARG001
    from audit.chain import rechain

    AuditEvent = apps.get_model("audit", "AuditEvent")
    if AuditEvent.objects.filter(chain="").exists():
        rechain(0)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_chain_and_archive")]

    operations = [migrations.RunPython(link_existing, migrations.RunPython.noop, elidable=True)]
