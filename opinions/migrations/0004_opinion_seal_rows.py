"""Seal the opinions' phone numbers and e-mail addresses written before 0003 (SM4,
huiyin.crypto) and fill the phone's blind index (HMAC-SM3 of its digits).

The historical model's fields are huiyin.sealed's: reading gives the plain text (a row not
yet sealed reads as it is), writing encrypts. Reversible: the reverse writes the plain text
back (through a plain CharField value), before 0003's reverse narrows the columns again and
drops the index.
"""

from django.db import migrations, models, transaction

from huiyin.sealed import phone_index

BATCH = 500
FIELDS = ("phone", "email")


def _batches(model):
    last = 0
    while True:
        rows = list(
            model.objects.filter(pk__gt=last).exclude(phone="", email="").order_by("pk")[:BATCH]
        )
        if not rows:
            return
        last = rows[-1].pk
        yield rows


def seal(apps, schema_editor):
    Opinion = apps.get_model("opinions", "Opinion")
    for rows in _batches(Opinion):
        for row in rows:
            row.phone_index = phone_index(row.phone)
        with transaction.atomic(using=schema_editor.connection.alias):
            Opinion.objects.bulk_update(rows, [*FIELDS, "phone_index"])


def unseal(apps, schema_editor):
    Opinion = apps.get_model("opinions", "Opinion")
    for rows in _batches(Opinion):
        for row in rows:
            Opinion.objects.filter(pk=row.pk).update(
                **{
                    f: models.Value(getattr(row, f), output_field=models.CharField())
                    for f in FIELDS
                }
            )


class Migration(migrations.Migration):
    dependencies = [("opinions", "0003_opinion_sealed_contact")]

    operations = [migrations.RunPython(seal, unseal, elidable=True)]
