from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "督查督办"

    def ready(self) -> None:
        from supervision import spec  # noqa: F401  (registers the supervision workflow)
