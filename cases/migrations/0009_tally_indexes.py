from django.db import migrations


class Migration(migrations.Migration):
    """Indexes on cases for the statistics' summary rows (none needed yet)."""

    dependencies = [("cases", "0008_open_and_unit_indexes")]

    operations: list[migrations.operations.base.Operation] = []
