from django.apps import AppConfig


class PromisesConfig(AppConfig):
    """回头看: the promises of B/C replies and "needs time" answers, kept after closing."""

    name = "promises"
    verbose_name = "承诺事项回头看"
    default_auto_field = "django.db.models.BigAutoField"
