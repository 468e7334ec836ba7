from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "办件"

    def ready(self) -> None:
        from cases import involvement, receivers  # noqa: F401  (connect signal receivers)
