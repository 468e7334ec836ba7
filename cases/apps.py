from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "办件"

    def ready(self) -> None:
        from cases import receivers  # noqa: F401  (connects signal receivers)
