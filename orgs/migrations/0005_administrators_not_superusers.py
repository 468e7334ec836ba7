"""三权分立 (issue 16): the 系统管理员 is no longer a Django superuser (grant_role made every
one of them superuser and staff). Their memberships stay; nothing in Huiyin reads the flags
any more, and there is no Django admin to open with them."""

from django.db import migrations


def clear_superusers(apps, schema_editor):
    User = apps.get_model("auth", "User")
    User.objects.filter(is_superuser=True).update(is_superuser=False)
    User.objects.filter(is_staff=True).update(is_staff=False)


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0004_password_history_reactivated_at"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(clear_superusers, migrations.RunPython.noop)]
