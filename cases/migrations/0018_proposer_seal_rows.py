"""Seal the proposers' phone numbers and addresses written before 0017 (SM4, huiyin.crypto).

The historical model's fields are huiyin.sealed.SealedCharField: reading gives the plain
text (a row not yet sealed reads as it is), writing encrypts. Reversible: the reverse
writes the plain text back (through a plain CharField value), before 0017's reverse narrows
the columns again.
"""

from django.db import migrations, models, transaction

BATCH = 500
FIELDS = ("phone", "address")


def _batches(model):
    last = 0
    while True:
        rows = list(
            model.objects.filter(pk__gt=last).exclude(phone="", address="").order_by("pk")[:BATCH]
        )
        if not rows:
            return
        last = rows[-1].pk
        yield rows


def seal(apps, schema_editor):
    Proposer = apps.get_model("cases", "Proposer")
    for rows in _batches(Proposer):
        with transaction.atomic(using=schema_editor.connection.alias):
            Proposer.objects.bulk_update(rows, FIELDS)


def unseal(apps, schema_editor):
    Proposer = apps.get_model("cases", "Proposer")
    for rows in _batches(Proposer):
        for row in rows:
            Proposer.objects.filter(pk=row.pk).update(
                **{
                    f: models.Value(getattr(row, f), output_field=models.CharField())
                    for f in FIELDS
                }
            )


class Migration(migrations.Migration):
    dependencies = [("cases", "0017_proposer_sealed_contact")]

    operations = [migrations.RunPython(seal, unseal, elidable=True)]
