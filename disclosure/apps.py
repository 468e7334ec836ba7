from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    """公开: the disclosure of signed replies, with personal data masked."""

    name = "disclosure"
    verbose_name = "答复公开"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from disclosure import panels  # noqa: F401  (registers the case page's panel)
