from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = "运维"

    def ready(self) -> None:
        from ops.statistics import refresh_after_migrate

        # SQLite's planner statistics, after each migrate (ops/statistics.py).
        post_migrate.connect(refresh_after_migrate, sender=self, dispatch_uid="ops.statistics")
